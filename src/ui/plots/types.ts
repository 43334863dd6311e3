/**
 * Props contract of the d3 plot components (src/ui/plots). The app shell codes against this file.
 *
 * Rules the components follow:
 * - Data come in ready to draw (the UI never evaluates a loss): series, grids and curves are arrays.
 * - Dense data are drawn on a <canvas>; axes, labels, cursors and annotations in an overlaid <svg>.
 * - Redraw of the data layer happens when `series`/`paths`/`grid`/domains/size change (identity), NOT on
 *   hover: keep Series objects stable (useMemo) and pass new objects when the data grow.
 * - NaN samples are gaps. ±Infinity, samples outside the y range and (log axis) samples ≤ 0 are drawn
 *   off-scale: clipped at the plot's edge with a marker there, and counted in the legend. Nothing non-finite
 *   reaches the DOM.
 */
import type { ReactNode, Ref } from 'react';

/** Read-only numeric array: Float64Array, Float32Array or number[]. */
export type NumArray = ArrayLike<number>;

/**
 * One drawable series. Sample i is (x[i*xStride + xOffset], y[i*yStride + yOffset]) for i < length, so a
 * Trace's flattened rows can be passed without copying (e.g. sharpness column k: y = trace.sharpness,
 * yStride = trace.eigK, yOffset = k; path in the plane: x = y = trace.w, xStride = yStride = wDim,
 * yOffset = 1). Arrays may be longer than `length`.
 */
export interface Series {
  /** Stable key (used for legend toggles and hover readouts). */
  id: string;
  label: string;
  /** CSS colour; use the palette (src/ui/palette.ts). */
  color: string;
  x: NumArray;
  y: NumArray;
  length: number;
  xStride?: number;
  xOffset?: number;
  yStride?: number;
  yOffset?: number;
  /** Canvas line dash in CSS px, e.g. '6 4'. */
  dash?: string;
  /** Line width in CSS px (default 2). */
  width?: number;
  /** 0..1 (ghost runs: ~0.3). */
  opacity?: number;
  /** Default 'line'. 'points' = dots only; 'line+points' = thin line and dots (GD's zig-zag). */
  kind?: 'line' | 'points' | 'line+points';
  /** Dot radius in CSS px for 'points' kinds (default 2.5). */
  pointRadius?: number;
  /** Hide from the legend (e.g. ghosts); still drawn. */
  noLegend?: boolean;
  /** Hide from hover readouts. */
  noReadout?: boolean;
  /**
   * A run drawn under the live one that does not change while it plays (ghost, saved, imported). The
   * leading overlays of a plot sit on a cached layer built over frames (static-layer.ts).
   */
  overlay?: boolean;
  /**
   * ContourPlot paths only: time of each sample (same indexing as x, stride 1), so the component can mark
   * the sample nearest to `cursorT`.
   */
  t?: NumArray;
}

export interface HLine {
  y: number;
  label: string;
  color?: string;
  dash?: string;
}

export interface VMark {
  x: number;
  /** Shown in the top margin above the mark, e.g. 'onset GD'. */
  label: string;
  /** Used instead of `label` when it would collide with the previous mark's label (e.g. 'GF'). */
  short?: string;
  /** Tooltip of the mark's triangle (default: label). */
  title?: string;
  color?: string;
  dash?: string;
}

/** Imperative handle given through the `ref` prop of every plot. */
export interface PlotHandle {
  /** Download an SVG of the plot (canvas layers embedded as <image> data URLs). */
  exportSvg(filename?: string): void;
  /** Download a PNG (canvas layers + SVG composed), at `scale`× CSS pixels (default 2). */
  exportPng(filename?: string, scale?: number): Promise<void>;
  /** The SVG markup as it would be exported (for tests and "copy"). */
  svgString(): string;
  /** The outer element. */
  element(): HTMLElement | null;
}

interface PlotCommon {
  /** DOM id prefix; also the default export file name. */
  id: string;
  /** Short (it is kept on one line; a long one is cut with an ellipsis): details go in `subtitle`. */
  title: string;
  /** One smaller line under the title (it may wrap): what the curves are. */
  subtitle?: string;
  /** Height of the plotting frame in CSS px (default 260). Width follows the container (ResizeObserver). */
  height?: number;
  /** Show SVG/PNG export buttons in the header (default true). */
  showExport?: boolean;
  /** Accessible description (default: title). */
  ariaLabel?: string;
  className?: string;
  ref?: Ref<PlotHandle>;
}

export interface TimeSeriesPlotProps extends PlotCommon {
  xLabel: string;
  yLabel: string;
  series: Series[];
  logY?: boolean;
  logX?: boolean;
  /** Fixed domains; otherwise the extent of the (visible, finite, log-valid) data, niced. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /**
   * Ids (or id prefixes before ':') of the series whose data set the auto y range, e.g. GD's loss; the
   * others are drawn against it and their off-scale samples marked on the edge. Default: all visible.
   */
  yFocus?: string[];
  /** Horizontal reference lines, e.g. { y: 2/eta, label: '2/η' }. Included in the auto y-domain. */
  hLines?: HLine[];
  /** Vertical marks, e.g. EoS onset per flow. */
  marks?: VMark[];
  /**
   * Shared time cursor (x units). Controlled when `cursorX` is not undefined: the plot shows `cursorX` and
   * reports hover/keys via `onCursor` (null = left the plot / Escape). Uncontrolled: local cursor.
   */
  cursorX?: number | null;
  onCursor?: (x: number | null) => void;
  /** Number formatter for readouts (default: 4 significant digits). */
  format?: (v: number) => string;
  /**
   * Text size of the axes and in-plot labels, px (presenter mode: 20). The margins grow to fit the tick
   * labels and axis titles at that size, and the marks' labels are spaced by their width at it.
   */
  textPx?: number;
}

export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  color: string;
  label: string;
  dash?: string;
  width?: number;
}

/** An ellipse in data units: centre, semi-axes, rotation (radians, counter-clockwise from +x). */
export interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
  color: string;
  label: string;
  dash?: string;
}

export interface Marker {
  x: number;
  y: number;
  color: string;
  label: string;
}

/**
 * Where the contour plot draws, for a layer mounted in its `underlay` slot: the frame's size, the plot
 * area's box inside it (CSS px) and the data window that box shows (x left→right, y bottom→top; linear).
 */
export interface ContourLayerGeometry {
  width: number;
  height: number;
  left: number;
  top: number;
  iw: number;
  ih: number;
  window: { x: [number, number]; y: [number, number] };
  /** 1-D view (x against the loss). */
  oneD: boolean;
}

export interface ContourPlotProps extends PlotCommon {
  /**
   * A layer drawn above the contours and below the paths (e.g. a canvas map of the start plane). Called
   * with the current geometry on every layout change; its element is placed over the whole frame
   * (absolutely positioned, pointer events off) — draw inside [left, left+iw] × [top, top+ih].
   */
  underlay?: (g: ContourLayerGeometry) => ReactNode;
  /** 2-D with equal aspect: choose the frame's height from its width and the window, within [min, max] px. */
  fitHeight?: [number, number];
  /** Data window. 1-D: x is the coordinate, y the loss range (optional: default = extent of `curve`). */
  window: { x: [number, number]; y?: [number, number] };
  /**
   * 2-D: the loss sampled on an nx × ny lattice covering its own `x`/`y` extent (default: `window`) inclusive of its corners, row-major with
   * y rows: values[j*nx + i] = L(x_i, y_j), x_i = x0 + i (x1−x0)/(nx−1), y_j = y0 + j (y1−y0)/(ny−1).
   */
  grid?: { nx: number; ny: number; values: NumArray; x?: [number, number]; y?: [number, number] };
  /**
   * 2-D with equal aspect: told the frame's pixel aspect (width/height) whenever the layout changes, so
   * the caller can have the landscape sampled over all the frame draws (the grid's own x/y extent).
   */
  onAspect?: (aspect: number) => void;
  /** 1-D: the loss curve L(x) (x increasing). When present the plot is the 1-D view. */
  curve?: { x: NumArray; y: NumArray };
  /** Contour levels (default: chosen from the grid; log-spaced when the range is wide). */
  levels?: number[];
  /**
   * Flow paths in the plane (2-D) or on the line (1-D: x = position; y = the loss there if known, NaN = put
   * on the curve by interpolation of `curve`).
   */
  paths: Series[];
  /** The rod from w̄−δ to w̄+δ at the current time (1-D: y1/y2 may be NaN → placed on the curve). */
  rods?: Segment[];
  /** Central flow's predicted oscillation: ±σ_i along Σ's eigenvectors, as segments. */
  segments?: Segment[];
  ellipses?: Ellipse[];
  /** Extra markers (e.g. current position of each flow when the app does the lookup itself). */
  markers?: Marker[];
  /** With `path.t` given, the sample nearest this time is marked on each path. */
  cursorT?: number | null;
  /** Start point [x] or [x, y]; draggable when `onStartDrag` is given (pointer, or arrow keys when focused). */
  start?: number[];
  onStartDrag?: (p: number[]) => void;
  onStartDragEnd?: (p: number[]) => void;
  /** Equal units on both axes (2-D; the window is widened along one axis to fill the frame). Default true. */
  equalAspect?: boolean;
  /** Axis labels (default 'x', 'y' / 'x', 'L(x)'). */
  xLabel?: string;
  yLabel?: string;
  /** 1-D view only: log scale for the loss axis. */
  logY?: boolean;
  format?: (v: number) => string;
}
