/**
 * Every problem the app offers: the toys, the custom expression, then the tiny networks.
 * `createProblem` is the one entry point for the UI, the worker and the CLI.
 */
import { InputError, type ProblemInstance, type ProblemSettings, type ProblemSpec } from '../types.ts';
import { NETWORK_PROBLEMS } from '../nn/registry.ts';
import { CUSTOM } from './custom.ts';
import { resolveParams } from './params.ts';
import { TOY_PROBLEMS } from './toys.ts';

export const PROBLEMS: ProblemSpec[] = [...TOY_PROBLEMS, CUSTOM, ...NETWORK_PROBLEMS];

export function getProblemSpec(id: string): ProblemSpec | undefined {
  return PROBLEMS.find((p) => p.id === id);
}

/** Validates the id and the params (finite, within range; choices among the offered values), then builds. */
export function createProblem(settings: ProblemSettings): ProblemInstance {
  if (!settings || typeof settings.id !== 'string') {
    throw new InputError(`A problem id is required (known: ${PROBLEMS.map((p) => p.id).join(', ')}).`);
  }
  const spec = getProblemSpec(settings.id);
  if (!spec) {
    throw new InputError(`Unknown problem '${settings.id}' (known: ${PROBLEMS.map((p) => p.id).join(', ')}).`);
  }
  const params = resolveParams(spec, settings, spec.kind === 'custom');
  const choices: Record<string, string> = {};
  for (const c of spec.choices ?? []) {
    const v = (settings.choices && Object.hasOwn(settings.choices, c.key) ? settings.choices[c.key] : undefined) ?? c.default;
    if (!c.choices.some((o) => o.value === v)) {
      throw new InputError(
        `Choice '${c.key}' of '${spec.id}' is '${v}'; expected one of ${c.choices.map((o) => o.value).join(', ')}.`,
      );
    }
    choices[c.key] = v;
  }
  for (const k of Object.keys(settings.choices ?? {})) {
    if (!Object.hasOwn(choices, k)) throw new InputError(`Unknown choice '${k}' for '${spec.id}'.`);
  }
  const filled: ProblemSettings = { ...settings, params };
  if (spec.choices?.length) filled.choices = choices;
  return spec.create(filled);
}
