/**
 * Opening a scene on its stored run (public/runs/<id>.json, made by scripts/make-stored-runs.ts): the
 * file is fetched (and cached), validated by the run-file schema, and put into the page's store as the
 * current run, complete, with the playhead at its end, so every plot is filled at once and the time
 * slider scrubs it. Nothing is computed for the picture; the drawing geometry (the rod's ends, Central
 * Flow's ±σ segment) is the same arithmetic the worker does for live chunks.
 *
 * The stored run takes the place of the run the controller just started for the same settings (same
 * runId): a 1-D/2-D problem's live result, when it arrives, replaces it with the same numbers at full
 * resolution, and an η change forks it as usual. A network's live run only starts when something that
 * changes the run changes (then the controller restarts it); a fork of a stored network run (η changed
 * after scrubbing back) cannot be served by the worker, so it restarts live from the start (watchStored).
 */
import { createProblem, getProblemSpec } from '../engine/problems/registry.ts';
import { topEigs } from '../engine/linalg/eigs.ts';
import { parseRunFile, runFileTraces } from '../engine/run-file.ts';
import type { FlowId, Trace } from '../engine/types.ts';
import { FLOW_IDS } from '../engine/types.ts';
import { reset } from '../state/controller.ts';
import { parseUrl } from '../state/url.ts';
import type { Settings } from '../state/settings.ts';
import { store, type RunView } from '../state/store.ts';
import type { ViewTrace } from '../state/trace-buffer.ts';
import type { RunInfo } from '../worker/protocol.ts';

/** What makes two settings the same run (the stored run is installed only over its own settings). */
export function runIdentity(s: Settings): string {
  return JSON.stringify([s.problem, s.params, s.choices, s.expr ?? null, s.eta, s.start, s.steps, s.flows, s.flowOptions, s.forks ?? []]);
}

export function stateSettings(state: string): Settings {
  return parseUrl('?' + state).settings;
}

const cache = new Map<string, Promise<string>>();

/** The stored run's text (fetched once per page). */
export function fetchStored(id: string): Promise<string> {
  let p = cache.get(id);
  if (!p) {
    const base = import.meta.env?.BASE_URL ?? '/';
    p = fetch(`${base}runs/${id}.json`).then((r) => {
      if (!r.ok) throw new Error(`stored run ${id}: HTTP ${r.status}`);
      return r.text();
    });
    p.catch(() => cache.delete(id));
    cache.set(id, p);
  }
  return p;
}

/** Centre and ends of each sample's rod (GD, Rod Flow) and Central Flow's ±σ along Σ's top eigenvector. */
function withGeometry(tr: Trace, problemOf: () => ReturnType<typeof createProblem> | null): ViewTrace {
  const out: ViewTrace = { ...tr };
  const m = tr.length * tr.wDim;
  if (tr.delta && (tr.flow === 'gd' || tr.flow === 'rod-flow')) {
    const centre = new Float64Array(m);
    const lo = new Float64Array(m);
    const hi = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const d = tr.delta[i];
      const mid = tr.flow === 'gd' ? tr.w[i] + d : tr.w[i];
      centre[i] = mid;
      lo[i] = mid - d;
      hi[i] = mid + d;
    }
    Object.assign(out, { centre, lo, hi });
  } else if (tr.flow === 'central-flow' && !tr.projected && tr.wDim <= 2) {
    const inst = problemOf();
    if (!inst) return out;
    const d = tr.wDim;
    const dir = new Float64Array(m);
    const lo = new Float64Array(m);
    const hi = new Float64Array(m);
    for (let i = 0; i < tr.length; i++) {
      const w = tr.w.slice(i * d, (i + 1) * d);
      const u = d === 1 ? [1] : topEigs(inst.problem, w, 1).vectors[0];
      const sigma = Math.sqrt(Math.max(0, tr.osc[i]));
      for (let j = 0; j < d; j++) {
        dir[i * d + j] = u[j];
        lo[i * d + j] = w[j] - sigma * u[j];
        hi[i * d + j] = w[j] + sigma * u[j];
      }
    }
    Object.assign(out, { sigmaDir: dir, lo, hi });
  }
  return out;
}

/** The run the store shows, built from a stored run file's text. */
export function storedRunView(text: string, runId: number): { run: RunView; eigStart: number[]; startUsed: number[] } {
  const file = parseRunFile(text);
  const traces = runFileTraces(file);
  let inst: ReturnType<typeof createProblem> | null | undefined;
  const problemOf = () => {
    if (inst === undefined) {
      try {
        inst = createProblem({ id: file.problem.id, params: file.problem.params, choices: file.problem.choices, expr: file.problem.expr });
      } catch {
        inst = null;
      }
    }
    return inst;
  };
  const view: Partial<Record<FlowId, ViewTrace>> = {};
  const onset: Partial<Record<FlowId, number>> = {};
  let frontier = 0;
  for (const id of FLOW_IDS) {
    const tr = traces[id];
    if (!tr) continue;
    view[id] = withGeometry(tr, problemOf);
    for (let i = 0; i < tr.length; i++) {
      if (tr.sharpness[i * tr.eigK] > 2 / file.eta) {
        onset[id] = tr.t[i];
        break;
      }
    }
    if (tr.length) frontier = Math.max(frontier, tr.t[tr.length - 1]);
  }
  const spec = getProblemSpec(file.problem.id);
  const gd = traces.gd ?? Object.values(traces)[0];
  const eigStart = gd ? Array.from(gd.sharpness.subarray(0, gd.eigK)).filter(Number.isFinite) : [];
  const flows = FLOW_IDS.filter((f) => traces[f]);
  const run: RunView = {
    runId,
    mode: 'horizon',
    info: {
      runId,
      label: file.problem.label ?? file.problem.id,
      dim: file.problem.dim,
      window: spec?.defaults.window,
      start: file.start ?? [],
      eigStart,
      flows,
      t0: file.t0 ?? 0,
      steps: file.steps,
      mode: 'horizon',
      flowOptions: (file.flowOptions ?? {}) as RunInfo['flowOptions'],
    },
    traces: view,
    step: file.steps,
    done: true,
    computing: false,
    onset,
    error: null,
    eta: file.eta,
    t0: file.t0 ?? 0,
    computeMs: 0,
    frontier,
    stored: true,
  };
  return { run, eigStart, startUsed: file.start ?? [] };
}

/** The stored run now shown (its runId and whether it is a network's), for watchStored. */
let shown: { runId: number; network: boolean } | null = null;

/** Measurements for the bench and the e2e tests: navigation → stored run installed, ms. */
export const lessonPerf = { installs: [] as { id: string; ms: number }[] };

/**
 * Put the stored run `id` into the store over the current run, if the page still shows `state`'s
 * settings. Resolves true when installed.
 */
export async function openStored(id: string, state: string, t0 = performance.now()): Promise<boolean> {
  const want = runIdentity(stateSettings(state));
  let text: string;
  try {
    text = await fetchStored(id);
  } catch {
    return false; // the live run the controller started stays: the scene still works, just computes
  }
  const st = store.getState();
  if (runIdentity(st.settings) !== want) return false;
  const runId = st.run.runId;
  const { run, eigStart, startUsed } = storedRunView(text, runId);
  store.setState({ run, playhead: run.frontier, playing: false, eigStart, startUsed, ghosts: [] });
  shown = { runId, network: getProblemSpec(st.settings.problem)?.kind === 'network' };
  lessonPerf.installs.push({ id, ms: performance.now() - t0 });
  return true;
}

/**
 * A stored network run that the controller forked (η changed after scrubbing back) is restarted live
 * from the start: the worker never computed the stored run, so it cannot fork it.
 */
export function watchStored(): () => void {
  return store.subscribe((s, prev) => {
    if (!shown || s.run.runId === prev.run.runId) return;
    const was = shown;
    shown = null;
    if (was.network && prev.run.runId === was.runId && s.run.t0 > 0) queueMicrotask(() => reset());
  });
}
