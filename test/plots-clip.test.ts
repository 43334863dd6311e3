/**
 * drawSeries strokes only what can show (issue 12 row 3): a series whose clock runs far past the plot's
 * (an imported 260k-step run over a 300-step one) or that is clamped far off-scale is clipped to the plot
 * area plus a margin, and the part inside the plot is the same line. The oracle walks the unclipped
 * polyline in small steps and measures how much of it lies inside the plot.
 */
import { describe, expect, it } from 'vitest';
import { drawSeries } from '../src/ui/plots/dom.ts';
import type { Series } from '../src/ui/plots/types.ts';

type Seg = [number, number, number, number];

/** A recording 2-D context: the segments a stroke would draw (moveTo/lineTo), everything else ignored. */
function recorder(): { ctx: CanvasRenderingContext2D; segs: Seg[] } {
  const segs: Seg[] = [];
  let at: [number, number] | null = null;
  const pending: Seg[] = [];
  const target: Record<string, unknown> = {
    moveTo: (x: number, y: number) => (at = [x, y]),
    lineTo: (x: number, y: number) => {
      if (at) pending.push([at[0], at[1], x, y]);
      at = [x, y];
    },
    beginPath: () => {
      pending.length = 0;
      at = null;
    },
    stroke: () => segs.push(...pending),
  };
  const ctx = new Proxy(target, {
    get: (t, k: string) => (k in t ? t[k] : () => undefined),
    set: (t, k: string, v) => ((t[k] = v), true),
  }) as unknown as CanvasRenderingContext2D;
  return { ctx, segs };
}

const len = (s: Seg) => Math.hypot(s[2] - s[0], s[3] - s[1]);

/** Length of the segments inside [0, w] × [0, h], by walking each in steps of ≤ 0.05 px. */
function insideLength(segs: Seg[], w: number, h: number): number {
  let L = 0;
  for (const s of segs) {
    // A segment whose bounding box misses the box has nothing inside (and some are 10⁵ px long).
    if (Math.max(s[0], s[2]) < 0 || Math.min(s[0], s[2]) > w || Math.max(s[1], s[3]) < 0 || Math.min(s[1], s[3]) > h) continue;
    const l = len(s);
    const k = Math.max(1, Math.ceil(l / 0.05));
    for (let i = 0; i < k; i++) {
      const u = (i + 0.5) / k;
      const x = s[0] + u * (s[2] - s[0]);
      const y = s[1] + u * (s[3] - s[1]);
      if (x >= 0 && x <= w && y >= 0 && y <= h) L += l / k;
    }
  }
  return L;
}

describe('drawSeries clips to the plot area', () => {
  const iw = 500;
  const ih = 200;
  // A dotted overlay of 400 samples 650 steps apart, over a frame that shows steps 0–300, plus a few
  // samples far above and below the plot (clamped by toPixelPath to 1e5 px off-scale).
  const n = 400;
  const x = Float64Array.from({ length: n }, (_, i) => i * 650);
  const y = Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 1e30 : i % 11 === 5 ? -1e30 : Math.sin(i)));
  const series: Series = { id: 'imported', label: 'imported', color: '#000', x, y, length: n, dash: '1 3' };
  // The first two samples (t = 0, 650) straddle the right edge; a second run starts inside.
  const px = (t: number) => (t / 300) * iw;
  const py = (v: number) => ih / 2 - (v * ih) / 4;

  // (The off-scale edge markers are left out here: they are a separate stroke, tested in plots-finite.)
  it('strokes a bounded length (it stroked ~10⁷ px before) and the same line inside the plot', () => {
    const clipped = recorder();
    drawSeries(clipped.ctx, series, px, py, { columns: iw, ih, iw, marks: false });
    const full = recorder();
    drawSeries(full.ctx, series, px, py, { columns: iw, ih, marks: false });
    const total = (segs: Seg[]) => segs.reduce((a, s) => a + len(s), 0);
    expect(total(full.segs)).toBeGreaterThan(1e6);
    expect(total(clipped.segs)).toBeLessThan(2 * (iw + ih + 32));
    const a = insideLength(clipped.segs, iw, ih);
    const b = insideLength(full.segs, iw, ih);
    expect(b).toBeGreaterThan(100);
    expect(Math.abs(a - b)).toBeLessThan(1e-3 * b + 0.5);
    // Every drawn point lies within the margin around the plot.
    for (const s of clipped.segs) for (const v of [s[0], s[2]]) expect(v).toBeGreaterThanOrEqual(-8 - 1e-9), expect(v).toBeLessThanOrEqual(iw + 8 + 1e-9);
    for (const s of clipped.segs) for (const v of [s[1], s[3]]) expect(v).toBeGreaterThanOrEqual(-8 - 1e-9), expect(v).toBeLessThanOrEqual(ih + 8 + 1e-9);
  });

  it('a series wholly inside is drawn exactly as before (one sub-path, the same points)', () => {
    const m = 50;
    const s: Series = { id: 'run', label: 'run', color: '#000', x: Float64Array.from({ length: m }, (_, i) => i * 6), y: Float64Array.from({ length: m }, (_, i) => Math.cos(i / 3)), length: m };
    const clipped = recorder();
    drawSeries(clipped.ctx, s, px, py, { columns: iw, ih, iw });
    const full = recorder();
    drawSeries(full.ctx, s, px, py, { columns: iw, ih });
    expect(clipped.segs).toHaveLength(full.segs.length);
    for (let i = 0; i < full.segs.length; i++) for (let j = 0; j < 4; j++) expect(clipped.segs[i][j]).toBeCloseTo(full.segs[i][j], 9);
  });
});
