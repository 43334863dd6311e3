import { describe, expect, it } from 'vitest';
import { toPixelPath, isNonDecreasing } from '../src/ui/plots/thin.ts';
import type { Series } from '../src/ui/plots/types.ts';

const ser = (x: ArrayLike<number>, y: ArrayLike<number>, extra: Partial<Series> = {}): Series => ({
  id: 's', label: 's', color: '#000', x, y, length: Math.min(x.length, y.length), ...extra,
});
const id = (v: number) => v;

function pairs(p: { xy: Float32Array; n: number }): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < p.n; i++) out.push([p.xy[2 * i], p.xy[2 * i + 1]]);
  return out;
}

describe('toPixelPath without thinning', () => {
  it('maps every valid sample and lifts the pen at NaN gaps (one marker per gap)', () => {
    const p = toPixelPath(ser([0, 1, 2, 3, 4, 5], [1, 2, NaN, NaN, 5, 6]), (v) => 10 * v, (v) => -v);
    const got = pairs(p);
    expect(got.length).toBe(5);
    expect(got[0]).toEqual([0, -1]);
    expect(got[1]).toEqual([10, -2]);
    expect(Number.isNaN(got[2][0])).toBe(true);
    expect(got[3]).toEqual([40, -5]);
    expect(p.valid).toBe(4);
  });
  it('clips values ≤ 0 on log axes as gaps', () => {
    const p = toPixelPath(ser([0, 1, 2, 3], [1, 0, -1, 4]), id, id, { logY: true });
    const got = pairs(p);
    expect(p.valid).toBe(2);
    expect(got.filter((q) => !Number.isNaN(q[0]))).toEqual([[0, 1], [3, 4]]);
    const q = toPixelPath(ser([0, 1, 2], [1, 2, 3]), id, id, { logX: true });
    expect(q.valid).toBe(2);
  });
  it('empty series and leading gaps produce no marker', () => {
    expect(toPixelPath(ser([], []), id, id).n).toBe(0);
    const p = toPixelPath(ser([0, 1], [NaN, 2]), id, id);
    expect(pairs(p)).toEqual([[1, 2]]);
  });
});

describe('toPixelPath with per-column thinning', () => {
  // Oracle: brute-force per-column min/max/first/last of the same data.
  function columns(x: Float64Array, y: Float64Array) {
    const m = new Map<number, { min: number; max: number; first: [number, number]; last: [number, number] }>();
    for (let i = 0; i < x.length; i++) {
      const c = Math.floor(x[i]);
      const e = m.get(c);
      if (!e) m.set(c, { min: y[i], max: y[i], first: [x[i], y[i]], last: [x[i], y[i]] });
      else {
        e.min = Math.min(e.min, y[i]);
        e.max = Math.max(e.max, y[i]);
        e.last = [x[i], y[i]];
      }
    }
    return m;
  }
  it('keeps every column envelope (min, max) and its first/last point, with ≤ 4 points per column', () => {
    const n = 20000;
    const cols = 300;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    let s = 1;
    for (let i = 0; i < n; i++) {
      x[i] = (i * cols) / n; // already in px
      s = (s * 16807) % 2147483647;
      y[i] = Math.sin(i / 50) * 100 + ((s / 2147483647) - 0.5) * 20 + (i % 2 ? 15 : -15);
    }
    const p = toPixelPath(ser(x, y), id, id, { columns: cols });
    expect(p.n).toBeLessThanOrEqual(4 * cols);
    expect(p.n).toBeLessThan(n / 10);
    expect(p.valid).toBe(n);
    const got = new Map<number, { min: number; max: number; pts: [number, number][] }>();
    for (const [px, py] of pairs(p)) {
      const c = Math.floor(px);
      const e = got.get(c) ?? { min: Infinity, max: -Infinity, pts: [] };
      e.min = Math.min(e.min, py);
      e.max = Math.max(e.max, py);
      e.pts.push([px, py]);
      got.set(c, e);
    }
    const want = columns(x, y);
    expect(got.size).toBe(want.size);
    for (const [c, w] of want) {
      const g = got.get(c)!;
      expect(g.min).toBeCloseTo(w.min, 3); // float32 output
      expect(g.max).toBeCloseTo(w.max, 3);
      expect(g.pts[0][1]).toBeCloseTo(w.first[1], 3);
      expect(g.pts[g.pts.length - 1][1]).toBeCloseTo(w.last[1], 3);
    }
    // Output x is non-decreasing (points emitted in index order).
    const xs = pairs(p).map((q) => q[0]);
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThanOrEqual(xs[i - 1]);
  });
  it('gaps survive thinning', () => {
    const n = 5000;
    const x = Float64Array.from({ length: n }, (_, i) => i / 50);
    const y = Float64Array.from({ length: n }, (_, i) => (i >= 2000 && i < 2100 ? NaN : i % 7));
    const p = toPixelPath(ser(x, y), id, id, { columns: 100 });
    const gaps = pairs(p).filter((q) => Number.isNaN(q[0])).length;
    expect(gaps).toBe(1);
    expect(p.valid).toBe(n - 100);
  });
  it('non-monotone x (paths in the plane) is never thinned', () => {
    const n = 4000;
    const x = Float64Array.from({ length: n }, (_, i) => Math.cos(i / 10) * 50 + 50);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 10) * 50);
    expect(isNonDecreasing(ser(x, y))).toBe(false);
    expect(toPixelPath(ser(x, y), id, id, { columns: 100 }).n).toBe(n);
  });
});
