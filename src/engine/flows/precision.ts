/**
 * Tolerances that respect the problem's arithmetic. The solvers' defaults (Lanczos residual 1e-6–1e-8,
 * integrator rtol 1e-8) are set for float64; a float32 problem (the tfjs twin, unit round-off 2⁻²⁴ ≈ 6e-8)
 * cannot meet them: its HVPs and gradients carry ~1e-7 relative noise, so Lanczos never converges and the
 * integrator's error estimate never falls below its tolerance. Measured on mlp-chebyshev through tfjs-wasm
 * before this floor: 300 HVPs per GD step (9.6 in float64) and 579 HVPs + 547 gradients per Rod Flow step.
 * A tolerance is raised to FLOOR·u, comfortably above the noise (a Lanczos residual of a noisy operator
 * bottoms out at a few u·‖H‖; a DP5(4) error estimate at ~h·u·‖f‖). For float64 (u = 2⁻⁵³) the floor is
 * 1.1e-14, below every tolerance in use, so the reference path is unchanged bit for bit.
 */
import type { Problem } from '../types.ts';

export const FLOAT64_ROUNDOFF = 2 ** -53;
export const FLOAT32_ROUNDOFF = 2 ** -24;
/** Tolerances are at least this many units of round-off. */
export const FLOOR = 200;

/** The unit round-off of the problem's arithmetic (float64 when it does not say). */
export function roundoffOf(problem: Pick<Problem, 'roundoff'>): number {
  return problem.roundoff ?? FLOAT64_ROUNDOFF;
}

/** `tol`, raised to the precision floor of the problem's arithmetic. */
export function floorTolerance(tol: number, problem: Pick<Problem, 'roundoff'>): number {
  return Math.max(tol, FLOOR * roundoffOf(problem));
}
