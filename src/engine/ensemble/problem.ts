/**
 * What an ensemble needs from a 1-D/2-D problem: the float64 field the engine runs (toys: the
 * hand-derived fields of problems/toys.ts; custom: the compiled symbolic derivatives), the WGSL of the
 * same problem (wgsl/problem-wgsl.ts) with its parameter values in `prm` order, the plot window and
 * the default start. Networks are not ensemble problems (they have no closed-form 2×2 Hessian).
 */
import { InputError, type ProblemSettings } from '../types.ts';
import { CUSTOM, compileExpression, CUSTOM_DEFAULT_EXPR, CUSTOM_DEFAULT_PARAMS } from '../problems/custom.ts';
import type { ScalarField } from '../problems/field.ts';
import { resolveParams } from '../problems/params.ts';
import {
  TOY_PROBLEMS,
  quadratic2dField,
  quadraticField,
  quarticField,
  selfStabField,
  softWellField,
  valleyField,
} from '../problems/toys.ts';
import { expressionToWgsl, TOY_EXPRESSIONS, type ProblemWgsl } from '../wgsl/problem-wgsl.ts';

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

const DEG = Math.PI / 180;
const TOY_FIELDS: Record<string, (p: Record<string, number>) => ScalarField> = {
  quadratic: (p) => quadraticField(p.lambda),
  'quadratic-2d': (p) => quadratic2dField(p.l1, p.l2, p.theta * DEG),
  quartic: (p) => quarticField(p.S, p.Q),
  'soft-well': (p) => softWellField(p.k),
  valley: (p) => valleyField(p.a),
  'self-stab': (p) => selfStabField(p.c),
};

/** Whether ensembles exist for this problem id (toys and custom expressions). */
export function isEnsembleProblem(id: string): boolean {
  return id === 'custom' || Object.hasOwn(TOY_FIELDS, id);
}

function customField(expr: string, params: Record<string, number>): { field: ScalarField; dim: 1 | 2 } {
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
  return { field, dim: ce.dim };
}

/** Build the ensemble problem; throws InputError for networks and bad input (as the engine does). */
export function ensembleProblem(settings: ProblemSettings): EnsembleProblem {
  if (settings.id === 'custom') {
    const inst = CUSTOM.create(settings);
    const expr = inst.settings.expr ?? CUSTOM_DEFAULT_EXPR;
    const params = inst.settings.params ?? CUSTOM_DEFAULT_PARAMS;
    const { field, dim } = customField(expr, params);
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
  const make = TOY_FIELDS[settings.id];
  const spec = TOY_PROBLEMS.find((s) => s.id === settings.id);
  if (!make || !spec) throw new InputError(`Ensembles run on the 1-D/2-D problems only ('${settings.id}' is not one).`);
  const params = resolveParams(spec, settings);
  const field = make(params);
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
