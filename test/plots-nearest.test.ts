import { describe, expect, it } from 'vitest';
import { interpolateCurve, nearestIndex, nearestTimeIndex, readoutAt } from '../src/ui/plots/nearest.ts';
import type { Series } from '../src/ui/plots/types.ts';

function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647);
}
const bruteNearest = (xs: number[], t: number) => {
  let best = -1, bd = Infinity;
  xs.forEach((v, i) => {
    const d = Math.abs(v - t);
    if (d < bd) (bd = d), (best = i);
  });
  return best;
};

describe('nearestIndex', () => {
  it('binary search equals a brute-force scan on sorted data (random trials)', () => {
    const r = lcg(3);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 60);
      const xs: number[] = [];
      let v = r() * 10 - 5;
      for (let i = 0; i < n; i++) xs.push((v += r() < 0.1 ? 0 : r() * 2)); // repeats allowed
      const t = r() * 80 - 10;
      const got = nearestIndex((i) => xs[i], n, t, true);
      expect(Math.abs(xs[got] - t)).toBeCloseTo(Math.abs(xs[bruteNearest(xs, t)] - t), 12);
    }
  });
  it('linear scan on unsorted data, -1 on empty or NaN target', () => {
    const xs = [5, -1, 3, 9, 0.2];
    expect(nearestIndex((i) => xs[i], xs.length, 0, false)).toBe(4);
    expect(nearestIndex((i) => xs[i], 0, 1, true)).toBe(-1);
    expect(nearestIndex((i) => xs[i], xs.length, NaN, false)).toBe(-1);
  });
});

const ser = (x: ArrayLike<number>, y: ArrayLike<number>, extra: Partial<Series> = {}): Series => ({
  id: 's', label: 's', color: '#000', x, y, length: Math.min(x.length, y.length), ...extra,
});

describe('readoutAt', () => {
  const t = Float64Array.from({ length: 100 }, (_, i) => 2 * i); // stride-2 recording
  const y = Float64Array.from({ length: 100 }, (_, i) => i * i);
  it('returns the nearest sample and its value', () => {
    expect(readoutAt(ser(t, y), 41.2)).toEqual({ index: 21, x: 42, y: 441 });
    expect(readoutAt(ser(t, y), 40.9)).toEqual({ index: 20, x: 40, y: 400 });
  });
  it('says nothing past the end of a shorter series (beyond half a spacing)', () => {
    const short = ser(t, y, { length: 50 }); // ends at x = 98
    expect(readoutAt(short, 98.9)?.index).toBe(49);
    expect(readoutAt(short, 100.5)).toBeNull();
    expect(readoutAt(short, -1.5)).toBeNull();
  });
  it('reports NaN samples as NaN (a gap) rather than skipping to a neighbour', () => {
    const yy = Float64Array.from(y);
    yy[10] = NaN;
    expect(Number.isNaN(readoutAt(ser(t, yy), 20)!.y)).toBe(true);
  });
  it('reads strided y (eigenvalue k of an interleaved record)', () => {
    const eig = new Float64Array(200);
    for (let i = 0; i < 100; i++) (eig[2 * i] = 10 + i), (eig[2 * i + 1] = -i);
    expect(readoutAt(ser(t, eig, { yStride: 2, yOffset: 1, length: 100 }), 60)?.y).toBe(-30);
  });
  it('sees a series grow (cache keyed by length)', () => {
    const s = ser(t, y, { length: 10 });
    expect(readoutAt(s, 60)).toBeNull();
    expect(readoutAt({ ...s, length: 40 }, 60)?.index).toBe(30);
  });
  it('empty series → null', () => {
    expect(readoutAt(ser([], []), 0)).toBeNull();
  });
});

describe('nearestTimeIndex / interpolateCurve', () => {
  it('nearest time on a path', () => {
    const tt = Float64Array.from([0, 1, 2, 4, 8, 16]);
    expect(nearestTimeIndex(tt, 6, 5.9)).toBe(3);
    expect(nearestTimeIndex(tt, 6, 6.1)).toBe(4);
    expect(nearestTimeIndex(tt, 3, 100)).toBe(2);
  });
  it('linear interpolation is exact on a straight line, NaN outside', () => {
    const cx = Float64Array.from({ length: 11 }, (_, i) => -1 + i * 0.2);
    const cy = cx.map((v) => 3 * v - 0.5);
    for (const x of [-1, -0.37, 0, 0.5111, 1]) expect(interpolateCurve(cx, cy, x)).toBeCloseTo(3 * x - 0.5, 12);
    expect(Number.isNaN(interpolateCurve(cx, cy, 1.01))).toBe(true);
    expect(Number.isNaN(interpolateCurve(cx, cy, NaN))).toBe(true);
  });
});
