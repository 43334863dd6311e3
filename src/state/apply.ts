/**
 * Settings changes: what a new value invalidates (a new grid, a new run, a fork for a mid-run η
 * change), then the address bar. The actions the controls call (setSettings, selectProblem, setEta, …).
 */
import { isEta } from '../engine/eta.ts';
import { getProblemSpec } from '../engine/problems/registry.ts';
import type { EngineChoice } from '../engine/gpu/engine-backend.ts';
import { get, set } from './commit.ts';
import { isRebuilding, startFromLink } from './forks.ts';
import { requestGrid } from './grid.ts';
import { forkRun, startRun } from './runs.ts';
import { edgeLambda, etaJustBelow, forksKey, leadStop, modeFor, problemKey, runEnd, runKey, streamFinished } from './selectors.ts';
import { effectiveSpeed, problemDefaults, type Settings } from './settings.ts';
import { writeUrl } from './url-sync.ts';
import { post } from './worker-link.ts';

/** η changes closer together than this re-run the same fork instead of forking again (slider drags). */
const FORK_COALESCE_MS = 450;
let lastEtaChange = 0;

export interface ApplyOptions {
  history: 'push' | 'replace' | 'none';
  showAll?: boolean;
  forkEta?: boolean;
  /** The settings come from the URL (history back/forward), fork history included. */
  fromLink?: boolean;
}

/**
 * Apply new settings: re-run what they invalidate. `fromLink`: a different fork history (or η on top of
 * one) is rebuilt.
 */
export function apply(next: Settings, prev: Settings, opts: ApplyOptions): void {
  set({ settings: next });
  if (problemKey(next) !== problemKey(prev)) requestGrid(next);
  const relink = opts.fromLink && (forksKey(next) !== forksKey(prev) || (next.forks !== undefined && next.eta !== prev.eta));
  if (runKey(next) !== runKey(prev) || relink) {
    // A new horizon replays at once (1-D/2-D); a network keeps its play state.
    const o = { showAll: opts.showAll, play: modeFor(next) === 'horizon' && !opts.showAll ? true : undefined };
    if (opts.fromLink) startFromLink(next, o);
    else startRun(next, o);
  } else if (next.eta !== prev.eta) {
    etaChanged(next, opts.forkEta ?? true);
  }
  // After the run: a fork or a fresh start changes the fork history the URL carries.
  if (opts.history !== 'none') writeUrl(get().settings, opts.history);
  // A new speed while a network computes: the worker's slices change. A finished run (a cached one
  // replaying, or one whose lead flow diverged) has nothing to compute: the replay clock alone speeds up.
  const run = get().run;
  if (next.speed !== prev.speed && get().playing && run.mode === 'stream' && !streamFinished(run)) {
    post({ type: 'play', runId: run.runId, stepsPerSlice: effectiveSpeed(next) });
  }
}

function etaChanged(s: Settings, allowFork: boolean): void {
  const st = get();
  const r = st.run;
  const now = performance.now();
  const recent = now - lastEtaChange < FORK_COALESCE_MS;
  lastEtaChange = now;
  const p = st.playhead;
  const stop = leadStop(r);
  const midRun = r.info !== null && p > 0 && p < runEnd(r) && !(stop && p >= stop.step) && !r.error;
  // η changed while a link's forks are still being rebuilt (a few frames): the history so far is not
  // the one the settings hold, so start afresh rather than fork a half-built run.
  if (isRebuilding()) startRun(s, { play: r.mode === 'horizon' ? true : undefined });
  else if (allowFork && r.t0 > 0 && (recent || p === r.t0) && r.info) forkRun(s.eta, true);
  else if (allowFork && midRun) forkRun(s.eta, false);
  else startRun(s, { keepGhosts: false, play: r.mode === 'horizon' ? true : undefined });
}

export function setSettings(patch: Partial<Settings>, history: 'push' | 'replace' = 'push'): void {
  const prev = get().settings;
  apply({ ...prev, ...patch }, prev, { history });
}

/** Switch problem: its own defaults, keeping view preferences. */
export function selectProblem(id: string): void {
  const spec = getProblemSpec(id);
  if (!spec) return;
  const prev = get().settings;
  const next = problemDefaults(spec, prev);
  next.flows = prev.flows;
  next.flowOptions = prev.flowOptions;
  // The engine is a preference of this device, not of the problem.
  if (prev.engine) next.engine = prev.engine;
  apply(next, prev, { history: 'push' });
}

/** Networks: choose what runs the flows (restarts the run on it). */
export function setEngine(engine: EngineChoice): void {
  setSettings({ engine: engine === 'float64' ? undefined : engine }, 'push');
}

export function setEta(eta: number): void {
  if (!isEta(eta)) return;
  setSettings({ eta }, 'push');
}

/** η = 0.99 · 2/λ (see selectors.ts edgeLambda); `restart`: from the start instead of a fork. */
export function etaBelowEdge(restart = false): void {
  const l = edgeLambda(get())?.lambda ?? NaN;
  if (!(l > 0)) return;
  const prev = get().settings;
  apply({ ...prev, eta: etaJustBelow(l) }, prev, { history: 'push', forkEta: !restart });
}
