/**
 * Time series plot: dense lines on a canvas, axes/reference lines/cursor in SVG, a legend that doubles as
 * the hover readout. Hover and keyboard moves touch only the cursor layer and the legend values (no canvas
 * redraw, no React render unless the parent re-renders for a controlled cursor).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { select } from 'd3';
import type { Series, TimeSeriesPlotProps } from './types.ts';
import { chooseDomain, chooseTicks, fastMap, formatNumber, makeScale, seriesExtent, tightDomain, type Scale } from './scales.ts';
import { bulkExtent, offScaleCounts, offScaleNote } from './ranges.ts';
import { readoutAt } from './nearest.ts';
import { usableLength, sx } from './access.ts';
import { canvasPainter, copyLayer, drawAxes, drawSeries, FONT, haloItem, MARGIN, setupCanvas, textWidth, useElementWidth, useOverlayLayer } from './dom.ts';
import { overlayCount } from './static-layer.ts';
import type { LegendEntry } from './Legend.tsx';
import { PlotFrame } from './PlotFrame.tsx';
import { REF_COLORS } from '../palette.ts';
import { seriesSignature } from './signature.ts';
import { drawSvgList, type SvgItem } from './svg-list.ts';
import './plots.css';

interface Geometry {
  x: Scale;
  y: Scale;
  iw: number;
  ih: number;
}

type Margin = typeof MARGIN;

/**
 * Margins for text of `px` (presenter mode): room for the widest y tick label and the rotated y title on
 * the left, two text rows (ticks, title) below, a row of mark labels on top. The y ticks depend only on
 * the plot's height, so they are chosen here exactly as drawAxes will choose them.
 */
function marginFor(px: number, height: number, yDomain: [number, number], logY: boolean): Margin {
  const top = Math.round(px * 1.45);
  const bottom = Math.round(px * 2.5 + 14);
  const ih = Math.max(10, height - top - bottom);
  const ticks = chooseTicks(makeScale(yDomain, [ih, 0], logY), ih, logY, 48);
  const widest = ticks.reduce((m, t) => (t.label ? Math.max(m, textWidth(t.label, px, 400)) : m), 0);
  return { top, bottom, right: MARGIN.right + Math.round(px * 0.6), left: Math.ceil(widest + 9 + 10 + px * 1.4) };
}

/** Last redraw time of the data canvas (ms) and redraw counts, per plot id (read by the harness/tests). */
export const lastDrawMs: Record<string, number> = {};
export const drawCount: Record<string, number> = {};

export function TimeSeriesPlot(props: TimeSeriesPlotProps) {
  const {
    id,
    title,
    xLabel,
    yLabel,
    logX = false,
    logY = false,
    height = 260,
    showExport = true,
    format = formatNumber,
  } = props;
  const rootRef = useRef<HTMLElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const axesRef = useRef<SVGGElement>(null);
  const annRef = useRef<SVGGElement>(null);
  const cursorRef = useRef<SVGGElement>(null);
  const xReadRef = useRef<HTMLSpanElement>(null);
  const valueRefs = useRef(new Map<string, HTMLSpanElement>());
  const geomRef = useRef<Geometry | null>(null);
  const localCursor = useRef<number | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const width = useElementWidth(frameRef);
  const overlays = useOverlayLayer();

  const controlled = props.cursorX !== undefined;
  // Stable inputs: redraw only when the data or annotations really change (see signature.ts).
  const sig = seriesSignature(props.series);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const series = useMemo(() => props.series, [sig]);
  const hKey = JSON.stringify(props.hLines ?? []);
  const mKey = JSON.stringify(props.marks ?? []);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const hLines = useMemo(() => props.hLines ?? [], [hKey]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const marks = useMemo(() => props.marks ?? [], [mKey]);
  const visible = useMemo(() => series.filter((s) => !hidden.has(s.id) && usableLength(s) > 0), [series, hidden]);

  // Domains from visible data (+ reference lines/marks so they are never off-screen).
  const xExt = useMemo(() => seriesExtent(visible, 'x', logX, marks.map((m) => m.x)), [visible, logX, marks]);
  // The y range follows the bulk of the focus series (all visible ones by default): start-up transients
  // and other series' excursions are drawn off-scale and marked, never stretch the axis (ranges.ts).
  const focusKey = (props.yFocus ?? []).join('|');
  const yData = useMemo(() => {
    const pre = focusKey ? focusKey.split('|') : [];
    const focus = pre.length ? visible.filter((s) => pre.some((p) => s.id === p || s.id.startsWith(p + ':'))) : [];
    const b = focus.length ? bulkExtent(focus, logY) : { min: Infinity, max: -Infinity, trimmed: false };
    return b.min <= b.max ? b : bulkExtent(visible, logY);
  }, [visible, logY, focusKey]);
  const yExt = useMemo(() => seriesExtent([], 'y', logY, [yData.min, yData.max, ...hLines.map((h) => h.y)]), [yData, logY, hLines]);
  const clippedX = useMemo(() => seriesExtent(series, 'x', logX).clipped, [series, logX]);
  // x (time) is not niced: the data run edge to edge.
  const xDomain = props.xDomain ?? tightDomain(xExt.min, xExt.max, logX);
  const yDomain = props.yDomain ?? chooseDomain(yExt.min, yExt.max, logY);
  const x0 = xDomain[0], x1 = xDomain[1], y0 = yDomain[0], y1 = yDomain[1];
  const offScale = useMemo(() => offScaleCounts(visible, [y0, y1], logY), [visible, y0, y1, logY]);
  const empty = visible.length === 0 || !(xExt.min <= xExt.max);
  // Data present but nothing drawable (all NaN, or all ≤ 0 on a log axis): say so instead of blank axes.
  const undrawable = !empty && !(yData.min <= yData.max);

  const textPx = props.textPx;
  const M = useMemo(() => (textPx ? marginFor(textPx, height, [y0, y1], logY) : MARGIN), [textPx, height, y0, y1, logY]);
  const iw = Math.max(10, width - M.left - M.right);
  const ih = Math.max(10, height - M.top - M.bottom);

  // --- the data layer: canvas + axes + annotations; runs when data, domains or size change ---
  useEffect(() => {
    if (width <= 0) return;
    const t0 = performance.now();
    const x = makeScale([x0, x1], [0, iw], logX);
    const y = makeScale([y0, y1], [ih, 0], logY);
    geomRef.current = { x, y, iw, ih };
    const c = canvasRef.current;
    const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    const fx = fastMap(x, logX);
    const fy = fastMap(y, logY);
    const opts = { logX, logY, columns: iw * dpr, ih, iw };
    const enter = (ctx: CanvasRenderingContext2D) => {
      ctx.save();
      ctx.beginPath();
      ctx.rect(M.left, M.top, iw, ih);
      ctx.clip();
      ctx.translate(M.left, M.top);
    };
    // Overlays (saved, imported, ghost runs) come first and sit on a cached layer (static-layer.ts).
    const nOver = overlayCount(visible);
    const view = overlays.layer.request(
      JSON.stringify([width, height, x0, x1, y0, y1, logX, logY, M, dpr]),
      visible.slice(0, nOver).map((s) => seriesSignature([s])),
      canvasPainter(width, height, enter, (octx, i) => drawSeries(octx, visible[i], fx, fy, opts)),
      overlays.redraw,
    );
    const ctx = c && setupCanvas(c, width, height);
    if (ctx) {
      if (view) copyLayer(ctx, view.canvas);
      enter(ctx);
      let marked = view?.marked ?? 0;
      for (let i = nOver; i < visible.length; i++) marked += drawSeries(ctx, visible[i], fx, fy, opts);
      ctx.restore();
      // What was drawn, for tests and the export: series with data (an overlay still being laid out in
      // later frames is not counted yet), and off-scale edge markers.
      const fr = frameRef.current;
      if (fr) {
        fr.dataset.seriesDrawn = String(empty || undrawable ? 0 : (view?.count ?? 0) + visible.length - nOver);
        fr.dataset.offscaleMarks = String(marked);
        fr.dataset.samples = String(visible.reduce((m, s) => Math.max(m, usableLength(s)), 0));
      }
    }
    // The axes only when their scales, size or labels changed (not on every chunk of a run).
    if (axesRef.current && drawAxes(axesRef.current, x, y, iw, ih, { logX, logY, xLabel, yLabel, extra: `${textPx ?? ''}|${M.left}` }) && textPx)
      placeAxisText(axesRef.current, M, ih, textPx);
    if (annRef.current)
      drawAnnotations(annRef.current, x, y, iw, ih, hLines, marks, logX, logY, empty ? 'No data yet' : undrawable ? (logY ? 'Nothing to draw: values are NaN or ≤ 0 (log axis)' : 'Nothing to draw: all values are NaN') : null, format, M, textPx ?? FONT.note);
    lastDrawMs[id] = performance.now() - t0;
    drawCount[id] = (drawCount[id] ?? 0) + 1;
    updateCursor();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [visible, width, height, x0, x1, y0, y1, logX, logY, xLabel, yLabel, hLines, marks, empty, undrawable, M, textPx, overlays.tick]);

  // --- the cursor layer: line, dots at the nearest samples, legend values ---
  const updateCursor = useCallback(() => {
    const g = geomRef.current;
    const gEl = cursorRef.current;
    if (!g || !gEl) return;
    const cx = controlled ? (props.cursorX ?? null) : localCursor.current;
    // Listed, then drawn by reusing the last position's elements (svg-list.ts).
    const items: SvgItem[] = [];
    const vals = valueRefs.current;
    const setText = (el: HTMLElement | null | undefined, t: string) => {
      if (el && el.textContent !== t) el.textContent = t;
    };
    if (cx === null || !Number.isFinite(cx)) {
      vals.forEach((el) => setText(el, ''));
      setText(xReadRef.current, '');
      drawSvgList(gEl, items);
      return;
    }
    const X = g.x(cx);
    if (X >= 0 && X <= g.iw) {
      items.push({ tag: 'line', attrs: [['x1', X], ['x2', X], ['y1', 0], ['y2', g.ih], ['stroke', REF_COLORS.cursor], ['stroke-width', 1], ['stroke-dasharray', '3 3']] });
    }
    setText(xReadRef.current, `${xLabel} = ${format(cx)}`);
    for (const s of series) {
      const el = vals.get(s.id);
      if (hidden.has(s.id) || s.noReadout) {
        setText(el, '');
        continue;
      }
      const r = readoutAt(s, cx);
      let text = '';
      if (r) {
        if (!Number.isFinite(r.y)) text = '—';
        else if (logY && r.y <= 0) text = `${format(r.y)} (≤ 0: below the log axis)`;
        else {
          text = format(r.y);
          const PX = g.x(r.x);
          const PY = g.y(r.y);
          if (Number.isFinite(PX) && Number.isFinite(PY) && PX >= 0 && PX <= g.iw && PY >= 0 && PY <= g.ih)
            items.push({ tag: 'circle', attrs: [['cx', PX], ['cy', PY], ['r', 4.5], ['fill', s.color], ['stroke', '#fff'], ['stroke-width', 1.5]] });
        }
      }
      setText(el, text);
    }
    drawSvgList(gEl, items);
  }, [controlled, props.cursorX, series, hidden, logY, xLabel, format]);

  useEffect(() => {
    updateCursor();
  }, [updateCursor]);

  // --- input: pointer hover and keyboard ---
  const setCursor = useCallback(
    (v: number | null) => {
      if (controlled) props.onCursor?.(v);
      else {
        localCursor.current = v;
        props.onCursor?.(v);
        updateCursor();
      }
    },
    [controlled, props.onCursor, updateCursor],
  );

  const raf = useRef(0);
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const g = geomRef.current;
    const frame = frameRef.current;
    if (!g || !frame || empty) return;
    const r = frame.getBoundingClientRect();
    const X = e.clientX - r.left - M.left;
    const Y = e.clientY - r.top - M.top;
    cancelAnimationFrame(raf.current);
    if (X < 0 || X > g.iw || Y < -M.top || Y > g.ih) {
      raf.current = requestAnimationFrame(() => setCursor(null));
      return;
    }
    // Snap to the nearest recorded sample of the longest series (steps read as integers, strides respected).
    let v = g.x.invert(X);
    const ref = longest(visible);
    const snap = ref ? readoutAt(ref, v) : null;
    if (snap && Number.isFinite(snap.x)) v = snap.x;
    raf.current = requestAnimationFrame(() => setCursor(v));
  };
  const onPointerLeave = () => {
    cancelAnimationFrame(raf.current);
    setCursor(null);
  };
  useEffect(() => () => cancelAnimationFrame(raf.current), []);

  // Arrow keys step through the samples of the longest visible series (Shift: ×10), Home/End, Escape.
  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (empty) return;
    const ref = longest(visible);
    if (!ref) return;
    const n = usableLength(ref);
    const cur = controlled ? props.cursorX : localCursor.current;
    let i: number;
    const r = cur != null ? readoutAt(ref, cur) : null;
    const at = r ? r.index : -1;
    const stepN = e.shiftKey ? 10 : 1;
    switch (e.key) {
      case 'ArrowRight':
        i = at < 0 ? 0 : Math.min(n - 1, at + stepN);
        break;
      case 'ArrowLeft':
        i = at < 0 ? n - 1 : Math.max(0, at - stepN);
        break;
      case 'Home':
        i = 0;
        break;
      case 'End':
        i = n - 1;
        break;
      case 'Escape':
        setCursor(null);
        e.preventDefault();
        return;
      default:
        return;
    }
    e.preventDefault();
    setCursor(sx(ref, i));
  };

  const entries: LegendEntry[] = series
    .filter((s) => !s.noLegend)
    .map((s) => {
      const cx = clippedX[s.id] ?? 0;
      const notes: string[] = [];
      const off = hidden.has(s.id) ? '' : offScaleNote(offScale[s.id]);
      if (off) notes.push(off);
      if (cx) notes.push(`${cx} ≤ 0 hidden (log x)`);
      if (usableLength(s) === 0) notes.push('no data');
      return {
        id: s.id,
        label: s.label,
        color: s.color,
        dash: s.dash,
        kind: s.kind,
        opacity: s.opacity,
        note: notes.join(', ') || undefined,
        hidden: hidden.has(s.id),
      };
    });

  const toggle = (sid: string) =>
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(sid)) n.delete(sid);
      else n.add(sid);
      return n;
    });

  return (
    <PlotFrame id={id} title={title} subtitle={props.subtitle} className={props.className} showExport={showExport} handleRef={props.ref}
      rootRef={rootRef} xReadRef={xReadRef} legend={entries} valueRefs={valueRefs} onToggle={toggle}>
      <div
        ref={frameRef}
        className="rfp-frame"
        data-plot-frame=""
        style={{ height }}
        tabIndex={0}
        role="img"
        aria-label={`${props.ariaLabel ?? title}. ${xLabel} against ${yLabel}. Arrow keys move the cursor, Escape clears it.`}
        onPointerMove={onPointerMove}
        onPointerLeave={onPointerLeave}
        onKeyDown={onKeyDown}
      >
        <canvas ref={canvasRef} />
        <svg data-plot-overlay="" width={width} height={height} aria-hidden="true" fontFamily={FONT.family}>
          <g transform={`translate(${M.left},${M.top})`}>
            <g ref={axesRef} />
            <g ref={annRef} />
            <g ref={cursorRef} data-export-skip="" />
          </g>
        </svg>
      </div>
    </PlotFrame>
  );
}

function longest(ss: Series[]): Series | null {
  let best: Series | null = null;
  for (const s of ss) if (!best || usableLength(s) > usableLength(best)) best = s;
  return best;
}

function drawAnnotations(
  gEl: SVGGElement,
  x: Scale,
  y: Scale,
  iw: number,
  ih: number,
  hLines: NonNullable<TimeSeriesPlotProps['hLines']>,
  marks: NonNullable<TimeSeriesPlotProps['marks']>,
  logX: boolean,
  logY: boolean,
  message: string | null,
  format: (v: number) => string,
  M: Margin,
  px: number,
): void {
  // Listed, then drawn by reusing the elements already there (svg-list.ts): a redraw per chunk of a run
  // creates no elements when the marks and lines did not change in number.
  const items: SvgItem[] = [];
  if (message) {
    items.push({ tag: 'text', attrs: [['class', 'rfp-empty'], ['x', iw / 2], ['y', ih / 2], ['text-anchor', 'middle'], ['font-size', 15], ['fill', '#777']], text: message });
    drawSvgList(gEl, items);
    return;
  }
  // Vertical marks: a dashed line, a small triangle on the top edge (its tooltip says what it marks), and
  // a label in one row in the top margin, never over the curves. Labels that would collide are pushed
  // right and shortened ('onset GD GF CF RF' when onsets coincide); one that does not fit is left out.
  const placed = [...marks]
    .filter((m) => Number.isFinite(m.x) && !(logX && m.x <= 0))
    .map((m) => ({ m, X: x(m.x) }))
    .filter(({ X }) => X >= 0 && X <= iw)
    .sort((a, b) => a.X - b.X);
  let end = -Infinity;
  for (const { m, X } of placed) {
    const col = m.color ?? REF_COLORS.onset;
    items.push({ tag: 'line', attrs: [['x1', X], ['x2', X], ['y1', 0], ['y2', ih], ['stroke', col], ['stroke-width', 1.75], ['stroke-dasharray', m.dash ?? '5 4']] });
    items.push({ tag: 'path', attrs: [['d', `M${X - 4.5},-5L${X + 4.5},-5L${X},1Z`], ['fill', col], ['data-role', 'vmark']], title: m.title ?? m.label });
    // Widths measured with the label font (+ the halo), so pushed labels never touch ("onset GDGFCFRF").
    const GAP = 8;
    let text = m.label;
    let w = textWidth(text, px) + 4;
    // At presenter size a label near step 0 stays right of the y tick labels (the top one reaches into
    // this row); at the explorer's size it may use the left margin.
    const minX = px > FONT.note ? -6 : -M.left + 4;
    let x0 = Math.max(X - w / 2, minX);
    if (x0 < end + GAP && m.short) {
      text = m.short;
      w = textWidth(text, px) + 4;
      x0 = Math.max(X - w / 2, minX);
    }
    x0 = Math.max(x0, end + GAP);
    if (x0 + w > iw + M.right - 2) continue;
    items.push(haloItem(x0 + 2, -8, text, col, 'start', px, [['data-role', 'vmark-label']]));
    end = x0 + w;
  }
  for (const h of hLines) {
    if (!Number.isFinite(h.y) || (logY && h.y <= 0)) continue;
    const Y = y(h.y);
    if (Y < 0 || Y > ih) continue;
    const col = h.color ?? REF_COLORS.edge;
    items.push({ tag: 'line', attrs: [['x1', 0], ['x2', iw], ['y1', Y], ['y2', Y], ['stroke', col], ['stroke-width', 2], ['stroke-dasharray', h.dash ?? '8 5']] });
    // The value is appended unless the label already states it ("2/η = 6.667").
    const text = h.label.includes('=') ? h.label : `${h.label} = ${format(h.y)}`;
    // Above the line (its descenders clear the dash), or below it near the top edge.
    items.push(haloItem(iw - 4, Y < px + 7 ? Y + px + 4 : Y - 7, text, col, 'end', px, [['data-role', 'hline-label']]));
  }
  drawSvgList(gEl, items);
}

/**
 * Axis text at `px` (drawAxes places it for its own 13–14 px): tick labels one row below the axis, the x
 * title one row below them, the y title just inside the left margin (marginFor made room for them).
 */
function placeAxisText(gEl: SVGGElement, M: Margin, ih: number, px: number): void {
  const g = select(gEl);
  g.selectAll<SVGTextElement, unknown>('text').attr('font-size', px);
  const xs = g.select('[data-role=x-axis]').selectAll<SVGTextElement, unknown>(':scope > text').nodes();
  const tickY = 7 + Math.round(px * 0.85);
  xs.forEach((t, i) => t.setAttribute('y', String(i === xs.length - 1 ? tickY + Math.round(px * 1.25) : tickY)));
  const ys = g.select('[data-role=y-axis]').selectAll<SVGTextElement, unknown>(':scope > text').nodes();
  ys[ys.length - 1]?.setAttribute('transform', `translate(${-M.left + Math.round(px * 1.05)},${ih / 2}) rotate(-90)`);
}
