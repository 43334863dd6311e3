/**
 * Series → pixel polyline, thinned for drawing. Pure: tested in test/plots-thin.test.ts.
 *
 * When a series has far more samples than the frame has pixel columns and its x is non-decreasing, each
 * pixel column keeps only its first, min, max and last sample (in index order): the drawn polyline is
 * pixel-identical in envelope (GD's every-other-step oscillation stays a solid band, spikes survive) while
 * the canvas strokes at most ~4 points per column. Non-finite samples and, on log axes, samples ≤ 0 end
 * the current run: the output has a NaN pair there so the drawer lifts the pen.
 */
import type { Series } from './types.ts';
import { sx, sy, usableLength } from './access.ts';

export interface PixelPath {
  /** Interleaved px,py pairs; a NaN pair = gap (lift the pen). */
  xy: Float32Array;
  /** Number of pairs used. */
  n: number;
  /** Input samples that were valid (drawn or merged into a column). */
  valid: number;
}

export type ToPx = (v: number) => number;

export function isNonDecreasing(s: Series): boolean {
  const n = usableLength(s);
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = sx(s, i);
    if (Number.isNaN(v)) continue;
    if (v < prev) return false;
    prev = v;
  }
  return true;
}

/**
 * Map a series to pixels, thinning per pixel column when worth it.
 * @param logX/logY: values ≤ 0 on a log axis are gaps.
 * @param columns: frame width in device pixels (thinning granularity: one bucket per column).
 */
export function toPixelPath(
  s: Series,
  px: ToPx,
  py: ToPx,
  opts: {
    logX?: boolean;
    logY?: boolean;
    columns?: number;
    thin?: boolean;
    /** Clamp pixel y into [lo, hi] (±Infinity and far off-scale values stay drawable and finite). */
    yLimits?: [number, number];
    /** Log y: where a sample ≤ 0 goes (a pixel below the plot, so it is drawn off-scale and marked); default: a gap. */
    nonPositiveY?: number;
  } = {},
): PixelPath {
  const n = usableLength(s);
  const columns = opts.columns ?? Infinity;
  const thin = (opts.thin ?? true) && n > 4 * columns && isNonDecreasing(s);
  // Worst case without thinning: every sample plus a gap marker after each.
  const cap = thin ? Math.min(2 * n, 8 * Math.ceil(columns) + 2 * n) : 2 * n;
  let xy = new Float32Array(2 * Math.max(cap, 1));
  let k = 0;
  let valid = 0;
  const push = (x: number, y: number) => {
    if (k + 1 >= xy.length / 2) {
      const bigger = new Float32Array(xy.length * 2);
      bigger.set(xy);
      xy = bigger;
    }
    xy[2 * k] = x;
    xy[2 * k + 1] = y;
    k++;
  };
  const gap = () => {
    if (k > 0 && !Number.isNaN(xy[2 * k - 2])) push(NaN, NaN);
  };
  const below = opts.logY && opts.nonPositiveY !== undefined ? opts.nonPositiveY : undefined;
  const lim = opts.yLimits;
  // With yLimits, ±Infinity is drawn off-scale (at the limit: +∞ up, −∞ down) rather than as a gap.
  const ok = (x: number, y: number) =>
    Number.isFinite(x) &&
    (Number.isFinite(y) || (!!lim && !Number.isNaN(y))) &&
    !(opts.logX && x <= 0) &&
    (below !== undefined || !(opts.logY && y <= 0));
  const mapY = (y: number): number => {
    if (lim && !Number.isFinite(y)) return y > 0 ? lim[0] : lim[1];
    const Y = below !== undefined && y <= 0 ? below : py(y);
    return lim ? (Number.isNaN(Y) ? Y : Math.min(lim[1], Math.max(lim[0], Y))) : Y;
  };

  if (!thin) {
    for (let i = 0; i < n; i++) {
      const x = sx(s, i);
      const y = sy(s, i);
      if (!ok(x, y)) {
        gap();
        continue;
      }
      valid++;
      push(px(x), mapY(y));
    }
    return { xy, n: k, valid };
  }

  // M4 thinning: buckets by integer pixel column.
  let col = NaN;
  let fx = 0, fy = 0, lx = 0, ly = 0, minY = 0, maxY = 0, minI = 0, maxI = 0, firstI = 0, lastI = 0;
  let mnx = 0, mxx = 0;
  let open = false;
  const flush = () => {
    if (!open) return;
    // Emit first, then min/max in index order, then last; skip duplicates.
    const idx = [firstI, minI, maxI, lastI];
    const xs = [fx, mnx, mxx, lx];
    const ys = [fy, minY, maxY, ly];
    const order = minI <= maxI ? [0, 1, 2, 3] : [0, 2, 1, 3];
    let last = -1;
    for (const o of order) {
      if (idx[o] === last) continue;
      last = idx[o];
      push(xs[o], ys[o]);
    }
    open = false;
  };
  for (let i = 0; i < n; i++) {
    const x = sx(s, i);
    const y = sy(s, i);
    if (!ok(x, y)) {
      flush();
      gap();
      col = NaN;
      continue;
    }
    valid++;
    const X = px(x);
    const Y = mapY(y);
    const c = Math.floor(X);
    if (c !== col || !open) {
      flush();
      col = c;
      open = true;
      fx = lx = mnx = mxx = X;
      fy = ly = minY = maxY = Y;
      firstI = lastI = minI = maxI = i;
      continue;
    }
    lx = X;
    ly = Y;
    lastI = i;
    if (Y < minY) {
      minY = Y;
      minI = i;
      mnx = X;
    }
    if (Y > maxY) {
      maxY = Y;
      maxI = i;
      mxx = X;
    }
  }
  flush();
  return { xy, n: k, valid };
}
