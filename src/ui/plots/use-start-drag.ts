/**
 * The contour plot's start handle: drawn at the dragged position while dragging, else at `start`;
 * pointer drag (leading-edge calls, coalesced per frame, raw updates where the browser has them) and
 * arrow keys. Positions passed on are rounded to what one pixel resolves (snap.ts).
 */
import { useCallback, useEffect, useRef, type RefObject } from 'react';
import { select } from 'd3';
import { haloText, MARGIN } from './dom.ts';
import { snapPoint } from './snap.ts';
import { REF_COLORS } from '../palette.ts';
import type { Scale } from './scales.ts';

export interface DragGeometry {
  x: Scale;
  y: Scale;
  iw: number;
  ih: number;
  /** Left edge of the plot area in the frame (MARGIN.left plus any centring pad). */
  left: number;
}

export interface StartDragOptions {
  geomRef: RefObject<DragGeometry | null>;
  frameRef: RefObject<HTMLDivElement | null>;
  handleRef: RefObject<SVGGElement | null>;
  /** Cleared when a drag starts (a stale hover position). */
  hoverRef: RefObject<HTMLSpanElement | null>;
  start?: number[];
  onStartDrag?: (p: number[]) => void;
  onStartDragEnd?: (p: number[]) => void;
  oneD: boolean;
  placeY: (x: number, y: number) => number;
  format: (v: number) => string;
  win: { x: [number, number]; y: [number, number] };
}

/** Data units one pixel spans on a linear scale (the start is dragged on linear x and y only). */
function pixelUnit(s: Scale): number {
  return Math.abs(s.invert(1) - s.invert(0));
}

export function useStartDrag(o: StartDragOptions) {
  const { geomRef, frameRef, handleRef, oneD, placeY, format } = o;
  const dragging = useRef<number[] | null>(null);

  const drawHandle = useCallback(() => {
    const g = geomRef.current;
    const el = handleRef.current;
    if (!g || !el) return;
    const sel = select(el);
    const p = dragging.current ?? o.start;
    const px = p && p.length ? p[0] : NaN;
    const py = oneD ? placeY(px, NaN) : p?.[1] ?? NaN;
    const X = g.x(px);
    const Y = g.y(py);
    // Outside the plot (or non-finite) the handle is hidden, never drawn over the axes.
    if (!Number.isFinite(X) || !Number.isFinite(Y) || X < -0.5 || X > g.iw + 0.5 || Y < -0.5 || Y > g.ih + 0.5) {
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
    sel.attr('display', null).attr('transform', `translate(${X},${Y})`);
    el.setAttribute('aria-valuetext', oneD ? `x = ${format(px)}` : `x = ${format(px)}, y = ${format(py)}`);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [o.start, oneD, placeY, format]);

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
    const X = Math.min(g.iw, Math.max(0, clientX - r.left - g.left));
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
  /** The last position passed to onStartDrag (a raw update and its pointermove carry the same one). */
  const sent = useRef<number[] | null>(null);
  const onStartDragRef = useRef(o.onStartDrag);
  onStartDragRef.current = o.onStartDrag;
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
  }, [frameRef]);
  useEffect(() => () => window.removeEventListener('scroll', dropRect, { capture: true }), [dropRect]);
  useEffect(() => () => cancelAnimationFrame(raf.current), []);

  const onPointerDown = (e: React.PointerEvent<SVGGElement>) => {
    if (!o.onStartDrag) return;
    e.preventDefault();
    e.stopPropagation();
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
    dragRect.current = frameRef.current?.getBoundingClientRect() ?? null;
    // The hover readout is frozen while dragging: clear it rather than leave a stale position up.
    if (o.hoverRef.current) o.hoverRef.current.textContent = '';
    dragging.current = toData(e.clientX, e.clientY);
    window.addEventListener('pointerrawupdate', onRaw);
    window.addEventListener('scroll', dropRect, { capture: true, passive: true });
    drawHandle();
  };
  const onPointerMove = (e: React.PointerEvent<SVGGElement>) => {
    if (!dragging.current) return;
    const p = toData(e.clientX, e.clientY);
    if (!p) return;
    dragging.current = p;
    drawHandle();
    passOn(p);
  };
  const onPointerUp = (e: React.PointerEvent<SVGGElement>) => {
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
    o.onStartDrag?.(p);
    o.onStartDragEnd?.(p);
    drawHandle();
  };
  // Keyboard: arrows move the start by 1% of the window (Shift 10%, Alt 0.1%).
  const onKeyDown = (e: React.KeyboardEvent<SVGGElement>) => {
    if (!o.onStartDrag || !o.start) return;
    const { win } = o;
    const f = e.shiftKey ? 0.1 : e.altKey ? 0.001 : 0.01;
    const dx = (win.x[1] - win.x[0]) * f;
    const dy = (win.y[1] - win.y[0]) * f;
    const p = o.start.slice();
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
    o.onStartDrag(q);
    o.onStartDragEnd?.(q);
  };

  return {
    dragging,
    drawHandle,
    handlers: { onPointerDown, onPointerMove, onPointerUp, onPointerCancel: onPointerUp, onKeyDown },
  };
}
