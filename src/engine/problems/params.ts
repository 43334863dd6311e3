import { formatNumber, JS_STYLE } from '../format.ts';
import { InputError, type ParamSpec, type ProblemSpec, type ProblemSettings } from '../types.ts';

/** Format a number for labels and messages: short, no trailing zeros, integers whole (engine/format.ts). */
export function fmt(v: number): string {
  return formatNumber(v, { ...JS_STYLE, sig: 6, exactIntegers: true });
}

function checkValue(problemId: string, p: ParamSpec, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InputError(`Parameter '${p.key}' of '${problemId}' must be a finite number (got ${String(v)}).`);
  }
  if (v < p.min || v > p.max) {
    throw new InputError(
      `Parameter '${p.key}' of '${problemId}' is ${fmt(v)}, outside its range [${fmt(p.min)}, ${fmt(p.max)}].`,
    );
  }
  if (p.integer && !Number.isInteger(v)) {
    throw new InputError(`Parameter '${p.key}' of '${problemId}' must be an integer (got ${fmt(v)}).`);
  }
  return v;
}

/**
 * The spec's params with defaults filled in and every value checked (finite, in [min, max], integer
 * where required). Unknown keys are rejected unless `allowExtra` (custom expressions name their own
 * parameters); extra values must still be finite.
 */
export function resolveParams(
  spec: Pick<ProblemSpec, 'id' | 'params'>,
  settings: ProblemSettings,
  allowExtra = false,
): Record<string, number> {
  const given = settings.params ?? {};
  const out: Record<string, number> = {};
  for (const p of spec.params) {
    out[p.key] = Object.hasOwn(given, p.key) ? checkValue(spec.id, p, given[p.key]) : p.default;
  }
  for (const [k, v] of Object.entries(given)) {
    if (Object.hasOwn(out, k)) continue;
    // Own-property lookups only: 'constructor', '__proto__', … are unknown names, never inherited ones.
    if (!allowExtra || k in Object.prototype) {
      const known = spec.params.map((p) => p.key);
      throw new InputError(
        `Unknown parameter '${k}' for '${spec.id}'` +
          (known.length ? ` (known: ${known.join(', ')}).` : ' (it takes no parameters).'),
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(`Parameter '${k}' of '${spec.id}' must be a finite number (got ${String(v)}).`);
    }
    out[k] = v;
  }
  return out;
}

/** "valley (a=0.5)" */
export function makeLabel(name: string, params: Record<string, number>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${fmt(v)}`);
  return parts.length ? `${name} (${parts.join(', ')})` : name;
}

/** The spec's choice values with defaults filled in (unknown keys dropped). */
export function resolvedChoices(spec: Pick<ProblemSpec, 'choices'>, choices: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of spec.choices ?? []) out[c.key] = choices && Object.hasOwn(choices, c.key) ? choices[c.key] : c.default;
  return out;
}

/**
 * Whether parameter `p` means something under these choices (ParamSpec.when): e.g. the Chebyshev degree
 * only for dataset = chebyshev. A `when` naming a choice the problem lacks never applies.
 */
export function paramApplies(spec: Pick<ProblemSpec, 'choices'>, p: ParamSpec, choices: Record<string, string> | undefined): boolean {
  if (!p.when) return true;
  const v = resolvedChoices(spec, choices)[p.when.choice];
  return v !== undefined && p.when.in.includes(v);
}

/** The parameters that apply under these choices, in the spec's order (what the page shows and links carry). */
export function applicableParams(spec: Pick<ProblemSpec, 'params' | 'choices'>, choices: Record<string, string> | undefined): ParamSpec[] {
  return spec.params.filter((p) => paramApplies(spec, p, choices));
}
