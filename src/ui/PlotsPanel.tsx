/** All plots of the live run (+ ghosts and saved runs), sharing one time cursor. */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ContourPlot, TimeSeriesPlot, formatNumber } from './plots/index.ts';
import { startMapUnderlay } from './ensemble/StartMapUnderlay.tsx';
import type { Series, TimeSeriesPlotProps } from './plots/types.ts';
import { anyNonPositive } from './plots/ranges.ts';
import type { FlowId } from '../engine/types.ts';
import { setCursor, setPlaneAspect, setStart, runEnd } from '../state/controller.ts';
import { useApp, type AppState } from '../state/store.ts';
import { upTo, type ViewTrace } from '../state/trace-buffer.ts';
import { REF_COLORS } from './palette.ts';
import {
  onsetMarks,
  pickCentre,
  pickDist,
  pickLoss,
  pickOsc,
  pickSharpness,
  planePaths,
  rodSegments,
  timeSeries,
  type Layer,
  type Traces,
} from './series.ts';

function visibleTraces(traces: Traces, t: number): Traces {
  const out: Traces = {};
  for (const [id, tr] of Object.entries(traces) as [FlowId, ViewTrace][]) out[id] = upTo(tr, t);
  return out;
}

/** Bounding box of the projected paths (networks), padded; the plot needs a window. */
function extentOf(layers: Layer[]): { x: [number, number]; y: [number, number] } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const l of layers)
    for (const tr of Object.values(l.traces)) {
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

/**
 * Refreshes of the time-series plots wait here and run one per animation frame: each plot's refresh (a
 * canvas redraw, its legend) then falls in its own frame instead of all five in the frame a chunk lands
 * in (which made that frame 3–5× longer than the rest).
 */
const refreshQueue: { job: () => void; order: number }[] = [];
let refreshRaf = 0;
function pumpRefresh(): void {
  refreshRaf = 0;
  refreshQueue.shift()?.job();
  if (refreshQueue.length) refreshRaf = requestAnimationFrame(pumpRefresh);
}
/** Queued in `order` (the sharpness plot last: when it shows a chunk, the others already do). */
function queueRefresh(job: () => void, order: number): void {
  const i = refreshQueue.findIndex((q) => q.order > order);
  refreshQueue.splice(i < 0 ? refreshQueue.length : i, 0, { job, order });
  if (!refreshRaf) refreshRaf = requestAnimationFrame(pumpRefresh);
}

/**
 * `value`, passed on at most every `ms` (trailing: the last value always arrives), each time in its turn
 * of the refresh queue above; while `frozen`, the last value passed on (it catches up when unfrozen).
 */
function useStaggered<T>(value: T, ms: number, frozen: boolean, order: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  const latest = useRef(value);
  latest.current = value;
  const frozenRef = useRef(frozen);
  frozenRef.current = frozen;
  const queued = useRef(false);
  useEffect(() => {
    // A queued refresh takes the latest value when its turn comes.
    if (frozen || queued.current) return;
    const id = setTimeout(() => {
      queued.current = true;
      queueRefresh(() => {
        queued.current = false;
        if (frozenRef.current) return;
        last.current = performance.now();
        setShown(latest.current);
      }, order);
    }, Math.max(0, last.current + ms - performance.now()));
    return () => clearTimeout(id);
  }, [value, ms, frozen, order]);
  return shown;
}

/** `value`, except while `frozen`: then the last value seen unfrozen (it catches up when unfrozen). */
function useHeld<T>(value: T, frozen: boolean): T {
  const held = useRef(value);
  if (!frozen) held.current = value;
  return held.current;
}

const Plot = memo(TimeSeriesPlot);

/** A time-series plot of `make(layers)`, refreshed in its turn of the refresh queue (held while `frozen`). */
function StaggeredPlot({ layers, frozen, make, order, ...rest }: { layers: Layer[]; frozen: boolean; make: (l: Layer[]) => Series[]; order: number } & Omit<TimeSeriesPlotProps, 'series'>) {
  const shown = useStaggered(layers, 100, frozen, order);
  const series = useMemo(() => make(shown), [shown, make]);
  return <Plot {...rest} series={series} />;
}

const selLayers = (s: AppState) => s.ghosts;
const selSaved = (s: AppState) => s.saved;

export function PlotsPanel({ startDraggable }: { startDraggable: boolean }) {
  const run = useApp((s) => s.run);
  const playhead = useApp((s) => s.playhead);
  const ghosts = useApp(selLayers);
  const saved = useApp(selSaved);
  const settings = useApp((s) => s.settings);
  const grid = useApp((s) => s.grid);
  const cursorT = useApp((s) => s.cursorT);
  const dragging = useApp((s) => s.dragging);
  const axis = settings.timeAxis;
  const eta = run.eta;
  const scale = axis === 'eta' ? eta : 1;
  const info = run.info;
  const dim = info?.dim ?? 2;
  const projected = Object.values(run.traces).some((t) => t?.projected);

  const live = useMemo(() => visibleTraces(run.traces, playhead), [run.traces, playhead]);
  const layers: Layer[] = useMemo(
    () => [
      ...ghosts.filter((g) => g.visible).map((g) => ({ traces: g.traces, eta: g.eta, key: g.key, name: g.name, kind: g.kind })),
      ...saved.filter((g) => g.visible).map((g) => ({ traces: g.traces, eta: g.eta, key: g.key, name: g.name, kind: g.kind })),
      { traces: live, eta, key: '', name: '', kind: 'live' as const },
    ],
    [ghosts, saved, live, eta],
  );
  const flows = info?.flows ?? settings.flows;
  // The clock's end is the step budget (forks keep it), known before the run's info arrives: a new
  // run never changes the time axes (which would redraw every plot twice per drag move).
  const end = Math.max(settings.steps, run.info ? runEnd(run) : 0);
  const xLabel = axis === 'eta' ? 'time t = η·k' : 'step k';
  const cursorX = cursorT === null ? null : cursorT * scale;
  const onCursor = useMemo(() => (x: number | null) => setCursor(x === null ? null : x / scale), [scale]);
  const logs = new Set(settings.log);

  // The plane follows every frame; the five time-series plots (SVG axes and legends are costly to
  // lay out) are refreshed at most ~10 times a second, and not at all during a drag (they catch up
  // when it ends: the run then replays from the start), so that the dragged path is redrawn at once.
  // Each plot is refreshed in its own frame (useStaggered, in StaggeredPlot: a refresh re-renders that
  // plot alone).
  const makeSharp = useCallback((l: Layer[]) => timeSeries(l, axis, pickSharpness), [axis]);
  const makeLoss = useCallback((l: Layer[]) => timeSeries(l, axis, pickLoss), [axis]);
  const makeOsc = useCallback((l: Layer[]) => timeSeries(l, axis, pickOsc), [axis]);
  const makeCentre = useCallback((l: Layer[]) => timeSeries(l, axis, pickCentre(projected ? ['p₁', 'p₂'] : ['x', 'y'])), [axis, projected]);
  const makeDist = useCallback((l: Layer[]) => timeSeries(l, axis, pickDist), [axis]);
  // The loss axis: log only when no recorded loss can be ≤ 0 (judged on the whole run, not the replayed
  // part, so the axis does not flip during the replay); then its range is GD's, and the flows' excursions
  // below it (gradient flow's loss falls to ~1e-100 on a quadratic) are marked on the edge.
  const lossNonPositive = useMemo(
    () => anyNonPositive(timeSeries([{ traces: run.traces, eta, key: '', name: '', kind: 'live' }], 'steps', pickLoss)),
    [run.traces, eta],
  );
  const lossLog = logs.has('loss') && !lossNonPositive;
  const lossFocus = useMemo(() => (lossLog ? ['gd'] : undefined), [lossLog]);
  const onsetKey = JSON.stringify(run.onset);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const liveMarks = useMemo(() => onsetMarks(run.onset, eta, axis, flows), [onsetKey, eta, axis, flows]);
  // The onset marks belong to the sharpness plot's series: held with them during a drag (each move's
  // new onsets would otherwise re-lay out that plot's axes and annotations on the way to the dragged frame).
  const marks = useHeld(liveMarks, dragging);
  const edgeLine = useMemo(() => [{ y: 2 / eta, label: `2/η = ${formatNumber(2 / eta)}`, color: REF_COLORS.edge, dash: '6 4' }], [eta]);
  const xDomain = useMemo((): [number, number] => [0, Math.max(1, end) * scale], [end, scale]);
  const paths: Series[] = useMemo(() => planePaths(layers, projected ? 2 : dim), [layers, dim, projected]);
  const { rods, segments } = useMemo(() => rodSegments(live, projected ? 2 : dim), [live, dim, projected]);

  const startUsed = useApp((s) => s.startUsed);
  const start = settings.start ?? startUsed;
  // The plane's window comes from the loss grid (stable across runs of one problem), so a new run
  // (drag, fork) never resizes the plot; networks use the extent of their projected paths.
  const gridWin = grid && !projected ? grid : null;
  const window2 = useMemo(
    () => (gridWin ? { x: gridWin.frame.x, y: gridWin.dim === 2 ? (gridWin.frame.y ?? gridWin.frame.x) : undefined } : null),
    [gridWin],
  ) ?? (info?.window && !projected ? info.window : extentOf(layers));
  const isCurve = !!(!projected && dim === 1 && grid?.dim === 1 && grid.xs);
  // Stable identities: the contour plot re-traces its contours only when these change.
  const gridProp = useMemo(
    () => (!projected && dim === 2 && grid?.dim === 2 ? { nx: grid.nx, ny: grid.ny, values: grid.values, x: grid.x, y: grid.y } : undefined),
    [grid, dim, projected],
  );
  const curveProp = useMemo(() => (isCurve ? { x: grid!.xs!, y: grid!.values } : undefined), [grid, isCurve]);

  return (
    <div className="plots">
      <section className="plot-cell contour-cell" aria-label="Paths in the plane">
        <ContourPlot
          id="contour"
          title={projected ? 'Weights: a 2-D projection' : dim === 1 ? 'Loss curve and iterates' : 'Loss contours and paths'}
          subtitle={projected ? 'Not the loss landscape: each path is projected on two fixed directions.' : undefined}
          height={430}
          fitHeight={[360, 520]}
          window={isCurve ? { x: grid!.x, y: info?.window?.y } : window2}
          grid={gridProp}
          curve={curveProp}
          paths={paths}
          rods={rods}
          segments={segments}
          cursorT={cursorT ?? playhead}
          start={!projected && start && start.length === dim ? start : undefined}
          onStartDrag={!projected && startDraggable ? (p) => setStart(p, 'drag') : undefined}
          onStartDragEnd={!projected && startDraggable ? (p) => setStart(p, 'end') : undefined}
          xLabel={projected ? 'projection p₁' : 'x'}
          yLabel={projected ? 'projection p₂' : dim === 1 ? 'L(x)' : 'y'}
          equalAspect={!projected}
          underlay={!projected && dim === 2 ? startMapUnderlay : undefined}
          onAspect={!projected && dim === 2 ? setPlaneAspect : undefined}
        />
      </section>
      <section className="plot-cell" aria-label="Sharpness">
        <StaggeredPlot layers={layers} frozen={dragging} make={makeSharp} order={9} id="sharpness" title="Sharpness vs 2/η" subtitle={`Top Hessian eigenvalue λ₁ of each flow${dim > 1 ? ' (GD also λ₂)' : ''}; dashed: 2/η, the edge`} xLabel={xLabel} yLabel="eigenvalue of H" hLines={edgeLine} marks={marks} logY={logs.has('sharpness')} xDomain={xDomain} cursorX={cursorX} onCursor={onCursor} height={250} />
      </section>
      <section className="plot-cell" aria-label="Loss">
        <StaggeredPlot layers={layers} frozen={dragging} make={makeLoss} order={1} id="loss" title="Loss" subtitle={`GD raw and pair-mean smoothed; each flow's own L(w) and predicted average loss${logs.has('loss') && !lossLog ? ' (linear axis: some losses are ≤ 0)' : lossLog ? " (log axis over GD's range)" : ''}`} xLabel={xLabel} yLabel="loss" logY={lossLog} yFocus={lossFocus} xDomain={xDomain} cursorX={cursorX} onCursor={onCursor} height={250} />
      </section>
      <section className="plot-cell" aria-label="Rod size">
        <StaggeredPlot layers={layers} frozen={dragging} make={makeOsc} order={2} id="rod" title="Rod size: |δ|², σ²" subtitle="GD and Rod Flow: squared rod half-length |δ|²; Central Flow: σ² = tr Σ" xLabel={xLabel} yLabel="oscillation size" logY={logs.has('rod')} xDomain={xDomain} cursorX={cursorX} onCursor={onCursor} height={230} />
      </section>
      <section className="plot-cell" aria-label="Rod centre">
        <StaggeredPlot layers={layers} frozen={dragging} make={makeCentre} order={3} id="centre" title="Centre coordinates" subtitle={projected ? 'Projections p₁ (solid) and p₂ (dashed) of each centre' : 'x solid, y dashed; GD: its pair centre, Rod Flow: w̄'} xLabel={xLabel} yLabel="coordinate" xDomain={xDomain} cursorX={cursorX} onCursor={onCursor} height={230} />
      </section>
      <section className="plot-cell" aria-label="Distance from GD">
        <StaggeredPlot layers={layers} frozen={dragging} make={makeDist} order={4} id="distance" title="Distance from GD" subtitle="‖w_flow − w̄_GD‖ to GD's pair centre: how well each flow models GD" xLabel={xLabel} yLabel="‖w_flow − w̄_GD‖" logY={logs.has('dist')} xDomain={xDomain} cursorX={cursorX} onCursor={onCursor} height={230} />
      </section>
    </div>
  );
}
