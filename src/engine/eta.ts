/**
 * The one rule for a step size η, used by the flows, the runner, the tfjs path, the CLI, the link
 * reader, the page's η control and run files: a finite number in (0, MAX_ETA]. Larger η is no use on
 * any problem here (every problem diverges in its first steps) and only risks overflow.
 */
import { InputError } from './types.ts';

export const MAX_ETA = 1000;

/** Why `eta` is not a usable step size, or null when it is. */
export function etaProblem(eta: unknown): string | null {
  if (typeof eta !== 'number' || !Number.isFinite(eta)) return 'must be a finite number';
  if (eta <= 0) return 'must be positive';
  if (eta > MAX_ETA) return `must be at most ${MAX_ETA}`;
  return null;
}

export function isEta(eta: unknown): eta is number {
  return etaProblem(eta) === null;
}

/** Throws an InputError naming the step size when `eta` is not usable. */
export function checkEta(eta: unknown): number {
  const why = etaProblem(eta);
  if (why) throw new InputError(`Step size η ${why} (got ${String(eta)}).`);
  return eta as number;
}
