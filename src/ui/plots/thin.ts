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
import { usableLength } from './access.ts';

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
  const X = s.x, xs = s.xStride ?? 1, xo = s.xOffset ?? 0;
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = X[i * xs + xo];
    if (v !== v) continue; // NaN
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
  // Written without a function call or an allocation per sample: the first draw of a large imported run
  // runs this before the JIT has optimised it, and every call there costs (measured in Node: 20 ms for the
  // first three 3751-sample series with per-sample closures and per-column arrays).
  const n = usableLength(s);
  const columns = opts.columns ?? Infinity;
  const thin = (opts.thin ?? true) && n > 4 * columns && isNonDecreasing(s);
  // Every sample adds at most one point and one gap marker (thinning emits at most the samples it merges).
  let xy = new Float32Array(2 * Math.max(2 * n, 1));
  let k = 0;
  let valid = 0;
  const X = s.x, xs = s.xStride ?? 1, xo = s.xOffset ?? 0;
  const Y = s.y, ys = s.yStride ?? 1, yo = s.yOffset ?? 0;
  const logX = !!opts.logX;
  const logY = !!opts.logY;
  const hasBelow = logY && opts.nonPositiveY !== undefined;
  const below = hasBelow ? (opts.nonPositiveY as number) : 0;
  const lim = opts.yLimits;
  // With yLimits, ±Infinity is drawn off-scale (at the limit: +∞ up, −∞ down) rather than as a gap.
  const hasLim = lim !== undefined;
  const lo = hasLim ? lim[0] : 0;
  const hi = hasLim ? lim[1] : 0;
  const grow = () => {
    const bigger = new Float32Array(xy.length * 2);
    bigger.set(xy);
    xy = bigger;
  };
  /** Lift the pen: one NaN pair per run of invalid samples (called for invalid samples only). */
  const gap = () => {
    if (k === 0 || xy[2 * k - 2] !== xy[2 * k - 2]) return;
    if (2 * k + 2 > xy.length) grow();
    xy[2 * k] = NaN;
    xy[2 * k + 1] = NaN;
    k++;
  };

  if (!thin) {
    for (let i = 0; i < n; i++) {
      const x = X[i * xs + xo];
      const y = Y[i * ys + yo];
      const ok = x - x === 0 && (y - y === 0 || (hasLim && y === y)) && !(logX && x <= 0) && (hasBelow || !(logY && y <= 0));
      if (!ok) {
        gap();
        continue;
      }
      valid++;
      let Yp: number;
      if (hasLim && y - y !== 0) Yp = y > 0 ? lo : hi;
      else {
        Yp = hasBelow && y <= 0 ? below : py(y);
        if (hasLim && Yp === Yp) Yp = Yp < lo ? lo : Yp > hi ? hi : Yp;
      }
      if (2 * k + 2 > xy.length) grow();
      xy[2 * k] = px(x);
      xy[2 * k + 1] = Yp;
      k++;
    }
    return { xy, n: k, valid };
  }

  // M4 thinning: buckets by integer pixel column; each emits its first, min, max and last sample in
  // index order, a sample once.
  let col = NaN;
  let fx = 0, fy = 0, lx = 0, ly = 0, minY = 0, maxY = 0, minI = 0, maxI = 0, firstI = 0, lastI = 0;
  let mnx = 0, mxx = 0;
  let open = false;
  let emitted = -1;
  const emit = (i: number, x: number, y: number) => {
    if (i === emitted) return;
    emitted = i;
    if (2 * k + 2 > xy.length) grow();
    xy[2 * k] = x;
    xy[2 * k + 1] = y;
    k++;
  };
  const flush = () => {
    if (!open) return;
    emitted = -1;
    emit(firstI, fx, fy);
    if (minI <= maxI) {
      emit(minI, mnx, minY);
      emit(maxI, mxx, maxY);
    } else {
      emit(maxI, mxx, maxY);
      emit(minI, mnx, minY);
    }
    emit(lastI, lx, ly);
    open = false;
  };
  for (let i = 0; i < n; i++) {
    const x = X[i * xs + xo];
    const y = Y[i * ys + yo];
    const ok = x - x === 0 && (y - y === 0 || (hasLim && y === y)) && !(logX && x <= 0) && (hasBelow || !(logY && y <= 0));
    if (!ok) {
      flush();
      gap();
      col = NaN;
      continue;
    }
    valid++;
    const Xp = px(x);
    let Yp: number;
    if (hasLim && y - y !== 0) Yp = y > 0 ? lo : hi;
    else {
      Yp = hasBelow && y <= 0 ? below : py(y);
      if (hasLim && Yp === Yp) Yp = Yp < lo ? lo : Yp > hi ? hi : Yp;
    }
    const c = Math.floor(Xp);
    if (c !== col || !open) {
      flush();
      col = c;
      open = true;
      fx = lx = mnx = mxx = Xp;
      fy = ly = minY = maxY = Yp;
      firstI = lastI = minI = maxI = i;
      continue;
    }
    lx = Xp;
    ly = Yp;
    lastI = i;
    if (Yp < minY) {
      minY = Yp;
      minI = i;
      mnx = Xp;
    }
    if (Yp > maxY) {
      maxY = Yp;
      maxI = i;
      mxx = Xp;
    }
  }
  flush();
  return { xy, n: k, valid };
}
