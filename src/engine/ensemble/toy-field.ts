/**
 * The float64 fields of the toy problems for ensembles, without the expression machinery: the CPU
 * pool's workers import only this for toys, so a worker starts without loading mathjs or building
 * WGSL (most of a cold worker's start-up; custom expressions load custom-field.ts on demand).
 */
import type { ProblemSettings } from '../types.ts';
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

const DEG = Math.PI / 180;
export const TOY_FIELDS: Record<string, (p: Record<string, number>) => ScalarField> = {
  quadratic: (p) => quadraticField(p.lambda),
  'quadratic-2d': (p) => quadratic2dField(p.l1, p.l2, p.theta * DEG),
  quartic: (p) => quarticField(p.S, p.Q),
  'soft-well': (p) => softWellField(p.k),
  valley: (p) => valleyField(p.a),
  'self-stab': (p) => selfStabField(p.c),
};

/** The toy's field with its resolved parameters, or null when `settings` is not an ensemble toy. */
export function toyField(settings: ProblemSettings): { field: ScalarField; params: Record<string, number> } | null {
  const make = TOY_FIELDS[settings.id];
  const spec = TOY_PROBLEMS.find((s) => s.id === settings.id);
  if (!make || !spec) return null;
  const params = resolveParams(spec, settings);
  return { field: make(params), params };
}
