import { describe, expect, it } from 'vitest';
import { scaleLinear, scaleLog } from 'd3';
import {
  chooseDomain,
  chooseTicks,
  fastMap,
  formatNumber,
  makeScale,
  powerOfTen,
  seriesExtent,
  tightDomain,
} from '../src/ui/plots/scales.ts';
import type { Series } from '../src/ui/plots/types.ts';

const ser = (id: string, x: number[], y: number[], extra: Partial<Series> = {}): Series => ({
  id, label: id, color: '#000', x, y, length: Math.min(x.length, y.length), ...extra,
});

describe('seriesExtent', () => {
  it('skips NaN/±Infinity and includes extra values', () => {
    const e = seriesExtent([ser('a', [0, 1, 2, 3], [1, NaN, Infinity, -2])], 'y', false, [5]);
    expect(e).toEqual({ min: -2, max: 5, clipped: {} });
  });
  it('on a log axis drops and counts values ≤ 0 per series', () => {
    const e = seriesExtent(
      [ser('a', [0, 1, 2, 3], [0, -1, 1e-3, 10]), ser('b', [0, 1], [2, 3])],
      'y',
      true,
      [-5],
    );
    expect(e.min).toBe(1e-3);
    expect(e.max).toBe(10);
    expect(e.clipped).toEqual({ a: 2 });
  });
  it('reads strided rows (interleaved eigenvalues) and respects length', () => {
    const y = [5, 1, 6, 2, 7, 3, 100, 100]; // eigK = 2, 3 samples used
    const e0 = seriesExtent([ser('l1', [0, 1, 2], y, { yStride: 2, length: 3 })], 'y', false);
    const e1 = seriesExtent([ser('l2', [0, 1, 2], y, { yStride: 2, yOffset: 1, length: 3 })], 'y', false);
    expect([e0.min, e0.max]).toEqual([5, 7]);
    expect([e1.min, e1.max]).toEqual([1, 3]);
  });
  it('a length larger than the arrays is clamped, empty input gives min > max', () => {
    const e = seriesExtent([ser('a', [0, 1], [4, 5], { length: 10 })], 'y', false);
    expect([e.min, e.max]).toEqual([4, 5]);
    const z = seriesExtent([], 'y', false);
    expect(z.min > z.max).toBe(true);
  });
});

describe('chooseDomain / tightDomain', () => {
  it('defaults for empty extents', () => {
    expect(chooseDomain(Infinity, -Infinity, false)).toEqual([0, 1]);
    expect(chooseDomain(Infinity, -Infinity, true)).toEqual([1, 10]);
  });
  it('pads degenerate extents', () => {
    expect(chooseDomain(3, 3, false)).toEqual([2.7, 3.3]);
    expect(chooseDomain(0, 0, false)).toEqual([-1, 1]);
    expect(chooseDomain(2, 2, true)).toEqual([1, 4]);
  });
  it('linear domains contain the data and are niced', () => {
    const [a, b] = chooseDomain(0.13, 6.9, false);
    expect(a).toBeLessThanOrEqual(0.13);
    expect(b).toBeGreaterThanOrEqual(6.9);
    expect(Number.isInteger(a * 10) && Number.isInteger(b)).toBe(true);
  });
  it('log domains contain the data with a small multiplicative pad', () => {
    const [a, b] = chooseDomain(1e-4, 1, true);
    expect(a).toBeLessThan(1e-4);
    expect(a).toBeGreaterThan(1e-5);
    expect(b).toBeGreaterThan(1);
    expect(b).toBeLessThan(10);
  });
  it('tight domains are the exact extent', () => {
    expect(tightDomain(0, 1499, false)).toEqual([0, 1499]);
    expect(tightDomain(5, 5, false)).toEqual(chooseDomain(5, 5, false));
  });
});

describe('fastMap agrees with d3 scales (the oracle)', () => {
  it('linear and log, including outside the domain', () => {
    const lin = makeScale([-3, 7], [400, 10], false);
    const log = makeScale([1e-5, 30], [0, 613], true);
    const fl = fastMap(lin, false);
    const fg = fastMap(log, true);
    for (const v of [-10, -3, 0, 1.234, 7, 12]) expect(fl(v)).toBeCloseTo(scaleLinear().domain([-3, 7]).range([400, 10])(v), 9);
    for (const v of [1e-7, 1e-5, 3e-3, 1, 30, 500]) expect(fg(v)).toBeCloseTo(scaleLog().domain([1e-5, 30]).range([0, 613])(v), 9);
  });
});

describe('chooseTicks', () => {
  it('linear: nice values inside the domain, about one per 70 px', () => {
    const s = makeScale([0, 1499], [0, 560], false);
    const t = chooseTicks(s, 560, false);
    expect(t.length).toBeGreaterThanOrEqual(4);
    expect(t.length).toBeLessThanOrEqual(12);
    for (const k of t) {
      expect(k.value).toBeGreaterThanOrEqual(0);
      expect(k.value).toBeLessThanOrEqual(1499);
      expect(Number(k.label.replace('−', '-'))).toBe(k.value);
    }
  });
  it('linear labels use a true minus and as many decimals as the step needs', () => {
    const t = chooseTicks(makeScale([-0.02, 0.03], [0, 400], false), 400, false);
    expect(t.map((k) => k.label)).toContain('−0.01');
    expect(t.map((k) => k.label)).toContain('0.02');
  });
  it('log over several decades: powers of ten labelled with superscripts, minors unlabelled', () => {
    const t = chooseTicks(makeScale([3e-4, 20], [300, 0], true), 300, true, 48);
    const labelled = t.filter((k) => k.label);
    expect(labelled.map((k) => k.label)).toEqual(['10⁻³', '10⁻²', '10⁻¹', '1', '10']);
    for (const k of labelled) expect(Math.log10(k.value) % 1).toBeCloseTo(0, 12);
    expect(t.some((k) => k.minor && k.value === 2e-3)).toBe(true);
    for (const k of t) expect(k.value >= 3e-4 * (1 - 1e-9) && k.value <= 20 * (1 + 1e-9)).toBe(true);
  });
  it('log over fewer than three decades on a long axis also labels 2× and 5×', () => {
    const t = chooseTicks(makeScale([0.015, 2], [300, 0], true), 300, true, 48);
    expect(t.filter((k) => k.label).map((k) => k.label)).toEqual(['0.02', '0.05', '0.1', '0.2', '0.5', '1', '2']);
    const u = chooseTicks(makeScale([1.5e-6, 2e-4], [300, 0], true), 300, true, 48);
    expect(u.filter((k) => k.label).map((k) => k.label)).toEqual(['2·10⁻⁶', '5·10⁻⁶', '10⁻⁵', '2·10⁻⁵', '5·10⁻⁵', '10⁻⁴', '2·10⁻⁴']);
  });
  it('log over fewer than three decades on a shorter axis labels half decades (3×)', () => {
    const t = chooseTicks(makeScale([0.015, 2], [200, 0], true), 200, true, 48);
    expect(t.filter((k) => k.label).map((k) => k.label)).toEqual(['0.03', '0.1', '0.3', '1']);
  });
  it('log over many decades labels every m-th decade only', () => {
    const t = chooseTicks(makeScale([1e-16, 1e4], [200, 0], true), 200, true, 48);
    const labelled = t.filter((k) => k.label);
    expect(labelled.length).toBeLessThanOrEqual(5);
    expect(labelled.length).toBeGreaterThanOrEqual(2);
  });
  it('log over dozens of decades labels multiples of a nice decade step', () => {
    const t = chooseTicks(makeScale([1e-70, 10], [200, 0], true), 200, true, 48);
    // 71 decades, ~4 labels wanted → step 18 → the next nice step, 20.
    expect(t.filter((k) => k.label).map((k) => k.label)).toEqual(['10⁻⁶⁰', '10⁻⁴⁰', '10⁻²⁰', '1']);
  });
  it('log within one decade still has labels', () => {
    const t = chooseTicks(makeScale([2.1, 7.9], [200, 0], true), 200, true, 48);
    expect(t.filter((k) => k.label).length).toBeGreaterThanOrEqual(2);
  });
});

describe('formatNumber / powerOfTen', () => {
  it('4 significant digits, exponent outside [1e-3, 1e5), true minus, NaN as dash', () => {
    expect(formatNumber(6.666666)).toBe('6.667');
    expect(formatNumber(-0.5)).toBe('−0.5');
    expect(formatNumber(1.23456e-5)).toBe('1.235e−5');
    expect(formatNumber(123456)).toBe('1.235e5');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('—');
    expect(formatNumber(-Infinity)).toBe('−∞');
    expect(formatNumber(-1.5e-7)).toBe('−1.5e−7');
  });
  it('powers of ten', () => {
    expect(powerOfTen(0)).toBe('1');
    expect(powerOfTen(1)).toBe('10');
    expect(powerOfTen(-12)).toBe('10⁻¹²');
    expect(powerOfTen(3)).toBe('10³');
  });
});
