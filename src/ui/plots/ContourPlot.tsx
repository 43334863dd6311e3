/**
 * The plane (2-D) or the loss curve (1-D) with the flows on it.
 * Layers: background canvas (contour fills and lines, or the loss curve) → data canvas (paths) → SVG
 * (axes, rods, Σ segments/ellipses, markers at the cursor time, draggable start, hover readout).
 * Contours are traced by d3-contour from the grid the caller sampled: the UI never evaluates the loss.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { contours as d3contours, geoPath, geoTransform, interpolateRgb, select } from 'd3';
import type { ContourPlotProps, Series, Segment } from './types.ts';
import { chooseDomain, formatNumber, makeScale, type Scale } from './scales.ts';
import { contourLevels, equalAspectWindow, gridToData, bilinear } from './contour-levels.ts';
import { interpolateCurve, nearestTimeIndex } from './nearest.ts';
import { sx, sy, usableLength } from './access.ts';
import { drawAxes, drawSeries, enterPlotArea, FONT, haloText, MARGIN, setupCanvas, useElementWidth } from './dom.ts';
import { Legend, type LegendEntry } from './Legend.tsx';
import { usePlotHandle } from './use-plot-handle.ts';
import { snapPoint } from './snap.ts';
import { CONTOUR_FILL, CONTOUR_LINE, REF_COLORS } from '../palette.ts';
import { objectId, seriesSignature } from './signature.ts';
import { drawSvgList, type SvgItem } from './svg-list.ts';
import { drawCount, lastDrawMs } from './TimeSeriesPlot.tsx';
import './plots.css';

interface Geometry {
  x: Scale;
  y: Scale;
  iw: number;
  ih: number;
}

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
  const dragging = useRef<number[] | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const width = useElementWidth(frameRef);

  const sig = seriesSignature(props.paths);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const paths = useMemo(() => props.paths, [sig]);
  const visible = useMemo(() => paths.filter((p) => !hidden.has(p.id)), [paths, hidden]);
  const annKey = JSON.stringify([props.rods ?? [], props.segments ?? [], props.ellipses ?? [], props.markers ?? []]);

  const iw = Math.max(10, width - MARGIN.left - MARGIN.right);
  // fitHeight (2-D, equal aspect): as tall as the window's aspect asks at this width, within [min, max],
  // so that the sampled window fills the frame instead of sitting between grey bands.
  const fit = props.fitHeight && !curve && equalAspect && width > 0 ? props.fitHeight : null;
  const wyFit = props.window.y ?? props.window.x;
  const height = fit
    ? Math.round(Math.min(fit[1], Math.max(fit[0], (iw * (wyFit[1] - wyFit[0])) / (props.window.x[1] - props.window.x[0]) + MARGIN.top + MARGIN.bottom)))
    : props.height ?? 420;
  const ih = Math.max(10, height - MARGIN.top - MARGIN.bottom);

  // The drawn window: 2-D → the given window, widened for equal aspect; 1-D → x window, y from window.y or
  // the curve's finite extent.
  const win = useMemo(() => {
    const wx = props.window.x;
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
    const wy = props.window.y ?? wx;
    const w0 = { x: [wx[0], wx[1]] as [number, number], y: [wy[0], wy[1]] as [number, number] };
    return equalAspect && width > 0 ? equalAspectWindow(w0, iw, ih) : w0;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.window.x[0], props.window.x[1], props.window.y?.[0], props.window.y?.[1], oneD, curve, logY, equalAspect, width, iw, ih]);

  const levels = useMemo(
    () => (props.levels ? { levels: props.levels, log: false } : grid ? contourLevels(grid.values, 12) : { levels: [], log: false }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [grid, props.levels?.join(',')],
  );

  // --- background: contours or the curve. Only on grid/window/size change. ---
  useEffect(() => {
    if (width <= 0) return;
    const x = makeScale(win.x, [0, iw], false);
    const y = makeScale(win.y, [ih, 0], oneD && logY);
    geomRef.current = { x, y, iw, ih };
    const c = bgRef.current;
    const ctx = c && setupCanvas(c, width, height);
    if (ctx) {
      enterPlotArea(ctx, iw, ih);
      if (grid && !oneD) drawContours(ctx, grid, props.window, levels.levels, x, y);
      if (curve) {
        const s: Series = { id: 'curve', label: 'L', color: '#555', x: curve.x, y: curve.y, length: Math.min(curve.x.length, curve.y.length), width: 2.5 };
        drawSeries(ctx, s, x, y, { logY, columns: Infinity });
      }
      ctx.restore();
    }
    if (axesRef.current) drawAxes(axesRef.current, x, y, iw, ih, { logY: oneD && logY, xLabel, yLabel });
    drawCount[`${id}:bg`] = (drawCount[`${id}:bg`] ?? 0) + 1;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [grid, curve, levels, win, width, height, iw, ih, xLabel, yLabel, logY, oneD]);

  // Put 1-D points whose loss is unknown (NaN) on the curve (presentation only: linear interpolation).
  const placeY = useCallback(
    (xv: number, yv: number) => (oneD && !Number.isFinite(yv) && curve ? interpolateCurve(curve.x, curve.y, xv) : yv),
    [oneD, curve],
  );

  // --- data layer: paths. ---
  useEffect(() => {
    const g = geomRef.current;
    if (width <= 0 || !g) return;
    const t0 = performance.now();
    const c = dataRef.current;
    const ctx = c && setupCanvas(c, width, height);
    if (!ctx) return;
    enterPlotArea(ctx, iw, ih);
    for (const p of visible) {
      const s = oneD ? placeOnCurve(p, placeY) : p;
      drawSeries(ctx, s, g.x, g.y, { logY: oneD && logY, columns: Infinity });
    }
    ctx.restore();
    lastDrawMs[id] = performance.now() - t0;
    drawCount[id] = (drawCount[id] ?? 0) + 1;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [visible, win, width, height, iw, ih, placeY, logY, oneD, grid, curve]);

  // --- SVG annotations: rods, Σ segments, ellipses, markers, cursor-time markers, start handle. ---
  const drawOverlay = useCallback(() => {
    const g = geomRef.current;
    const el = annRef.current;
    if (!g || !el) return;
    // The elements are listed, then drawn by reusing those of the last frame (svg-list.ts): the same
    // elements as a rebuild, without re-creating them on every frame of a drag or of the replay.
    const items: SvgItem[] = [];
    const { x, y } = g;
    const segs = (list: Segment[] | undefined, role: string) => {
      for (const s of list ?? []) {
        const y1 = placeY(s.x1, s.y1);
        const y2 = placeY(s.x2, s.y2);
        if (![s.x1, s.x2, y1, y2].every(Number.isFinite)) continue;
        const w = s.width ?? (role === 'rod' ? 4 : 2.5);
        // White casing first so the segment reads over the contour lines and paths.
        items.push({ tag: 'line', attrs: [['x1', x(s.x1)], ['y1', y(y1)], ['x2', x(s.x2)], ['y2', y(y2)],
          ['stroke', '#fff'], ['stroke-width', w + 3], ['stroke-linecap', 'round']] });
        items.push({ tag: 'line', attrs: [['x1', x(s.x1)], ['y1', y(y1)], ['x2', x(s.x2)], ['y2', y(y2)],
          ['stroke', s.color], ['stroke-width', w], ['stroke-linecap', 'round'],
          ['stroke-dasharray', s.dash ?? null], ['data-role', role]] });
        if (role === 'rod') {
          for (const [px, py] of [[s.x1, y1], [s.x2, y2]])
            items.push({ tag: 'circle', attrs: [['cx', x(px)], ['cy', y(py)], ['r', 4.5],
              ['fill', '#fff'], ['stroke', s.color], ['stroke-width', 2.5]] });
        }
      }
    };
    for (const e of props.ellipses ?? []) {
      if (![e.cx, e.cy, e.rx, e.ry, e.angle].every(Number.isFinite)) continue;
      // Scales are linear with equal or unequal units: draw the ellipse as a transformed path.
      const pts: string[] = [];
      for (let k = 0; k <= 64; k++) {
        const a = (2 * Math.PI * k) / 64;
        const ux = e.rx * Math.cos(a);
        const uy = e.ry * Math.sin(a);
        const dx = ux * Math.cos(e.angle) - uy * Math.sin(e.angle);
        const dy = ux * Math.sin(e.angle) + uy * Math.cos(e.angle);
        pts.push(`${x(e.cx + dx).toFixed(2)},${y(e.cy + dy).toFixed(2)}`);
      }
      items.push({ tag: 'path', attrs: [['d', `M${pts.join('L')}Z`], ['fill', e.color], ['fill-opacity', 0.12],
        ['stroke', e.color], ['stroke-width', 2], ['stroke-dasharray', e.dash ?? '5 3']] });
    }
    segs(props.segments, 'segment');
    segs(props.rods, 'rod');
    // Markers at the cursor time on each path that carries `t`.
    const ct = props.cursorT;
    if (ct != null && Number.isFinite(ct)) {
      for (const p of visible) {
        if (!p.t) continue;
        const n = usableLength(p);
        const i = nearestTimeIndex(p.t, n, ct);
        if (i < 0) continue;
        const px = sx(p, i);
        const py = placeY(px, sy(p, i));
        if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
        items.push({ tag: 'circle', attrs: [['cx', x(px)], ['cy', y(py)], ['r', 7], ['fill', p.color],
          ['stroke', '#fff'], ['stroke-width', 2.5], ['data-role', 'cursor-marker']] });
      }
    }
    for (const m of props.markers ?? []) {
      const my = placeY(m.x, m.y);
      if (!Number.isFinite(m.x) || !Number.isFinite(my)) continue;
      items.push({ tag: 'circle', attrs: [['cx', x(m.x)], ['cy', y(my)], ['r', 6], ['fill', m.color],
        ['stroke', '#fff'], ['stroke-width', 2]] });
    }
    if (!grid && !curve && !visible.some((p) => usableLength(p) > 0)) {
      items.push({ tag: 'text', attrs: [['x', g.iw / 2], ['y', g.ih / 2], ['text-anchor', 'middle'],
        ['font-size', 15], ['fill', '#777']], text: 'No landscape for this problem' });
    }
    drawSvgList(el, items);
    drawHandle();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [annKey, visible, props.cursorT, placeY, grid, curve]);

  // The start handle: drawn at the dragged position while dragging, else at props.start.
  const drawHandle = useCallback(() => {
    const g = geomRef.current;
    const el = handleRef.current;
    if (!g || !el) return;
    const sel = select(el);
    const p = dragging.current ?? props.start;
    const px = p && p.length ? p[0] : NaN;
    const py = oneD ? placeY(px, NaN) : p?.[1] ?? NaN;
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      sel.attr('display', 'none');
      return;
    }
    // Children are created once and only moved: re-creating them under the pointer would break hit tests.
    if (!el.firstChild) {
      sel.append('circle').attr('r', 13).attr('fill', 'transparent').attr('data-hit', '');
      sel.append('circle').attr('r', 8).attr('fill', '#fff').attr('stroke', REF_COLORS.start).attr('stroke-width', 3)
        .attr('data-ring', '');
      sel.append('circle').attr('r', 3).attr('fill', REF_COLORS.start);
      haloText(sel, 12, -10, 'start', REF_COLORS.start);
    }
    sel.attr('display', null).attr('transform', `translate(${g.x(px)},${g.y(py)})`);
    el.setAttribute('aria-valuetext', oneD ? `x = ${format(px)}` : `x = ${format(px)}, y = ${format(py)}`);
  }, [props.start, oneD, placeY, format]);

  useEffect(() => {
    drawOverlay();
  }, [drawOverlay, win, width, height]);

  // --- start dragging (pointer) ---
  /**
   * The frame's box, kept for the length of a drag: reading it on every move would force a layout of the
   * page the last redraw just changed (several ms per move). Re-read on scroll, dropped at the end of the drag.
   */
  const dragRect = useRef<DOMRect | null>(null);
  const toData = (clientX: number, clientY: number): number[] | null => {
    const g = geomRef.current;
    const frame = frameRef.current;
    if (!g || !frame) return null;
    const r = (dragging.current && dragRect.current) || frame.getBoundingClientRect();
    const X = Math.min(g.iw, Math.max(0, clientX - r.left - MARGIN.left));
    const Y = Math.min(g.ih, Math.max(0, clientY - r.top - MARGIN.top));
    // Rounded to the decimals one pixel resolves (snap.ts): the digits below a pixel are pointer noise, and
    // the rounded value is what the app stores, shows in its fields and writes to the URL.
    return oneD ? snapPoint([g.x.invert(X)], [pixelUnit(g.x)]) : snapPoint([g.x.invert(X), g.y.invert(Y)], [pixelUnit(g.x), pixelUnit(g.y)]);
  };
  const toDataRef = useRef(toData);
  toDataRef.current = toData;
  const raf = useRef(0);
  /** A drag position that arrived after this frame's request: sent on the next animation frame. */
  const queued = useRef<number[] | null>(null);
  const onHandleDown = (e: React.PointerEvent<SVGGElement>) => {
    if (!props.onStartDrag) return;
    e.preventDefault();
    e.stopPropagation();
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
    dragRect.current = frameRef.current?.getBoundingClientRect() ?? null;
    // The hover readout is frozen while dragging: clear it rather than leave a stale position up.
    if (hoverRef.current) hoverRef.current.textContent = '';
    dragging.current = toData(e.clientX, e.clientY);
    window.addEventListener('pointerrawupdate', onRaw);
    window.addEventListener('scroll', dropRect, { capture: true, passive: true });
    drawHandle();
  };
  /** The last position passed to onStartDrag (a raw update and its pointermove carry the same one). */
  const sent = useRef<number[] | null>(null);
  const onStartDragRef = useRef(props.onStartDrag);
  onStartDragRef.current = props.onStartDrag;
  // Leading edge: the first new position of a frame is passed on at once (the new run is requested
  // without waiting for a frame); later ones in the same frame are coalesced into one call at the next.
  const passOn = useCallback((p: number[]) => {
    const same = sent.current && sent.current.length === p.length && sent.current.every((v, i) => v === p[i]);
    if (same) return;
    if (raf.current) {
      queued.current = p;
      return;
    }
    sent.current = p;
    onStartDragRef.current?.(p);
    const flush = () => {
      const q = queued.current;
      queued.current = null;
      if (q) {
        sent.current = q;
        onStartDragRef.current?.(q);
        raf.current = requestAnimationFrame(flush);
      } else raf.current = 0;
    };
    raf.current = requestAnimationFrame(flush);
  }, []);
  // pointerrawupdate (where supported) arrives as soon as the input does, not at the next frame like
  // pointermove: the run request goes out up to a frame earlier. The handle itself moves on pointermove.
  // Listened to on the window while a drag is on (pointer capture does not retarget raw updates everywhere).
  const onRaw = useCallback((e: Event) => {
    if (!dragging.current) return;
    const pe = e as PointerEvent;
    const p = toDataRef.current(pe.clientX, pe.clientY);
    if (p) passOn(p);
  }, [passOn]);
  useEffect(() => () => window.removeEventListener('pointerrawupdate', onRaw), [onRaw]);
  const dropRect = useCallback(() => {
    dragRect.current = frameRef.current?.getBoundingClientRect() ?? null;
  }, []);
  useEffect(() => () => window.removeEventListener('scroll', dropRect, { capture: true }), [dropRect]);
  const onHandleMove = (e: React.PointerEvent<SVGGElement>) => {
    if (!dragging.current) return;
    const p = toData(e.clientX, e.clientY);
    if (!p) return;
    dragging.current = p;
    drawHandle();
    passOn(p);
  };
  const onHandleUp = (e: React.PointerEvent<SVGGElement>) => {
    const p = dragging.current;
    if (!p) return;
    (e.currentTarget as Element).releasePointerCapture?.(e.pointerId);
    cancelAnimationFrame(raf.current);
    raf.current = 0;
    queued.current = null;
    sent.current = null;
    dragRect.current = null;
    window.removeEventListener('pointerrawupdate', onRaw);
    window.removeEventListener('scroll', dropRect, { capture: true });
    dragging.current = null;
    props.onStartDrag?.(p);
    props.onStartDragEnd?.(p);
    drawHandle();
  };
  // Keyboard: arrows move the start by 1% of the window (Shift 10%, Alt 0.1%).
  const onHandleKey = (e: React.KeyboardEvent<SVGGElement>) => {
    if (!props.onStartDrag || !props.start) return;
    const f = e.shiftKey ? 0.1 : e.altKey ? 0.001 : 0.01;
    const dx = (win.x[1] - win.x[0]) * f;
    const dy = (win.y[1] - win.y[0]) * f;
    const p = props.start.slice();
    switch (e.key) {
      case 'ArrowLeft': p[0] -= dx; break;
      case 'ArrowRight': p[0] += dx; break;
      case 'ArrowUp': if (oneD) p[0] += dx; else p[1] += dy; break;
      case 'ArrowDown': if (oneD) p[0] -= dx; else p[1] -= dy; break;
      default: return;
    }
    e.preventDefault();
    p[0] = Math.min(win.x[1], Math.max(win.x[0], p[0]));
    if (!oneD) p[1] = Math.min(win.y[1], Math.max(win.y[0], p[1]));
    // Rounded like a drag, to the finer of a pixel and the step (so that a small step never rounds away).
    const g = geomRef.current;
    const units = g ? [Math.min(pixelUnit(g.x), dx), Math.min(pixelUnit(g.y), dy)] : [dx, dy];
    const q = snapPoint(p, oneD ? [units[0]] : units);
    props.onStartDrag(q);
    props.onStartDragEnd?.(q);
  };

  // --- hover readout of coordinates (and the loss there, interpolated from the grid/curve) ---
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const g = geomRef.current;
    const frame = frameRef.current;
    const out = hoverRef.current;
    if (!g || !frame || !out || dragging.current) return;
    const r = frame.getBoundingClientRect();
    const X = e.clientX - r.left - MARGIN.left;
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
      const L = grid ? bilinear(grid, { x: props.window.x, y: props.window.y ?? props.window.x }, xv, yv) : NaN;
      out.textContent = `x = ${format(xv)}, y = ${format(yv)}` + (Number.isFinite(L) ? `   L ≈ ${format(L)}` : '');
    }
  };
  const onPointerLeave = () => {
    if (hoverRef.current) hoverRef.current.textContent = '';
  };
  useEffect(() => () => cancelAnimationFrame(raf.current), []);

  const handle = usePlotHandle(props.ref, rootRef, id);

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
  const levelNote = levels.log ? 'levels log-spaced' : '';

  return (
    <figure ref={rootRef} id={id} className={`rfp-plot ${props.className ?? ''}`} data-plot-title={title} data-plot-subtitle={props.subtitle || undefined}>
      <div className="rfp-head">
        <h3 className="rfp-title" title={title}>{title}</h3>
        {levelNote && <span className="rfp-note-head">{levelNote}</span>}
        {showExport && (
          <span className="rfp-tools">
            <button type="button" onClick={() => handle.exportSvg()} title="Download SVG">SVG</button>
            <button type="button" onClick={() => void handle.exportPng()} title="Download PNG">PNG</button>
          </span>
        )}
      </div>
      {props.subtitle && <p className="rfp-subtitle">{props.subtitle}</p>}
      <Legend entries={entries} valueRefs={valueRefs} onToggle={toggle} readouts={false} />
      <div
        ref={frameRef}
        className="rfp-frame"
        data-plot-frame=""
        style={{ height }}
        role="group"
        aria-label={`${props.ariaLabel ?? title}. ${oneD ? 'Loss curve' : 'Contour plot'} with the flows' paths.`}
        onPointerMove={onPointerMove}
        onPointerLeave={onPointerLeave}
      >
        <span className="rfp-hover-box" ref={hoverRef} style={{ left: MARGIN.left + 6, top: MARGIN.top + 6 }} />
        <canvas ref={bgRef} />
        <canvas ref={dataRef} />
        <svg data-plot-overlay="" width={width} height={height} fontFamily={FONT.family}>
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            <g ref={axesRef} aria-hidden="true" />
            <g ref={annRef} aria-hidden="true" />
            <g
              ref={handleRef}
              className="rfp-handle"
              tabIndex={props.start && props.onStartDrag ? 0 : -1}
              role="slider"
              aria-label={`Start point${props.onStartDrag ? ': drag, or use arrow keys (Shift: larger steps)' : ''}`}
              aria-valuenow={props.start?.[0]}
              style={{ cursor: props.onStartDrag ? 'grab' : 'default' }}
              onPointerDown={onHandleDown}
              onPointerMove={onHandleMove}
              onPointerUp={onHandleUp}
              onPointerCancel={onHandleUp}
              onKeyDown={onHandleKey}
            />
          </g>
        </svg>
      </div>
    </figure>
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
    xs[i] = sx(p, i);
    ys[i] = placeY(xs[i], sy(p, i));
  }
  return { ...p, x: xs, y: ys, length: n, xStride: 1, xOffset: 0, yStride: 1, yOffset: 0 };
}

function drawContours(
  ctx: CanvasRenderingContext2D,
  grid: NonNullable<ContourPlotProps['grid']>,
  window: ContourPlotProps['window'],
  levels: number[],
  x: Scale,
  y: Scale,
): void {
  const { nx, ny, values } = grid;
  if (nx < 2 || ny < 2 || values.length < nx * ny || levels.length === 0) return;
  const wy = window.y ?? window.x;
  const gen = d3contours().size([nx, ny]).thresholds(levels);
  const polys = gen(values as unknown as number[]);
  const proj = geoTransform({
    point(gx: number, gy: number) {
      this.stream.point(x(gridToData(gx, nx, window.x[0], window.x[1])), y(gridToData(gy, ny, wy[0], wy[1])));
    },
  });
  const path = geoPath(proj, ctx);
  // Outside the sampled window (equal aspect widens it) is shaded; inside, clip so the contour rings'
  // closing edges along the grid border (half a cell outside the window) are not stroked.
  const gx0 = x(window.x[0]), gx1 = x(window.x[1]), gy0 = y(wy[1]), gy1 = y(wy[0]);
  ctx.save();
  ctx.fillStyle = '#f3f3f3';
  ctx.fillRect(x.range()[0], y.range()[1], x.range()[1] - x.range()[0], y.range()[0] - y.range()[1]);
  ctx.beginPath();
  ctx.rect(gx0, gy0, gx1 - gx0, gy1 - gy0);
  ctx.clip();
  ctx.fillStyle = CONTOUR_FILL[0];
  ctx.fillRect(gx0, gy0, gx1 - gx0, gy1 - gy0);
  const fill = interpolateRgb(CONTOUR_FILL[0], CONTOUR_FILL[1]);
  // Filled bands: each level's region {v ≥ level} painted darker on top of the previous one.
  polys.forEach((p, k) => {
    ctx.beginPath();
    path(p);
    ctx.fillStyle = fill((k + 1) / polys.length);
    ctx.fill();
  });
  ctx.lineWidth = 1;
  ctx.strokeStyle = CONTOUR_LINE;
  ctx.globalAlpha = 0.75;
  for (const p of polys) {
    ctx.beginPath();
    path(p);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.restore();
}

/** Data units one pixel spans on a linear scale (the start is dragged on linear x and y only). */
function pixelUnit(s: Scale): number {
  return Math.abs(s.invert(1) - s.invert(0));
}
