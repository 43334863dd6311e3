/**
 * The plane (2-D) or the loss curve (1-D) with the flows on it. This file does the geometry and puts the
 * layers together, bottom to top:
 *   background canvas (contour-background.ts: contours or the curve)
 *   → `underlay` slot (a caller's layer, e.g. a start-plane map)
 *   → data canvas (the paths)
 *   → SVG: axes, overlay (contour-overlay.ts: rods, Σ segments, ellipses, cursor markers; clipped) and
 *     the start handle (use-start-drag.ts).
 * Header, legend and export are the shared PlotFrame. The UI never evaluates the loss: contours are traced
 * from the grid the caller sampled.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ContourLayerGeometry, ContourPlotProps } from './types.ts';
import { chooseDomain, formatNumber, makeScale, type Scale } from './scales.ts';
import { contourLevels, equalAspectWindow, bilinear } from './contour-levels.ts';
import { interpolateCurve } from './nearest.ts';
import { sy, usableLength } from './access.ts';
import { canvasPainter, copyLayer, drawAxes, drawSeries, enterPlotArea, FONT, MARGIN, setupCanvas, useElementWidth, useOverlayLayer } from './dom.ts';
import { overlayCount } from './static-layer.ts';
import type { LegendEntry } from './Legend.tsx';
import { PlotFrame } from './PlotFrame.tsx';
import { objectId, seriesSignature } from './signature.ts';
import { drawSvgList, type SvgItem } from './svg-list.ts';
import { drawCount, lastDrawMs } from './TimeSeriesPlot.tsx';
import { drawContours, drawCurve } from './contour-background.ts';
import { overlayItems } from './contour-overlay.ts';
import { useStartDrag } from './use-start-drag.ts';
import type { Series } from './types.ts';
import './plots.css';

interface Geometry {
  x: Scale;
  y: Scale;
  iw: number;
  ih: number;
  left: number;
}

/** Where the grid was sampled: its own extent when given, else the plot's window. */
function gridWindow(grid: NonNullable<ContourPlotProps['grid']>, window: ContourPlotProps['window']): { x: [number, number]; y: [number, number] } {
  return { x: grid.x ?? window.x, y: grid.y ?? window.y ?? window.x };
}

/** Smallest frame height a fitted 2-D plot shrinks to before its window is widened instead. */
const FIT_FLOOR = 220;

export function ContourPlot(props: ContourPlotProps) {
  const { id, title, showExport = true, equalAspect = true, logY = false } = props;
  const format = props.format ?? formatNumber;
  // Grid/curve compared by array identity, so inline `curve={{ x, y }}` objects do not force redraws.
  const gKey = props.grid ? `${objectId(props.grid.values)}:${props.grid.nx}:${props.grid.ny}` : '';
  const cKey = props.curve ? `${objectId(props.curve.x)}:${objectId(props.curve.y)}` : '';
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const grid = useMemo(() => props.grid, [gKey]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const curve = useMemo(() => props.curve, [cKey]);
  const oneD = !!curve;
  const xLabel = props.xLabel ?? 'x';
  const yLabel = props.yLabel ?? (oneD ? 'L(x)' : 'y');

  const rootRef = useRef<HTMLElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const bgRef = useRef<HTMLCanvasElement>(null);
  const dataRef = useRef<HTMLCanvasElement>(null);
  const axesRef = useRef<SVGGElement>(null);
  const annRef = useRef<SVGGElement>(null);
  const handleRef = useRef<SVGGElement>(null);
  const hoverRef = useRef<HTMLSpanElement>(null);
  const valueRefs = useRef(new Map<string, HTMLSpanElement>());
  const geomRef = useRef<Geometry | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const width = useElementWidth(frameRef);

  const sig = seriesSignature(props.paths);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const paths = useMemo(() => props.paths, [sig]);
  const visible = useMemo(() => paths.filter((p) => !hidden.has(p.id)), [paths, hidden]);
  const annKey = JSON.stringify([props.rods ?? [], props.segments ?? [], props.ellipses ?? [], props.markers ?? []]);

  // --- geometry ---
  // fitHeight (2-D, equal aspect): the frame is as tall as the window's aspect asks at this width (at
  // most fit[1]); when that cap binds, the plot area narrows to the window's aspect and is centred, so the
  // sampled window fills the plot area exactly: no shaded bands beside the contours.
  const fullIw = Math.max(10, width - MARGIN.left - MARGIN.right);
  const fit = props.fitHeight && !curve && equalAspect && width > 0 ? props.fitHeight : null;
  const wx = props.window.x;
  const wy0 = props.window.y ?? wx;
  const aspect = (wx[1] - wx[0]) / (wy0[1] - wy0[0]);
  const okAspect = Number.isFinite(aspect) && aspect > 0;
  const ideal = okAspect ? fullIw / aspect + MARGIN.top + MARGIN.bottom : fit ? fit[1] : 0;
  const height = fit ? Math.round(Math.min(fit[1], Math.max(FIT_FLOOR, ideal))) : props.height ?? 420;
  const ih = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  const iw = fit && okAspect ? Math.max(10, Math.min(fullIw, Math.round(ih * aspect))) : fullIw;
  const left = MARGIN.left + Math.floor((fullIw - iw) / 2);

  // The drawn window: 2-D → the given window (widened for equal aspect only where the frame could not
  // follow it); 1-D → x window, y from window.y or the curve's finite extent.
  const win = useMemo(() => {
    if (oneD) {
      let wy = props.window.y;
      if (!wy) {
        let lo = Infinity, hi = -Infinity;
        const cy = curve!.y;
        for (let i = 0; i < cy.length; i++) {
          const v = cy[i];
          if (!Number.isFinite(v) || (logY && v <= 0)) continue;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        wy = chooseDomain(lo, hi, logY);
      }
      return { x: [wx[0], wx[1]] as [number, number], y: [wy[0], wy[1]] as [number, number] };
    }
    const w0 = { x: [wx[0], wx[1]] as [number, number], y: [wy0[0], wy0[1]] as [number, number] };
    return equalAspect && width > 0 ? equalAspectWindow(w0, iw, ih) : w0;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wx[0], wx[1], wy0[0], wy0[1], props.window.y?.[0], props.window.y?.[1], oneD, curve, logY, equalAspect, width, iw, ih]);

  // The frame's aspect, for a landscape that covers all of it (reported on layout changes only).
  const onAspect = props.onAspect;
  useEffect(() => {
    if (onAspect && !oneD && equalAspect && iw > 10 && ih > 10) onAspect(iw / ih);
  }, [onAspect, oneD, equalAspect, iw, ih]);

  const levels = useMemo(
    () => (props.levels ? { levels: props.levels, log: false } : grid ? contourLevels(grid.values, 12) : { levels: [], log: false }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [grid, props.levels?.join(',')],
  );

  // --- background: contours or the curve. Only on grid/window/size change. ---
  const bgBlankRef = useRef('');
  useEffect(() => {
    if (width <= 0) return;
    const x = makeScale(win.x, [0, iw], false);
    const y = makeScale(win.y, [ih, 0], oneD && logY);
    geomRef.current = { x, y, iw, ih, left };
    const c = bgRef.current;
    // Without a landscape (networks) the background stays blank: not cleared again on every frame in
    // which the projected paths' window moves (each clear costs a canvas frame to rasterise).
    const blank = !(grid && !oneD) && !curve;
    const blankKey = `${width}x${height}@${window.devicePixelRatio}`;
    const ctx = c && !(blank && bgBlankRef.current === blankKey) ? setupCanvas(c, width, height) : null;
    bgBlankRef.current = blank && (ctx || bgBlankRef.current === blankKey) ? blankKey : '';
    if (ctx) {
      enterPlotArea(ctx, iw, ih, left);
      if (grid && !oneD) drawContours(ctx, grid, gridWindow(grid, props.window), levels.levels, x, y);
      if (curve) drawCurve(ctx, curve, x, y, logY, ih);
      ctx.restore();
    }
    if (axesRef.current) drawAxes(axesRef.current, x, y, iw, ih, { logY: oneD && logY, xLabel, yLabel });
    drawCount[`${id}:bg`] = (drawCount[`${id}:bg`] ?? 0) + 1;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [grid, curve, levels, win, width, height, iw, ih, left, xLabel, yLabel, logY, oneD]);

  // Put 1-D points whose loss is unknown (NaN) on the curve (presentation only: linear interpolation).
  const placeY = useCallback(
    (xv: number, yv: number) => (oneD && !Number.isFinite(yv) && curve ? interpolateCurve(curve.x, curve.y, xv) : yv),
    [oneD, curve],
  );

  // --- data layer: paths. ---
  // Overlays (ghosts, saved and imported runs) come first and sit on a cached layer, built over frames
  // (static-layer.ts); the live paths are drawn over it on each frame.
  const overlays = useOverlayLayer();
  useEffect(() => {
    const g = geomRef.current;
    if (width <= 0 || !g) return;
    const t0 = performance.now();
    const c = dataRef.current;
    if (!c) return;
    const draw = (ctx: CanvasRenderingContext2D, p: Series) =>
      drawSeries(ctx, oneD ? placeOnCurve(p, placeY) : p, g.x, g.y, { logY: oneD && logY, columns: Infinity, ih, iw, marks: false });
    const nOver = overlayCount(visible);
    const view = overlays.layer.request(
      JSON.stringify([win, width, height, iw, ih, left, logY, oneD, objectId(curve), window.devicePixelRatio]),
      visible.slice(0, nOver).map((p) => seriesSignature([p])),
      canvasPainter(width, height, (octx) => enterPlotArea(octx, iw, ih, left), (octx, i) => draw(octx, visible[i])),
      overlays.redraw,
    );
    const ctx = setupCanvas(c, width, height);
    if (!ctx) return;
    if (view) copyLayer(ctx, view.canvas);
    enterPlotArea(ctx, iw, ih, left);
    let drawn = 0;
    for (const [i, p] of visible.entries()) {
      if (i >= nOver) draw(ctx, p);
      // An overlay still being laid out in later frames is not counted yet.
      if (usableLength(p) > 0 && (i >= nOver || i < (view?.count ?? 0))) drawn++;
    }
    ctx.restore();
    if (frameRef.current) frameRef.current.dataset.seriesDrawn = String(drawn);
    lastDrawMs[id] = performance.now() - t0;
    drawCount[id] = (drawCount[id] ?? 0) + 1;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [visible, win, width, height, iw, ih, left, placeY, logY, oneD, grid, curve, overlays.tick]);

  // --- start handle (drag, keys) ---
  const drag = useStartDrag({
    geomRef, frameRef, handleRef, hoverRef, start: props.start, onStartDrag: props.onStartDrag,
    onStartDragEnd: props.onStartDragEnd, oneD, placeY, format, win,
  });
  const { drawHandle } = drag;

  // --- SVG overlay: listed (contour-overlay.ts, clipped there), then drawn by reusing the elements of
  // the last frame (svg-list.ts): no element is re-created on each frame of a drag or of the replay. ---
  const drawOverlay = useCallback(() => {
    const g = geomRef.current;
    const el = annRef.current;
    if (!g || !el) return;
    const items: SvgItem[] = overlayItems(
      { x: (v) => g.x(v), y: (v) => g.y(v), iw: g.iw, ih: g.ih },
      { rods: props.rods, segments: props.segments, ellipses: props.ellipses, markers: props.markers, paths: visible, cursorT: props.cursorT, placeY },
    );
    if (!grid && !curve && !visible.some((p) => usableLength(p) > 0)) {
      items.push({ tag: 'text', attrs: [['x', g.iw / 2], ['y', g.ih / 2], ['text-anchor', 'middle'],
        ['font-size', 15], ['fill', '#777']], text: 'No landscape for this problem' });
    }
    drawSvgList(el, items);
    drawHandle();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [annKey, visible, props.cursorT, placeY, grid, curve, drawHandle]);

  useEffect(() => {
    drawOverlay();
  }, [drawOverlay, win, width, height, left]);

  // --- hover readout of coordinates (and the loss there, interpolated from the grid/curve) ---
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const g = geomRef.current;
    const frame = frameRef.current;
    const out = hoverRef.current;
    if (!g || !frame || !out || drag.dragging.current) return;
    const r = frame.getBoundingClientRect();
    const X = e.clientX - r.left - g.left;
    const Y = e.clientY - r.top - MARGIN.top;
    if (X < 0 || X > g.iw || Y < 0 || Y > g.ih) {
      out.textContent = '';
      return;
    }
    const xv = g.x.invert(X);
    if (oneD) {
      const L = curve ? interpolateCurve(curve.x, curve.y, xv) : NaN;
      out.textContent = `x = ${format(xv)}   L ≈ ${format(L)}`;
    } else {
      const yv = g.y.invert(Y);
      const L = grid ? bilinear(grid, gridWindow(grid, props.window), xv, yv) : NaN;
      out.textContent = `x = ${format(xv)}, y = ${format(yv)}` + (Number.isFinite(L) ? `   L ≈ ${format(L)}` : '');
    }
  };
  const onPointerLeave = () => {
    if (hoverRef.current) hoverRef.current.textContent = '';
  };

  const entries: LegendEntry[] = [
    ...paths.filter((p) => !p.noLegend).map((p) => ({
      id: p.id, label: p.label, color: p.color, dash: p.dash, kind: p.kind, opacity: p.opacity, hidden: hidden.has(p.id),
    })),
    ...(props.rods ?? []).map((r, i) => ({ id: `rod-${i}`, label: r.label, color: r.color, dash: r.dash })),
    ...(props.segments ?? []).map((r, i) => ({ id: `seg-${i}`, label: r.label, color: r.color, dash: r.dash })),
    ...(props.ellipses ?? []).map((r, i) => ({ id: `ell-${i}`, label: r.label, color: r.color, dash: r.dash ?? '5 3' })),
  ];
  // Annotation entries are not toggleable (they follow the flows' toggles in the app).
  const toggle = (sid: string) => {
    if (!paths.some((p) => p.id === sid)) return;
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(sid)) n.delete(sid);
      else n.add(sid);
      return n;
    });
  };
  const layer: ContourLayerGeometry | null =
    props.underlay && width > 0 ? { width, height, left, top: MARGIN.top, iw, ih, window: win, oneD } : null;
  const clipId = `${id}-plot-clip`;

  return (
    <PlotFrame id={id} title={title} subtitle={props.subtitle} className={props.className} showExport={showExport} handleRef={props.ref}
      rootRef={rootRef} headNote={levels.log ? 'levels log-spaced' : undefined} legend={entries} valueRefs={valueRefs} onToggle={toggle} readouts={false}>
      <div
        ref={frameRef}
        className="rfp-frame"
        data-plot-frame=""
        data-plot-left={left}
        style={{ height }}
        role="group"
        aria-label={`${props.ariaLabel ?? title}. ${oneD ? 'Loss curve' : 'Contour plot'} with the flows' paths.`}
        onPointerMove={onPointerMove}
        onPointerLeave={onPointerLeave}
      >
        <span className="rfp-hover-box" ref={hoverRef} style={{ left: left + 6, top: MARGIN.top + 6 }} />
        <canvas ref={bgRef} />
        {layer && (
          <div className="rfp-underlay" data-plot-underlay="" style={{ position: 'absolute', inset: 0, pointerEvents: 'none' }}>
            {props.underlay!(layer)}
          </div>
        )}
        <canvas ref={dataRef} />
        <svg data-plot-overlay="" width={width} height={height} fontFamily={FONT.family}>
          <defs>
            <clipPath id={clipId}>
              <rect x={0} y={0} width={iw} height={ih} />
            </clipPath>
          </defs>
          <g transform={`translate(${left},${MARGIN.top})`}>
            <g ref={axesRef} aria-hidden="true" />
            <g ref={annRef} aria-hidden="true" clipPath={`url(#${clipId})`} data-plot-clip="" />
            <g
              ref={handleRef}
              className="rfp-handle"
              tabIndex={props.start && props.onStartDrag ? 0 : -1}
              role="slider"
              aria-label={`Start point${props.onStartDrag ? ': drag, or use arrow keys (Shift: larger steps)' : ''}`}
              aria-valuenow={props.start?.[0]}
              style={{ cursor: props.onStartDrag ? 'grab' : 'default' }}
              {...drag.handlers}
            />
          </g>
        </svg>
      </div>
    </PlotFrame>
  );
}

/** A 1-D path whose y (loss) is NaN gets the curve's value at its x. */
function placeOnCurve(p: Series, placeY: (x: number, y: number) => number): Series {
  const n = usableLength(p);
  let needs = false;
  for (let i = 0; i < n && !needs; i++) needs = !Number.isFinite(sy(p, i));
  if (!needs) return p;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = p.x[i * (p.xStride ?? 1) + (p.xOffset ?? 0)];
    ys[i] = placeY(xs[i], sy(p, i));
  }
  return { ...p, x: xs, y: ys, length: n, xStride: 1, xOffset: 0, yStride: 1, yOffset: 0 };
}
