/**
 * DOM helpers shared by the plots: element size, HiDPI canvases, canvas series drawing, SVG axes.
 * All text lives in SVG (crisp at any zoom, exported as text); canvases hold only dense marks.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { Selection } from 'd3';
import type { Series } from './types.ts';
import { toPixelPath } from './thin.ts';
import { clipSegment } from './contour-overlay.ts';
import { chooseTicks, type Scale } from './scales.ts';
import { REF_COLORS } from '../palette.ts';
import { drawSvgList, type SvgItem } from './svg-list.ts';
import { StaticLayer, type LayerPainter } from './static-layer.ts';

export const FONT = {
  tick: 13,
  label: 14,
  note: 13,
  family: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
};

// The top margin holds the vertical marks' labels (onsets), so that they never cover the curves.
export const MARGIN = { top: 24, right: 18, bottom: 46, left: 74 };

/** Content-box width of an element, tracked with a ResizeObserver (0 before the first layout). */
export function useElementWidth(ref: RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setW(Math.floor(el.clientWidth));
    const ro = new ResizeObserver((entries) => {
      for (const e of entries) setW(Math.floor(e.contentRect.width));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

/** Saves the context, clips drawing to the plot area (iw × ih inside MARGIN) and moves the origin there. */
export function enterPlotArea(ctx: CanvasRenderingContext2D, iw: number, ih: number, left: number = MARGIN.left): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, MARGIN.top, iw, ih);
  ctx.clip();
  ctx.translate(left, MARGIN.top);
}

/** Copy a layer canvas (same size, drawn by setupCanvas) onto `ctx` pixel for pixel. */
export function copyLayer(ctx: CanvasRenderingContext2D, layer: CanvasImageSource): void {
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(layer, 0, 0);
  ctx.restore();
}

/**
 * A plot's overlay layer (static-layer.ts): `tick` changes when a layer laid out over later frames is
 * done, so the plot's draw effect (which lists it as a dependency) runs again and copies it.
 */
export function useOverlayLayer(): { layer: StaticLayer<HTMLCanvasElement, CanvasRenderingContext2D>; tick: number; redraw: () => void } {
  const ref = useRef<StaticLayer<HTMLCanvasElement, CanvasRenderingContext2D> | null>(null);
  ref.current ??= new StaticLayer(() => document.createElement('canvas'));
  const [tick, setTick] = useState(0);
  const redraw = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => () => ref.current?.stop(), []);
  return { layer: ref.current, tick, redraw };
}

/** Paints overlays on a layer canvas of the plot's size: `enter` clips to the plot area, `one` draws overlay i. */
export function canvasPainter(
  width: number,
  height: number,
  enter: (ctx: CanvasRenderingContext2D) => void,
  one: (ctx: CanvasRenderingContext2D, i: number) => number,
): LayerPainter<HTMLCanvasElement, CanvasRenderingContext2D> {
  return {
    begin: (canvas) => {
      const ctx = setupCanvas(canvas, width, height);
      if (ctx) enter(ctx);
      return ctx;
    },
    one,
    end: (ctx) => ctx.restore(),
    copy: (ctx, from) => copyLayer(ctx, from),
  };
}

/** Size a canvas for the device pixel ratio; returns a context whose units are CSS px. */
export function setupCanvas(c: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  const W = Math.max(1, Math.round(width * dpr));
  const H = Math.max(1, Math.round(height * dpr));
  if (c.width !== W) c.width = W;
  if (c.height !== H) c.height = H;
  c.style.width = `${width}px`;
  c.style.height = `${height}px`;
  const ctx = c.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

export function dashArray(d: string | undefined): number[] {
  if (!d) return [];
  return d
    .split(/[\s,]+/)
    .map(Number)
    .filter((v) => Number.isFinite(v) && v >= 0);
}

/**
 * Draw one series on a canvas already clipped to the plotting area. Lines are thinned per device-pixel
 * column; dots are drawn for every valid sample (kinds with points are short series: GD paths).
 */
export function drawSeries(
  ctx: CanvasRenderingContext2D,
  s: Series,
  px: (v: number) => number,
  py: (v: number) => number,
  opts: { logX?: boolean; logY?: boolean; columns: number; ih?: number; iw?: number; marks?: boolean },
): number {
  const kind = s.kind ?? 'line';
  // Pixels are clamped to a band around the plot (never ±Infinity); with `ih`, log-axis samples ≤ 0 are
  // drawn below the plot and every off-scale sample gets an edge marker.
  const ih = opts.ih;
  const path = toPixelPath(s, px, py, {
    logX: opts.logX,
    logY: opts.logY,
    columns: opts.columns,
    thin: kind === 'line',
    yLimits: [-1e5, (ih ?? 0) + 1e5],
    nonPositiveY: ih !== undefined ? ih + 1e4 : undefined,
  });
  const { xy, n } = path;
  ctx.save();
  ctx.globalAlpha = s.opacity ?? 1;
  ctx.strokeStyle = s.color;
  ctx.fillStyle = s.color;
  // Round joins cost more to rasterise; dense lines (≥ 1 sample per pixel column) do not show joins.
  const dense = n > opts.columns;
  ctx.lineJoin = dense ? 'bevel' : 'round';
  ctx.lineCap = dense ? 'butt' : 'round';
  if (kind !== 'points') {
    ctx.lineWidth = s.width ?? (kind === 'line+points' ? 1 : 2);
    const dash = dashArray(s.dash);
    ctx.setLineDash(dash);
    const pen = new PiecewisePen(ctx, dash);
    if (opts.iw !== undefined && ih !== undefined) strokeClipped(pen, xy, n, opts.iw, ih);
    else {
      let down = false;
      for (let i = 0; i < n; i++) {
        const x = xy[2 * i];
        const y = xy[2 * i + 1];
        if (Number.isNaN(x)) {
          down = false;
          continue;
        }
        if (down) pen.lineTo(x, y);
        else {
          pen.moveTo(x, y);
          down = true;
        }
      }
    }
    pen.end();
    // An isolated valid sample between gaps draws nothing as a line: give it a dot so it is not lost.
    for (let i = 0; i < n; i++) {
      const prevGap = i === 0 || Number.isNaN(xy[2 * i - 2]);
      const nextGap = i === n - 1 || Number.isNaN(xy[2 * i + 2]);
      if (prevGap && nextGap && !Number.isNaN(xy[2 * i])) {
        ctx.beginPath();
        ctx.arc(xy[2 * i], xy[2 * i + 1], Math.max(1.5, ctx.lineWidth), 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
  if (kind !== 'line') {
    const r = s.pointRadius ?? 2.5;
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const x = xy[2 * i];
      if (Number.isNaN(x)) continue;
      ctx.moveTo(x + r, xy[2 * i + 1]);
      ctx.arc(x, xy[2 * i + 1], r, 0, 2 * Math.PI);
    }
    ctx.fill();
  }
  const marked = ih !== undefined && opts.marks !== false ? drawOffScaleMarks(ctx, xy, n, ih) : 0;
  ctx.restore();
  return marked;
}

/** Segments per stroked piece of a polyline (PiecewisePen). */
export const PIECE_SEGMENTS = 48;

/**
 * A polyline stroked in pieces of at most PIECE_SEGMENTS segments. Chromium's canvas strokes one long
 * self-overlapping path far more slowly than the same segments in pieces; measured in headless Chromium,
 * a 3750-point zigzag (a dense GD band) of width 2 took 21 ms as one path and 6 ms in pieces of 48;
 * dashed '3 3' at width 1.5 (saved and imported runs), 123 ms against 47. The first frame after importing
 * a 240k-sample run drew the loss plot in 33–44 ms (issue 12 row 3: every frame ≤ 50 ms). A dashed line
 * keeps its pattern across pieces: a piece that continues a sub-path starts at the dash phase where the
 * last one stopped (lineDashOffset = the sub-path's length so far), and is stroked alone before a new
 * sub-path begins, which starts at phase 0 as the canvas starts every sub-path.
 */
export class PiecewisePen {
  private segs = 0;
  /** Length of the current sub-path so far (dashed lines only). */
  private sub = 0;
  /** The dash phase the current piece started at (non-zero: it continues a sub-path). */
  private phase = 0;
  private x = NaN;
  private y = NaN;
  private readonly period: number;

  constructor(
    private readonly ctx: CanvasRenderingContext2D,
    dash: number[],
  ) {
    const sum = dash.reduce((a, b) => a + b, 0);
    // The pattern repeats after its sum (an odd-length list is repeated once: twice the sum).
    this.period = sum > 0 ? (dash.length % 2 ? 2 * sum : sum) : 0;
    ctx.lineDashOffset = 0;
    ctx.beginPath();
  }

  moveTo(x: number, y: number): void {
    if (this.phase !== 0) {
      // This piece continues a sub-path at a phase; the new sub-path must start at phase 0.
      if (this.segs > 0) this.stroke();
      this.phase = 0;
      this.ctx.lineDashOffset = 0;
    }
    this.ctx.moveTo(x, y);
    this.sub = 0;
    this.x = x;
    this.y = y;
  }

  lineTo(x: number, y: number): void {
    this.ctx.lineTo(x, y);
    if (this.period) this.sub += Math.hypot(x - this.x, y - this.y);
    this.x = x;
    this.y = y;
    if (++this.segs < PIECE_SEGMENTS) return;
    this.stroke();
    if (this.period) {
      this.phase = this.sub % this.period;
      this.ctx.lineDashOffset = this.phase;
    }
    this.ctx.moveTo(x, y);
  }

  /** Stroke what is left. */
  end(): void {
    if (this.segs > 0) this.stroke();
    this.ctx.lineDashOffset = 0;
  }

  private stroke(): void {
    this.ctx.stroke();
    this.ctx.beginPath();
    this.segs = 0;
  }
}

/** How far past the plot area a clipped line still runs (its round caps and joins stay out of sight). */
const CLIP_MARGIN = 8;

/**
 * The polyline's segments clipped to the plot area plus CLIP_MARGIN (Liang–Barsky, contour-overlay.ts):
 * what shows is the same line, but a series far outside the frame (an imported run whose clock runs
 * 800× past this one's, a sample clamped 1e5 px off-scale) is no longer stroked across hundreds of
 * thousands of off-screen pixels, which a dashed or dotted line rasterises dash by dash (issue 12 row 3:
 * 2–4 frames a second after such an import).
 */
function strokeClipped(pen: PiecewisePen, xy: Float32Array, n: number, iw: number, ih: number): void {
  const M = CLIP_MARGIN;
  let endX = NaN;
  let endY = NaN;
  for (let i = 1; i < n; i++) {
    const x0 = xy[2 * i - 2];
    const y0 = xy[2 * i - 1];
    const x1 = xy[2 * i];
    const y1 = xy[2 * i + 1];
    if (Number.isNaN(x0) || Number.isNaN(x1)) continue;
    // Both ends beyond one edge (an imported run's clock far past this plot's): nothing shows.
    if ((x0 > iw + M && x1 > iw + M) || (x0 < -M && x1 < -M) || (y0 > ih + M && y1 > ih + M) || (y0 < -M && y1 < -M)) continue;
    let a = x0, b = y0, e = x1, f = y1;
    // Both ends inside (most segments): nothing to clip, and no array from clipSegment.
    if (!(x0 >= -M && x0 <= iw + M && y0 >= -M && y0 <= ih + M && x1 >= -M && x1 <= iw + M && y1 >= -M && y1 <= ih + M)) {
      const c = clipSegment(x0 + M, y0 + M, x1 + M, y1 + M, iw + 2 * M, ih + 2 * M);
      if (!c) continue;
      a = c[0] - M;
      b = c[1] - M;
      e = c[2] - M;
      f = c[3] - M;
    }
    // Continue the sub-path when this piece starts where the last one ended (an unclipped joint).
    if (!(Math.abs(a - endX) < 1e-6 && Math.abs(b - endY) < 1e-6)) pen.moveTo(a, b);
    pen.lineTo(e, f);
    endX = e;
    endY = f;
  }
}

/**
 * Samples above or below the plot: a small triangle on the edge they left by (pointing out), one per
 * 6-px bucket, in the series' colour with a white rim. Returns how many triangles were drawn.
 */
function drawOffScaleMarks(ctx: CanvasRenderingContext2D, xy: Float32Array, n: number, ih: number): number {
  const BUCKET = 6;
  let lastTop = -Infinity;
  let lastBottom = -Infinity;
  ctx.setLineDash([]);
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#ffffff';
  ctx.beginPath();
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = xy[2 * i];
    const y = xy[2 * i + 1];
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    const b = Math.floor(x / BUCKET);
    if (y < -0.5 && b !== lastTop) {
      lastTop = b;
      const cx = (b + 0.5) * BUCKET;
      ctx.moveTo(cx, 0);
      ctx.lineTo(cx + 4, 6);
      ctx.lineTo(cx - 4, 6);
      ctx.closePath();
      count++;
    } else if (y > ih + 0.5 && b !== lastBottom) {
      lastBottom = b;
      const cx = (b + 0.5) * BUCKET;
      ctx.moveTo(cx, ih);
      ctx.lineTo(cx + 4, ih - 6);
      ctx.lineTo(cx - 4, ih - 6);
      ctx.closePath();
      count++;
    }
  }
  if (count) {
    ctx.fill();
    ctx.stroke();
  }
  return count;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** What each axes group was last drawn from (drawAxes skips a redraw with the same inputs). */
const axesKeys = new WeakMap<Element, string>();

/** The child `<g data-role=role>` of `parent` at position `index`, created (or re-created) if missing. */
function roleGroup(parent: Element, index: number, role: string): SVGGElement {
  let el = parent.children[index] as SVGGElement | undefined;
  if (!el || el.tagName !== 'g' || el.getAttribute('data-role') !== role) {
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('data-role', role);
    parent.insertBefore(g, el ?? null);
    el = g;
  }
  return el;
}

/**
 * Draw (or update) both axes, gridlines and axis labels into `g` (the overlay's axes group).
 * Inner plotting area is [0, iw] × [0, ih] translated by MARGIN.
 * The elements are updated in place (svg-list.ts): a redraw creates elements only where the ticks grew
 * in number, and a redraw with the same scales, size and labels (`extra`: anything else the caller put
 * on the axes) touches nothing and returns false. The groups end up as a rebuild from scratch would
 * leave them: <g grid>, <g x-axis>, <g y-axis>, in that order.
 */
export function drawAxes(
  gEl: SVGGElement,
  x: Scale,
  y: Scale,
  iw: number,
  ih: number,
  o: { logX?: boolean; logY?: boolean; xLabel: string; yLabel: string; extra?: string },
): boolean {
  const key = JSON.stringify([x.domain(), x.range(), y.domain(), y.range(), iw, ih, !!o.logX, !!o.logY, o.xLabel, o.yLabel, o.extra ?? '']);
  if (axesKeys.get(gEl) === key && gEl.childElementCount === 3) return false;
  axesKeys.set(gEl, key);
  const xt = chooseTicks(x, iw, !!o.logX, 80);
  const yt = chooseTicks(y, ih, !!o.logY, 48);
  const grid: SvgItem[] = [];
  const xs: SvgItem[] = [];
  const ys: SvgItem[] = [];
  for (const t of xt) {
    const X = Math.round(x(t.value)) + 0.5;
    if (X < -0.5 || X > iw + 0.5) continue;
    grid.push({ tag: 'line', attrs: [['x1', X], ['x2', X], ['y1', 0], ['y2', ih], ['stroke', REF_COLORS.grid], ['stroke-width', t.minor ? 0.6 : 1]] });
  }
  for (const t of yt) {
    const Y = Math.round(y(t.value)) + 0.5;
    if (Y < -0.5 || Y > ih + 0.5) continue;
    grid.push({ tag: 'line', attrs: [['x1', 0], ['x2', iw], ['y1', Y], ['y2', Y], ['stroke', REF_COLORS.grid], ['stroke-width', t.minor ? 0.6 : 1]] });
  }
  xs.push({ tag: 'line', attrs: [['x1', 0], ['x2', iw], ['y1', 0.5], ['y2', 0.5], ['stroke', REF_COLORS.axis]] });
  for (const t of xt) {
    const X = Math.round(x(t.value)) + 0.5;
    if (X < -0.5 || X > iw + 0.5) continue;
    xs.push({ tag: 'line', attrs: [['x1', X], ['x2', X], ['y1', 0], ['y2', t.minor ? 4 : 6], ['stroke', REF_COLORS.axis]] });
    if (t.label)
      xs.push({ tag: 'text', attrs: [['x', X], ['y', 22], ['text-anchor', 'middle'], ['font-size', FONT.tick], ['fill', REF_COLORS.text]], text: t.label });
  }
  xs.push({ tag: 'text', attrs: [['x', iw / 2], ['y', 40], ['text-anchor', 'middle'], ['font-size', FONT.label], ['fill', REF_COLORS.text]], text: o.xLabel });
  ys.push({ tag: 'line', attrs: [['x1', -0.5], ['x2', -0.5], ['y1', 0], ['y2', ih], ['stroke', REF_COLORS.axis]] });
  for (const t of yt) {
    const Y = Math.round(y(t.value)) + 0.5;
    if (Y < -0.5 || Y > ih + 0.5) continue;
    ys.push({ tag: 'line', attrs: [['x1', t.minor ? -4 : -6], ['x2', 0], ['y1', Y], ['y2', Y], ['stroke', REF_COLORS.axis]] });
    if (t.label)
      ys.push({ tag: 'text', attrs: [['x', -9], ['y', Y], ['dy', '0.35em'], ['text-anchor', 'end'], ['font-size', FONT.tick], ['fill', REF_COLORS.text]], text: t.label });
  }
  ys.push({ tag: 'text', attrs: [['transform', `translate(${-MARGIN.left + 15},${ih / 2}) rotate(-90)`], ['text-anchor', 'middle'], ['font-size', FONT.label], ['fill', REF_COLORS.text]], text: o.yLabel });
  const gg = roleGroup(gEl, 0, 'grid');
  const gx = roleGroup(gEl, 1, 'x-axis');
  const gy = roleGroup(gEl, 2, 'y-axis');
  while (gEl.children.length > 3) gEl.lastElementChild!.remove();
  const tr = `translate(0,${ih})`;
  if (gx.getAttribute('transform') !== tr) gx.setAttribute('transform', tr);
  drawSvgList(gg, grid);
  drawSvgList(gx, xs);
  drawSvgList(gy, ys);
  return true;
}

let measureCtx: CanvasRenderingContext2D | null = null;

/** Rendered width of a label in px (canvas text metrics with the plots' font; ~0.6 em per char without). */
export function textWidth(text: string, size = FONT.note, weight = 600): number {
  if (!measureCtx && typeof document !== 'undefined') measureCtx = document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * size * 0.6;
  measureCtx.font = `${weight} ${size}px ${FONT.family}`;
  return measureCtx.measureText(text).width;
}

/** Outlined text (white halo) so labels stay readable over lines and contour fills. */
export function haloText(
  parent: Selection<SVGGElement, unknown, null, undefined>,
  ...label: Parameters<typeof haloItem>
): Selection<SVGTextElement, unknown, null, undefined> {
  // The attributes of haloItem (the svg-list form), so both forms draw the same label.
  const el = parent.append('text');
  for (const [k, v] of haloItem(...label).attrs) el.attr(k, v);
  return el.text(label[2]);
}

/** A halo label as an svg-list item (haloText appends the same), with optional extra attributes after them. */
export function haloItem(
  x: number,
  y: number,
  text: string,
  color: string,
  anchor: 'start' | 'middle' | 'end' = 'start',
  size = FONT.note,
  extra: [string, string | number | null][] = [],
): SvgItem {
  return {
    tag: 'text',
    attrs: [['x', x], ['y', y], ['text-anchor', anchor], ['font-size', size], ['font-weight', 600], ['fill', color], ['stroke', '#ffffff'],
      ['stroke-width', 3.5], ['stroke-linejoin', 'round'], ['paint-order', 'stroke'], ...extra],
    text,
  };
}
