/**
 * The start point set by a drag (each move re-runs the whole horizon, held and committed with its first
 * samples, see commit.ts), by its end, or by typing.
 */
import { showAllFor } from './chunks.ts';
import { get, holdUpdates, releaseHeld, set } from './commit.ts';
import { apply } from './apply.ts';
import { perf } from './perf.ts';
import { lastRunId } from './runs.ts';
import { runKey } from './selectors.ts';
import { writeUrl } from './url-sync.ts';

export function setStart(p: number[], phase: 'drag' | 'end' | 'typed'): void {
  const prev = get().settings;
  const next = { ...prev, start: p.slice() };
  if (phase === 'drag') {
    holdUpdates();
    set({ dragging: true, playing: false });
    // The URL is written once, at the end of the drag.
    apply(next, prev, { history: 'none', showAll: true });
    // Latency is measured from the pointer event that moved the start (not from this callback).
    const ts = perf.lastPointerTs > 0 ? perf.lastPointerTs : performance.now();
    const runId = lastRunId();
    perf.dragMark.set(runId, ts);
    perf.dragFullMark.set(runId, ts);
    const posted = perf.runPosted.get(runId);
    if (posted !== undefined) perf.partMark.set(runId, [ts, posted]);
  } else {
    releaseHeld();
    set({ dragging: false });
    if (runKey(next) !== runKey(prev)) apply(next, prev, { history: 'push' });
    else writeUrl(next, 'push');
    if (phase === 'typed') return;
    // The whole horizon is computed: replay it from the start.
    showAllFor(-1);
    set({ playhead: 0, playing: true });
  }
}
