/**
 * The contour plot's SVG overlay as a list of elements (rods, Σ segments, ellipses, markers at the cursor
 * time), clipped to the plot area. Pure (no DOM): tested in test/plots-overlay.test.ts.
 *
 * Everything is clipped here, in pixels, before it reaches the DOM: a rod that runs off the plot is cut at
 * the frame (Liang–Barsky), a marker outside it is left out, a point with a non-finite coordinate is
 * skipped. So no element crosses the axes or the panel edge, and no attribute is ever "Infinity"/"NaN".
 * (The overlay group also has an SVG clip path, for the round caps and the markers' rims at the edge.)
 */
import type { Ellipse, Marker, Segment, Series } from './types.ts';
import type { SvgItem } from './svg-list.ts';
import { nearestTimeIndex } from './nearest.ts';
import { sx, sy, usableLength } from './access.ts';

export interface OverlayGeometry {
  /** Data → pixel maps of the plot area (origin at its top-left corner). */
  x: (v: number) => number;
  y: (v: number) => number;
  iw: number;
  ih: number;
}

export interface OverlayInput {
  rods?: readonly Segment[];
  segments?: readonly Segment[];
  ellipses?: readonly Ellipse[];
  markers?: readonly Marker[];
  paths: readonly Series[];
  cursorT?: number | null;
  /** 1-D: a y that is NaN is placed on the curve (identity in 2-D). */
  placeY: (x: number, y: number) => number;
}

/**
 * Clip the segment (x1,y1)–(x2,y2) to [0, w] × [0, h] (Liang–Barsky). Null when it lies outside or has a
 * non-finite end; pixel values far outside (|v| up to 1e300) are handled exactly enough for drawing.
 */
export function clipSegment(
  x1: number, y1: number, x2: number, y2: number, w: number, h: number,
): [number, number, number, number] | null {
  if (![x1, y1, x2, y2].every(Number.isFinite)) return null;
  const dx = x2 - x1;
  const dy = y2 - y1;
  let t0 = 0;
  let t1 = 1;
  const p = [-dx, dx, -dy, dy];
  const q = [x1, w - x1, y1, h - y1];
  for (let i = 0; i < 4; i++) {
    if (p[i] === 0) {
      if (q[i] < 0) return null;
      continue;
    }
    const r = q[i] / p[i];
    if (p[i] < 0) {
      if (r > t1) return null;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return null;
      if (r < t1) t1 = r;
    }
  }
  const a: [number, number, number, number] = [x1 + t0 * dx, y1 + t0 * dy, x1 + t1 * dx, y1 + t1 * dy];
  return a.every(Number.isFinite) ? a : null;
}

const inside = (X: number, Y: number, g: OverlayGeometry, slack = 0) =>
  Number.isFinite(X) && Number.isFinite(Y) && X >= -slack && X <= g.iw + slack && Y >= -slack && Y <= g.ih + slack;

const r2 = (v: number) => Math.round(v * 100) / 100;

export function overlayItems(g: OverlayGeometry, o: OverlayInput): SvgItem[] {
  const items: SvgItem[] = [];
  const segs = (list: readonly Segment[] | undefined, role: string) => {
    for (const s of list ?? []) {
      const y1 = o.placeY(s.x1, s.y1);
      const y2 = o.placeY(s.x2, s.y2);
      const X1 = g.x(s.x1), Y1 = g.y(y1), X2 = g.x(s.x2), Y2 = g.y(y2);
      const c = clipSegment(X1, Y1, X2, Y2, g.iw, g.ih);
      if (!c) continue;
      const w = s.width ?? (role === 'rod' ? 4 : 2.5);
      const at: [string, number][] = [['x1', r2(c[0])], ['y1', r2(c[1])], ['x2', r2(c[2])], ['y2', r2(c[3])]];
      // White casing first so the segment reads over the contour lines and paths.
      items.push({ tag: 'line', attrs: [...at, ['stroke', '#fff'], ['stroke-width', w + 3], ['stroke-linecap', 'round']] });
      items.push({ tag: 'line', attrs: [...at, ['stroke', s.color], ['stroke-width', w], ['stroke-linecap', 'round'],
        ['stroke-dasharray', s.dash ?? null], ['data-role', role]] });
      if (role === 'rod') {
        // End caps only where the rod's end is on the plot (a cut end has none: it goes on).
        for (const [X, Y] of [[X1, Y1], [X2, Y2]])
          if (inside(X, Y, g))
            items.push({ tag: 'circle', attrs: [['cx', r2(X)], ['cy', r2(Y)], ['r', 4.5],
              ['fill', '#fff'], ['stroke', s.color], ['stroke-width', 2.5]] });
      }
    }
  };
  for (const e of o.ellipses ?? []) {
    if (![e.cx, e.cy, e.rx, e.ry, e.angle].every(Number.isFinite)) continue;
    // Scales are linear with equal or unequal units: draw the ellipse as a transformed path.
    const pts: string[] = [];
    let ok = true;
    for (let k = 0; k <= 64 && ok; k++) {
      const a = (2 * Math.PI * k) / 64;
      const ux = e.rx * Math.cos(a);
      const uy = e.ry * Math.sin(a);
      const dx = ux * Math.cos(e.angle) - uy * Math.sin(e.angle);
      const dy = ux * Math.sin(e.angle) + uy * Math.cos(e.angle);
      const X = g.x(e.cx + dx), Y = g.y(e.cy + dy);
      // Far outside points would make huge attributes; an ellipse that big is not drawn (it is clipped away).
      ok = inside(X, Y, g, 1e4);
      pts.push(`${X.toFixed(2)},${Y.toFixed(2)}`);
    }
    if (!ok) continue;
    items.push({ tag: 'path', attrs: [['d', `M${pts.join('L')}Z`], ['fill', e.color], ['fill-opacity', 0.12],
      ['stroke', e.color], ['stroke-width', 2], ['stroke-dasharray', e.dash ?? '5 3'], ['data-role', 'ellipse']] });
  }
  segs(o.segments, 'segment');
  segs(o.rods, 'rod');
  // Markers at the cursor time on each path that carries `t`.
  const ct = o.cursorT;
  if (ct != null && Number.isFinite(ct)) {
    for (const p of o.paths) {
      if (!p.t) continue;
      const i = nearestTimeIndex(p.t, usableLength(p), ct);
      if (i < 0) continue;
      const px = sx(p, i);
      const X = g.x(px), Y = g.y(o.placeY(px, sy(p, i)));
      if (!inside(X, Y, g)) continue;
      items.push({ tag: 'circle', attrs: [['cx', r2(X)], ['cy', r2(Y)], ['r', 7], ['fill', p.color],
        ['stroke', '#fff'], ['stroke-width', 2.5], ['data-role', 'cursor-marker']] });
    }
  }
  for (const m of o.markers ?? []) {
    const X = g.x(m.x), Y = g.y(o.placeY(m.x, m.y));
    if (!inside(X, Y, g)) continue;
    items.push({ tag: 'circle', attrs: [['cx', r2(X)], ['cy', r2(Y)], ['r', 6], ['fill', m.color],
      ['stroke', '#fff'], ['stroke-width', 2], ['data-role', 'marker']] });
  }
  return items;
}
