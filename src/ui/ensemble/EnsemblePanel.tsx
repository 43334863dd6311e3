/**
 * Ensembles under the plots: the η sweep (bifurcation diagram) and the start-plane map, thousands of
 * trajectories on WebGPU (float32) or on the CPU worker pool (float64). The open view is in the URL
 * (`view=sweep|map`); results are cached by job and path; every batch repaints.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { setEta, setSettings, setStart } from '../../state/controller.ts';
import { problemSettingsOf } from '../../state/controller.ts';
import { useApp } from '../../state/store.ts';
import { getProblemSpec } from '../../engine/problems/registry.ts';
import { isEnsembleProblem, ensembleProblem } from '../../engine/ensemble/problem.ts';
import { F32_TOL, type MapJob, type SweepJob } from '../../engine/ensemble/jobs.ts';
import type { EnsembleFlow } from '../../engine/ensemble/trajectories.ts';
import { MAP_LAYERS, MAP_LAYER_LABELS, ensembleJson, mapCsv, mapValues, sweepCsv, sweepSeries, type MapLayer, type MapValues } from '../../engine/ensemble/views.ts';
import { exportPng, exportSvg } from '../plots/export.ts';
import { MapPlot, SweepPlots } from './EnsemblePlots.tsx';
import { cpuPool } from './cpu-pool.ts';
import { publishStartMap } from './StartMapUnderlay.tsx';
import { defaultSweepRange, startSharpness, sweepJobFor } from './sweep-job.ts';
import { jobKey, startEnsemble, type EnsembleRun, type PathChoice, type RunHandle } from './run.ts';
import './ensemble.css';

function download(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [w, setW] = useState(800);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setW(Math.floor(el.clientWidth)));
    ro.observe(el);
    setW(Math.floor(el.clientWidth));
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

const FLOW_NAMES: Record<EnsembleFlow, string> = { gd: 'GD', 'rod-flow': 'Rod Flow', 'central-flow': 'Central Flow', 'gradient-flow': 'gradient flow' };

function CheckLine({ run }: { run: EnsembleRun }) {
  const entries = Object.entries(run.check) as [EnsembleFlow, NonNullable<EnsembleRun['check'][EnsembleFlow]>][];
  if (run.path !== 'webgpu') return <p className="ens-note">Float64 on the CPU: this is the reference; no sampled check needed.</p>;
  if (!entries.length) return <p className="ens-note">Sampled check against float64: waiting for the GPU to finish.</p>;
  return (
    <ul className="ens-check" data-testid="ens-check">
      {entries.map(([flow, c]) => (
        <li key={flow} data-ok={c.agree === c.rows.length ? 'true' : 'false'}>
          {FLOW_NAMES[flow]}: {c.agree}/{c.rows.length} sampled trajectories agree with float64 — {c.rows.length - c.chaotic} non-chaotic within {F32_TOL} (max{' '}
          {c.maxErr.toExponential(1)}), {c.chaotic} chaotic or diverging (class only).
        </li>
      ))}
    </ul>
  );
}

export function EnsemblePanel() {
  const settings = useApp((s) => s.settings);
  const startUsed = useApp((s) => s.startUsed);
  const window2 = useApp((s) => s.run.info?.window);
  const view = settings.view;
  const spec = getProblemSpec(settings.problem);
  const eligible = !!spec && isEnsembleProblem(spec.id);
  const [path, setPath] = useState<PathChoice>('auto');
  const [layer, setLayer] = useState<MapLayer>('class');
  const [version, setVersion] = useState(0);
  const [run, setRun] = useState<EnsembleRun | null>(null);
  const handle = useRef<RunHandle | null>(null);
  const [ref, width] = useWidth();
  const problem = useMemo(() => problemSettingsOf(settings), [settings]);
  const start = settings.start ?? startUsed;
  const probInfo = useMemo(() => {
    if (!eligible) return null;
    try {
      return ensembleProblem(problem);
    } catch {
      return null;
    }
  }, [problem, eligible]);
  const dim = probInfo?.dim ?? 1;
  const s0 = start.length ? start : (probInfo?.start ?? [0]);

  // Sweep range: around 2/λ₁ at the start (×½ … ×2), unless set (sweep-job.ts, shared with the lessons).
  const lam = useMemo(() => (probInfo ? startSharpness(problem, s0) : NaN), [probInfo, problem, s0]);
  const defRange = defaultSweepRange(lam, settings.eta);
  const [range, setRange] = useState<[number, number] | null>(null);
  const [etaLo, etaHi] = range ?? defRange;
  const [sweepSteps, setSweepSteps] = useState(4096);
  const [mapSteps, setMapSteps] = useState(1024);
  const [res, setRes] = useState(256);

  const job: SweepJob | MapJob | null = useMemo(() => {
    if (!view || !probInfo) return null;
    if (view === 'sweep') return sweepJobFor(problem, s0.slice(0, dim), settings.eta, [etaLo, etaHi], sweepSteps);
    if (dim !== 2) return null;
    const w = window2 ?? probInfo.window;
    return { kind: 'map', problem, eta: Math.fround(settings.eta), x: w.x, y: w.y ?? w.x, nx: res, ny: res, steps: mapSteps };
  }, [view, probInfo, problem, s0.join(','), dim, etaLo, etaHi, sweepSteps, settings.eta, window2, res, mapSteps]);

  const flows: EnsembleFlow[] = useMemo(() => {
    if (!job) return [];
    if (job.kind === 'sweep') return ['gd', 'rod-flow', 'central-flow'];
    return layer === 'class' || layer === 'sharpness' ? ['gd'] : ['gd', layer];
  }, [job, layer]);

  const go = () => {
    if (!job) return;
    handle.current?.cancel();
    const h = startEnsemble(job, flows, path, (r) => {
      if (handle.current !== h) return;
      setRun(r);
      setVersion((v) => v + 1);
    });
    handle.current = h;
    setRun(h.run);
  };
  useEffect(() => {
    if (view) cpuPool().warm();
  }, [view]);
  // Start (or resume from the cache) whenever the job, the flows or the path change.
  useEffect(() => {
    if (!job) return;
    go();
    return () => handle.current?.cancel();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(job), flows.join(), path]);

  const current = run && job && run.key === jobKey(job, path) ? run.flows : null;
  // Recomputed once per batch (version), not on every render of the page (playback re-renders it).
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const series = useMemo(() => (job?.kind === 'sweep' ? sweepSeries(job, current ?? {}) : null), [job, current, version]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const mapV: MapValues | null = useMemo(() => (job?.kind === 'map' ? mapValues(job, current ?? {}, layer) : null), [job, current, layer, version]);
  // The map also lies under the contour plot's paths (StartMapUnderlay, mounted by the plots panel).
  useEffect(() => {
    publishStartMap(eligible && mapV && job?.kind === 'map' ? { m: mapV, layer, x: job.x, y: job.y, version } : null);
  }, [eligible, mapV, job, layer, version]);
  useEffect(() => () => publishStartMap(null), []);

  if (!eligible) return null;
  const open = (v: 'sweep' | 'map' | undefined) => setSettings({ view: v }, 'push');
  const total = run ? flows.length * run.n : 1;
  const doneCount = run ? flows.reduce((a, f) => a + (run.flows[f]?.done ?? 0), 0) : 0;
  const busy = !!run && !run.cancelled && !run.error && doneCount < total;

  const exportData = (fmt: 'csv' | 'json') => {
    if (!run || !job) return;
    const base = `rodflow-${job.kind}-${settings.problem}`;
    if (job.kind === 'sweep' && series) {
      if (fmt === 'csv') download(sweepCsv(job, series), `${base}.csv`, 'text/csv');
      else download(ensembleJson(job, { path: run.path, note: run.note, check: run.check, series }), `${base}.json`, 'application/json');
    } else if (job.kind === 'map') {
      const layers: Partial<Record<MapLayer, MapValues>> = {};
      for (const l of MAP_LAYERS) if (l === 'class' || l === 'sharpness' || run.flows[l]?.done) layers[l] = mapValues(job, run.flows, l);
      if (fmt === 'csv') download(mapCsv(job, layers), `${base}.csv`, 'text/csv');
      else download(ensembleJson(job, { path: run.path, note: run.note, check: run.check, layers }), `${base}.json`, 'application/json');
    }
  };
  const plotRoot = () => ref.current?.querySelector('[data-testid="ens-sweep-top"], [data-testid="ens-map"]') as HTMLElement | null;

  return (
    <section className="panel ens-panel" aria-labelledby="h-ensembles" data-testid="ensembles">
      <div className="ens-head">
        <h2 id="h-ensembles">Ensembles</h2>
        <div className="ens-tabs" role="tablist">
          <button type="button" role="tab" aria-selected={view === 'sweep'} onClick={() => open(view === 'sweep' ? undefined : 'sweep')}>
            η sweep
          </button>
          <button type="button" role="tab" aria-selected={view === 'map'} disabled={dim !== 2} title={dim !== 2 ? 'The start map needs a 2-D problem' : undefined} onClick={() => open(view === 'map' ? undefined : 'map')}>
            Start-plane map
          </button>
        </div>
        {view && (
          <label className="ens-path">
            runs on{' '}
            <select value={path} onChange={(e) => setPath(e.target.value as PathChoice)} aria-label="Ensemble compute path">
              <option value="auto">auto (WebGPU if available)</option>
              <option value="webgpu">WebGPU (float32)</option>
              <option value="cpu">CPU workers (float64)</option>
            </select>
          </label>
        )}
      </div>
      {view && (
        <div ref={ref} className="ens-body">
          {view === 'sweep' && (
            <div className="ens-controls">
              <label>
                η from <input aria-label="η from" type="number" step="any" defaultValue={etaLo} key={`lo${etaLo}`} onBlur={(e) => Number(e.target.value) > 0 && Number(e.target.value) < etaHi && setRange([Number(e.target.value), etaHi])} />
              </label>
              <label>
                to <input aria-label="η to" type="number" step="any" defaultValue={etaHi} key={`hi${etaHi}`} onBlur={(e) => Number(e.target.value) > etaLo && setRange([etaLo, Number(e.target.value)])} />
              </label>
              <label>
                steps{' '}
                <select value={sweepSteps} onChange={(e) => setSweepSteps(Number(e.target.value))} aria-label="Sweep steps">
                  {[4096, 8192, 16384].map((v) => (
                    <option key={v}>{v}</option>
                  ))}
                </select>
              </label>
              <span className="ens-note">
                1024 log-spaced η; default range{' '}
                {lam > 0 ? `×½…×2 around 2/λ₁ = ${(2 / lam).toPrecision(3)} at the start` : `×½…×2 around η (λ₁ = ${Number.isFinite(lam) ? lam.toPrecision(3) : '?'} ≤ 0 at the start)`}. Click a plot to set η.
              </span>
            </div>
          )}
          {view === 'map' && (
            <div className="ens-controls">
              <label>
                layer{' '}
                <select value={layer} onChange={(e) => setLayer(e.target.value as MapLayer)} aria-label="Map layer">
                  {MAP_LAYERS.map((l) => (
                    <option key={l} value={l}>
                      {MAP_LAYER_LABELS[l]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                steps{' '}
                <select value={mapSteps} onChange={(e) => setMapSteps(Number(e.target.value))} aria-label="Map steps">
                  {[256, 1024, 4096].map((v) => (
                    <option key={v}>{v}</option>
                  ))}
                </select>
              </label>
              <label>
                grid{' '}
                <select value={res} onChange={(e) => setRes(Number(e.target.value))} aria-label="Map resolution">
                  {[64, 128, 256, 512].map((v) => (
                    <option key={v} value={v}>
                      {v}×{v}
                    </option>
                  ))}
                </select>
              </label>
              <span className="ens-note">η = {settings.eta}; one start per cell over the contour plot’s window. Click to set the start.</span>
            </div>
          )}
          <div className="ens-status">
            <progress max={total} value={doneCount} aria-label="Ensemble progress" />
            <span data-testid="ens-progress">
              {doneCount}/{total} trajectories
            </span>
            {busy ? (
              <button type="button" onClick={() => handle.current?.cancel()}>
                Cancel
              </button>
            ) : (
              <button type="button" onClick={go} disabled={!job}>
                {run?.cancelled ? 'Resume' : 'Run again'}
              </button>
            )}
            <span className="ens-path-note" data-testid="ens-path" data-path={run?.path ?? ''}>
              {run ? `Ran on ${run.note}` : ''}
              {run && Object.keys(run.ms).length ? ` — ${Object.entries(run.ms).map(([f, ms]) => `${FLOW_NAMES[f as EnsembleFlow]} ${(ms / 1000).toFixed(2)} s`).join(', ')}` : ''}
            </span>
            {run?.cancelled && <span className="ens-note">cancelled</span>}
          </div>
          {run?.error && (
            <div className="inline-error" role="alert">
              {run.error}
            </div>
          )}
          {probInfo?.wgsl.error && <p className="ens-note">{probInfo.wgsl.error}</p>}
          {view === 'map' && dim !== 2 && <p className="ens-note">The start-plane map needs a 2-D problem.</p>}
          {series && job?.kind === 'sweep' && <SweepPlots s={series} etaLo={job.etaLo} etaHi={job.etaHi} eta={settings.eta} width={Math.max(200, width)} dim={dim} version={version} onPickEta={(e) => setEta(e)} />}
          {mapV && job?.kind === 'map' && (
            <MapPlot m={mapV} layer={layer} x={job.x} y={job.y} start={s0} width={Math.max(200, width)} version={version} subtitle={`${job.nx}×${job.ny} starts, η = ${job.eta}, ${job.steps} steps`} onPickStart={(p) => setStart(p, 'end')} />
          )}
          {run && <CheckLine run={run} />}
          {run?.path === 'webgpu' && <p className="ens-note">Float32 on the GPU. Non-chaotic trajectories (GD converging or in a 2-cycle) agree with float64 to {F32_TOL} relative; chaotic or diverging ones (higher period, chaos) agree only in their outcome class, since float32 and float64 round-off separate them.</p>}
          <div className="ens-export">
            <button type="button" onClick={() => plotRoot() && exportPng(plotRoot()!, `rodflow-${view}.png`)}>
              PNG
            </button>
            <button type="button" onClick={() => plotRoot() && exportSvg(plotRoot()!, `rodflow-${view}.svg`)}>
              SVG
            </button>
            <button type="button" onClick={() => exportData('csv')}>
              CSV
            </button>
            <button type="button" onClick={() => exportData('json')}>
              JSON
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
