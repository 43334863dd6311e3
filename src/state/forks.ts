/**
 * A link's fork history rebuilt (settings.forks): the first segment runs with η = forks[0].eta; each
 * time the committed samples reach the next fork time, the run is forked there by the same forkRun a
 * person's η change calls, so the page ends with the same current run and ghosts as the page the link
 * came from. It listens to chunks.ts (samples committed) and runs.ts (a person's run supersedes it).
 */
import { runCommitted } from './chunks.ts';
import { get, set } from './commit.ts';
import { forkRun, runStarted, startRun, type StartOptions } from './runs.ts';
import { leadStop, modeFor } from './selectors.ts';
import type { ForkSeg, Settings } from './settings.ts';
import type { RunView } from './store.ts';
import { writeUrl } from './url-sync.ts';

let rebuild: { runId: number; forks: ForkSeg[]; i: number } | null = null;
/** True while this module itself starts or forks a run (its own runs do not supersede it). */
let own = false;

/** A link's fork history is being rebuilt. */
export function isRebuilding(): boolean {
  return rebuild !== null;
}

/**
 * A fresh run from the start for settings that came from a link or a history entry: with a fork history
 * (1-D/2-D), its first segment, and the forks follow as the samples arrive.
 */
export function startFromLink(s: Settings, opts: StartOptions = {}): void {
  rebuild = null;
  const forks = modeFor(s) === 'horizon' ? s.forks : undefined;
  if (!forks?.length) {
    startRun(s, opts);
    return;
  }
  own = true;
  const runId = startRun({ ...s, eta: forks[0].eta }, { ...opts, keepForks: true });
  own = false;
  rebuild = { runId, forks, i: 0 };
}

/**
 * After each commit: once the run being rebuilt has reached its fork time, fork it as a person would
 * have (playhead at t, then forkRun). A history the run cannot reproduce (a fork after the lead flow
 * diverged or after the end) opens as if the link had no forks, with a notice.
 */
function continueRebuild(r: RunView): void {
  const rb = rebuild;
  if (!rb || r.runId !== rb.runId) return;
  const st = get();
  const seg = rb.forks[rb.i];
  const stop = leadStop(r);
  if (r.error || (stop && seg.t >= stop.step) || (r.done && r.frontier < seg.t) || seg.t <= r.t0) {
    rebuild = null;
    const text = rb.forks.map((f) => `${f.t}:${f.eta}`).join(',');
    set({ notices: [...st.notices, `Parts of the link were ignored: fork=${text} (the run with η = ${seg.eta} does not reach step ${seg.t}); the run starts from the start.`] });
    startRun(st.settings, { play: r.mode === 'horizon' ? st.playing : undefined });
    writeUrl(get().settings, 'replace');
    return;
  }
  if (r.frontier < seg.t) return; // more samples to come
  const eta = rb.i + 1 < rb.forks.length ? rb.forks[rb.i + 1].eta : st.settings.eta;
  set({ playhead: seg.t });
  own = true;
  rb.runId = forkRun(eta, false, false);
  own = false;
  rb.i++;
  if (rb.i === rb.forks.length) rebuild = null;
}

/** Start following commits (boot.ts; tests). Returns the unsubscribe function. */
export function startForkRebuild(): () => void {
  const a = runCommitted.on(({ run }) => continueRebuild(run));
  // A run a person started (or a fork of theirs) supersedes the rebuild.
  const b = runStarted.on(() => {
    if (!own) rebuild = null;
  });
  return () => {
    a();
    b();
  };
}
