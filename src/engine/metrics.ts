/**
 * What the product measures against GD (docs/equations.md §7), computed from recorded traces.
 * Pure functions on typed arrays; NaN when a quantity does not exist (e.g. no onset).
 */
import type { Trace } from './types.ts';

/** The edge of stability: GD on ½λx² converges iff λ < 2/η. */
export function stabilityEdge(eta: number): number {
  return 2 / eta;
}

/**
 * True when λ is past the edge, λ > (1 − rel)·2/η. rel = 0 is the definition (the flows, the page, the CLI);
 * the accuracy script uses rel = 10⁻³ because Central Flow holds λ₁ at 2/η from below.
 */
export function pastEdge(lambda: number, eta: number, rel = 0): boolean {
  return lambda > (1 - rel) * stabilityEdge(eta);
}

/** Time of the first sample whose top eigenvalue is past the edge (the EoS onset; see pastEdge), or NaN. */
export function onsetStep(trace: Trace, eta: number, rel = 0): number {
  for (let i = 0; i < trace.length; i++) if (pastEdge(trace.sharpness[i * trace.eigK], eta, rel)) return trace.t[i];
  return NaN;
}

/** Time of the first sample at or after `from` with values[i] > level, or NaN. */
export function firstAbove(trace: Trace, values: Float64Array, level: number, from = -Infinity): number {
  for (let i = 0; i < trace.length; i++) if (trace.t[i] >= from && values[i] > level) return trace.t[i];
  return NaN;
}

/** Mean of trace.dist over samples with t in [from, to] (NaN samples skipped; NaN if none). */
export function meanDistance(trace: Trace, from = -Infinity, to = Infinity): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < trace.length; i++) {
    const t = trace.t[i];
    const d = trace.dist[i];
    if (t >= from && t <= to && Number.isFinite(d)) {
      s += d;
      n++;
    }
  }
  return n ? s / n : NaN;
}

/**
 * Two-step pair mean (x_i + x_{i+1})/2 of the first `length` values; the last entry repeats x_last.
 * On GD's loss at stride 1 this removes the period-2 oscillation exactly (it is GD's predictedLoss).
 */
export function pairMean(x: ArrayLike<number>, length = x.length): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = i + 1 < length ? 0.5 * (x[i] + x[i + 1]) : x[i];
  return out;
}

/**
 * Gaussian smoothing with standard deviation `sigma` samples (kernel truncated at 3σ, renormalised
 * at the ends so a constant stays constant). sigma ≤ 0 returns a copy.
 */
export function gaussianSmooth(x: ArrayLike<number>, sigma: number, length = x.length): Float64Array {
  const out = new Float64Array(length);
  if (!(sigma > 0)) {
    for (let i = 0; i < length; i++) out[i] = x[i];
    return out;
  }
  const r = Math.ceil(3 * sigma);
  const w = new Float64Array(2 * r + 1);
  for (let j = -r; j <= r; j++) w[j + r] = Math.exp(-(j * j) / (2 * sigma * sigma));
  for (let i = 0; i < length; i++) {
    let s = 0;
    let ws = 0;
    for (let j = Math.max(-r, -i); j <= Math.min(r, length - 1 - i); j++) {
      const v = x[i + j];
      if (!Number.isFinite(v)) continue;
      s += w[j + r] * v;
      ws += w[j + r];
    }
    out[i] = ws > 0 ? s / ws : NaN;
  }
  return out;
}
