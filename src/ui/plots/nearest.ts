/**
 * Hover lookups: the sample of a series nearest a given x (or time). Pure: test/plots-nearest.test.ts.
 */
import type { NumArray, Series } from './types.ts';
import { sx, sy, usableLength } from './access.ts';

/** Cache: is this x array non-decreasing over its first `length` samples? (Streams grow; re-check then.) */
const sortedCache = new WeakMap<object, { length: number; stride: number; offset: number; sorted: boolean }>();

function isSorted(get: (i: number) => number, n: number): boolean {
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    if (Number.isNaN(v)) return false; // NaN in x: fall back to the linear scan, which skips it
    if (v < prev) return false;
    prev = v;
  }
  return true;
}

/**
 * Index of the sample whose coordinate is nearest `target` (ties: the earlier sample), or -1 when the
 * series is empty. `get(i)` reads coordinate i. Binary search when non-decreasing, linear scan otherwise.
 */
export function nearestIndex(get: (i: number) => number, n: number, target: number, sorted: boolean): number {
  if (n <= 0 || Number.isNaN(target)) return -1;
  if (!sorted) {
    let best = -1;
    let bd = Infinity;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(get(i) - target);
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    return best;
  }
  let lo = 0;
  let hi = n - 1;
  if (target <= get(0)) return 0;
  if (target >= get(hi)) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (get(mid) <= target) lo = mid;
    else hi = mid;
  }
  return target - get(lo) <= get(hi) - target ? lo : hi;
}

function sortedFor(arr: NumArray, stride: number, offset: number, n: number, get: (i: number) => number): boolean {
  const key = arr as unknown as object;
  const c = sortedCache.get(key);
  if (c && c.length === n && c.stride === stride && c.offset === offset) return c.sorted;
  const sorted = isSorted(get, n);
  sortedCache.set(key, { length: n, stride, offset, sorted });
  return sorted;
}

export interface Readout {
  index: number;
  x: number;
  y: number;
}

/**
 * The sample of `s` nearest `x` for a hover readout, or null when `x` lies outside the series' span by
 * more than half a sample spacing (a shorter series says nothing past its end).
 */
export function readoutAt(s: Series, x: number): Readout | null {
  const n = usableLength(s);
  if (n === 0 || !Number.isFinite(x)) return null;
  const get = (i: number) => sx(s, i);
  const sorted = sortedFor(s.x, s.xStride ?? 1, s.xOffset ?? 0, n, get);
  const i = nearestIndex(get, n, x, sorted);
  if (i < 0) return null;
  if (sorted && n > 1) {
    const first = get(0);
    const last = get(n - 1);
    const half = (last - first) / (n - 1) / 2;
    if (x < first - half || x > last + half) return null;
  }
  return { index: i, x: get(i), y: sy(s, i) };
}

/** Index of the sample of a path whose time `t[i]` is nearest `time` (paths carry `t`, stride 1). */
export function nearestTimeIndex(t: NumArray, n: number, time: number): number {
  const m = Math.min(n, t.length);
  const get = (i: number) => t[i];
  return nearestIndex(get, m, time, sortedFor(t, 1, 0, m, get));
}

/**
 * Linear interpolation of a sampled curve (x increasing) at `x`; NaN outside [x0, x_last].
 * Used only to place 1-D iterates whose loss the caller did not give onto the drawn curve.
 */
export function interpolateCurve(cx: NumArray, cy: NumArray, x: number): number {
  const n = Math.min(cx.length, cy.length);
  if (n === 0 || !(x >= cx[0] && x <= cx[n - 1])) return NaN;
  if (n === 1) return cy[0];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cx[mid] <= x) lo = mid;
    else hi = mid;
  }
  const d = cx[hi] - cx[lo];
  if (d === 0) return cy[lo];
  const a = (x - cx[lo]) / d;
  return cy[lo] * (1 - a) + cy[hi] * a;
}
