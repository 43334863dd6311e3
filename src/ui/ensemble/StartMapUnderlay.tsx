/**
 * The start-plane map as a layer of the contour plot: mounted in ContourPlot's `underlay` slot, so it
 * lies over the contours and under the flows' paths, on the plot's own axes (the map's cells are
 * placed by the plot's drawn window) and clipped to its plot area. The Ensembles panel publishes the
 * map it shows (publishStartMap); its legend and controls stay in the panel.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { ContourLayerGeometry } from '../plots/types.ts';
import type { MapLayer, MapValues } from '../../engine/ensemble/views.ts';
import { MAP_LAYER_LABELS } from '../../engine/ensemble/views.ts';
import * as d3 from 'd3';
import { CLASS_COLORS, paintMapCells } from './EnsemblePlots.tsx';
import './ensemble.css';

export interface PublishedMap {
  m: MapValues;
  layer: MapLayer;
  /** The starts' extent (cell edges) in data coordinates. */
  x: [number, number];
  y: [number, number];
  version: number;
}

let current: PublishedMap | null = null;
const listeners = new Set<() => void>();

/** The Ensembles panel's map (null: none shown). */
export function publishStartMap(p: PublishedMap | null): void {
  if (p === current) return;
  current = p;
  for (const l of listeners) l();
}

function usePublishedMap(): PublishedMap | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}

/** Opacity of the map over the contours: the contour lines stay visible through it. */
export const UNDERLAY_OPACITY = 0.6;

export function StartMapUnderlay({ g }: { g: ContourLayerGeometry }) {
  const p = usePublishedMap();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (p && canvas.current) paintMapCells(canvas.current, p.m, p.layer);
  }, [p, p?.m, p?.layer, p?.version]);
  if (!p || g.oneD) return null;
  const [wx0, wx1] = g.window.x;
  const [wy0, wy1] = g.window.y;
  // Data → plot-area pixels, as the contour plot maps them (x left→right, y bottom→top).
  const px = (v: number) => ((v - wx0) / (wx1 - wx0)) * g.iw;
  const py = (v: number) => ((wy1 - v) / (wy1 - wy0)) * g.ih;
  const left = px(p.x[0]);
  const top = py(p.y[1]);
  const width = px(p.x[1]) - left;
  const height = py(p.y[0]) - top;
  if (!(width > 0 && height > 0)) return null;
  return (
    <div
      data-testid="contour-start-map"
      data-layer={p.layer}
      title={`Start-plane map: ${MAP_LAYER_LABELS[p.layer]}`}
      style={{ position: 'absolute', left: g.left, top: g.top, width: g.iw, height: g.ih, overflow: 'hidden' }}
    >
      <canvas ref={canvas} style={{ position: 'absolute', left, top, width, height, imageRendering: 'pixelated', opacity: UNDERLAY_OPACITY }} />
      <MapKey p={p} />
    </div>
  );
}

/**
 * A compact key in the plot area's top-right corner (the panel below has the full legend and the
 * controls): what the colours are, on a light box so it reads over the map.
 */
function MapKey({ p }: { p: PublishedMap }) {
  const items =
    p.layer === 'class'
      ? SHORT_OUTCOMES.map((label, i) => ({ label, color: CLASS_COLORS[i] }))
      : [
          { label: d3.format('.3~g')(p.m.range[0]), color: d3.interpolateViridis(0) },
          { label: d3.format('.3~g')(p.m.range[1]), color: d3.interpolateViridis(1) },
        ];
  return (
    <div className="ens-underlay-key" data-testid="contour-start-map-key">
      <span className="ens-underlay-key-title">{p.layer === 'class' ? 'start map: GD' : `start map: ${MAP_LAYER_LABELS[p.layer]}`}</span>
      {items.map((it) => (
        <span key={it.label} className="ens-underlay-key-item">
          <i style={{ background: it.color, opacity: UNDERLAY_OPACITY }} />
          {it.label}
        </span>
      ))}
    </div>
  );
}
const SHORT_OUTCOMES = ['converges', 'at the edge', 'higher period', 'diverges'];

/** For ContourPlot's `underlay` prop. */
export function startMapUnderlay(g: ContourLayerGeometry) {
  return <StartMapUnderlay g={g} />;
}
