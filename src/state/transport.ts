/**
 * The transport: play, pause, step, rewind, the playhead, and the replay clock (one requestAnimationFrame
 * tick). A 1-D/2-D run is replayed from its computed horizon. A network run streams from the worker
 * while playing, and keeps what it recorded: scrubbed back or reset, play replays the recorded samples
 * up to the frontier (the worker computes on meanwhile), then the playhead follows the frontier again.
 * It listens to chunks.ts: a network run stops computing when its lead flow diverges or its budget is
 * done, and stops playing when the replay reaches that point.
 */
import { runCommitted } from './chunks.ts';
import { get, set } from './commit.ts';
import { startRun } from './runs.ts';
import { freezeTime, leadStop, streamFinished } from './selectors.ts';
import type { RunView } from './store.ts';
import { effectiveSpeed } from './settings.ts';
import { writeUrl } from './url-sync.ts';
import { post } from './worker-link.ts';

export function play(): void {
  const st = get();
  const r = st.run;
  if (r.error?.input) return; // nothing valid to play (the settings are invalid)
  if (r.mode === 'horizon') {
    if (st.playhead >= freezeTime(r) && r.done) set({ playhead: r.t0 });
    set({ playing: true });
  } else {
    // A finished network replays from its start; an unfinished one computes on while the replay runs.
    if (streamFinished(r) && st.playhead >= freezeTime(r)) set({ playhead: r.t0 });
    set({ playing: true });
    if (!streamFinished(r)) post({ type: 'play', runId: r.runId, stepsPerSlice: effectiveSpeed(st.settings) });
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
  const r = st.run;
  if (r.mode === 'horizon') set({ playhead: Math.min(freezeTime(r), Math.floor(st.playhead) + 1) });
  // Behind the frontier: the next recorded sample (a long run's record is thinned); at it: one more step.
  else if (st.playhead < freezeTime(r)) set({ playhead: nextSample(r, st.playhead) });
  else if (!streamFinished(r)) post({ type: 'step', runId: r.runId, n: 1 });
}

/** The time of the first recorded sample after `t` (the lead trace; the frontier when none). */
function nextSample(r: RunView, t: number): number {
  const end = freezeTime(r);
  let next = end;
  for (const tr of Object.values(r.traces)) {
    if (!tr) continue;
    for (let i = 0; i < tr.length; i++) {
      if (tr.t[i] > t) {
        next = Math.min(next, tr.t[i]);
        break;
      }
    }
  }
  return Math.min(end, next);
}

/**
 * Back to the start. A network run from step 0 keeps what it recorded: the playhead goes to 0, and play
 * replays the record up to the frontier, then computes on (nothing is recomputed). Otherwise (a 1-D/2-D
 * run, whose horizon costs a few ms, or a fork) a fresh run from the start with the current η, which the
 * run cache (run-cache.ts) may serve at once.
 */
export function reset(): void {
  const st = get();
  if (st.run.mode === 'stream' && st.run.t0 === 0 && !st.run.error && st.ghosts.length === 0) {
    pause();
    set({ playhead: 0 });
    return;
  }
  set({ playing: false });
  startRun(st.settings);
  // A reset forgets the forks: the link now opens a fresh run with the current η.
  writeUrl(get().settings, 'push');
}

/** Stop the replay; a network's worker stops computing too (a scrub or a rewind is a pause). */
function stopAt(playhead: number): void {
  if (get().run.mode === 'stream') pause();
  set({ playing: false, playhead });
}

export function rewind(n: number): void {
  const st = get();
  stopAt(Math.max(st.run.t0, freezeTime(st.run) - n));
}

/** The time slider is held (a network keeps computing meanwhile; the replay clock waits). */
let scrubbing = false;

/**
 * The time slider is grabbed (true) or let go (false). On a network the worker computes on while the
 * slider is held (the record grows behind the thumb), and a playing replay continues from where the
 * thumb was let go; a 1-D/2-D replay pauses (its whole horizon is there already).
 */
export function scrub(active: boolean): void {
  scrubbing = active;
  if (active && get().run.mode === 'horizon' && get().playing) pause();
}

/** The slider moved: while it is held on a network, the playhead moves and nothing stops; else as setPlayhead. */
export function seek(t: number): void {
  const r = get().run;
  if (!scrubbing || r.mode !== 'stream') return setPlayhead(t);
  set({ playhead: Math.max(r.t0, Math.min(freezeTime(r), Math.round(t))) });
}

export function setPlayhead(t: number): void {
  const r = get().run;
  stopAt(Math.max(r.t0, Math.min(freezeTime(r), Math.round(t))));
}

/**
 * One replay frame: advance the playhead of a 1-D/2-D run, or of a network run behind its frontier (a
 * network at its frontier is moved by the chunks); note when the replay reached a divergence.
 */
export function tick(): void {
  const st = get();
  const r = st.run;
  if (st.playing && r.mode === 'horizon' && !st.dragging && r.info) {
    const end = freezeTime(r);
    const ph = Math.min(end, st.playhead + effectiveSpeed(st.settings));
    // Stop at the end of the data only when the data are complete; otherwise wait for the next chunk.
    if (ph >= end && r.done) set({ playhead: end, playing: false });
    else if (ph !== st.playhead) set({ playhead: ph });
  } else if (st.playing && r.mode === 'stream' && r.info && !scrubbing) {
    const end = freezeTime(r);
    const ph = Math.min(end, st.playhead + effectiveSpeed(st.settings));
    if (ph !== st.playhead) set({ playhead: ph });
    if (ph >= end && streamFinished(r)) set({ playing: false });
  }
  if (st.frozeRun !== r.runId && leadStop(r) && get().playhead >= freezeTime(r)) set({ frozeRun: r.runId });
}

/** Start the replay clock and the stream stop rule (boot.ts). Returns the stop function. */
export function startTransport(): () => void {
  let raf = 0;
  const loop = () => {
    tick();
    raf = requestAnimationFrame(loop);
  };
  raf = requestAnimationFrame(loop);
  const off = runCommitted.on(({ run, wasPlaying }) => {
    if (run.mode !== 'stream' || !wasPlaying || run.error) return;
    // The worker stops at the lead flow's divergence; the replay, if behind, plays on to it (tick).
    if (leadStop(run)) post({ type: 'pause', runId: run.runId });
    if (streamFinished(run) && get().playhead >= freezeTime(run)) set({ playing: false });
  });
  return () => {
    cancelAnimationFrame(raf);
    off();
  };
}
