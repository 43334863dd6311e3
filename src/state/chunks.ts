/**
 * Chunk intake: the worker's reports on the current run (info, samples, errors) become RunView updates.
 * Samples are committed at most once per animation frame (a dragged start's first chunk at once, a
 * network's every STREAM_COMMIT_MS). After each commit, `runCommitted` tells the modules above (the
 * fork rebuild, the transport) what changed; this module calls none of them.
 */
import type { FromWorker, RunInfo } from '../worker/protocol.ts';
import { get, releaseHeld, set } from './commit.ts';
import { onFrameDone, perf } from './perf.ts';
import { cacheKey, cachePut } from './run-cache.ts';
import { freezeTime, streamFinished } from './selectors.ts';
import { createSignal } from './signal.ts';
import type { AppState, RunView } from './store.ts';
import { applyChunk } from './trace-buffer.ts';
import { workerMessages } from './worker-link.ts';

/** Stream mode: the worker's chunks are committed to the page at most this often. */
const STREAM_COMMIT_MS = 100;

/** After a commit of samples or an error of the current run: the run as committed. */
export const runCommitted = createSignal<{ run: RunView; wasPlaying: boolean }>();

type ChunkMsg = Extract<FromWorker, { type: 'chunk' }>;
const chunkQueue: ChunkMsg[] = [];
let chunkFlushScheduled = false;
/** A dragged run's info, committed with its first chunk. */
let heldInfo: RunInfo | null = null;
/** After a restart with `showAll`, the playhead jumps to the end when the data arrive (drags). */
let showAllRun = -1;
/**
 * The last run that computed, and its problem: when new settings of the same problem are invalid (an
 * expression that does not parse, an input error), the plots keep showing it beside the error.
 */
let lastGood: { run: RunView; problem: string } | null = null;

/** The live samples of a run shown as a stored run, gathered until they are complete. */
let liveBehind: { runId: number; traces: RunView['traces'] } | null = null;

/**
 * A finished network run shown from the run cache: the page holds all of it, and the worker (given the
 * run only so that it can fork it) has computed none of it, so its samples for this run are not taken.
 */
let fromCache = -1;

/** The run `runId` is a cached finished run (see fromCache). */
export function servedFromCache(runId: number): void {
  fromCache = runId;
}

/** The run `runId` shows its whole horizon as it arrives (-1: none). */
export function showAllFor(runId: number): void {
  showAllRun = runId;
}

/** Before a new run replaces the current one: remember it if it is a valid run (see lastGood). */
export function rememberGoodRun(): void {
  const cur = get().run;
  if (cur.info && !cur.error) lastGood = { run: cur, problem: get().settings.problem };
}

function infoPatch(run: RunView, info: RunInfo): Partial<AppState> {
  const patch: Partial<AppState> = { run: { ...run, info, t0: info.t0 } };
  if (info.t0 === 0) {
    patch.eigStart = info.eigStart;
    patch.startUsed = info.start;
  }
  return patch;
}

function onMessage(m: FromWorker): void {
  const st = get();
  switch (m.type) {
    case 'info': {
      if (m.info.runId !== st.run.runId) return;
      // While the start is dragged, the first chunk follows within a few ms: commit both together.
      if (st.dragging && m.info.mode === 'horizon') {
        heldInfo = m.info;
        return;
      }
      set(infoPatch(st.run, m.info));
      break;
    }
    case 'chunk': {
      if (m.runId !== st.run.runId) return;
      // The worker's first sample of a run the cache served: the page holds the whole run already.
      if (m.runId === fromCache) return;
      const posted = perf.runPosted.get(m.runId);
      if (posted !== undefined) {
        perf.runPosted.delete(m.runId);
        perf.partMark.get(m.runId)?.push(performance.now());
        perf.firstChunk.push(performance.now() - posted);
        if (m.sinceRequest !== undefined) perf.workerFirst.push(m.sinceRequest);
      }
      chunkQueue.push(m);
      // A dragged start's first chunk is committed (drawn) at once, so that the very next frame shows it.
      if (st.dragging && st.run.mode === 'horizon' && m.reset) {
        flushChunks(false);
        break;
      }
      if (!chunkFlushScheduled) {
        chunkFlushScheduled = true;
        // A network's samples trickle in: commit them ~10 times a second so the page keeps its frame rate.
        if (st.run.mode === 'stream') setTimeout(() => requestAnimationFrame(() => flushChunks()), STREAM_COMMIT_MS);
        else requestAnimationFrame(() => flushChunks());
      }
      break;
    }
    case 'error': {
      if (m.runId !== undefined && m.runId !== st.run.runId) return;
      heldInfo = null;
      const error = { message: m.message, position: m.position, input: m.input };
      // Invalid input: the last valid run of this problem stays on screen (whole), with the error beside
      // it; "λ at start" belonged to the settings that were replaced, so it goes.
      const keep = m.input && lastGood && lastGood.problem === st.settings.problem && !st.run.info ? lastGood.run : null;
      if (keep) set({ run: { ...keep, runId: st.run.runId, computing: false, error }, playing: false, playhead: freezeTime(keep), eigStart: [] });
      else set({ run: { ...st.run, computing: false, error }, playing: false, ...(m.input ? { eigStart: [] } : {}) });
      releaseHeld();
      runCommitted.emit({ run: get().run, wasPlaying: st.playing });
      break;
    }
    default:
      break;
  }
}

/** Commit the queued chunks; `inFrame`: called from an animation frame (else: the next frame shows them). */
export function flushChunks(inFrame = true): void {
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
    const behind = run.stored === true && run.mode === 'horizon';
    const base = behind ? (liveBehind?.runId === run.runId && !m.reset ? liveBehind.traces : {}) : run.traces;
    const traces = { ...base };
    for (const c of m.chunks) traces[c.flow] = applyChunk(m.reset ? undefined : traces[c.flow], c);
    if (behind && !m.done) {
      liveBehind = { runId: run.runId, traces };
      continue;
    }
    liveBehind = null;
    let frontier = run.t0;
    for (const tr of Object.values(traces)) if (tr?.length) frontier = Math.max(frontier, tr.t[tr.length - 1]);
    run = { ...run, traces, step: m.step, done: m.done, computing: !m.done, onset: m.onset, computeMs: m.ms, frontier, stored: undefined };
    marks.push([m.runId, m.done]);
  }
  if (!marks.length) {
    if (patch.run) set(patch);
    return;
  }
  patch.run = run;
  // A network's playhead follows the computed frontier only while it is there (live); scrubbed back
  // or reset, it stays where it is and the transport replays the recorded samples up to the frontier.
  if (run.mode === 'stream') {
    if (st.playhead >= st.run.frontier) patch.playhead = run.frontier;
  }
  else if (st.dragging || showAllRun === run.runId) patch.playhead = freezeTime(run);
  set(patch);
  if (run.mode === 'stream') keepFinished(run);
  // A dragged move's settings and run are committed with its first samples (see commit.ts).
  releaseHeld();
  runCommitted.emit({ run, wasPlaying: st.playing });
  measureDrag(marks, inFrame);
}

/**
 * A finished network run from the start is kept by its settings (run-cache.ts), so that coming back to
 * them shows it at once. A fork (t0 > 0) is not the run its settings name.
 */
function keepFinished(run: RunView): void {
  const st = get();
  if (run.t0 !== 0 || run.error || run.stored || !streamFinished(run) || run.eta !== st.settings.eta) return;
  cachePut(cacheKey(st.settings), { run: { ...run, computing: false }, eigStart: st.eigStart, startUsed: st.startUsed });
}

/** The drag latency marks of the runs just committed (see perf.ts). */
function measureDrag(marks: [number, boolean][], inFrame: boolean): void {
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

/** Start taking the worker's run reports (boot.ts; tests). Returns the unsubscribe function. */
export function startChunkIntake(): () => void {
  return workerMessages.on(onMessage);
}
