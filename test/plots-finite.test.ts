/**
 * Every scale helper fed ±1e308, ±Infinity and NaN (issue: a log axis padded its top to 10^(lmax+p) =
 * Infinity and the tick chooser never returned). Whatever the data, domains are finite with lo < hi,
 * ticks are a bounded finite list, and every pixel handed on is finite (or NaN = a gap, never ±Infinity).
 */
import { describe, expect, it } from 'vitest';
import {
  chooseDomain,
  chooseTicks,
  clampToAxis,
  fastMap,
  formatNumber,
  makeScale,
  safePx,
  seriesExtent,
  tightDomain,
} from '../src/ui/plots/scales.ts';
import { bulkExtent, offScaleCounts } from '../src/ui/plots/ranges.ts';
import { toPixelPath } from '../src/ui/plots/thin.ts';
import { clipSegment, overlayItems } from '../src/ui/plots/contour-overlay.ts';
import type { Series } from '../src/ui/plots/types.ts';

const BAD = [1e308, -1e308, Infinity, -Infinity, NaN, 0, 5e-324, -5e-324, 1e-308, 1];
const ser = (y: number[]): Series => ({ id: 's', label: 's', color: '#000', x: y.map((_, i) => i), y, length: y.length });

function finiteDomain(d: [number, number], log: boolean) {
  expect(Number.isFinite(d[0]) && Number.isFinite(d[1]), `${d}`).toBe(true);
  expect(d[0] < d[1], `${d}`).toBe(true);
  if (log) expect(d[0] > 0, `${d}`).toBe(true);
}

describe('scales never leave finite ranges', () => {
  for (const log of [false, true]) {
    it(`chooseDomain / tightDomain / makeScale / chooseTicks on every pair of bad values (${log ? 'log' : 'linear'})`, () => {
      let slowest = 0;
      let most = 0;
      const bad: string[] = [];
      for (const a of BAD)
        for (const b of BAD) {
          const lo = Math.min(a, b), hi = Math.max(a, b);
          for (const d of [chooseDomain(lo, hi, log), chooseDomain(a, b, log), tightDomain(lo, hi, log), tightDomain(a, b, log)]) {
            finiteDomain(d, log);
            for (const px of [300, NaN]) {
              const s = makeScale(d, [px, 0], log);
              const sd = s.domain() as number[];
              finiteDomain([Math.min(...sd), Math.max(...sd)], log);
              const t0 = performance.now();
              const ticks = chooseTicks(s, px, log, 48);
              slowest = Math.max(slowest, performance.now() - t0);
              most = Math.max(most, ticks.length);
              for (const t of ticks) if (!Number.isFinite(t.value) || !Number.isFinite(s(t.value))) bad.push(`${d}: ${t.value}`);
            }
          }
          // makeScale with the raw (unsanitised) pair as its domain.
          const s = makeScale([a, b], [0, 300], log);
          for (const v of s.domain() as number[]) expect(Number.isFinite(v)).toBe(true);
          if (!chooseTicks(s, 300, log).every((t) => Number.isFinite(t.value))) bad.push(`raw ${a}, ${b}`);
        }
      expect(bad).toEqual([]);
      expect(most).toBeLessThan(5000);
      expect(slowest).toBeLessThan(500);
    });
  }

  it('the crash case: a log axis over [1e-301, 1e300] (and 1e308) pads to a finite top and ticks return', () => {
    for (const top of [1e300, 1e305, 1e308, Number.MAX_VALUE]) {
      const d = chooseDomain(1e-301, top, true);
      finiteDomain(d, true);
      const t = chooseTicks(makeScale(d, [250, 0], true), 250, true, 48);
      expect(t.length).toBeGreaterThan(1);
      expect(t.length).toBeLessThan(1000);
    }
  });

  it('fastMap of a sanitised scale gives finite pixels for in-range values; safePx clamps the rest', () => {
    for (const log of [false, true]) {
      const s = makeScale(chooseDomain(-1e308, 1e308, log), [200, 0], log);
      const f = fastMap(s, log);
      for (const v of BAD) {
        const p = safePx(f(v), 200);
        if (!Number.isNaN(p)) expect(Number.isFinite(p)).toBe(true);
        expect(Number.isFinite(clampToAxis(v, log)) || Number.isNaN(v)).toBe(true);
      }
    }
  });

  it('seriesExtent, bulkExtent and offScaleCounts stay finite on bad data', () => {
    const s = ser(BAD);
    for (const log of [false, true]) {
      const e = seriesExtent([s], 'y', log);
      const d = chooseDomain(e.min, e.max, log);
      finiteDomain(d, log);
      const b = bulkExtent([s], log);
      finiteDomain(chooseDomain(b.min, b.max, log), log);
      const o = offScaleCounts([s], d, log);
      // NaN is a gap; ±Infinity are counted off-scale (marked), never lost silently.
      const drawn = BAD.filter((v) => !Number.isNaN(v)).length;
      const off = (o.s?.above ?? 0) + (o.s?.below ?? 0);
      expect(off).toBeGreaterThanOrEqual(2);
      expect(off).toBeLessThanOrEqual(drawn);
    }
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(NaN)).toBe('—');
  });

  it('toPixelPath with limits never emits ±Infinity (NaN pairs are gaps)', () => {
    for (const log of [false, true]) {
      const s = ser(BAD);
      const sc = makeScale(chooseDomain(0.5, 2, log), [200, 0], log);
      const f = fastMap(sc, log);
      const p = toPixelPath(s, (v) => v, f, { logY: log, yLimits: [-1e5, 200 + 1e5], nonPositiveY: 200 + 1e4, thin: false });
      for (let i = 0; i < 2 * p.n; i++) expect(p.xy[i] === Infinity || p.xy[i] === -Infinity).toBe(false);
      // Every non-NaN sample is drawn (off-scale ones at the limit), none dropped.
      expect(p.valid).toBe(BAD.filter((v) => !Number.isNaN(v)).length);
    }
  });
});

describe('contour overlay: clipped, finite attributes', () => {
  it('clipSegment (Liang–Barsky) against hand cases', () => {
    expect(clipSegment(-10, 50, 110, 50, 100, 100)).toEqual([0, 50, 100, 50]);
    expect(clipSegment(10, 10, 20, 20, 100, 100)).toEqual([10, 10, 20, 20]);
    expect(clipSegment(-10, -10, -5, -5, 100, 100)).toBeNull();
    expect(clipSegment(0, 0, Infinity, 5, 100, 100)).toBeNull();
    const c = clipSegment(50, 50, 50, -1e300, 100, 100)!;
    expect(c).toEqual([50, 50, 50, 0]);
  });

  it('rods, segments, markers and cursor markers from huge or non-finite data stay inside the plot', () => {
    const lin = (v: number) => 100 + v * 10;
    const g = { x: lin, y: (v: number) => 100 - v * 10, iw: 200, ih: 200 };
    const seg = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2, color: '#000', label: 's' });
    const path: Series = { id: 'p', label: 'p', color: '#f00', x: [0, 1e308, NaN, 3], y: [0, 1e308, 1, Infinity], length: 4, t: [0, 1, 2, 3] };
    for (const ct of [0, 1, 2, 3]) {
      const items = overlayItems(g, {
        rods: [seg(-1e308, 0, 1e308, 0), seg(0, 0, 1, 1), seg(NaN, 0, 1, 1), seg(0, -Infinity, 0, 5)],
        segments: [seg(-50, -50, 50, 50)],
        ellipses: [{ cx: 0, cy: 0, rx: 1e308, ry: 1, angle: 0, color: '#0f0', label: 'e' }, { cx: 0, cy: 0, rx: 1, ry: 1, angle: 0.3, color: '#0f0', label: 'e' }],
        markers: [{ x: 1e308, y: 0, color: '#00f', label: 'm' }, { x: 1, y: 1, color: '#00f', label: 'm' }],
        paths: [path],
        cursorT: ct,
        placeY: (_x, y) => y,
      });
      expect(items.length).toBeGreaterThan(4);
      for (const it of items) {
        for (const [k, v] of it.attrs) {
          if (v === null || typeof v === 'string') {
            if (typeof v === 'string') expect(v, k).not.toMatch(/Infinity|NaN/);
            continue;
          }
          expect(Number.isFinite(v), `${it.tag} ${k}=${v}`).toBe(true);
          if (['x1', 'x2', 'cx'].includes(k)) expect(v >= 0 && v <= 200, `${k}=${v}`).toBe(true);
          if (['y1', 'y2', 'cy'].includes(k)) expect(v >= 0 && v <= 200, `${k}=${v}`).toBe(true);
        }
      }
    }
  });
});
