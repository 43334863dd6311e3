/**
 * A 1-D/2-D problem as WGSL: `loss_f`, `grad_f`, `hess_f` (xx, xy, yy) and `third_f` (xxx, xxy, xyy, yyy),
 * generated from the symbolic derivatives that problems/custom.ts compiles for the float64 path
 * (`compileExpression(...).formulas`, re-parsed by mathjs). Toys are written here as expressions with
 * the same parameters; test/wgsl-problems.test.ts checks that their symbolic derivatives equal the
 * hand-derived fields of problems/toys.ts in float64, so one definition serves both paths.
 *
 * Parameters are read at run time from `prm` (a storage array the kernel binds), so a parameter change
 * reuses the pipeline; only a new expression recompiles.
 */
import type { MathNode } from 'mathjs';
import { mathjs } from '../problems/mathjs-lazy.ts';
import { compileExpression } from '../problems/custom.ts';
import { WgslUnsupported, wgslFunction } from './expr-to-wgsl.ts';

/** Toy problems as expressions in x (and y) over their parameters (same names as problems/toys.ts). */
export const TOY_EXPRESSIONS: Record<string, string> = {
  quadratic: '0.5 * lambda * x^2',
  'quadratic-2d':
    '0.5 * (l1 * (cos(theta * pi / 180) * x + sin(theta * pi / 180) * y)^2 + l2 * (cos(theta * pi / 180) * y - sin(theta * pi / 180) * x)^2)',
  quartic: 'S / 2 * x^2 - Q / 4 * x^4',
  'soft-well': 'k * x^2 / sqrt(1 + x^2)',
  valley: '(1 - a * x^2 - y^2)^2',
  'self-stab': '0.5 * y^2 * x^2 + x - c * y',
};

export interface ProblemWgsl {
  dim: 1 | 2;
  /** Parameter names in `prm` order (sorted, as compileExpression orders its slots). */
  paramNames: string[];
  /** The four functions, or null with `error` when WGSL cannot express the expression. */
  source: string | null;
  error?: string;
}

const cache = new Map<string, ProblemWgsl>();

/** WGSL for an expression over the named parameters. Never throws for WgslUnsupported (see `error`). */
export function expressionToWgsl(expr: string, paramNames: string[]): ProblemWgsl {
  const names = [...paramNames].sort();
  const key = `${expr}\u0000${names.join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const ce = compileExpression(expr, names); // throws InputError for bad input, as the CPU path does
  const dim = ce.dim;
  const tree = (s: string): MathNode => mathjs().parse(s);
  let out: ProblemWgsl;
  try {
    const f = [tree(ce.formulas.f)];
    const g = ce.formulas.g.map(tree);
    const h = ce.formulas.h.map(tree);
    const t = ce.formulas.t.map(tree);
    const z = '0.0';
    const src = [
      wgslFunction('loss_f', 'f32', f, names, (v) => v[0]),
      wgslFunction('grad_f', 'vec2f', g, names, (v) => (dim === 2 ? `vec2f(${v[0]}, ${v[1]})` : `vec2f(${v[0]}, ${z})`)),
      wgslFunction('hess_f', 'vec3f', h, names, (v) => (dim === 2 ? `vec3f(${v[0]}, ${v[1]}, ${v[2]})` : `vec3f(${v[0]}, ${z}, ${z})`)),
      wgslFunction('third_f', 'vec4f', t, names, (v) =>
        dim === 2 ? `vec4f(${v[0]}, ${v[1]}, ${v[2]}, ${v[3]})` : `vec4f(${v[0]}, ${z}, ${z}, ${z})`,
      ),
    ].join('\n\n');
    out = { dim, paramNames: names, source: src };
  } catch (e) {
    if (!(e instanceof WgslUnsupported)) throw e;
    out = { dim, paramNames: names, source: null, error: `WGSL cannot express this loss: ${e.message}. The CPU (float64) runs it instead.` };
  }
  if (cache.size > 32) cache.delete(cache.keys().next().value as string);
  cache.set(key, out);
  return out;
}
