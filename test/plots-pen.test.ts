/**
 * PiecewisePen (src/ui/plots/dom.ts): a polyline stroked in pieces of at most PIECE_SEGMENTS segments
 * (Chromium strokes one long self-overlapping path far more slowly) must draw the same line: every
 * segment once, in order, and a dashed line with the same pattern. The oracle for the dashes is the
 * canvas's own rule (HTML spec, "trace a path"): each sub-path starts its pattern at lineDashOffset, so a
 * piece that continues a sub-path must start at the length of that sub-path so far (mod the period), and
 * a new sub-path at 0.
 */
import { describe, expect, it } from 'vitest';
import { drawSeries, PIECE_SEGMENTS, PiecewisePen } from '../src/ui/plots/dom.ts';
import type { Series } from '../src/ui/plots/types.ts';

interface Stroke {
  offset: number;
  subpaths: number[][][];
}

/** A recording context: each stroke's lineDashOffset and sub-paths. */
function recorder() {
  const strokes: Stroke[] = [];
  let cur: number[][][] = [];
  const target: Record<string, unknown> = {
    lineDashOffset: 0,
    beginPath: () => (cur = []),
    moveTo: (x: number, y: number) => cur.push([[x, y]]),
    lineTo: (x: number, y: number) => cur[cur.length - 1].push([x, y]),
    stroke: () => strokes.push({ offset: target.lineDashOffset as number, subpaths: cur.filter((p) => p.length > 1).map((p) => p.slice()) }),
  };
  const ctx = new Proxy(target, {
    get: (t, k: string) => (k in t ? t[k] : () => undefined),
    set: (t, k: string, v) => ((t[k] = v), true),
  }) as unknown as CanvasRenderingContext2D;
  return { ctx, strokes };
}

/** A zigzag of n points (a dense GD band) with gaps (NaN) at the given indices. */
function zigzag(n: number, gaps: number[]): number[][] {
  return Array.from({ length: n }, (_, i) => (gaps.includes(i) ? [NaN, NaN] : [i * 0.7, 50 + (i % 2 ? 20 : -20) * Math.cos(i / 40)]));
}

/** The logical segments: per sub-path (split at gaps), each segment with the sub-path's length before it. */
function logical(pts: number[][]): { a: number[]; b: number[]; s0: number }[] {
  const out: { a: number[]; b: number[]; s0: number }[] = [];
  let s = 0;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1];
    const b = pts[i];
    if (Number.isNaN(a[0])) s = 0;
    if (Number.isNaN(a[0]) || Number.isNaN(b[0])) continue;
    out.push({ a, b, s0: s });
    s += Math.hypot(b[0] - a[0], b[1] - a[1]);
  }
  return out;
}

function drawn(strokes: Stroke[]): { a: number[]; b: number[]; start: boolean; offset: number }[] {
  const out: { a: number[]; b: number[]; start: boolean; offset: number }[] = [];
  for (const st of strokes)
    for (const p of st.subpaths) for (let i = 1; i < p.length; i++) out.push({ a: p[i - 1], b: p[i], start: i === 1, offset: st.offset });
  return out;
}

function check(pts: number[][], dash: number[]) {
  const rec = recorder();
  const pen = new PiecewisePen(rec.ctx, dash);
  let down = false;
  for (const [x, y] of pts) {
    if (Number.isNaN(x)) {
      down = false;
      continue;
    }
    if (down) pen.lineTo(x, y);
    else pen.moveTo(x, y);
    down = true;
  }
  pen.end();
  const want = logical(pts);
  const got = drawn(rec.strokes);
  expect(got.length).toBe(want.length);
  const sum = dash.reduce((a, b) => a + b, 0);
  const period = sum > 0 ? (dash.length % 2 ? 2 * sum : sum) : 0;
  for (let k = 0; k < want.length; k++) {
    expect(got[k].a).toEqual(want[k].a);
    expect(got[k].b).toEqual(want[k].b);
    // Where a stroked sub-path starts, its pattern must start where the line's is at that point.
    if (got[k].start && period) {
      const d = (((want[k].s0 - got[k].offset) % period) + period) % period;
      expect(Math.min(d, period - d)).toBeLessThan(1e-6);
    }
    if (!got[k].start) expect(got[k].a).toEqual(got[k - 1].b);
  }
  for (const st of rec.strokes) expect(st.subpaths.reduce((n, p) => n + p.length - 1, 0)).toBeLessThanOrEqual(PIECE_SEGMENTS);
  expect(rec.ctx.lineDashOffset).toBe(0); // left as found
  return rec.strokes.length;
}

describe('PiecewisePen', () => {
  const pts = zigzag(1000, [300, 301, 640]);

  it('a solid line: every segment once, in order, at most PIECE_SEGMENTS a stroke', () => {
    expect(check(pts, [])).toBeGreaterThan(1000 / PIECE_SEGMENTS - 1);
  });

  it("a dashed line ('3 3', saved and imported runs) keeps its pattern across pieces and restarts it at each gap", () => {
    check(pts, [3, 3]);
  });

  it('an odd dash list repeats twice per period (1 3 2 → 12), as the canvas does', () => {
    check(pts, [1, 3, 2]);
  });

  it('a short line is one stroke, as before', () => {
    expect(check(zigzag(30, []), [3, 3])).toBe(1);
  });

  it('drawSeries strokes a dense band in pieces', () => {
    const n = 2000;
    const s: Series = { id: 'gd', label: 'gd', color: '#000', x: Float64Array.from({ length: n }, (_, i) => i), y: Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)), length: n, dash: '3 3' };
    const rec = recorder();
    drawSeries(rec.ctx, s, (v) => v * 0.4, (v) => 100 + 50 * v, { columns: Infinity, ih: 200, iw: 800, marks: false });
    expect(rec.strokes.length).toBeGreaterThan(n / PIECE_SEGMENTS - 1);
    expect(drawn(rec.strokes).length).toBe(n - 1);
  });
});
