/**
 * Run lifecycle: a fresh run from the start (startRun) and a fork of the current run at the playhead
 * with a new η (forkRun). Each posts one message to the worker and resets the RunView; the samples
 * come back through chunks.ts.
 */
import type { FlowId } from '../engine/types.ts';
import { rememberGoodRun, servedFromCache, showAllFor } from './chunks.ts';
import { get, set } from './commit.ts';
import { perf } from './perf.ts';
import { cacheGet, cacheKey, type CachedRun } from './run-cache.ts';
import { configOf, engineOf, fmtEta, freezeTime, modeFor, upToTime } from './selectors.ts';
import { effectiveSpeed, type Settings } from './settings.ts';
import { createSignal } from './signal.ts';
import { emptyRun, type Overlay } from './store.ts';
import type { ViewTrace } from './trace-buffer.ts';
import { post, workerReplace, workerSilentFor } from './worker-link.ts';

/** A worker silent this long after a run was posted is busy in one synchronous piece of work, ms. */
const BUSY_WORKER_MS = 1000;

/** Ghost runs kept after forks (the oldest go first). */
export const MAX_GHOSTS = 6;

let runCounter = 0;

/** The id of the last run requested. */
export function lastRunId(): number {
  return runCounter;
}

/** A run was requested (fresh or fork): its id. The fork rebuild listens to notice a person's action. */
export const runStarted = createSignal<{ runId: number; fork: boolean }>();

/** Forget the fork history (a fresh run from the start); the caller writes the URL. */
export function clearForks(): void {
  const s = get().settings;
  if (s.forks === undefined) return;
  const next = { ...s };
  delete next.forks;
  set({ settings: next });
}

export interface StartOptions {
  keepGhosts?: boolean;
  /** A drag: the previous path stays drawn until the new one arrives, and the playhead jumps to the end. */
  showAll?: boolean;
  play?: boolean;
  /** Keep settings.forks (the run is the first segment of a fork history being rebuilt). */
  keepForks?: boolean;
}

/** A fresh run from the start with the settings `s` (η = s.eta). Returns its id. */
export function startRun(s: Settings, opts: StartOptions = {}): number {
  const mode = modeFor(s);
  rememberGoodRun();
  if (!opts.keepForks) clearForks();
  const runId = ++runCounter;
  const cached = mode === 'stream' ? cacheGet(cacheKey(s)) : undefined;
  if (cached) return startCached(s, runId, cached, opts);
  if (opts.showAll) showAllFor(runId);
  const fresh = emptyRun(runId, mode, s.eta, 0);
  // During a drag the previous path (and playhead, and onset marks) stays drawn until the new one
  // arrives: posting the request then re-renders nothing costly, and each move redraws once, not twice.
  const keep = opts.showAll && get().run.mode === mode;
  if (keep) {
    fresh.traces = get().run.traces;
    fresh.onset = get().run.onset;
    // The label and clock stay too (the new run's info replaces them within a few ms); not a fork's,
    // whose clock starts elsewhere.
    const info = get().run.info;
    fresh.info = info && info.t0 === 0 ? info : null;
  }
  set({
    run: fresh,
    playhead: keep ? get().playhead : 0,
    ...(opts.keepGhosts ? {} : { ghosts: [] }),
    ...(opts.play !== undefined ? { playing: opts.play } : {}),
  });
  // The badge keeps saying what runs until the worker reports on this run; a new choice shows as
  // starting at once (the worker reports 'calibrating' in a moment).
  const engine = engineOf(s);
  const was = get().engine;
  const shownFor = !was ? null : was.phase === 'calibrating' ? was.requested : was.info.requested;
  if (engine === 'float64') set({ engine: null });
  else if (shownFor !== engine) set({ engine: { runId, phase: 'calibrating', requested: engine } });
  // A worker still silent on the previous run (e.g. compiling a huge expression) is replaced, not queued behind.
  if (workerSilentFor(BUSY_WORKER_MS)) workerReplace.emit();
  perf.runPosted.set(runId, performance.now());
  postRun(s, runId);
  if (mode === 'stream' && get().playing) post({ type: 'play', runId, stepsPerSlice: effectiveSpeed(s) });
  runStarted.emit({ runId, fork: false });
  return runId;
}

function postRun(s: Settings, runId: number): void {
  const engine = engineOf(s);
  post({ type: 'run', runId, config: configOf(s), mode: modeFor(s), ...(engine !== 'float64' ? { engine } : {}) });
}

/**
 * A network run computed before on this page (run-cache.ts): shown whole at once, playhead at its end,
 * not playing. The worker is still given the run (it computes nothing until asked), so that a fork of it
 * at any step can be served: the worker replays GD from the start to the fork (worker/host.ts).
 */
function startCached(s: Settings, runId: number, cached: CachedRun, opts: StartOptions): number {
  const c = cached.run;
  servedFromCache(runId);
  const run = { ...c, runId, info: c.info ? { ...c.info, runId } : null, computing: false };
  set({
    run,
    playhead: freezeTime(run),
    playing: false,
    eigStart: cached.eigStart,
    startUsed: cached.startUsed,
    ...(opts.keepGhosts ? {} : { ghosts: [] }),
    ...(engineOf(s) === 'float64' ? { engine: null } : {}),
  });
  if (workerSilentFor(BUSY_WORKER_MS)) workerReplace.emit();
  postRun(s, runId);
  runStarted.emit({ runId, fork: false });
  return runId;
}

/**
 * Fork the current run at the playhead with step size `eta` (see protocol.ts 'fork'). `sameBase`: η
 * changed again at the same fork point (replace the fork, no new ghost). `record`: add the fork to
 * settings.forks (the history a link carries; a rebuild already has it). Returns the new run's id.
 */
export function forkRun(eta: number, sameBase: boolean, record = true): number {
  const st = get();
  const old = st.run;
  const runId = ++runCounter;
  const t = sameBase ? old.t0 : st.playhead;
  let ghosts = st.ghosts;
  if (!sameBase && record && old.mode === 'horizon') set({ settings: { ...st.settings, forks: [...(st.settings.forks ?? []), { t, eta: old.eta }] } });
  if (!sameBase) {
    const traces: Overlay['traces'] = {};
    for (const [id, tr] of Object.entries(old.traces) as [FlowId, ViewTrace][]) traces[id] = upToTime(tr, t);
    ghosts = [...ghosts, { key: `ghost-${old.runId}`, name: `η = ${fmtEta(old.eta)}`, kind: 'ghost' as const, eta: old.eta, traces, visible: true }].slice(-MAX_GHOSTS);
  }
  set({ run: emptyRun(runId, old.mode, eta, t), ghosts, playhead: t });
  post({ type: 'fork', runId, fromRunId: old.runId, t, eta, sameBase });
  if (old.mode === 'stream' && st.playing) post({ type: 'play', runId, stepsPerSlice: effectiveSpeed(st.settings) });
  runStarted.emit({ runId, fork: true });
  return runId;
}
