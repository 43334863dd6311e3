/**
 * The η sweep's job for a problem and start, as the explorer's ensemble view builds it: 1024
 * log-spaced η over ×½…×2 around 2/λ₁ at the start (around η when λ₁ ≤ 0 there), 4096 steps each.
 * The explorer's panel and the lessons' sweep plot share it, so a lesson shows the explorer's picture
 * (and reuses its cached run); test/lessons.test.ts builds the same job in Node.
 */
import type { SweepJob } from '../../engine/ensemble/jobs.ts';
import { ensembleProblem } from '../../engine/ensemble/problem.ts';
import { sharpnessAt } from '../../engine/ensemble/views.ts';
import type { ProblemSettings } from '../../engine/types.ts';

export const SWEEP_N = 1024;
export const SWEEP_STEPS = 4096;

/** λ₁ at the start (NaN when the problem has no ensemble field or the start is bad). */
export function startSharpness(problem: ProblemSettings, start: number[]): number {
  try {
    return sharpnessAt(problem, start);
  } catch {
    return NaN;
  }
}

/** The default range: [1/λ₁, 4/λ₁] at the start, 3 significant digits; ×½…×2 around η when λ₁ ≤ 0. */
export function defaultSweepRange(lam: number, eta: number): [number, number] {
  return lam > 0 ? [Number((1 / lam).toPrecision(3)), Number((4 / lam).toPrecision(3))] : [eta / 2, eta * 2];
}

/**
 * The sweep of `problem` from `start` (the problem's own start when empty); null when the problem is
 * not a 1-D/2-D ensemble problem.
 */
export function sweepJobFor(problem: ProblemSettings, start: number[], eta: number, range?: [number, number] | null, steps = SWEEP_STEPS): SweepJob | null {
  let dim: number;
  let s0: number[];
  try {
    const p = ensembleProblem(problem);
    dim = p.dim;
    s0 = start.length ? start : p.start;
  } catch {
    return null;
  }
  const [etaLo, etaHi] = range ?? defaultSweepRange(startSharpness(problem, s0), eta);
  return { kind: 'sweep', problem, start: s0.slice(0, dim), etaLo, etaHi, n: SWEEP_N, steps };
}
