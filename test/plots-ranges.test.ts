/** The y range follows the bulk of the data; what it leaves out is counted (ranges.ts). */
import { describe, expect, it } from 'vitest';
import { anyNonPositive, bulkExtent, offScaleCounts, offScaleNote } from '../src/ui/plots/ranges.ts';
import type { Series } from '../src/ui/plots/types.ts';

const ser = (id: string, y: number[]): Series => ({ id, label: id, color: '#000', x: y.map((_, i) => i), y, length: y.length });

describe('bulkExtent', () => {
  it('a start-up spike (the quartic σ² at steps 0–1) does not set the range', () => {
    const y = Array.from({ length: 400 }, (_, i) => 0.5 + 0.1 * Math.sin(i));
    y[0] = 1200;
    y[1] = -200;
    const b = bulkExtent([ser('s', y)], false);
    expect(b.trimmed).toBe(true);
    expect(b.max).toBeLessThan(0.61);
    expect(b.min).toBeGreaterThan(0.39);
    // ... and those two samples are counted off-scale: one above, one below.
    expect(offScaleCounts([ser('s', y)], [b.min, b.max], false)).toEqual({ s: { above: 1, below: 1 } });
  });
  it('a fast descent that then converges (x⁴/4 − x² from 0.5: 20 of 1000 steps) keeps its descent', () => {
    const y = Array.from({ length: 1000 }, (_, i) => -1 + 0.77 * Math.exp(-i / 4));
    const b = bulkExtent([ser('s', y)], false);
    expect(b.trimmed).toBe(false);
    expect(b.max).toBeCloseTo(-0.23, 12);
  });
  it('a start that converges fast (centre coordinate 1 → 0.35 → 0 ...) keeps its start', () => {
    const y = [1, 0.35, ...Array.from({ length: 40 }, (_, i) => 0.35 * Math.cos(i) * Math.exp(-i / 5))];
    const b = bulkExtent([ser('s', y)], false);
    expect(b.trimmed).toBe(false);
    expect(b.max).toBe(1);
  });
  it('a smooth decay from the start keeps its head (the loss curve is not clipped)', () => {
    const y = Array.from({ length: 400 }, (_, i) => 10 * Math.exp(-i / 100));
    const b = bulkExtent([ser('s', y)], false);
    expect(b.trimmed).toBe(false);
    expect(b.max).toBe(10);
  });
  it('a trend at the end is never trimmed (only the start-up head is)', () => {
    const y = Array.from({ length: 400 }, (_, i) => (i > 390 ? 1000 : 0.5));
    expect(bulkExtent([ser('s', y)], false).max).toBe(1000);
  });
  it('log: works in decades, skips ≤ 0, short series untouched', () => {
    const y = Array.from({ length: 100 }, (_, i) => 10 ** (-i / 10));
    const b = bulkExtent([ser('s', [0, -1, ...y])], true);
    expect(b.min).toBeCloseTo(10 ** -9.9, 12);
    expect(b.max).toBeCloseTo(1, 12);
    expect(bulkExtent([ser('s', [1e6, 1, 1, 1, 1])], false).max).toBe(1e6);
  });
});

describe('offScaleCounts / anyNonPositive', () => {
  it('counts above/below, ≤ 0 on a log axis as below, NaN as a gap', () => {
    const s = ser('a', [NaN, 0, -1, 0.5, 5, 50, Infinity, -Infinity]);
    expect(offScaleCounts([s], [1, 10], true)).toEqual({ a: { above: 2, below: 4 } });
    expect(offScaleCounts([s], [-10, 10], false)).toEqual({ a: { above: 2, below: 1 } });
    expect(offScaleNote({ above: 2, below: 4 })).toMatch(/2 above, 4 below the axis \(marked ▲▼\)/);
    expect(offScaleNote({ above: 0, below: 4 })).toMatch(/4 below the axis \(marked ▼\)/);
    expect(offScaleNote(undefined)).toBe('');
  });
  it('anyNonPositive sees a single zero, ignores NaN', () => {
    expect(anyNonPositive([ser('a', [1, NaN, 2])])).toBe(false);
    expect(anyNonPositive([ser('a', [1, NaN, 2]), ser('b', [3, 0])])).toBe(true);
  });
});
