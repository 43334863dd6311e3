/**
 * The page's state modules (src/state) in Node, wired to the real worker dispatch in-process (the same
 * messages the Web Worker gets): boot from a link, forks on a mid-run η change and their fork history in
 * the address, a link's fork history rebuilt bit for bit (the chunks → rebuild subscription), the
 * transport's stream stop rule, and recovery from a killed worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessWorkers } from './in-process-worker.ts';
import { scaled } from './timeouts.ts';

// ---- the browser globals the state modules touch -------------------------------------------------
const g = globalThis as Record<string, unknown>;
const loc = { pathname: '/', search: '', hash: '', origin: 'http://test' };
const entries: string[] = [];
function go(url: string): void {
  const u = new URL(url, 'http://test/');
  loc.pathname = u.pathname;
  loc.search = u.search;
  loc.hash = u.hash;
}
g.location = loc;
g.history = {
  pushState: (_s: unknown, _t: string, url: string) => {
    entries.push(url);
    go(url);
  },
  replaceState: (_s: unknown, _t: string, url: string) => {
    entries[entries.length - 1] = url;
    go(url);
  },
};
const listeners = new Map<string, (() => void)[]>();
g.window = { addEventListener: (t: string, f: () => void) => listeners.set(t, [...(listeners.get(t) ?? []), f]) };
g.requestAnimationFrame = (f: (t: number) => void) => setTimeout(() => f(performance.now()), 4) as unknown as number;
g.cancelAnimationFrame = (id: number) => clearTimeout(id);
const ls = new Map<string, string>();
g.localStorage = { getItem: (k: string) => ls.get(k) ?? null, setItem: (k: string, v: string) => void ls.set(k, v) };

const ctl = await import('../src/state/controller.ts');
const { store } = await import('../src/state/store.ts');
const { parseUrl } = await import('../src/state/url.ts');
const { storedRunView } = await import('../src/lessons/stored.ts');
const { createRunner } = await import('../src/engine/runner.ts');
const { runToJson } = await import('../src/engine/run-file.ts');

/** While set, every worker swallows what it is sent: one stuck in a long synchronous job says nothing. */
let silent = false;
const { make: inProcessWorker, hosts, posted, received } = inProcessWorkers(() => silent);

// Waits scale with the machine's load like the test timeouts (test/timeouts.ts).
const until = async (pred: () => boolean, ms = scaled(15_000)) => {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const st = () => store.getState();

beforeAll(async () => {
  go('/?v=1&problem=valley&eta=0.3&steps=300&play=0');
  entries.push(loc.pathname + loc.search);
  ctl.initController({ worker: inProcessWorker });
  await until(() => st().run.done);
});
afterAll(() => hosts.forEach((h) => h.close()));

describe('state modules with the worker in-process', () => {
  it('boot: an old query link opens its settings and the address becomes a fragment', () => {
    expect(st().settings.steps).toBe(300);
    expect(st().run.traces.gd!.length).toBe(301);
    expect(loc.search).toBe('');
    expect(loc.hash.startsWith('#v=1&problem=valley')).toBe(true);
  });

  it('a mid-run η change forks at the playhead; the address carries the fork history; a link rebuilds it exactly', async () => {
    ctl.setPlayhead(120);
    ctl.setEta(0.25);
    await until(() => st().run.done && st().run.t0 === 120);
    expect(st().ghosts.map((o) => o.name)).toEqual(['η = 0.3']);
    expect(st().settings.forks).toEqual([{ t: 120, eta: 0.3 }]);
    expect(parseUrl(loc.hash).settings.forks).toEqual([{ t: 120, eta: 0.3 }]);
    const ref = { w: Array.from(st().run.traces.gd!.w.subarray(0, 362)), ghost: Array.from(st().ghosts[0].traces.gd!.w.subarray(0, 242)), link: loc.hash };

    // Somewhere else first (a fresh run, forks forgotten), then back to the link: the rebuild replays it.
    ctl.reset();
    await until(() => st().run.done && st().run.t0 === 0);
    expect(st().settings.forks).toBeUndefined();
    expect(loc.hash).not.toContain('fork=');
    go('/' + ref.link);
    ctl.fromLocation('none');
    await until(() => st().run.done && st().run.t0 === 120 && st().ghosts.length === 1);
    expect(Array.from(st().run.traces.gd!.w.subarray(0, 362))).toEqual(ref.w);
    expect(Array.from(st().ghosts[0].traces.gd!.w.subarray(0, 242))).toEqual(ref.ghost);
    expect(st().run.eta).toBe(0.25);
  });

  it('a fork history the run cannot reach opens from the start with a notice', async () => {
    go('/#v=1&problem=valley&eta=0.3&steps=300&fork=250:5&play=0');
    ctl.fromLocation('none');
    await until(() => st().notices.some((n) => n.includes('does not reach step 250')) && st().run.done);
    expect(st().run.t0).toBe(0);
    expect(st().settings.forks).toBeUndefined();
  });

  it('a killed worker: a new one recomputes the run exactly, the playhead stays, a notice says so', async () => {
    go('/#v=1&problem=valley&eta=0.3&steps=300&play=0');
    ctl.fromLocation('none');
    await until(() => st().run.done && st().run.t0 === 0 && st().ghosts.length === 0);
    ctl.setPlayhead(77);
    const w = Array.from(st().run.traces.gd!.w.subarray(0, 602));
    const runId = st().run.runId;
    ctl.recoverWorker('killed');
    await until(() => st().run.runId > runId && st().run.done && st().playhead === 77);
    expect(Array.from(st().run.traces.gd!.w.subarray(0, 602))).toEqual(w);
    expect(st().notices.at(-1)).toContain('worker stopped (killed)');
    expect(st().notices.at(-1)).toContain('recorded run is kept');
  });

  it('a new input while the worker is silent on the previous run replaces the worker instead of queueing behind it', async () => {
    await until(() => st().run.done);
    const workers = hosts.length;
    silent = true; // as a worker stuck compiling a huge expression: the next run gets no answer
    ctl.setSettings({ steps: 280 });
    await new Promise((r) => setTimeout(r, 300));
    silent = false;
    ctl.setSettings({ steps: 270 }); // heard from 300 ms ago: still the same worker
    expect(hosts.length).toBe(workers);
    await until(() => st().run.done);
    await new Promise((r) => setTimeout(r, 100)); // its last messages (the grid) are in
    silent = true;
    ctl.setSettings({ steps: 265 });
    await new Promise((r) => setTimeout(r, 1100));
    silent = false;
    ctl.setSettings({ steps: 260 }); // silent for over a second: a fresh worker takes this run
    expect(hosts.length).toBe(workers + 1);
    await until(() => st().run.done && st().run.traces.gd!.t[st().run.traces.gd!.length - 1] === 260);
  });

  it('a stored run shown over the live run of its settings stays whole until the live run is complete', async () => {
    go('/#v=1&problem=valley&eta=0.3&steps=300&play=0');
    ctl.fromLocation('none');
    await until(() => st().run.done && st().run.t0 === 0 && st().ghosts.length === 0);
    // A live run long enough to come in several chunks, and the same run stored (as a lesson's scene).
    ctl.setSettings({ steps: 3000, flows: ['gd', 'rod-flow', 'central-flow'] });
    const runId = st().run.runId;
    const r = createRunner({ problem: { id: 'valley' }, eta: 0.3, steps: 3000, flows: ['gd'], capacity: 3002 });
    r.advance(3000);
    const { run } = storedRunView(JSON.stringify(runToJson(r)), runId);
    const from = received.length;
    store.setState({ run, playhead: run.frontier });
    const seen: { stored: boolean; done: boolean; n: number }[] = [];
    const unsub = store.subscribe((s) => seen.push({ stored: s.run.stored === true, done: s.run.done, n: s.run.traces.gd?.length ?? 0 }));
    await until(() => st().run.done && !st().run.stored);
    unsub();
    const partial = received.slice(from).filter((m) => m.type === 'chunk' && m.runId === runId && !m.done);
    expect(partial.length).toBeGreaterThan(0); // the live run did arrive in parts
    expect(seen.every((x) => x.done && x.n === 3001)).toBe(true);
    expect(st().run.traces['rod-flow']!.length).toBe(3001); // the live run, complete, took its place
  });

  it('stream: play runs the network to its budget, then the transport stops playing (chunks → transport signal)', async () => {
    ctl.selectProblem('mlp-chebyshev');
    ctl.setSettings({ steps: 6, flows: ['gd'], speed: 3 });
    await until(() => st().run.mode === 'stream' && st().run.info !== null);
    ctl.play();
    await until(() => st().run.done, scaled(30_000));
    await until(() => !st().playing);
    expect(st().run.frontier).toBe(6);
    expect(posted.some((m) => m.type === 'play')).toBe(true);
  });
});
