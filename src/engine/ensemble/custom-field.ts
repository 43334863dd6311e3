/**
 * The float64 field of a custom expression for ensembles: the engine's own compiled symbolic
 * derivatives (problems/custom.ts). Loaded on demand by the CPU pool's workers (it brings mathjs).
 */
import type { ProblemSettings } from '../types.ts';
import { CUSTOM, compileExpression, CUSTOM_DEFAULT_EXPR, CUSTOM_DEFAULT_PARAMS } from '../problems/custom.ts';
import type { ScalarField } from '../problems/field.ts';

export function customField(settings: ProblemSettings): { field: ScalarField; dim: 1 | 2; expr: string; params: Record<string, number>; inst: ReturnType<typeof CUSTOM.create> } {
  const inst = CUSTOM.create(settings);
  const expr = inst.settings.expr ?? CUSTOM_DEFAULT_EXPR;
  const params = inst.settings.params ?? CUSTOM_DEFAULT_PARAMS;
  const ce = compileExpression(expr, Object.keys(params));
  const env = new Float64Array(ce.slots.size);
  for (const [name, i] of ce.slots) if (i >= 2) env[i] = params[name];
  const fo = new Float64Array(1);
  const field: ScalarField = {
    dim: ce.dim,
    f: (x, y) => {
      env[0] = x;
      env[1] = y;
      ce.f(env, fo);
      return fo[0];
    },
    g: (x, y, o) => {
      env[0] = x;
      env[1] = y;
      ce.g(env, o);
    },
    h: (x, y, o) => {
      env[0] = x;
      env[1] = y;
      ce.h(env, o);
    },
    t: (x, y, o) => {
      env[0] = x;
      env[1] = y;
      ce.t(env, o);
    },
  };
  return { field, dim: ce.dim, expr, params, inst };
}
