/**
 * Custom expressions (issue 12, rows 0c, 6, 7, 8, 9): real odd roots with correct derivatives for
 * negative x, own-property name lookups, and the stated limits that keep every compile bounded.
 */
import { derivative, parse } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../src/engine/problems/custom.ts';
import { oddRoot, realPow, setCodegen, SUPPORTED_FUNCTIONS } from '../src/engine/problems/expr-compile.ts';
import { derivativeSizeBound, MAX_DERIVATIVE_NODES, MAX_EXPR_DEPTH, MAX_EXPR_LENGTH, treeSize } from '../src/engine/problems/expr-budget.ts';
import { derivativeErrors, mulberry32, relErr } from '../src/engine/problems/fd-check.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { createRunner } from '../src/engine/runner.ts';
import { InputError } from '../src/engine/types.ts';

const custom = (expr: string, params: Record<string, number> = {}) => createProblem({ id: 'custom', expr, params });

function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('odd roots are real for negative arguments', () => {
  it('realPow: sign(u)^p |u|^(p/q) for odd q, NaN for even q, Math.pow otherwise', () => {
    expect(realPow(-8, 1 / 3)).toBeCloseTo(-2, 15);
    expect(realPow(-8, 2 / 3)).toBeCloseTo(4, 14);
    expect(realPow(-32, 0.2)).toBeCloseTo(-2, 15);
    expect(realPow(-32, 1.4)).toBeCloseTo(-128, 12); // 7/5
    expect(realPow(-8, -5 / 3)).toBeCloseTo(-1 / 32, 15);
    expect(realPow(-8, 2 / 3 - 1)).toBeCloseTo(-0.5, 15); // 2/3 − 1 in float64 is −0.33333333333333337
    expect(realPow(-4, 0.5)).toBeNaN();
    expect(realPow(-2, 0.1)).toBeNaN(); // 1/10: even denominator
    expect(realPow(-2, 3)).toBe(-8);
    expect(realPow(2, 1 / 3)).toBe(Math.pow(2, 1 / 3));
    expect(oddRoot(0.123)).toBeUndefined();
  });

  it('cbrt(x)^2, cbrt(x), x^(1/3), x^(2/5): hand-derived derivatives at negative x', () => {
    for (const x of [-0.7, -2.3, -1e-3]) {
      const w = Float64Array.of(x);
      const a = Math.abs(x);
      // cbrt(x)^2 = |x|^(2/3): first three derivatives of the even function, written for x < 0.
      const p = custom('cbrt(x)^2').problem;
      expect(p.loss(w)).toBeCloseTo(a ** (2 / 3), 14);
      expect(relErr(p.grad(w), [-(2 / 3) * a ** (-1 / 3)])).toBeLessThan(1e-13);
      expect(relErr(p.hessian!(w), [-(2 / 9) * a ** (-4 / 3)])).toBeLessThan(1e-13);
      expect(relErr(p.third(w, Float64Array.of(1), Float64Array.of(1)), [-(8 / 27) * a ** (-7 / 3)])).toBeLessThan(1e-13);
      for (const e of ['cbrt(x)', 'x^(1/3)']) {
        const q = custom(e).problem;
        expect(q.loss(w)).toBeCloseTo(Math.cbrt(x), 14);
        expect(relErr(q.grad(w), [(1 / 3) * a ** (-2 / 3)])).toBeLessThan(1e-13);
        expect(relErr(q.hessian!(w), [(2 / 9) * a ** (-5 / 3)])).toBeLessThan(1e-13);
      }
    }
  });

  it('every odd root, in one and two variables and in both code paths: derivatives agree with finite differences at negative points', () => {
    const exprs = ['cbrt(x)^2', 'cbrt(x - 1) + x^2', 'x^(2/5) + y^2', 'cbrt(x*y) + x^2', 'x^(1/3)*y^(5/7)', '(x^2 - 3)^(1/3)', 'cbrt(sin(x) + y)'];
    const rand = mulberry32(12);
    for (const codegen of [undefined, false] as const) {
      setCodegen(codegen);
      try {
        for (const expr of exprs) {
          // A distinct parameter name per route defeats the compile cache.
          const p = custom(expr, codegen === false ? { unused: 0 } : {}).problem;
          for (const [x, y] of [[-0.7, -0.4], [-1.9, 0.6], [0.8, -1.3]]) {
            const w = p.dim === 2 ? Float64Array.of(x, y) : Float64Array.of(x);
            expect(Number.isFinite(p.loss(w)), `${expr} at ${w}`).toBe(true);
            const e = derivativeErrors(p, w, rand);
            for (const [k, v] of Object.entries(e)) expect(v, `${k} of ${expr} at ${w} (codegen ${codegen})`).toBeLessThan(1e-6);
          }
        }
      } finally {
        setCodegen(undefined);
      }
    }
  });

  it('a GD run of cbrt(x)^2 from a negative start keeps going (it stopped at step 3 before)', () => {
    const run = createRunner({ problem: { id: 'custom', expr: 'cbrt(x)^2' }, eta: 0.01, start: [-0.5], steps: 30, flows: ['gd'] });
    run.advance(30);
    const gd = run.traces.gd!;
    expect(gd.stopped).toBeNull();
    expect(gd.length).toBe(31);
    // GD's exact identity w₁ = w₀ − η·∇L(w₀) with ∇L = (2/3)·cbrt(w)^(-1) (negative side: −(2/3)|w|^(-1/3)).
    expect(gd.w[1]).toBeCloseTo(-0.5 - 0.01 * (-(2 / 3) * 0.5 ** (-1 / 3)), 14);
  });
});

describe('own-property lookups: prototype names are unknown names', () => {
  it('as symbols, function names and parameters', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      expect(inputError(() => custom(`x^2 + ${name}`)).message).toMatch(new RegExp(`^Unknown symbol '${name}' at char 7`));
      expect(inputError(() => custom(`${name}(x)`)).message).toMatch(new RegExp(`^Unknown function '${name}'`));
      const params = JSON.parse(`{"${name}": 1}`) as Record<string, number>;
      expect(inputError(() => custom(`x^2`, params)).message).toMatch(/Unknown parameter|reserved/);
      expect(inputError(() => createProblem({ id: 'valley', params })).message).toMatch(new RegExp(`Unknown parameter '${name}' for 'valley'`));
      expect(inputError(() => compileExpression('x^2', [name])).message).toMatch(/reserved/);
    }
  });

  it('choices named like prototype keys are unknown choices', () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const choices = JSON.parse(`{"${name}": "x"}`) as Record<string, string>;
      expect(inputError(() => createProblem({ id: 'mlp-teacher', choices })).message).toMatch(new RegExp(`Unknown choice '${name}'`));
    }
  });
});

describe('stated limits: length, nesting, derivative size', () => {
  it(`the text is at most ${MAX_EXPR_LENGTH} characters; 120 KB is refused at once with the limit`, () => {
    const ok = Array.from({ length: 200 }, (_, i) => `${i % 7}*x`).join('+');
    expect(ok.length).toBeLessThanOrEqual(MAX_EXPR_LENGTH);
    expect(custom(ok).problem.dim).toBe(1);
    const e = inputError(() => custom('x+'.repeat(60_000) + 'x'));
    expect(e.message).toBe(`The expression is 120001 characters long; the limit is ${MAX_EXPR_LENGTH}.`);
  });

  it(`nesting is at most ${MAX_EXPR_DEPTH} levels`, () => {
    const deep = '('.repeat(400) + 'x' + ')'.repeat(400);
    expect(inputError(() => custom(deep)).message).toBe(`The expression nests parentheses more than ${MAX_EXPR_DEPTH} deep (at char ${MAX_EXPR_DEPTH + 1}).`);
    // A long flat sum is deep as a tree but not nested: accepted.
    expect(custom(Array.from({ length: 150 }, (_, i) => `${i % 7}*x`).join('+')).problem.dim).toBe(1);
    // Below the limit and cheap to differentiate: accepted.
    expect(custom('-'.repeat(20) + 'x^2').problem.dim).toBe(1);
  });

  it('unbounded derivative growth is refused with one line, before differentiating (the page never freezes)', () => {
    const cases = [
      Array.from({ length: 30 }, (_, k) => `sin(${k + 1}*x+y)`).join('*'),
      Array.from({ length: 60 }, (_, k) => `sin(${k + 1}*x+y)`).join('*'),
      Array(30).fill('x').join('^'),
      'sin('.repeat(79) + 'x' + ')'.repeat(79),
      Array.from({ length: 200 }, () => 'exp(').join('') + 'x' + ')'.repeat(200),
    ];
    for (const src of cases) {
      const t0 = performance.now();
      const e = inputError(() => compileExpression(src, []));
      const ms = performance.now() - t0;
      expect(e.message.split('\n')).toHaveLength(1);
      expect(e.message, src.slice(0, 40)).toMatch(/too large to compile|nests parentheses|characters long/);
      console.log(`refused in ${ms.toFixed(0)} ms: ${src.slice(0, 40)}…`);
    }
  });

  it('the size bound is never below the real size of a derivative (so the budget bounds the work)', () => {
    const exprs = [
      // log2, square and cube are rewritten (log(u, 2), u^2, u^3) before mathjs differentiates.
      ...SUPPORTED_FUNCTIONS.filter((f) => !['log2', 'square', 'cube'].includes(f)).map((f) => `${f}(x*y + x^2) * ${f}(y - x)`),
      'log(x^2 + 1, y^2 + 2)', 'log(x, 3)', 'x^y', '2^(x*y)', 'x^(2/3)', '(x + y)/(x - y)', '3/(x*y)', 'x/3', '-x*y*2*x', 'cbrt(x)^2',
      Array.from({ length: 6 }, (_, k) => `sin(${k + 1}*x+y)`).join('*'),
    ];
    for (const src of exprs) {
      let node = parse(src);
      for (let order = 0; order < 3; order++) {
        for (const v of ['x', 'y']) {
          const real = treeSize(derivative(node, v, { simplify: false }));
          expect(derivativeSizeBound(node, v), `${src}, order ${order + 1}, ∂${v}`).toBeGreaterThanOrEqual(real);
        }
        node = derivative(node, 'x', { simplify: false });
        if (treeSize(node) > MAX_DERIVATIVE_NODES) break;
      }
    }
  });

  it('expressions of a realistic size still compile', () => {
    for (const src of ['(1 - a*x^2 - y^2)^2', 'exp(sin(x*y)/(1+x^2+y^2))*log(2+cos(x)^2)', 'sin(x)*sin(2*x+y)*sin(3*x-y)*cos(x*y)', 'x^x^x + y^2']) {
      const ce = compileExpression(src, ['a']);
      expect(ce.formulas.t.length).toBeGreaterThan(0);
    }
  });
});
