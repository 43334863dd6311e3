/**
 * The transport: play, pause, step, rewind, the playhead, and the replay clock (one requestAnimationFrame
 * tick). A network run streams from the worker while playing; a 1-D/2-D run is replayed from its
 * computed horizon. It listens to chunks.ts: a network run stops playing when its lead flow diverges
 * or its budget is done.
 */
import { runCommitted } from './chunks.ts';
import { get, set } from './commit.ts';
import { startRun } from './runs.ts';
import { freezeTime, leadStop } from './selectors.ts';
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

/** One replay frame: advance the playhead of a 1-D/2-D run; note when the replay reached a divergence. */
export function tick(): void {
  const st = get();
  const r = st.run;
  if (st.playing && r.mode === 'horizon' && !st.dragging && r.info) {
    const end = freezeTime(r);
    const ph = Math.min(end, st.playhead + effectiveSpeed(st.settings));
    // Stop at the end of the data only when the data are complete; otherwise wait for the next chunk.
    if (ph >= end && r.done) set({ playhead: end, playing: false });
    else if (ph !== st.playhead) set({ playhead: ph });
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
    if (leadStop(run)) pause();
    else if (run.done) set({ playing: false });
  });
  return () => {
    cancelAnimationFrame(raf);
    off();
  };
}
