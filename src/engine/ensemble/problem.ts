/**
 * What an ensemble needs from a 1-D/2-D problem: the float64 field the engine runs (toys: the
 * hand-derived fields of problems/toys.ts; custom: the compiled symbolic derivatives), the WGSL of the
 * same problem (wgsl/problem-wgsl.ts) with its parameter values in `prm` order, the plot window and
 * the default start. Networks are not ensemble problems (they have no closed-form 2×2 Hessian).
 */
import { InputError, type ProblemSettings } from '../types.ts';
import type { ScalarField } from '../problems/field.ts';
import { TOY_PROBLEMS } from '../problems/toys.ts';
import { expressionToWgsl, TOY_EXPRESSIONS, type ProblemWgsl } from '../wgsl/problem-wgsl.ts';
import { TOY_FIELDS, toyField } from './toy-field.ts';
import { customField } from './custom-field.ts';

export interface EnsembleProblem {
  id: string;
  dim: 1 | 2;
  field: ScalarField;
  /** Expression in x (and y) that defines the problem (toys: TOY_EXPRESSIONS). */
  expr: string;
  wgsl: ProblemWgsl;
  /** Parameter values in wgsl.paramNames order. */
  paramValues: number[];
  window: { x: [number, number]; y?: [number, number] };
  start: number[];
  label: string;
}

/** Whether ensembles exist for this problem id (toys and custom expressions). */
export function isEnsembleProblem(id: string): boolean {
  return id === 'custom' || Object.hasOwn(TOY_FIELDS, id);
}

/** Build the ensemble problem; throws InputError for networks and bad input (as the engine does). */
export function ensembleProblem(settings: ProblemSettings): EnsembleProblem {
  if (settings.id === 'custom') {
    const { field, dim, expr, params, inst } = customField(settings);
    const wgsl = expressionToWgsl(expr, Object.keys(params));
    return {
      id: 'custom',
      dim,
      field,
      expr,
      wgsl,
      paramValues: wgsl.paramNames.map((n) => params[n]),
      window: inst.window ?? { x: [-2, 2] },
      start: [...inst.start],
      label: inst.label,
    };
  }
  const toy = toyField(settings);
  const spec = TOY_PROBLEMS.find((s) => s.id === settings.id);
  if (!toy || !spec) throw new InputError(`Ensembles run on the 1-D/2-D problems only ('${settings.id}' is not one).`);
  const { field, params } = toy;
  const expr = TOY_EXPRESSIONS[spec.id];
  const wgsl = expressionToWgsl(expr, Object.keys(params));
  const inst = spec.create({ ...settings, params });
  return {
    id: spec.id,
    dim: field.dim,
    field,
    expr,
    wgsl,
    paramValues: wgsl.paramNames.map((n) => params[n]),
    window: spec.defaults.window ?? { x: [-2, 2] },
    start: [...inst.start],
    label: inst.label,
  };
}
