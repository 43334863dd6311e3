/**
 * The plots a scene lists, sized to share the stage (no scrolling), with the scene's annotations drawn by
 * the plots themselves: a marked step is a vertical mark, a labelled value a horizontal line, an arrow or
 * a point in the plane a labelled segment or marker. Series come from src/ui/series.ts like the
 * explorer's plots, so the lessons show exactly what the explorer shows.
 */
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ContourPlot, TimeSeriesPlot, formatNumber } from '../plots/index.ts';
import type { HLine, Marker, Segment, VMark } from '../plots/types.ts';
import { setCursor, setPlaneAspect } from '../../state/controller.ts';
import { useApp } from '../../state/store.ts';
import { upTo, type ViewTrace } from '../../state/trace-buffer.ts';
import type { FlowId } from '../../engine/types.ts';
import { REF_COLORS, OKABE_ITO } from '../palette.ts';
import { onsetMarks, pickCentre, pickDist, pickLoss, pickOsc, pickSharpness, planePaths, rodSegments, timeSeries, type Layer, type Traces } from '../series.ts';
import { useElementWidth } from '../plots/dom.ts';
import type { Annotation, PlotId, Scene } from '../../lessons/schema.ts';
import { CostPanel } from './CostPanel.tsx';
import { SweepPlot } from './SweepPlot.tsx';

const Plot = memo(TimeSeriesPlot);

const WEIGHTS = {
  normal: { large: 3, medium: 2, small: 1.5 },
  /** Flatter on a projector: at 1280×720 a 'medium' plot under a 'large' one still needs room for its axis title. */
  presenter: { large: 1.2, medium: 1, small: 0.9 },
} as const;
/** Title, subtitle, legend and axis labels around a plot's frame, px (presenter text is larger). */
const CHROME = { normal: 96, presenter: 150 } as const;

const ANNOT_COLOR = OKABE_ITO.blue;
/** Presenter mode's text size in the plots, px (lessons.css sizes the rest of the page to match). */
const PRESENTER_PX = 20;
/** lessons.css's one-column layout (the page scrolls) and each plot frame's height there. */
const PHONE = '(max-width: 760px)';
const PHONE_FRAME_PX = 300;

function visible(traces: Traces, t: number): Traces {
  const out: Traces = {};
  for (const [id, tr] of Object.entries(traces) as [FlowId, ViewTrace][]) out[id] = upTo(tr, t);
  return out;
}

function marksFor(anns: Annotation[], plot: PlotId): VMark[] {
  return anns.flatMap((a) => (a.kind === 'step' && a.plot === plot ? [{ x: a.t, label: a.label, title: `${a.label}: step ${a.t}`, color: ANNOT_COLOR, dash: '4 3' }] : []));
}
function linesFor(anns: Annotation[], plot: PlotId): HLine[] {
  return anns.flatMap((a) => (a.kind === 'value' && a.plot === plot ? [{ y: a.y, label: a.label, color: ANNOT_COLOR, dash: '4 3' }] : []));
}

/**
 * A plot cell whose plot frame takes exactly the height the cell has left after the plot's own title,
 * subtitle and legend (measured, since legends wrap differently at each width and text size).
 */
function FitCell({ id, guess, grow, children }: { id: string; guess: number; grow: number; children: (h: number) => ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [h, setH] = useState(guess);
  // The cell's flex basis is its chrome, so the stage's height left after every cell's title and legend is
  // shared by weight among the plot frames themselves (a plot with a three-row legend still gets its share).
  const [chromeH, setChromeH] = useState(0);
  const width = useElementWidth(ref);
  // A plot whose chrome changes on its own (the η sweep's legend grows as its flows finish, its status
  // line goes) is measured again.
  const [, remeasure] = useState(0);
  useEffect(() => {
    const fig = ref.current?.firstElementChild;
    if (!fig) return;
    const ro = new ResizeObserver(() => remeasure((n) => n + 1));
    ro.observe(fig);
    return () => ro.disconnect();
  }, []);
  useLayoutEffect(() => {
    const cell = ref.current;
    const fig = cell?.firstElementChild as HTMLElement | null;
    const frame = cell?.querySelector<HTMLElement>('.rfp-frame, .ens-frame, .cost-panel');
    if (!cell || !fig || !frame) return;
    // Title, subtitle and legend: the figure's height less its frame's (the cell's own padding aside).
    const chrome = fig === frame ? 0 : fig.offsetHeight - frame.offsetHeight;
    if (Math.abs(chrome - chromeH) > 3) setChromeH(chrome);
    // On a phone the page scrolls and the cells take their content's height: a fixed frame height.
    const want = matchMedia(PHONE).matches ? PHONE_FRAME_PX : Math.max(110, Math.floor(cell.clientHeight - chrome - 12));
    if (Math.abs(want - h) > 3) setH(want);
  });
  void width;
  return (
    <div ref={ref} className="lesson-plot-cell" data-plot={id} style={{ flex: `${grow} 1 ${chromeH}px` }}>
      {children(h)}
    </div>
  );
}

/** Height available to the plots: the stage's own height (it fills the viewport). */
function useStageHeight(ref: React.RefObject<HTMLDivElement | null>): number {
  // The width hook re-renders on resize; read the height at that time.
  useElementWidth(ref);
  return ref.current?.clientHeight ?? 600;
}

export function ScenePlots({ scene, presenter }: { scene: Scene; presenter: boolean }) {
  const run = useApp((s) => s.run);
  const playhead = useApp((s) => s.playhead);
  const settings = useApp((s) => s.settings);
  const grid = useApp((s) => s.grid);
  const cursorT = useApp((s) => s.cursorT);
  const startUsed = useApp((s) => s.startUsed);
  const stageRef = useRef<HTMLDivElement>(null);
  const stageH = useStageHeight(stageRef);
  const eta = run.eta;
  const info = run.info;
  const dim = info?.dim ?? 1;
  const projected = Object.values(run.traces).some((t) => t?.projected);
  const live = useMemo(() => visible(run.traces, playhead), [run.traces, playhead]);
  const layers: Layer[] = useMemo(() => [{ traces: live, eta, key: '', name: '', kind: 'live' as const }], [live, eta]);
  const flows = info?.flows ?? settings.flows;
  const end = Math.max(settings.steps, info ? info.t0 + info.steps : 0);
  const xDomain = useMemo((): [number, number] => [0, Math.max(1, end)], [end]);
  const onCursor = useMemo(() => (x: number | null) => setCursor(x), []);
  const logs = new Set(settings.log);
  const anns = scene.annotations;

  const onsetKey = JSON.stringify(run.onset);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const onsets = useMemo(() => onsetMarks(run.onset, eta, 'steps', flows), [onsetKey, eta, flows]);
  const edge = useMemo(() => [{ y: 2 / eta, label: `2/η = ${formatNumber(2 / eta)}`, color: REF_COLORS.edge, dash: '6 4' }], [eta]);

  // Layout: the plane (when listed first) takes the left column at full height; the others share the rest.
  const plots = scene.plots;
  const planeFirst = plots[0].id === 'plane' && plots.length > 1;
  const column = planeFirst ? plots.slice(1) : plots;
  const chrome = presenter ? CHROME.presenter : CHROME.normal;
  const WEIGHT = presenter ? WEIGHTS.presenter : WEIGHTS.normal;
  const gap = 10;
  const totalW = column.reduce((s, p) => s + WEIGHT[p.size], 0);
  const heightOf = (size: keyof typeof WEIGHT, inColumn: boolean) => {
    if (!inColumn) return Math.max(160, stageH - chrome);
    const share = ((stageH - gap * (column.length - 1)) * WEIGHT[size]) / totalW;
    return Math.max(120, Math.floor(share - chrome));
  };

  const renderAt = (id: PlotId, h: number) => {
    const common = { xLabel: 'step k', xDomain, cursorX: cursorT, onCursor, height: h, showExport: !presenter, textPx: presenter ? PRESENTER_PX : undefined };
    switch (id) {
      case 'plane':
        return <PlanePlot key={id} h={h} live={live} layers={layers} dim={dim} projected={projected} grid={grid} info={info} start={settings.start ?? startUsed} anns={anns} cursorT={cursorT ?? playhead} presenter={presenter} />;
      case 'sharpness':
        return <Plot key={id} id="lesson-sharpness" title="Sharpness vs 2/η" subtitle="top Hessian eigenvalue λ₁; dashed: the edge 2/η" yLabel={presenter ? 'eigenvalue' : 'eigenvalue of H'} series={timeSeries(layers, 'steps', pickSharpness)} hLines={[...edge, ...linesFor(anns, id)]} marks={[...marksFor(anns, id), ...(marksFor(anns, id).length ? [] : onsets)]} logY={logs.has('sharpness')} {...common} />;
      case 'loss':
        return <Plot key={id} id="lesson-loss" title="Loss" subtitle="GD raw and pair-mean; each flow's L and predicted average" yLabel="loss" series={timeSeries(layers, 'steps', pickLoss)} hLines={linesFor(anns, id)} marks={marksFor(anns, id)} logY={logs.has('loss')} {...common} />;
      case 'rod':
        return <Plot key={id} id="lesson-rod" title="Rod size |δ|², σ²" subtitle="GD and Rod Flow |δ|²; Central Flow σ² = tr Σ" yLabel={presenter ? '|δ|², σ²' : 'oscillation size'} series={timeSeries(layers, 'steps', pickOsc)} hLines={linesFor(anns, id)} marks={marksFor(anns, id)} logY={logs.has('rod')} {...common} />;
      case 'centre':
        return <Plot key={id} id="lesson-centre" title="Centre coordinates" subtitle={projected ? 'projections p₁ (solid), p₂ (dashed)' : 'x solid, y dashed; GD: pair centre'} yLabel={presenter ? (projected ? 'p₁, p₂' : 'x, y') : 'coordinate'} series={timeSeries(layers, 'steps', pickCentre(projected ? ['p₁', 'p₂'] : ['x', 'y']))} hLines={linesFor(anns, id)} marks={marksFor(anns, id)} {...common} />;
      case 'distance':
        return <Plot key={id} id="lesson-distance" title="Distance from GD" subtitle="‖w_flow − w̄_GD‖ to GD's pair centre" yLabel="distance" series={timeSeries(layers, 'steps', pickDist)} hLines={linesFor(anns, id)} marks={marksFor(anns, id)} logY={logs.has('dist')} {...common} />;
      case 'cost':
        return <CostPanel key={id} state={scene.state} height={h} />;
      case 'sweep':
        return <SweepPlot key={id} height={h} textPx={presenter ? PRESENTER_PX : undefined} presenter={presenter} />;
    }
  };

  return (
    <div ref={stageRef} className={`lesson-plots ${planeFirst ? 'plane-first' : ''}`} data-plots={plots.map((p) => p.id).join(',')}>
      {planeFirst && (
        <div className="plane-col">
          <FitCell id={plots[0].id} guess={heightOf(plots[0].size, false)} grow={1}>
            {(h) => renderAt(plots[0].id, h)}
          </FitCell>
        </div>
      )}
      <div className="lesson-plot-column">
        {column.map((p) => (
          <FitCell key={p.id} id={p.id} guess={heightOf(p.size, true)} grow={WEIGHT[p.size]}>
            {(h) => renderAt(p.id, h)}
          </FitCell>
        ))}
      </div>
    </div>
  );
}

interface PlaneProps {
  h: number;
  live: Traces;
  layers: Layer[];
  dim: number;
  projected: boolean;
  grid: ReturnType<typeof useApp<import('../../state/store.ts').AppState['grid']>>;
  info: import('../../worker/protocol.ts').RunInfo | null;
  start: number[] | null;
  anns: Annotation[];
  cursorT: number | null;
  presenter: boolean;
}

function PlanePlot({ h, live, layers, dim, projected, grid, info, start, anns, cursorT, presenter }: PlaneProps) {
  const paths = useMemo(() => planePaths(layers, projected ? 2 : dim), [layers, dim, projected]);
  const { rods, segments } = useMemo(() => rodSegments(live, projected ? 2 : dim), [live, dim, projected]);
  const arrows: Segment[] = anns.flatMap((a) => (a.kind === 'arrow' ? [{ x1: a.from[0], y1: a.from[1], x2: a.to[0], y2: a.to[1], color: ANNOT_COLOR, label: a.label, width: 2.5 }] : []));
  const markers: Marker[] = anns.flatMap((a) => (a.kind === 'point' ? [{ x: a.at[0], y: a.at[1], color: ANNOT_COLOR, label: a.label }] : []));
  const isCurve = !projected && dim === 1 && grid?.dim === 1 && !!grid.xs;
  const gridProp = useMemo(() => (!projected && dim === 2 && grid?.dim === 2 ? { nx: grid.nx, ny: grid.ny, values: grid.values, x: grid.x, y: grid.y } : undefined), [grid, dim, projected]);
  const curveProp = useMemo(() => (isCurve ? { x: grid!.xs!, y: grid!.values } : undefined), [grid, isCurve]);
  const window2 = grid && !projected ? { x: grid.frame.x, y: grid.dim === 2 ? (grid.frame.y ?? grid.frame.x) : info?.window?.y } : info?.window && !projected ? info.window : extentOf(live);
  return (
    <ContourPlot
      id="lesson-plane"
      title={projected ? 'Weights: a 2-D projection' : dim === 1 ? 'Loss curve and iterates' : 'Loss contours and paths'}
      subtitle={[projected ? 'each path projected on two fixed directions' : 'the rod: GD’s pair (black), Rod Flow’s (vermillion)', ...anns.flatMap((a) => (a.kind === 'point' ? [`blue dot: ${a.label}`] : a.kind === 'arrow' ? [`blue arrow: ${a.label}`] : []))].join('; ')}
      height={h}
      window={window2}
      grid={gridProp}
      curve={curveProp}
      paths={paths}
      rods={rods}
      segments={[...segments, ...arrows]}
      markers={markers}
      cursorT={cursorT}
      start={!projected && start && start.length === dim ? start : undefined}
      xLabel={projected ? 'projection p₁' : 'x'}
      yLabel={projected ? 'projection p₂' : dim === 1 ? 'L(x)' : 'y'}
      equalAspect={!projected}
      onAspect={!projected && dim === 2 ? setPlaneAspect : undefined}
      showExport={!presenter}
    />
  );
}

function extentOf(traces: Traces): { x: [number, number]; y: [number, number] } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const tr of Object.values(traces)) {
    if (!tr) continue;
    for (let i = 0; i < tr.length; i++) {
      const a = tr.w[i * tr.wDim];
      const b = tr.w[i * tr.wDim + 1];
      if (Number.isFinite(a) && Number.isFinite(b)) {
        x0 = Math.min(x0, a); x1 = Math.max(x1, a); y0 = Math.min(y0, b); y1 = Math.max(y1, b);
      }
    }
  }
  if (!(x1 >= x0)) return { x: [-1, 1], y: [-1, 1] };
  const px = (x1 - x0) * 0.08 || 0.1;
  const py = (y1 - y0) * 0.08 || 0.1;
  return { x: [x0 - px, x1 + px], y: [y0 - py, y1 + py] };
}
