/**
 * The page's side effects: the worker, the replay clock (requestAnimationFrame), the URL and history.
 * Components call these actions; they never talk to the worker themselves.
 */
import { getProblemSpec } from '../engine/problems/registry.ts';
import { parseRunFile, runFileTraces } from '../engine/run-file.ts';
import type { FlowId, ProblemSettings, RunConfig } from '../engine/types.ts';
import type { EngineChoice } from '../engine/gpu/engine-backend.ts';
import type { FromWorker, RunInfo, RunMode, ToWorker } from '../worker/protocol.ts';
import { effectiveSpeed, problemDefaults, type ControlId, type ForkSeg, type Settings } from './settings.ts';
import { emptyRun, store, type AppState, type Overlay, type RunView } from './store.ts';
import { applyChunk, type ViewTrace } from './trace-buffer.ts';
import { parseUrl, toUrl } from './url.ts';

const GRID_N = 120;
const MAX_GHOSTS = 6;
/** η changes closer together than this re-run the same fork instead of forking again (slider drags). */
const FORK_COALESCE_MS = 450;
const HISTORY_COALESCE_MS = 700;
/** Stream mode: the worker's chunks are committed to the page at most this often. */
const STREAM_COMMIT_MS = 100;

let worker: Worker | null = null;
let runCounter = 0;
let reqCounter = 0;
const pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
let lastEtaChange = 0;
let lastPush = 0;
/** After a restart with `showAll`, the playhead jumps to the end when the data arrive (drags). */
let showAllRun = -1;
let gridKey = '';
let lastPointerTs = 0;

/** Measurements for the browser bench and the tests. */
export const perf = {
  /** Drag event → first frame drawn with the recomputed trajectory, ms. */
  drag: [] as number[],
  /** Drag event → frame drawn with the whole recomputed horizon, ms. */
  dragFull: [] as number[],
  dragMark: new Map<number, number>(),
  dragFullMark: new Map<number, number>(),
  /** Run request posted → its first chunk received from the worker, ms (worker latency). */
  firstChunk: [] as number[],
  runPosted: new Map<number, number>(),
  /** Worker compute time of each chunk, ms. */
  sliceMs: [] as number[],
  /** The worker's own part of firstChunk (request received → first chunk posted), ms. */
  workerFirst: [] as number[],
  chunks: 0,
  /**
   * Where a drag's first frame spends its time, per drag: [pointer event → run request posted,
   * posted → first chunk arrives on the main thread, arrival → its commit starts, commit → page
   * rendered and plots drawn, → the frame that shows them is done], ms.
   */
  dragParts: [] as number[][],
  partMark: new Map<number, number[]>(),
};

/**
 * A drag move's state changes (the start, the new run) held back until the move's first chunk arrives,
 * then committed together with it: the page renders once per move, not twice, and the render of the
 * settings alone no longer occupies the main thread (and delays the frame) while the worker computes.
 * The controller itself reads through the hold (get), so its logic sees the same state as without it.
 */
let held: Partial<AppState> | null = null;
let heldTimer: ReturnType<typeof setTimeout> | undefined;
/** A move whose first chunk is late (a slow problem) shows its settings anyway after this long, ms. */
const HOLD_MAX_MS = 40;

let toastTimer: ReturnType<typeof setTimeout> | undefined;
const set = (p: Partial<AppState>) => {
  // zustand merges top-level keys: merging into the hold and committing it later is the same state.
  if (held) Object.assign(held, p);
  else store.setState(p);
  // Status lines fade after a while; errors stay until dismissed.
  if (p.toast && !p.toast.error) {
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => set({ toast: null }), 5000);
  }
};
const get = (): AppState => (held ? { ...store.getState(), ...held } : store.getState());

function holdUpdates(): void {
  if (held) return;
  held = {};
  heldTimer = setTimeout(releaseHeld, HOLD_MAX_MS);
}

/** Commit what was held (one store update, one render). */
function releaseHeld(): void {
  if (!held) return;
  const p = held;
  held = null;
  clearTimeout(heldTimer);
  store.setState(p);
}

export function modeFor(s: Settings): RunMode {
  return getProblemSpec(s.problem)?.kind === 'network' ? 'stream' : 'horizon';
}

export function problemSettingsOf(s: Settings): ProblemSettings {
  const p: ProblemSettings = { id: s.problem, params: { ...s.params } };
  if (Object.keys(s.choices).length) p.choices = { ...s.choices };
  if (s.expr !== undefined) p.expr = s.expr;
  return p;
}

/** What runs the flows: the chosen engine for networks; 1-D/2-D problems always run the float64 reference. */
export function engineOf(s: Settings): EngineChoice {
  return modeFor(s) === 'stream' ? (s.engine ?? 'float64') : 'float64';
}

/** The engine's RunConfig for the settings (the same config the CLI builds from the same values). */
export function configOf(s: Settings): RunConfig {
  const c: RunConfig = { problem: problemSettingsOf(s), eta: s.eta, steps: s.steps, flows: [...s.flows] };
  if (s.start) c.start = [...s.start];
  if (Object.keys(s.flowOptions).length) c.flowOptions = structuredClone(s.flowOptions);
  return c;
}

function post(msg: ToWorker): void {
  worker?.postMessage(msg);
}

function request<T extends FromWorker['type']>(msg: ToWorker & { reqId: number }): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((resolve, reject) => {
    pending.set(msg.reqId, { resolve: resolve as (m: FromWorker) => void, reject });
    post(msg);
  });
}

// ------------------------------------------------------------------------------------------------
// Runs

/**
 * A link's fork history being rebuilt (settings.forks): the run `runId` (with η = forks[i].eta) is forked
 * at forks[i].t as soon as its samples reach that time, by the same forkRun a person's η change calls,
 * so that the page ends with the same current run and the same ghosts as the page the link came from.
 */
let rebuild: { runId: number; forks: ForkSeg[]; i: number } | null = null;

/**
 * The last run that computed, and its problem: when new settings of the same problem are invalid (an
 * expression that does not parse, an input error), the plots keep showing it beside the error.
 */
let lastGood: { run: RunView; problem: string } | null = null;
/** The problem whose loss grid is shown: a failed grid request for it (invalid input) keeps that grid. */
let gridProblem = '';

/** Forget the fork history (a fresh run from the start); the caller writes the URL. */
function clearForks(): void {
  const s = get().settings;
  if (s.forks === undefined) return;
  const next = { ...s };
  delete next.forks;
  set({ settings: next });
}

/**
 * A fresh run from the start. It forgets the fork history, unless `rebuild` (a link or history entry
 * that carries one): then it runs the first segment and the forks follow (continueRebuild).
 */
function startRun(s: Settings, opts: { keepGhosts?: boolean; showAll?: boolean; play?: boolean; rebuild?: boolean } = {}): void {
  const mode = modeFor(s);
  const cur = get().run;
  if (cur.info && !cur.error) lastGood = { run: cur, problem: get().settings.problem };
  rebuild = null;
  const forks = opts.rebuild && mode === 'horizon' ? s.forks : undefined;
  if (forks?.length) {
    rebuild = { runId: runCounter + 1, forks, i: 0 };
    s = { ...s, eta: forks[0].eta };
  } else clearForks();
  const runId = ++runCounter;
  if (opts.showAll) showAllRun = runId;
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
  perf.runPosted.set(runId, performance.now());
  post({ type: 'run', runId, config: configOf(s), mode, ...(engine !== 'float64' ? { engine } : {}) });
  if (mode === 'stream' && get().playing) post({ type: 'play', runId, stepsPerSlice: effectiveSpeed(s) });
}

/** Fork the current run at the playhead with step size `eta` (see protocol.ts 'fork'). */
function forkRun(eta: number, sameBase: boolean): void {
  const st = get();
  const old = st.run;
  const runId = ++runCounter;
  const t = sameBase ? old.t0 : st.playhead;
  let ghosts = st.ghosts;
  // The history the link carries (1-D/2-D): a new fork adds the forked run's (t, η); a sameBase fork
  // only changes the current η, which the link carries anyway. A rebuild already has the whole history.
  if (!sameBase && !rebuild && old.mode === 'horizon') set({ settings: { ...st.settings, forks: [...(st.settings.forks ?? []), { t, eta: old.eta }] } });
  if (!sameBase) {
    const traces: Overlay['traces'] = {};
    for (const [id, tr] of Object.entries(old.traces) as [FlowId, ViewTrace][]) traces[id] = upToTime(tr, t);
    ghosts = [...ghosts, { key: `ghost-${old.runId}`, name: `η = ${fmtEta(old.eta)}`, kind: 'ghost' as const, eta: old.eta, traces, visible: true }].slice(-MAX_GHOSTS);
  }
  set({ run: emptyRun(runId, old.mode, eta, t), ghosts, playhead: t });
  post({ type: 'fork', runId, fromRunId: old.runId, t, eta, sameBase });
  if (old.mode === 'stream' && st.playing) post({ type: 'play', runId, stepsPerSlice: effectiveSpeed(st.settings) });
}

/**
 * Rebuild step (after each commit of samples): once the run being rebuilt has reached its fork time,
 * fork it as a person would have (playhead at t, then forkRun). A history the run cannot reproduce
 * (a fork after the lead flow diverged or after the end) opens as if the link had no forks, with a notice.
 */
function continueRebuild(): void {
  const rb = rebuild;
  if (!rb) return;
  const st = get();
  const r = st.run;
  if (r.runId !== rb.runId) {
    rebuild = null; // superseded by a newer run (a person's action)
    return;
  }
  const seg = rb.forks[rb.i];
  const lf = leadFlow(r);
  const stop = lf ? r.traces[lf]?.stopped : null;
  if (r.error || (stop && seg.t >= stop.step) || (r.done && r.frontier < seg.t) || seg.t <= r.t0) {
    rebuild = null;
    const text = st.settings.forks!.map((f) => `${f.t}:${f.eta}`).join(',');
    set({ notices: [...st.notices, `Parts of the link were ignored: fork=${text} (the run with η = ${seg.eta} does not reach step ${seg.t}); the run starts from the start.`] });
    startRun(st.settings, { play: r.mode === 'horizon' ? st.playing : undefined });
    writeUrl(get().settings, 'replace');
    return;
  }
  if (r.frontier < seg.t) return; // more samples to come
  const eta = rb.i + 1 < rb.forks.length ? rb.forks[rb.i + 1].eta : st.settings.eta;
  set({ playhead: seg.t });
  forkRun(eta, false);
  rb.i++;
  rb.runId = runCounter;
  if (rb.i === rb.forks.length) rebuild = null;
}

function upToTime(tr: ViewTrace, time: number): ViewTrace {
  let n = 0;
  while (n < tr.length && tr.t[n] <= time) n++;
  return { ...tr, length: n };
}

export function fmtEta(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** End of the clock for the current run (absolute). */
export function runEnd(r: RunView): number {
  return r.info ? r.info.t0 + r.info.steps : r.t0;
}

/** The flow whose divergence freezes the run: GD, or the first flow when GD is off. */
export function leadFlow(r: RunView): FlowId | undefined {
  if (r.traces.gd) return 'gd';
  return r.info?.flows[0];
}

/** Where the replay must stop: the lead flow's stop (divergence) or the last computed sample. */
export function freezeTime(r: RunView): number {
  const lf = leadFlow(r);
  const stop = lf ? r.traces[lf]?.stopped : null;
  return stop ? Math.min(stop.step, r.frontier) : r.frontier;
}

function onMessage(ev: MessageEvent<FromWorker>): void {
  const m = ev.data;
  if ('reqId' in m && m.reqId !== undefined && pending.has(m.reqId)) {
    const p = pending.get(m.reqId)!;
    pending.delete(m.reqId);
    if (m.type === 'error') p.reject(new Error(m.message));
    else p.resolve(m);
    return;
  }
  const st = get();
  switch (m.type) {
    case 'info': {
      if (m.info.runId !== st.run.runId) return;
      // While the start is dragged, the first chunk follows within a few ms: commit both together
      // (one page render on the way to the dragged path's frame, not two).
      if (st.dragging && m.info.mode === 'horizon') {
        heldInfo = m.info;
        return;
      }
      set(infoPatch(st.run, m.info));
      break;
    }
    case 'chunk': {
      if (m.runId !== st.run.runId) return;
      const posted = perf.runPosted.get(m.runId);
      if (posted !== undefined) {
        perf.runPosted.delete(m.runId);
        perf.partMark.get(m.runId)?.push(performance.now());
        perf.firstChunk.push(performance.now() - posted);
        if (m.sinceRequest !== undefined) perf.workerFirst.push(m.sinceRequest);
      }
      chunkQueue.push(m);
      // A dragged start's first chunk is committed (drawn) at once, so that the very next frame shows
      // it; drawing it inside the next animation frame would hold that frame back by the drawing time.
      if (st.dragging && st.run.mode === 'horizon' && m.reset) {
        flushChunks(false);
        break;
      }
      // Chunks are committed at most once per animation frame (the worker may send several per frame).
      if (!chunkFlushScheduled) {
        chunkFlushScheduled = true;
        // A network's samples trickle in: commit them ~10 times a second so the page keeps its frame rate.
        if (st.run.mode === 'stream') setTimeout(() => requestAnimationFrame(() => flushChunks()), STREAM_COMMIT_MS);
        else requestAnimationFrame(() => flushChunks());
      }
      break;
    }
    case 'engine': {
      if (m.runId !== st.run.runId) return;
      const patch: Partial<AppState> = { engine: { ...m.status, runId: m.runId } };
      // An engine that ends up on float64 although a tfjs backend was asked for says why (once per run).
      const info = m.status.phase === 'running' ? m.status.info : null;
      if (info && info.name === 'float64' && info.requested !== 'float64' && info.requested !== 'auto') {
        const why = info.failed.map((f) => `${f.name}: ${f.reason}`).join('; ');
        patch.notices = [...st.notices, `The engine '${info.requested}' could not start${why ? ` (${why})` : ''}; the network runs on CPU float64 instead.`];
      }
      set(patch);
      break;
    }
    case 'memory':
      remember(m.key, m.value);
      break;
    case 'error': {
      if (m.runId !== undefined && m.runId !== st.run.runId) return;
      heldInfo = null;
      const error = { message: m.message, position: m.position, input: m.input };
      // Invalid input: the last valid run of this problem stays on screen (whole), with the error beside it;
      // "λ at start" belonged to the settings that were replaced, so it goes.
      const keep = m.input && lastGood && lastGood.problem === st.settings.problem && !st.run.info ? lastGood.run : null;
      if (keep) set({ run: { ...keep, runId: st.run.runId, computing: false, error }, playing: false, playhead: freezeTime(keep), eigStart: [] });
      else set({ run: { ...st.run, computing: false, error }, playing: false, ...(m.input ? { eigStart: [] } : {}) });
      releaseHeld();
      continueRebuild();
      break;
    }
    default:
      break;
  }
}

/** A dragged run's info, committed with its first chunk (see onMessage). */
let heldInfo: RunInfo | null = null;

function infoPatch(run: RunView, info: RunInfo): Partial<AppState> {
  const patch: Partial<AppState> = { run: { ...run, info, t0: info.t0 } };
  if (info.t0 === 0) {
    patch.eigStart = info.eigStart;
    patch.startUsed = info.start;
  }
  return patch;
}

type ChunkMsg = Extract<FromWorker, { type: 'chunk' }>;
const chunkQueue: ChunkMsg[] = [];
let chunkFlushScheduled = false;

/** Runs `f` after the current frame has been produced (a macrotask queued from a rAF callback). */
const afterFrameChannel = new MessageChannel();
const afterFrameQueue: (() => void)[] = [];
afterFrameChannel.port1.onmessage = () => afterFrameQueue.splice(0).forEach((f) => f());
function afterFrame(f: () => void): void {
  afterFrameQueue.push(f);
  afterFrameChannel.port2.postMessage(0);
}
/** `f` once the frame that shows what was just drawn is produced: this one (inside a rAF) or the next. */
function onFrameDone(inFrame: boolean, f: () => void): void {
  if (inFrame) afterFrame(f);
  else requestAnimationFrame(() => afterFrame(f));
}

/** Commit the queued chunks; `inFrame`: called from an animation frame (else: the next frame shows them). */
function flushChunks(inFrame = true): void {
  if (inFrame) chunkFlushScheduled = false;
  const flushAt = performance.now();
  for (const m of chunkQueue) {
    const pm = perf.partMark.get(m.runId);
    if (pm && pm.length === 3) pm.push(flushAt);
  }
  const msgs = chunkQueue.splice(0);
  const st = get();
  let run = st.run;
  let patch: Partial<AppState> = {};
  if (heldInfo) {
    if (heldInfo.runId === run.runId) {
      patch = infoPatch(run, heldInfo);
      run = patch.run!;
    }
    heldInfo = null;
  }
  const marks: [number, boolean][] = [];
  for (const m of msgs) {
    if (m.runId !== run.runId) continue;
    perf.chunks++;
    perf.sliceMs.push(m.ms);
    const traces = { ...run.traces };
    let frontier = run.t0;
    for (const c of m.chunks) {
      const tr = applyChunk(m.reset ? undefined : traces[c.flow], c);
      traces[c.flow] = tr;
      if (tr.length) frontier = Math.max(frontier, tr.t[tr.length - 1]);
    }
    run = { ...run, traces, step: m.step, done: m.done, computing: !m.done, onset: m.onset, computeMs: m.ms, frontier };
    marks.push([m.runId, m.done]);
  }
  if (!marks.length) {
    if (patch.run) set(patch);
    return;
  }
  const rebuilding = rebuild !== null;
  patch.run = run;
  if (run.mode === 'stream') {
    patch.playhead = run.frontier;
    const lf = leadFlow(run);
    if (lf && run.traces[lf]?.stopped && st.playing) {
      patch.playing = false;
      post({ type: 'pause', runId: run.runId });
    }
    if (run.done && st.playing) patch.playing = false;
  } else if (st.dragging || showAllRun === run.runId) {
    patch.playhead = freezeTime(run);
  }
  set(patch);
  // A dragged move's settings and run are committed with its first samples (see `held`).
  releaseHeld();
  if (rebuilding) continueRebuild();
  // React renders (and the plots draw) in a microtask queued by set(); this one runs after it.
  const rendered = { at: NaN };
  queueMicrotask(() => (rendered.at = performance.now()));
  for (const [runId, done] of marks) {
    const t0 = perf.dragMark.get(runId);
    if (t0 !== undefined) {
      perf.dragMark.delete(runId);
      const parts = perf.partMark.get(runId);
      perf.partMark.delete(runId);
      onFrameDone(inFrame, () => {
        const now = performance.now();
        perf.drag.push(now - t0);
        // [pointer, posted, arrived, flush start] → differences, then the frame.
        if (parts && parts.length === 4) perf.dragParts.push([parts[1] - parts[0], parts[2] - parts[1], parts[3] - parts[2], rendered.at - parts[3], now - rendered.at]);
      });
    }
    const t1 = perf.dragFullMark.get(runId);
    if (t1 !== undefined && done) {
      perf.dragFullMark.delete(runId);
      onFrameDone(inFrame, () => perf.dragFull.push(performance.now() - t1));
    }
  }
}

function requestGrid(s: Settings): void {
  const spec = getProblemSpec(s.problem);
  const key = JSON.stringify(problemSettingsOf(s));
  if (key === gridKey) return;
  gridKey = key;
  if (!spec || spec.kind === 'network') {
    set({ grid: null });
    return;
  }
  const reqId = ++reqCounter;
  request<'grid'>({ type: 'grid', reqId, problem: problemSettingsOf(s), n: GRID_N })
    .then((m) => {
      if (gridKey === key) set({ grid: m.grid });
      if (gridKey === key) gridProblem = s.problem;
    })
    .catch(() => {
      // Invalid input for the problem shown: its last landscape stays, under the last valid run.
      if (gridKey === key && gridProblem !== s.problem) set({ grid: null });
    });
}

// ------------------------------------------------------------------------------------------------
// Settings and history

const problemKey = (s: Settings) => JSON.stringify([s.problem, s.params, s.choices, s.expr]);
const runKey = (s: Settings) => JSON.stringify([problemKey(s), s.start, s.steps, s.flows, s.flowOptions, engineOf(s)]);

function writeUrl(s: Settings, how: 'push' | 'replace'): void {
  const url = toUrl(s);
  if (url === location.search) return;
  const now = performance.now();
  if (how === 'replace' || now - lastPush < HISTORY_COALESCE_MS) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  lastPush = now;
}

const forksKey = (s: Settings) => JSON.stringify(s.forks ?? []);

/**
 * Apply new settings: re-run what they invalidate. `fromLink`: the settings come from the URL (history
 * back/forward), fork history included: a different history (or η on top of one) is rebuilt.
 */
function apply(next: Settings, prev: Settings, opts: { history: 'push' | 'replace' | 'none'; showAll?: boolean; forkEta?: boolean; fromLink?: boolean }): void {
  set({ settings: next });
  if (problemKey(next) !== problemKey(prev)) requestGrid(next);
  const relink = opts.fromLink && (forksKey(next) !== forksKey(prev) || (next.forks !== undefined && next.eta !== prev.eta));
  if (runKey(next) !== runKey(prev) || relink) {
    // A new horizon replays at once (1-D/2-D); a network keeps its play state.
    startRun(next, { showAll: opts.showAll, play: modeFor(next) === 'horizon' && !opts.showAll ? true : undefined, rebuild: opts.fromLink });
  } else if (next.eta !== prev.eta) {
    etaChanged(next, opts.forkEta ?? true);
  }
  // After the run: a fork or a fresh start changes the fork history the URL carries.
  if (opts.history !== 'none') writeUrl(get().settings, opts.history);
  if (next.speed !== prev.speed && get().playing && get().run.mode === 'stream') {
    post({ type: 'play', runId: get().run.runId, stepsPerSlice: effectiveSpeed(next) });
  }
}

function etaChanged(s: Settings, allowFork: boolean): void {
  const st = get();
  const r = st.run;
  const now = performance.now();
  const recent = now - lastEtaChange < FORK_COALESCE_MS;
  lastEtaChange = now;
  const p = st.playhead;
  const end = runEnd(r);
  const lf = leadFlow(r);
  const stop = lf ? r.traces[lf]?.stopped : null;
  const midRun = r.info !== null && p > 0 && p < end && !(stop && p >= stop.step) && !r.error;
  // η changed while a link's forks are still being rebuilt (a few frames): the history so far is not
  // the one the settings hold, so start afresh rather than fork a half-built run.
  if (rebuild) startRun(s, { play: r.mode === 'horizon' ? true : undefined });
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
  if (!(eta > 0) || !Number.isFinite(eta)) return;
  setSettings({ eta }, 'push');
}

/** λ₁ of gradient flow's last recorded state (where the stable flow sharpens to), if it ran. */
export function gfEndSharpness(st: AppState = get()): number | null {
  const tr = st.run.traces['gradient-flow'];
  if (!tr || tr.length === 0) return null;
  const l = tr.sharpness[(tr.length - 1) * tr.eigK];
  return Number.isFinite(l) && l > 0 ? l : null;
}

/** The λ that "just below 2/λ" refers to: λ₁ at the start when positive, else λ₁ at gradient flow's end. */
export function edgeLambda(st: AppState = get()): { lambda: number; where: 'start' | 'gf-end' } | null {
  const l0 = st.eigStart[0];
  if (l0 > 0) return { lambda: l0, where: 'start' };
  const l1 = gfEndSharpness(st);
  return l1 ? { lambda: l1, where: 'gf-end' } : null;
}

/** η = 0.99 · 2/λ (see edgeLambda). */
export function etaBelowEdge(restart = false): void {
  const l = edgeLambda()?.lambda ?? NaN;
  if (!(l > 0)) return;
  const eta = Number(((0.99 * 2) / l).toPrecision(4));
  const prev = get().settings;
  apply({ ...prev, eta }, prev, { history: 'push', forkEta: !restart });
}

export function setStart(p: number[], phase: 'drag' | 'end' | 'typed'): void {
  const prev = get().settings;
  const next = { ...prev, start: p.slice() };
  if (phase === 'drag') {
    holdUpdates();
    set({ dragging: true, playing: false });
    // The URL is written once, at the end of the drag.
    apply(next, prev, { history: 'none', showAll: true });
    // Latency is measured from the pointer event that moved the start (not from this callback).
    const ts = lastPointerTs > 0 ? lastPointerTs : performance.now();
    perf.dragMark.set(runCounter, ts);
    perf.dragFullMark.set(runCounter, ts);
    const posted = perf.runPosted.get(runCounter);
    if (posted !== undefined) perf.partMark.set(runCounter, [ts, posted]);
  } else {
    releaseHeld();
    set({ dragging: false });
    if (runKey(next) !== runKey(prev)) apply(next, prev, { history: 'push' });
    else writeUrl(next, 'push');
    if (phase === 'typed') return;
    // The whole horizon is computed: replay it from the start.
    showAllRun = -1;
    set({ playhead: 0, playing: true });
  }
}

// ------------------------------------------------------------------------------------------------
// Transport

export function play(): void {
  const st = get();
  const r = st.run;
  if (r.error?.input) return; // nothing valid to play (the settings are invalid)
  if (r.mode === 'horizon') {
    if (st.playhead >= freezeTime(r) && r.done) set({ playhead: r.t0 });
    set({ playing: true });
  } else {
    set({ playing: true });
    post({ type: 'play', runId: r.runId, stepsPerSlice: effectiveSpeed(st.settings) });
  }
}

export function pause(): void {
  set({ playing: false });
  post({ type: 'pause', runId: get().run.runId });
}

export function togglePlay(): void {
  if (get().playing) pause();
  else play();
}

export function stepOnce(): void {
  const st = get();
  if (st.run.error?.input) return;
  pause();
  if (st.run.mode === 'horizon') set({ playhead: Math.min(freezeTime(st.run), Math.floor(st.playhead) + 1) });
  else post({ type: 'step', runId: st.run.runId, n: 1 });
}

export function reset(): void {
  const st = get();
  set({ playing: false });
  startRun(st.settings);
  // A reset forgets the forks: the link now opens a fresh run with the current η.
  writeUrl(get().settings, 'push');
}

export function rewind(n: number): void {
  const st = get();
  set({ playing: false, playhead: Math.max(st.run.t0, freezeTime(st.run) - n) });
}

export function setPlayhead(t: number): void {
  const r = get().run;
  set({ playhead: Math.max(r.t0, Math.min(freezeTime(r), Math.round(t))), playing: false });
}

function tick(): void {
  const st = get();
  const r = st.run;
  if (st.playing && r.mode === 'horizon' && !st.dragging && r.info) {
    const end = freezeTime(r);
    const ph = Math.min(end, st.playhead + effectiveSpeed(st.settings));
    // Stop at the end of the data only when the data are complete; otherwise wait for the next chunk.
    if (ph >= end && r.done) set({ playhead: end, playing: false });
    else if (ph !== st.playhead) set({ playhead: ph });
  }
  if (st.frozeRun !== r.runId) {
    const lf = leadFlow(r);
    if (lf && r.traces[lf]?.stopped && get().playhead >= freezeTime(r)) set({ frozeRun: r.runId });
  }
  requestAnimationFrame(tick);
}

// ------------------------------------------------------------------------------------------------
// Runs panel, export, import, links

export function saveRun(name: string): void {
  const st = get();
  const traces: Overlay['traces'] = {};
  for (const [id, tr] of Object.entries(st.run.traces) as [FlowId, ViewTrace][]) traces[id] = upToTime(tr, st.playhead);
  const o: Overlay = { key: `saved-${Date.now()}-${st.saved.length}`, name: name.trim() || `run ${st.saved.length + 1}`, kind: 'saved', eta: st.run.eta, traces, visible: true };
  set({ saved: [...st.saved, o], toast: { text: `Saved “${o.name}”.`, error: false } });
}

export function toggleOverlay(key: string): void {
  const f = (o: Overlay) => (o.key === key ? { ...o, visible: !o.visible } : o);
  set({ saved: get().saved.map(f), ghosts: get().ghosts.map(f) });
}

export function renameOverlay(key: string, name: string): void {
  set({ saved: get().saved.map((o) => (o.key === key ? { ...o, name } : o)) });
}

export function deleteOverlay(key: string): void {
  set({ saved: get().saved.filter((o) => o.key !== key), ghosts: get().ghosts.filter((o) => o.key !== key) });
}

export function clearGhosts(): void {
  set({ ghosts: [] });
}

function download(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Export the current run (whole computed horizon) in the CLI's run-file format, or CSV. */
export async function exportRun(format: 'json' | 'csv'): Promise<string | null> {
  const reqId = ++reqCounter;
  try {
    const m = await request<'export'>({ type: 'export', reqId, runId: get().run.runId, format });
    download(m.text, m.filename, format === 'json' ? 'application/json' : 'text/csv');
    set({ toast: { text: `Exported ${m.filename}.`, error: false } });
    return m.text;
  } catch (e) {
    set({ toast: { text: `Export failed: ${(e as Error).message}`, error: true } });
    return null;
  }
}

/** Import a run file (validated) as an overlay. Returns the overlay key, or null with a message shown. */
export function importRunText(text: string, filename = 'file'): string | null {
  try {
    const file = parseRunFile(text);
    const traces = runFileTraces(file) as Overlay['traces'];
    const st = get();
    const o: Overlay = {
      key: `imported-${Date.now()}-${st.saved.length}`,
      name: `${file.problem.label ?? file.problem.id}, η = ${fmtEta(file.eta)}`,
      kind: 'imported',
      eta: file.eta,
      traces,
      visible: true,
    };
    set({ saved: [...st.saved, o], toast: { text: `Imported ${filename}: ${o.name}.`, error: false } });
    return o.key;
  } catch (e) {
    set({ toast: { text: `Could not import ${filename}: ${(e as Error).message}`, error: true } });
    return null;
  }
}

export function linkFor(hide?: ControlId[]): string {
  return location.origin + location.pathname + toUrl(get().settings, { hide });
}

export async function copyText(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    set({ toast: { text: `${what} copied to the clipboard.`, error: false } });
  } catch {
    set({ toast: { text: `${what}: ${text}`, error: false } });
  }
}

export function dismissNotice(i: number): void {
  set({ notices: get().notices.filter((_, j) => j !== i) });
}

export function setCursor(t: number | null): void {
  if (get().cursorT !== t) set({ cursorT: t });
}

// ------------------------------------------------------------------------------------------------
// Boot

function fromLocation(history: 'replace' | 'none'): void {
  const { settings, ignored } = parseUrl(location.search);
  const prev = get().settings;
  set({ notices: ignored.length ? [`Parts of the link were ignored and their defaults used: ${ignored.join('; ')}.`] : [] });
  if (history === 'replace') {
    set({ settings, playing: settings.play });
    requestGrid(settings);
    startRun(settings, { rebuild: true });
    window.history.replaceState(null, '', toUrl(get().settings));
  } else {
    apply(settings, prev, { history: 'none', forkEta: false, fromLink: true });
  }
}

// ------------------------------------------------------------------------------------------------
// Engine memory: 'auto' remembers its calibration per device. The worker has no localStorage, so the
// page keeps the worker's entries under one key, hands them over at start-up and stores what it reports.

const MEMORY_KEY = 'rodflow.engine-memory';

function readMemory(): Record<string, string> {
  try {
    const raw = localStorage.getItem(MEMORY_KEY);
    const obj: unknown = raw ? JSON.parse(raw) : {};
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return {};
    return Object.fromEntries(Object.entries(obj).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {}; // storage blocked or corrupt: 'auto' calibrates again
  }
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(MEMORY_KEY, JSON.stringify({ ...readMemory(), [key]: value }));
  } catch {
    /* storage blocked: the choice lasts for this page only */
  }
}

async function checkWebGpu(): Promise<void> {
  try {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    set({ webgpu: adapter ? 'available' : 'unavailable' });
  } catch {
    set({ webgpu: 'unavailable' });
  }
}

export function initController(): void {
  worker = new Worker(new URL('../worker/sim.worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = onMessage;
  post({ type: 'memory', entries: readMemory() });
  worker.onerror = (e) => {
    set({ run: { ...get().run, computing: false, error: { message: `The simulation worker failed: ${e.message}`, input: false } } });
  };
  fromLocation('replace');
  window.addEventListener('popstate', () => fromLocation('none'));
  requestAnimationFrame(tick);
  // pointerrawupdate comes first (not aligned to frames) and may already move the start; both carry
  // the input's own time stamp.
  for (const t of ['pointerrawupdate', 'pointermove'])
    window.addEventListener(t, (e) => (lastPointerTs = e.timeStamp), { capture: true, passive: true });
  void checkWebGpu();
  (window as unknown as { __rodflow: unknown }).__rodflow = { store, perf, configOf, importRunText, exportRun, setStart, setEta, play, pause, stepOnce };
}
