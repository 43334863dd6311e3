/**
 * A network run's recorded history (src/state/transport.ts, chunks.ts, runs.ts, run-cache.ts and the
 * worker's stream forks in src/worker/host.ts), in Node with the real worker dispatch in-process: the
 * playhead scrubs the record and stays where it was put while samples arrive; Reset and replay reuse the
 * record (no new run is posted); a fork at a scrubbed-back step starts from GD's state at that step,
 * bit for bit; a finished run comes back from the run cache at once, and the worker can still fork it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessWorkers } from './in-process-worker.ts';
import { scaled } from './timeouts.ts';

// ---- the browser globals the state modules touch (as in state-controller.test.ts) ----------------
const g = globalThis as Record<string, unknown>;
const loc = { pathname: '/', search: '', hash: '', origin: 'http://test' };
function go(url: string): void {
  const u = new URL(url, 'http://test/');
  loc.pathname = u.pathname;
  loc.search = u.search;
  loc.hash = u.hash;
}
g.location = loc;
g.history = { pushState: (_s: unknown, _t: string, url: string) => go(url), replaceState: (_s: unknown, _t: string, url: string) => go(url) };
g.window = { addEventListener: () => {} };
g.requestAnimationFrame = (f: (t: number) => void) => setTimeout(() => f(performance.now()), 4) as unknown as number;
g.cancelAnimationFrame = (id: number) => clearTimeout(id);
g.localStorage = { getItem: () => null, setItem: () => {} };

const ctl = await import('../src/state/controller.ts');
const { store } = await import('../src/state/store.ts');
const cache = await import('../src/state/run-cache.ts');

const { make: inProcessWorker, hosts, posted } = inProcessWorkers();

const until = async (pred: () => boolean, ms = scaled(15_000)) => {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out: ${JSON.stringify({ f: st().run.frontier, ph: st().playhead, playing: st().playing, done: st().run.done, steps: st().settings.steps, err: st().run.error })}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const st = () => store.getState();
const runsPosted = () => posted.filter((m) => m.type === 'run' || m.type === 'fork').length;
/** GD's recorded sample at absolute time t: its projected w and loss. */
function gdAt(traces: ReturnType<typeof st>['run']['traces'], t: number): { w: number[]; loss: number } {
  const tr = traces.gd!;
  for (let i = 0; i < tr.length; i++) if (tr.t[i] === t) return { w: Array.from(tr.w.subarray(i * tr.wDim, (i + 1) * tr.wDim)), loss: tr.loss[i] };
  throw new Error(`no GD sample at ${t}`);
}

// A small network, GD only: ~40 steps take well under a second here.
const LINK = '/#v=1&problem=mlp-teacher&steps=40&flows=gd&speed=4';

beforeAll(async () => {
  go(LINK);
  ctl.initController({ worker: inProcessWorker });
  await until(() => st().run.mode === 'stream' && st().run.info !== null);
});
afterAll(() => hosts.forEach((h) => h.close()));

describe('network history', () => {
  it('the playhead scrubs the record while the run computes, and stays where it was put', async () => {
    ctl.play();
    await until(() => st().run.frontier >= 12);
    ctl.setPlayhead(5);
    expect(st().playhead).toBe(5);
    expect(st().playing).toBe(false);
    const n = st().run.traces.gd!.length;
    await sleep(150); // samples still in flight arrive; the playhead stays
    expect(st().playhead).toBe(5);
    expect(st().run.traces.gd!.length).toBeGreaterThanOrEqual(n);
    // Step moves through the record, not the worker.
    const before = runsPosted();
    const steps = posted.filter((m) => m.type === 'step').length;
    ctl.stepOnce();
    expect(st().playhead).toBe(6);
    expect(posted.filter((m) => m.type === 'step').length).toBe(steps);
    // Play replays up to the frontier, then computes on to the budget with the playhead following.
    ctl.play();
    await until(() => st().run.done && !st().playing, scaled(30_000));
    expect(st().playhead).toBe(40);
    expect(runsPosted()).toBe(before);
    expect(Array.from(st().run.traces.gd!.t.subarray(0, st().run.traces.gd!.length))).toEqual(Array.from({ length: 41 }, (_, i) => i));
  });

  it('Reset keeps the record: the playhead goes to 0, play replays it without posting a run', async () => {
    const runId = st().run.runId;
    const traces = st().run.traces;
    const before = runsPosted();
    ctl.reset();
    expect(st().playhead).toBe(0);
    expect(st().run.runId).toBe(runId);
    ctl.play();
    await until(() => st().playhead > 0);
    expect(st().playhead).toBeLessThan(40); // replaying, not jumped to the end
    await until(() => !st().playing);
    expect(st().playhead).toBe(40);
    expect(st().run.traces).toBe(traces);
    expect(runsPosted()).toBe(before);
  });

  it('a fork at a scrubbed-back step starts from GD at that step, bit for bit', async () => {
    const ref = gdAt(st().run.traces, 13);
    ctl.setPlayhead(13);
    ctl.setEta(0.05);
    ctl.play();
    await until(() => st().run.t0 === 13 && st().run.done, scaled(30_000));
    expect(st().run.info!.t0).toBe(13);
    expect(gdAt(st().run.traces, 13)).toEqual(ref);
    expect(st().ghosts.length).toBe(1);
  });

  it('a finished run comes back from the run cache at once (back button), and can still be forked', async () => {
    // The run at η = 0.1 (the preset) was cached when it finished; the fork above is not cached.
    go(LINK);
    const t0 = performance.now();
    ctl.fromLocation('none');
    const ms = performance.now() - t0;
    expect(st().run.done).toBe(true);
    expect(st().run.t0).toBe(0);
    expect(st().playhead).toBe(40);
    expect(st().run.traces.gd!.length).toBe(41);
    console.log(`[run-cache] back to a cached network run: ${ms.toFixed(2)} ms; cache ${JSON.stringify(cache.cacheStats())}`);
    const ref = gdAt(st().run.traces, 9);
    const ref30 = gdAt(st().run.traces, 30);
    // Samples the worker sends for it (a first chunk of its fresh session) do not replace the record.
    await sleep(100);
    expect(st().run.traces.gd!.length).toBe(41);
    // A speed change while the cached record replays: nothing to compute, so the worker is not told to play.
    ctl.setPlayhead(0);
    ctl.play();
    expect(st().playing).toBe(true);
    const plays = () => posted.filter((m) => m.type === 'play' && m.runId === st().run.runId).length;
    const before = plays();
    ctl.setSettings({ speed: 3 });
    expect(plays()).toBe(before);
    ctl.pause();
    // The worker never computed this run: it replays GD from the start to the fork.
    ctl.setPlayhead(9);
    ctl.setEta(0.07);
    ctl.play();
    await until(() => st().run.t0 === 9 && st().run.done, scaled(30_000));
    expect(gdAt(st().run.traces, 9)).toEqual(ref);
    // Reset of a fork: a fresh run with η = 0.07 (computed); back to η = 0.1 at its end: cached again.
    ctl.reset();
    expect(st().run.t0).toBe(0);
    ctl.play();
    await until(() => st().run.done && !st().playing, scaled(30_000));
    ctl.setEta(0.1);
    expect(st().run.done).toBe(true);
    expect(gdAt(st().run.traces, 30)).toEqual(ref30);
    // The worker dies while the cached run is shown: the run cache serves it again, and the notice says
    // so (not "press Play"); nothing is set aside as a saved run.
    const saved = st().saved.length;
    ctl.recoverWorker('killed');
    expect(st().run.done).toBe(true);
    expect(st().run.traces.gd!.length).toBe(41);
    const notice = st().notices[st().notices.length - 1];
    expect(notice).toContain('run cache');
    expect(notice).not.toContain('press Play');
    expect(st().saved.length).toBe(saved);
  });

  it('holding the slider on a network: the worker computes on behind the thumb; let go, the replay runs on to the end', async () => {
    ctl.setSettings({ steps: 200, speed: 1 });
    ctl.stepOnce();
    await until(() => st().run.frontier === 1);
    ctl.stepOnce();
    await until(() => st().run.frontier === 2);
    // Grab the slider, take it back to step 1, and play while holding it (as Space would).
    ctl.scrub(true);
    ctl.seek(1);
    ctl.play();
    await until(() => st().run.done, scaled(30_000)); // computed to the budget while held
    expect(st().playhead).toBe(1); // the replay clock waited
    expect(st().playing).toBe(true);
    ctl.scrub(false);
    await until(() => st().playhead > 1);
    expect(st().playhead).toBeLessThan(200); // replaying, 1 step a frame
    await until(() => !st().playing);
    expect(st().playhead).toBe(200);
  });

  it('the cache is bounded by count and bytes, least recently used first', () => {
    cache.cacheClear();
    const run = st().run;
    for (let i = 0; i < 12; i++) cache.cachePut(`k${i}`, { run, eigStart: [], startUsed: [] });
    expect(cache.cacheStats().runs).toBe(cache.RUN_CACHE_MAX_RUNS);
    expect(cache.cacheGet('k0')).toBeUndefined();
    expect(cache.cacheGet('k4')).toBeDefined(); // now the most recent
    cache.cachePut('k12', { run, eigStart: [], startUsed: [] });
    expect(cache.cacheGet('k4')).toBeDefined();
    expect(cache.cacheGet('k5')).toBeUndefined();
    const one = cache.runBytes(run);
    expect(cache.cacheStats().bytes).toBe(one * cache.RUN_CACHE_MAX_RUNS);
    expect(cache.cacheStats().bytes).toBeLessThanOrEqual(cache.RUN_CACHE_MAX_BYTES);
  });
});
