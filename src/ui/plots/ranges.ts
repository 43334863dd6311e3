/**
 * Which y range a time-series plot shows, and which samples fall outside it. Pure (no DOM): tested in
 * test/plots-ranges.test.ts.
 *
 * The range follows the bulk of the data: a short transient at the start of a series (the quartic's
 * Central Flow σ² spike at steps 0–1 reaches ~1200 while everything after stays below ~1) does not set
 * the axis when it would stretch it more than HEAD_FACTOR times the rest's span (HEAD_SAMPLES long). Samples outside the
 * range are not lost: the plot marks them on the edge they left by, and the legend counts them.
 */
import type { Series } from './types.ts';
import { sy, usableLength } from './access.ts';
import { clampToAxis } from './scales.ts';

/**
 * How many first samples count as a start-up transient. Two: a spike at steps 0–1 is a transient; a
 * descent over many steps (a loss converging in 20 steps of 1000) is the dynamics and sets the range.
 */
export const HEAD_SAMPLES = 2;
/**
 * The head is left out only if it reaches more than this many spans of the rest beyond the rest: then
 * the rest would fill less than a tenth of the axis (GD's |δ|² ≈ 0.5 read as 0 next to σ² ≈ 1200).
 * A trajectory that starts away and converges (centre coordinates, a loss descent) stays in range.
 */
export const HEAD_FACTOR = 10;

export interface BulkExtent {
  min: number;
  max: number;
  /** Some series' start-up transient was left out of the range (its samples are marked off-scale). */
  trimmed: boolean;
}

/**
 * Extent of the finite (and, on a log axis, positive) y values of `series`, leaving out a start-up
 * transient that would dominate the axis. Computed in log10 space on a log axis. `min > max` = empty.
 */
export function bulkExtent(series: readonly Series[], log: boolean): BulkExtent {
  let min = Infinity;
  let max = -Infinity;
  let trimmed = false;
  const f = (v: number) => (log ? Math.log10(clampToAxis(v, log)) : clampToAxis(v, log));
  for (const s of series) {
    const n = usableLength(s);
    const head = n > 2 * HEAD_SAMPLES + 1 ? HEAD_SAMPLES : 0;
    // Raw extremes first, mapped once at the end (the clamp and log10 are monotone): no call per sample,
    // which matters on the first render of a large imported run, before the JIT has optimised this.
    const Y = s.y, ys = s.yStride ?? 1, yo = s.yOffset ?? 0;
    let hmin = Infinity, hmax = -Infinity, rmin = Infinity, rmax = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = Y[i * ys + yo];
      if (v - v !== 0 || (log && v <= 0)) continue;
      if (i < head) {
        if (v < hmin) hmin = v;
        if (v > hmax) hmax = v;
      } else {
        if (v < rmin) rmin = v;
        if (v > rmax) rmax = v;
      }
    }
    if (hmin <= hmax) {
      hmin = f(hmin);
      hmax = f(hmax);
    }
    if (rmin <= rmax) {
      rmin = f(rmin);
      rmax = f(rmax);
    }
    let lo = Math.min(hmin, rmin);
    let hi = Math.max(hmax, rmax);
    if (rmin <= rmax && hmin <= hmax) {
      const span = Math.max(rmax - rmin, 1e-9 * Math.max(Math.abs(rmin), Math.abs(rmax)), 1e-300);
      if (hmax > rmax + HEAD_FACTOR * span) {
        hi = rmax;
        trimmed = true;
      }
      if (hmin < rmin - HEAD_FACTOR * span) {
        lo = rmin;
        trimmed = true;
      }
    }
    if (lo < min) min = lo;
    if (hi > max) max = hi;
  }
  if (log && min <= max) {
    min = 10 ** min;
    max = 10 ** max;
  }
  return { min, max, trimmed };
}

export interface OffScale {
  /** Samples above the domain (or +∞). */
  above: number;
  /** Samples below the domain (or −∞, or ≤ 0 on a log axis). */
  below: number;
}

/** Per series id: how many samples lie outside [d0, d1] (NaN samples are gaps, not counted). */
export function offScaleCounts(series: readonly Series[], domain: readonly [number, number], log: boolean): Record<string, OffScale> {
  const out: Record<string, OffScale> = {};
  const lo = Math.min(domain[0], domain[1]);
  const hi = Math.max(domain[0], domain[1]);
  // Half a per-mille of the span of slack: a sample on the edge is on the plot.
  const eps = log ? 1e-9 : (hi - lo) * 1e-9;
  for (const s of series) {
    const n = usableLength(s);
    let above = 0, below = 0;
    const X = s.x, xs = s.xStride ?? 1, xo = s.xOffset ?? 0;
    const Y = s.y, ys = s.yStride ?? 1, yo = s.yOffset ?? 0;
    for (let i = 0; i < n; i++) {
      const v = Y[i * ys + yo];
      const x = X[i * xs + xo];
      if (v !== v || x !== x) continue; // NaN
      if (log ? v <= 0 || v < lo * (1 - eps) : v < lo - eps) below++;
      else if (log ? v > hi * (1 + eps) : v > hi + eps) above++;
    }
    if (above || below) out[s.id] = { above, below };
  }
  return out;
}

/** Any finite sample ≤ 0 in these series (a log axis cannot show them: the plot goes linear). */
export function anyNonPositive(series: readonly Series[]): boolean {
  for (const s of series) {
    const n = usableLength(s);
    for (let i = 0; i < n; i++) if (sy(s, i) <= 0) return true;
  }
  return false;
}

/** Off-scale note for a legend entry, e.g. "3 above, 12 below the axis". */
export function offScaleNote(o: OffScale | undefined): string {
  if (!o) return '';
  const parts: string[] = [];
  if (o.above) parts.push(`${o.above} above`);
  if (o.below) parts.push(`${o.below} below`);
  const marks = `${o.above ? '▲' : ''}${o.below ? '▼' : ''}`;
  return parts.length ? `${parts.join(', ')} the axis (marked ${marks})` : '';
}
