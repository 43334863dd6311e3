/**
 * Start-up: the worker, the subscriptions of the state modules, the settings from the address, history
 * navigation, the replay clock. And recovery when the worker dies (an uncaught error, a crash, killed):
 * a new worker takes over, the recorded run stays on the page, a notice says so, and the run continues.
 */
import { apply } from './apply.ts';
import { runCommitted, startChunkIntake } from './chunks.ts';
import { get, releaseHeld, set } from './commit.ts';
import { checkWebGpu, startEngineStatus } from './engine-status.ts';
import { isRebuilding, startForkRebuild, startFromLink } from './forks.ts';
import { requestGrid } from './grid.ts';
import { exportRun, importRunText, keepRecorded } from './overlays.ts';
import { perf, trackPointer } from './perf.ts';
import { cacheHas, cacheKey } from './run-cache.ts';
import { configOf, fmtEta } from './selectors.ts';
import { store } from './store.ts';
import { setEta } from './apply.ts';
import { setStart } from './drag.ts';
import { pause, play, startTransport, stepOnce } from './transport.ts';
import { addressFor, readLocation } from './url-sync.ts';
import { connectWorker, disconnectWorker, workerFailed, workerReplace, type WorkerLike } from './worker-link.ts';
import { createWorkerPool, type WorkerPool } from './worker-pool.ts';

let makeWorker: () => WorkerLike = () => new Worker(new URL('../worker/sim.worker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike;
/** Workers a network run may use: one per core (the pool uses at most one per flow). */
let poolSize = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
let worker: WorkerPool | null = null;
let stopEngineStatus: (() => void) | null = null;

function spawn(): void {
  worker = createWorkerPool(makeWorker, poolSize);
  connectWorker(worker);
  // One subscription per live worker (a replaced worker's is dropped).
  stopEngineStatus?.();
  stopEngineStatus = startEngineStatus();
}

/** Open the settings the address carries: at start-up (replace the entry) or on back/forward. */
export function fromLocation(how: 'replace' | 'none'): void {
  const { settings, ignored } = readLocation();
  const prev = get().settings;
  set({ notices: ignored.length ? [`Parts of the link were ignored and their defaults used: ${ignored.join('; ')}.`] : [] });
  if (how === 'replace') {
    set({ settings, playing: settings.play });
    requestGrid(settings);
    startFromLink(settings);
    history.replaceState(null, '', addressFor(get().settings));
  } else {
    apply(settings, prev, { history: 'none', forkEta: false, fromLink: true });
  }
}

/**
 * The worker died: start a new one and continue. A 1-D/2-D run is recomputed from its settings (fork
 * history included), which reproduces it exactly, and the playhead returns to where it was; a network run's
 * recorded samples become a saved run (the page does not hold a network's whole state to continue it
 * from), and the run starts again, paused; unless the run cache holds its settings' run from the start,
 * which then comes back whole (a cached run's notice says so, not "press Play").
 */
export function recoverWorker(reason: string): void {
  disconnectWorker('The simulation worker stopped.');
  releaseHeld();
  spawn();
  const st = get();
  const r = st.run;
  let kept = '';
  // A network run from the start whose settings the run cache holds comes back whole from it (the
  // restart below is served by the cache): nothing to keep aside, nothing to press.
  const cached = r.mode === 'stream' && cacheHas(cacheKey(st.settings));
  if (cached && r.t0 === 0) {
    set({ playing: false, dragging: false });
    kept = ' The run was computed before on this page: it is shown again, whole, from the run cache.';
  } else if (r.mode === 'stream' && Object.keys(r.traces).length) {
    const o = keepRecorded(`recovered-${r.runId}`, `η = ${fmtEta(r.eta)}, before the worker stopped`)!;
    set({ playing: false, dragging: false });
    kept = cached
      ? ` Its recorded run is kept under Runs as “${o.name}”; the run from the start with η = ${fmtEta(st.settings.eta)} is shown again from the run cache.`
      : ` Its recorded run is kept under Runs as “${o.name}”; press Play to run again.`;
  } else {
    set({ dragging: false });
    kept = ' The recorded run is kept: a new worker recomputes it exactly.';
  }
  set({ notices: [...get().notices, `The simulation worker stopped (${reason}).${kept}`] });
  requestGrid(get().settings, true);
  const playhead = st.playhead;
  // Ghosts of a 1-D/2-D run come back with its fork history; a network's stay.
  startFromLink(get().settings, { keepGhosts: r.mode === 'stream', play: false });
  if (r.mode === 'horizon') {
    // Back at the same step once the recomputed run reaches it.
    const off = runCommitted.on(({ run }) => {
      if (isRebuilding() || run.error) return off();
      if (run.frontier >= playhead || run.done) {
        off();
        set({ playhead: Math.min(playhead, run.frontier) });
      }
    });
  }
}

/** `worker`: makes one worker (tests: in-process); `poolSize`: workers a network run may use (default: the cores). */
export function initController(opts: { worker?: () => WorkerLike; poolSize?: number } = {}): void {
  if (opts.worker) makeWorker = opts.worker;
  if (opts.poolSize !== undefined) poolSize = Math.max(1, Math.floor(opts.poolSize));
  startChunkIntake();
  startForkRebuild();
  spawn();
  workerFailed.on((why) => recoverWorker(why));
  // A new input while the worker is stuck on the previous one: a fresh worker takes the new run.
  workerReplace.on(() => {
    disconnectWorker('The previous input was replaced by a new one.');
    spawn();
  });
  fromLocation('replace');
  window.addEventListener('popstate', () => fromLocation('none'));
  startTransport();
  trackPointer();
  void checkWebGpu();
  (window as unknown as { __rodflow: unknown }).__rodflow = {
    store,
    perf,
    configOf,
    importRunText,
    exportRun,
    setStart,
    setEta,
    play,
    pause,
    stepOnce,
    /** The pool: workers started, and the split of the current network run (lead first; null when not pooled). */
    workers: () => ({ started: worker?.started ?? 0, parts: worker?.parts ?? null, size: poolSize, cost: worker?.cost ?? null }),
    /** The fault test: kill the worker as a crash would. */
    killWorker: () => {
      worker?.terminate?.();
      recoverWorker('killed');
    },
  };
}
