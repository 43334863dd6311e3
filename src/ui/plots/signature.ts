/**
 * A cheap identity signature of plot inputs, so a parent that rebuilds Series objects (or inline hLines)
 * on every render does not force a canvas redraw on every cursor move: arrays are compared by identity
 * (numbered through a WeakMap), everything else by value.
 */
import type { Series } from './types.ts';

const ids = new WeakMap<object, number>();
let next = 1;

export function objectId(o: unknown): number {
  if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return 0;
  let v = ids.get(o as object);
  if (v === undefined) {
    v = next++;
    ids.set(o as object, v);
  }
  return v;
}

export function seriesSignature(ss: readonly Series[]): string {
  return ss
    .map((s) =>
      [
        s.id, objectId(s.x), objectId(s.y), s.length, s.xStride ?? 1, s.xOffset ?? 0, s.yStride ?? 1, s.yOffset ?? 0,
        s.color, s.dash ?? '', s.width ?? '', s.opacity ?? '', s.kind ?? '', s.pointRadius ?? '', s.label,
        s.noLegend ? 1 : 0, s.noReadout ? 1 : 0, s.t ? objectId(s.t) : 0,
      ].join('|'),
    )
    .join('\n');
}
