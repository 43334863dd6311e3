/**
 * The two ensemble plots. Data go to a canvas (65k points / 65k cells), axes, curves and the cursor to
 * an SVG overlay; the layout follows plots/export.ts (data-plot-title, [data-plot-frame], canvas +
 * svg[data-plot-overlay], [data-legend-item]) so the plots' own PNG/SVG export works on them.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import * as d3 from 'd3';
import { OUTCOMES } from '../../engine/ensemble/jobs.ts';
import { REC } from '../../engine/ensemble/trajectories.ts';
import type { MapLayer, MapValues, SweepSeries } from '../../engine/ensemble/views.ts';
import { MAP_LAYER_LABELS } from '../../engine/ensemble/views.ts';

export const CLASS_COLORS = ['#0072B2', '#009E73', '#E69F00', '#555555'] as const;
const ROD = '#D55E00';
const CF = '#009E73';
const EDGE = '#CC79A7';

export const MARGIN = { left: 58, right: 12, top: 10, bottom: 40 };
export type Margin = typeof MARGIN;
/** The axes' text size by default, px (the lessons' presenter mode asks for 20). */
const TEXT_PX = 12;
/** Margins that hold tick labels and axis titles at `px` (MARGIN at the default size). */
export function marginFor(px: number = TEXT_PX): Margin {
  if (px <= TEXT_PX) return MARGIN;
  const k = px / TEXT_PX;
  return { left: Math.round(MARGIN.left * k), right: Math.round(MARGIN.right * k), top: Math.round(MARGIN.top * k), bottom: Math.round(MARGIN.bottom * k) };
}

function Axes(props: { x: d3.ScaleContinuousNumeric<number, number>; y: d3.ScaleContinuousNumeric<number, number>; w: number; h: number; xLabel: string; yLabel: string; log?: boolean; px?: number }) {
  const { x, y, w, h } = props;
  const px = props.px ?? TEXT_PX;
  const M = marginFor(px);
  const k = px / TEXT_PX;
  const [d0, d1] = x.domain();
  // A log axis over less than a decade gets round linear ticks (d3's log ticks stop at the last power
  // of ten: 0.4 … 1 on [0.4, 1.6], the top of the range unlabelled).
  const shortLog = props.log && d1 / d0 < 10;
  const count = Math.max(2, Math.floor(w / ((shortLog ? 130 : 90) * k)));
  const xt = shortLog ? d3.scaleLinear().domain([d0, d1]).ticks(count) : props.log ? (x as d3.ScaleLogarithmic<number, number>).ticks(count) : x.ticks(count);
  const yt = y.ticks(Math.max(2, Math.floor(h / (45 * k))));
  const fx = shortLog ? d3.format('.3~g') : x.tickFormat(count, props.log ? '.3~g' : undefined);
  // Compact labels (8e+4, not 80,000): the left margin holds the ticks and the axis title.
  const fy = d3.format('.3~g');
  const shown = props.log && !shortLog ? xt.filter((_, i) => xt.length <= 8 || i % Math.ceil(xt.length / 8) === 0) : xt;
  return (
    <g className="ens-axes" fontSize={px} fill="#222">
      <rect x={M.left} y={M.top} width={w} height={h} fill="none" stroke="#888" />
      {shown.map((t) => (
        <g key={`x${t}`} transform={`translate(${M.left + x(t)},${M.top + h})`}>
          <line y2={5} stroke="#888" />
          <text y={Math.round(18 * k)} textAnchor="middle">
            {fx(t)}
          </text>
        </g>
      ))}
      {yt.map((t) => (
        <g key={`y${t}`} transform={`translate(${M.left},${M.top + y(t)})`}>
          <line x2={-5} stroke="#888" />
          <text x={-8} dy="0.32em" textAnchor="end">
            {fy(t)}
          </text>
        </g>
      ))}
      <text x={M.left + w / 2} y={M.top + h + Math.round(34 * k)} textAnchor="middle">
        {props.xLabel}
      </text>
      <text transform={`translate(${Math.round(14 * k)},${M.top + h / 2}) rotate(-90)`} textAnchor="middle">
        {props.yLabel}
      </text>
    </g>
  );
}

function Frame(props: {
  title: string;
  subtitle: string;
  width: number;
  height: number;
  /** Paints the data; returns how many points it painted (the frame reports it as data-drawn). */
  draw: (ctx: CanvasRenderingContext2D) => number | void;
  children: ReactNode;
  onClick?: (px: number, py: number) => void;
  legend?: ReactNode;
  testid: string;
  deps: unknown[];
  margin?: Margin;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { width, height } = props;
  const M = props.margin ?? MARGIN;
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const n = props.draw(ctx);
    // What the canvas holds, for tests (a plot that drew nothing is visible in the DOM).
    c.closest('[data-plot-frame]')?.setAttribute('data-drawn', String(n ?? ''));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [width, height, ...props.deps]);
  return (
    <figure className="ens-plot" data-plot-title={props.title} data-plot-subtitle={props.subtitle} data-testid={props.testid}>
      <figcaption className="ens-plot-title">{props.title}</figcaption>
      <div className="ens-frame" data-plot-frame style={{ width, height }}>
        <canvas ref={canvas} style={{ width, height, position: 'absolute', left: 0, top: 0 }} />
        <svg
          data-plot-overlay
          width={width}
          height={height}
          style={{ position: 'absolute', left: 0, top: 0, cursor: props.onClick ? 'crosshair' : undefined }}
          onClick={(e) => {
            const r = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
            props.onClick?.(e.clientX - r.left - M.left, e.clientY - r.top - M.top);
          }}
        >
          {props.children}
        </svg>
      </div>
      {props.legend}
    </figure>
  );
}

function LegendItem({ color, label, kind = 'line', dash }: { color: string; label: string; kind?: 'line' | 'point' | 'area'; dash?: string }) {
  return (
    <span className="ens-legend-item" data-legend-item data-label={label} data-color={color} data-kind={kind} data-dash={dash ?? ''}>
      <svg width={22} height={10} aria-hidden>
        {kind === 'line' ? <line x1={1} x2={21} y1={5} y2={5} stroke={color} strokeWidth={2.5} strokeDasharray={dash} /> : <rect x={6} y={0} width={10} height={10} fill={color} />}
      </svg>
      {label}
    </span>
  );
}

type SweepProps = { s: SweepSeries; etaLo: number; etaHi: number; eta: number; width: number; onPickEta: (eta: number) => void; dim: 1 | 2; version: number };

/** The sweep's η axis (log) over a plot area `w` px wide. */
const etaScale = (p: SweepProps, w: number) => d3.scaleLog().domain([p.etaLo, p.etaHi]).range([0, w]);

/** An SVG path through the finite values of `a` against η (clamped just outside the plot area). */
function sweepPath(s: SweepSeries, a: ArrayLike<number> | null | undefined, x: d3.ScaleLogarithmic<number, number>, yy: d3.ScaleLinear<number, number>, M: Margin): string {
  if (!a) return '';
  let d = '';
  let pen = false;
  for (let i = 0; i < s.n; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const px = M.left + x(s.eta[i]);
    const py = M.top + Math.max(-2, Math.min(yy.range()[0] + 2, yy(v)));
    d += `${pen ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/**
 * The bifurcation diagram: GD's last iterates against η, Rod Flow's ends w̄ ± δ and Central Flow's
 * centre ± σ. `height` is the plot area's (default: from the width); `textPx` the axes' text size;
 * `yLabel` replaces the default y title (a lesson on a projector wants a short one).
 */
export function SweepAttractorPlot(props: SweepProps & { height?: number; textPx?: number; yLabel?: string }) {
  const { s, width } = props;
  const M = marginFor(props.textPx);
  const w = Math.max(120, width - M.left - M.right);
  const h1 = props.height ?? Math.max(140, Math.min(320, Math.round(width * 0.42)));
  const x = etaScale(props, w);
  // y: the attractor and the overlays' finite range.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < s.attractor.length; i++) {
    const v = s.attractor[i];
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  // The flows' overlays widen the range only by their bulk (2nd–98th percentile): a flow that runs off
  // just before it diverges would otherwise squash GD's attractor into a line (its path is clipped).
  const over: number[] = [];
  for (const a of [s.rod?.lo, s.rod?.hi, s.cf?.lo, s.cf?.hi]) if (a) for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) over.push(a[i]);
  if (over.length) {
    over.sort((p, q) => p - q);
    lo = Math.min(lo, over[Math.floor(0.02 * (over.length - 1))]);
    hi = Math.max(hi, over[Math.ceil(0.98 * (over.length - 1))]);
  }
  if (!(hi > lo)) [lo, hi] = [lo === Infinity ? -1 : lo - 1, hi === -Infinity ? 1 : hi + 1];
  const pad = 0.05 * (hi - lo);
  const y = d3.scaleLinear().domain([lo - pad, hi + pad]).range([h1, 0]).nice();
  const cursor = props.eta >= props.etaLo && props.eta <= props.etaHi ? M.left + x(props.eta) : null;
  const pick = (px: number) => {
    if (px < 0 || px > w) return;
    props.onPickEta(Number(x.invert(px).toPrecision(4)));
  };
  const yLabel = props.yLabel ?? (props.dim === 1 ? 'x (GD’s last 64 iterates)' : '⟨w, u₀⟩, u₀: top eigenvector at the start');
  return (
    <Frame
      testid="ens-sweep-top"
      title="η sweep: GD’s attractor and the flows’ predictions"
      subtitle={`${s.done}/${s.n} step sizes`}
      width={width}
      height={h1 + M.top + M.bottom}
      margin={M}
      deps={[props.version, props.etaLo, props.etaHi, props.textPx]}
      onClick={(px) => pick(px)}
      draw={(ctx) => {
        let drawn = 0;
        ctx.save();
        ctx.beginPath();
        ctx.rect(M.left, M.top, w, h1);
        ctx.clip();
        // Bigger dots on a projector (presenter text size).
        const r = props.textPx && props.textPx > TEXT_PX ? 1 : 0.6;
        for (let i = 0; i < s.n; i++) {
          const c = s.cls[i];
          if (c < 0 || c === 3) continue;
          ctx.fillStyle = c === 2 ? 'rgba(0,0,0,0.55)' : '#000';
          const px = M.left + x(s.eta[i]);
          for (let k = 0; k < REC; k++) {
            const v = s.attractor[i * REC + k];
            if (Number.isFinite(v)) {
              ctx.fillRect(px - r, M.top + y(v) - r, 2 * r, 2 * r);
              drawn++;
            }
          }
        }
        // Diverged step sizes: a grey band along the bottom.
        ctx.fillStyle = 'rgba(85,85,85,0.35)';
        for (let i = 0; i < s.n; i++) if (s.cls[i] === 3) ctx.fillRect(M.left + x(s.eta[i]) - 0.5, M.top + h1 - 6, 1.2, 6);
        ctx.restore();
        return drawn;
      }}
      legend={
        <div className="ens-legend">
          <LegendItem color="#000000" label={`GD: last ${REC} iterates`} kind="point" />
          {s.rod && <LegendItem color={ROD} label="Rod Flow: w̄ ± δ" />}
          {s.rod && <LegendItem color={ROD} label="Rod Flow: centre" dash="2 3" />}
          {s.cf && <LegendItem color={CF} label="Central Flow: centre ± σ" />}
          {s.cf && <LegendItem color={CF} label="Central Flow: centre" dash="2 3" />}
          <LegendItem color="#555555" label="diverges" kind="area" />
        </div>
      }
    >
      <Axes x={x} y={y} w={w} h={h1} xLabel="step size η (log scale)" yLabel={yLabel} log px={props.textPx} />
      <g fill="none" strokeWidth={1.6}>
        <path d={sweepPath(s, s.rod?.lo, x, y, M)} stroke={ROD} />
        <path d={sweepPath(s, s.rod?.hi, x, y, M)} stroke={ROD} />
        <path d={sweepPath(s, s.rod?.c, x, y, M)} stroke={ROD} strokeDasharray="2 3" />
        <path d={sweepPath(s, s.cf?.lo, x, y, M)} stroke={CF} />
        <path d={sweepPath(s, s.cf?.hi, x, y, M)} stroke={CF} />
        <path d={sweepPath(s, s.cf?.c, x, y, M)} stroke={CF} strokeDasharray="2 3" />
      </g>
      {cursor !== null && <line data-testid="ens-eta-cursor" x1={cursor} x2={cursor} y1={M.top} y2={M.top + h1} stroke="#0072B2" strokeWidth={1.5} strokeDasharray="5 3" />}
    </Frame>
  );
}

/** Sweep: the bifurcation diagram (top) and GD's time-averaged sharpness with 2/η (bottom). */
export function SweepPlots(props: SweepProps) {
  const { s, width } = props;
  const M = MARGIN;
  const w = Math.max(120, width - M.left - M.right);
  const h1 = Math.max(140, Math.min(320, Math.round(width * 0.42)));
  const h2 = Math.max(100, Math.round(h1 * 0.55));
  const x = etaScale(props, w);
  let sLo = Infinity;
  let sHi = -Infinity;
  for (let i = 0; i < s.n; i++) {
    if (Number.isFinite(s.meanS[i])) {
      sLo = Math.min(sLo, s.meanS[i]);
      sHi = Math.max(sHi, s.meanS[i]);
    }
  }
  sLo = Math.min(sLo, 2 / props.etaHi);
  sHi = Math.max(Math.min(sHi, 4 / props.etaLo), 2 / props.etaLo);
  if (!Number.isFinite(sLo)) [sLo, sHi] = [0, 1];
  const y2 = d3.scaleLinear().domain([Math.min(0, sLo), sHi * 1.05]).range([h2, 0]).nice();
  const curve2eta: string[] = [];
  for (let i = 0; i <= 200; i++) {
    const e = props.etaLo * Math.pow(props.etaHi / props.etaLo, i / 200);
    const v = 2 / e;
    if (v <= y2.domain()[1]) curve2eta.push(`${curve2eta.length ? 'L' : 'M'}${(M.left + x(e)).toFixed(1)},${(M.top + y2(v)).toFixed(1)}`);
  }
  const cursor = props.eta >= props.etaLo && props.eta <= props.etaHi ? M.left + x(props.eta) : null;
  const pick = (px: number) => {
    if (px < 0 || px > w) return;
    props.onPickEta(Number(x.invert(px).toPrecision(4)));
  };
  return (
    <div className="ens-sweep">
      <SweepAttractorPlot {...props} height={h1} />
      <Frame
        testid="ens-sweep-sharp"
        title="GD’s time-averaged sharpness against 2/η"
        subtitle="mean of λ₁ over the last 256 steps"
        width={width}
        height={h2 + M.top + M.bottom}
        deps={[props.version, props.etaLo, props.etaHi]}
        onClick={(px) => pick(px)}
        draw={(ctx) => {
          let drawn = 0;
          ctx.save();
          ctx.beginPath();
          ctx.rect(M.left, M.top, w, h2);
          ctx.clip();
          for (let i = 0; i < s.n; i++) {
            const v = s.meanS[i];
            if (!Number.isFinite(v)) continue;
            ctx.fillStyle = CLASS_COLORS[s.cls[i]] ?? '#000';
            ctx.fillRect(M.left + x(s.eta[i]) - 1, M.top + y2(v) - 1, 2, 2);
            drawn++;
          }
          ctx.restore();
          return drawn;
        }}
        legend={
          <div className="ens-legend">
            <LegendItem color={EDGE} label="2/η" dash="6 3" />
            {OUTCOMES.slice(0, 3).map((o, i) => (
              <LegendItem key={o} color={CLASS_COLORS[i]} label={`GD S̄: ${o}`} kind="point" />
            ))}
          </div>
        }
      >
        <Axes x={x} y={y2} w={w} h={h2} xLabel="step size η (log scale)" yLabel="S̄ (mean λ₁)" log />
        <path d={curve2eta.join('')} fill="none" stroke={EDGE} strokeWidth={1.8} strokeDasharray="6 3" />
        {cursor !== null && <line x1={cursor} x2={cursor} y1={M.top} y2={M.top + h2} stroke="#0072B2" strokeWidth={1.5} strokeDasharray="5 3" />}
      </Frame>
    </div>
  );
}

/** One pixel per cell (row 0 at the bottom), scaled by the browser without smoothing; white: no value. */
export function paintMapCells(c: HTMLCanvasElement, m: MapValues, layer: MapLayer): void {
  c.width = m.nx;
  c.height = m.ny;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(m.nx, m.ny);
  // Colours as a lookup table (parsing a colour per cell was most of a repaint): the classes, or 256
  // steps of viridis over the range.
  const steps = layer === 'class' ? CLASS_COLORS.length : 256;
  const lut = new Uint8Array(3 * steps);
  for (let k = 0; k < steps; k++) {
    const rgb = d3.rgb(layer === 'class' ? CLASS_COLORS[k] : d3.interpolateViridis(k / (steps - 1)));
    lut.set([rgb.r, rgb.g, rgb.b], 3 * k);
  }
  const [lo, hi] = m.range;
  for (let row = 0; row < m.ny; row++) {
    for (let col = 0; col < m.nx; col++) {
      const v = m.values[row * m.nx + col];
      if (!Number.isFinite(v)) continue;
      const k = layer === 'class' ? v : Math.round(Math.max(0, Math.min(1, (v - lo) / (hi - lo))) * (steps - 1));
      if (!(k >= 0 && k < steps)) continue;
      const o = 4 * ((m.ny - 1 - row) * m.nx + col);
      img.data[o] = lut[3 * k];
      img.data[o + 1] = lut[3 * k + 1];
      img.data[o + 2] = lut[3 * k + 2];
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * The start-plane map as a self-contained layer: a canvas of nx×ny cells over the plot's domains at
 * the given pixel size.
 */
export function StartMapLayer(props: { m: MapValues; layer: MapLayer; x: [number, number]; y: [number, number]; width: number; height: number; version: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { m, width, height } = props;
  useEffect(() => {
    if (canvas.current) paintMapCells(canvas.current, m, props.layer);
  }, [m, props.layer, props.version]);
  return <canvas ref={canvas} data-testid="ens-map-layer" style={{ position: 'absolute', left: MARGIN.left, top: MARGIN.top, width, height, imageRendering: 'pixelated' }} />;
}

export function MapPlot(props: { m: MapValues; layer: MapLayer; x: [number, number]; y: [number, number]; start: number[]; width: number; onPickStart: (p: [number, number]) => void; version: number; subtitle: string }) {
  const { m, layer } = props;
  const side = Math.max(160, Math.min(props.width - MARGIN.left - MARGIN.right, 560));
  const x = d3.scaleLinear().domain(props.x).range([0, side]);
  const y = d3.scaleLinear().domain(props.y).range([side, 0]);
  const width = side + MARGIN.left + MARGIN.right;
  const height = side + MARGIN.top + MARGIN.bottom;
  const ticks = layer === 'class' ? [] : d3.scaleLinear().domain(m.range).ticks(5);
  return (
    <figure className="ens-plot" data-plot-title={`Start-plane map: ${MAP_LAYER_LABELS[layer]}`} data-plot-subtitle={props.subtitle} data-testid="ens-map">
      <figcaption className="ens-plot-title">Start-plane map: {MAP_LAYER_LABELS[layer]}</figcaption>
      <div className="ens-frame" data-plot-frame style={{ width, height }}>
        <StartMapLayer m={m} layer={layer} x={props.x} y={props.y} width={side} height={side} version={props.version} />
        <svg
          data-plot-overlay
          width={width}
          height={height}
          style={{ position: 'absolute', left: 0, top: 0, cursor: 'crosshair' }}
          onClick={(e) => {
            const r = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
            const px = e.clientX - r.left - MARGIN.left;
            const py = e.clientY - r.top - MARGIN.top;
            if (px < 0 || py < 0 || px > side || py > side) return;
            props.onPickStart([Number(x.invert(px).toPrecision(4)), Number(y.invert(py).toPrecision(4))]);
          }}
        >
          <Axes x={x} y={y} w={side} h={side} xLabel="x₀" yLabel="y₀" />
          {props.start.length === 2 && (
            <circle data-testid="ens-map-start" cx={MARGIN.left + x(props.start[0])} cy={MARGIN.top + y(props.start[1])} r={6} fill="#fff" stroke="#000" strokeWidth={2} />
          )}
        </svg>
      </div>
      <div className="ens-legend">
        {layer === 'class'
          ? OUTCOMES.map((o, i) => <LegendItem key={o} color={CLASS_COLORS[i]} label={o} kind="area" />)
          : ticks.map((t) => <LegendItem key={t} color={d3.interpolateViridis((t - m.range[0]) / (m.range[1] - m.range[0]))} label={d3.format('.3~g')(t)} kind="area" />)}
        {layer !== 'class' && <span className="ens-note">white: not computed or GD diverged</span>}
      </div>
    </figure>
  );
}
