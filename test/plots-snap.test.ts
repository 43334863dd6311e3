/** Rounding a dragged start to the plot's pixel (src/ui/plots/snap.ts). */
import { describe, expect, it } from 'vitest';
import { decimalsFor, roundToDecimals, snapPoint } from '../src/ui/plots/snap.ts';

describe('decimalsFor: the coarsest power-of-ten step not above one pixel', () => {
  it('matches hand-worked cases, including exact powers of ten where log10 is inexact', () => {
    expect(decimalsFor(0.008)).toBe(3); // 0.001 ≤ 0.008 < 0.01
    expect(decimalsFor(0.0123)).toBe(2);
    expect(decimalsFor(0.001)).toBe(3);
    expect(decimalsFor(1e-3)).toBe(3);
    expect(decimalsFor(0.01)).toBe(2);
    expect(decimalsFor(1)).toBe(0);
    expect(decimalsFor(7.5)).toBe(0);
    expect(decimalsFor(25)).toBe(-1); // tens
    expect(decimalsFor(1e-9)).toBe(9);
  });
  it('its step is ≤ the unit and ten times it is not (checked over many units, by the definition)', () => {
    for (let e = -12; e <= 6; e += 0.0137) {
      const u = 10 ** e;
      const d = decimalsFor(u)!;
      expect(10 ** -d).toBeLessThanOrEqual(u);
      expect(10 ** -(d - 1)).toBeGreaterThan(u);
    }
    for (let k = -10; k <= 5; k++) expect(decimalsFor(Number(`1e${k}`))).toBe(k === 0 ? 0 : -k);
  });
  it('nothing to snap to for zero, negative or non-finite units', () => {
    for (const u of [0, -1, NaN, Infinity]) expect(decimalsFor(u)).toBeNull();
  });
});

describe('roundToDecimals', () => {
  it('gives the short decimal exactly (its text is the rounded decimal, not float noise)', () => {
    expect(String(roundToDecimals(0.21837465918273645, 3))).toBe('0.218');
    expect(String(roundToDecimals(-0.21850000001, 3))).toBe('-0.219');
    expect(String(roundToDecimals(0.1 + 0.2, 2))).toBe('0.3');
    expect(String(roundToDecimals(1234.5678, -1))).toBe('1230');
    expect(String(roundToDecimals(-1250.1, -2))).toBe('-1300');
    expect(roundToDecimals(0.1234, null)).toBe(0.1234);
    expect(Object.is(roundToDecimals(-0.0001, 2), 0)).toBe(true); // never -0 in a field or a URL
  });
  it('moves a value by at most half a step, and its text parses back to itself (independent check)', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    for (let i = 0; i < 2000; i++) {
      const v = rnd() * 10 ** Math.round(rnd() * 4);
      const d = Math.round(Math.abs(rnd()) * 6);
      const r = roundToDecimals(v, d);
      expect(Math.abs(r - v)).toBeLessThanOrEqual(0.5 * 10 ** -d * (1 + 1e-9));
      expect(Number(String(r))).toBe(r);
      // At most d decimals in its text.
      expect(String(r).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(d);
    }
  });
});

describe('snapPoint', () => {
  it('rounds each axis to its own pixel, staying within half a pixel of the pointer', () => {
    // A 600 px wide plot of [-1.5, 1.5] (0.005 per px) and 400 px tall of [-0.2, 1.8] (0.005 per px);
    // then a much wider y axis.
    expect(snapPoint([0.21837465918273645, 0.7312345], [0.005, 0.005])).toEqual([0.218, 0.731]);
    expect(snapPoint([0.21837465918273645, 73.12345], [0.005, 0.5])).toEqual([0.218, 73.1]);
    const units = [0.0037, 0.042];
    const p = [-0.61234567, 1.98765432];
    const q = snapPoint(p, units);
    for (let i = 0; i < 2; i++) expect(Math.abs(q[i] - p[i])).toBeLessThanOrEqual(units[i] / 2);
  });
  it('distinct pixels stay distinct after rounding', () => {
    const unit = 3 / 587; // an awkward plot width
    const seen = new Set<number>();
    for (let px = 0; px <= 587; px++) seen.add(snapPoint([-1.5 + px * unit], [unit])[0]);
    expect(seen.size).toBe(588);
  });
  it('1-D points and unknown units', () => {
    expect(snapPoint([0.123456], [0.001])).toEqual([0.123]);
    expect(snapPoint([0.123456, 0.5], [NaN])).toEqual([0.123456, 0.5]);
  });
});
