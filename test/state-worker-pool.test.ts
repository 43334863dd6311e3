/**
 * The worker pool (src/state/worker-pool.ts, engine/part.ts, the host's run parts), in Node with the
 * real worker dispatch in-process: a network run split over several workers gives the page the same
 * columns, to float64 round-off, as the single worker (every column, the drawing geometry, the distance to GD
 * computed against a follower's shadow of GD, thinning); the page never sees one flow ahead of
 * another; a fork of a pooled run and its JSON export equal the single worker's. The split rule
 * (GD on the lead, the rest largest first onto the least loaded) and its wall-time model.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inProcessWorkers } from './in-process-worker.ts';
import { scaled } from './timeouts.ts';
import { assignFlows, createWorkerPool, predictedWall, FLOW_COST, type WorkerPool } from '../src/state/worker-pool.ts';
import { applyChunk, type ViewTrace } from '../src/state/trace-buffer.ts';
import { GEOMETRY_COLUMNS, TRACE_COLUMNS } from '../src/engine/trace.ts';
import type { FlowId, RunConfig } from '../src/engine/types.ts';
import type { FromWorker, ToWorker } from '../src/worker/protocol.ts';

const closers: (() => void)[] = [];
afterAll(() => closers.forEach((c) => c()));

const FLOWS: FlowId[] = ['gd', 'gradient-flow', 'central-flow', 'rod-flow'];
type Traces = Partial<Record<FlowId, ViewTrace>>;

/** A page's end of a pool of `size` in-process workers: the traces of each run as chunks.ts builds them. */
function page(size: number) {
  const ipw = inProcessWorkers();
  const pool: WorkerPool = createWorkerPool(ipw.make, size);
  closers.push(() => pool.terminate?.());
  const runs = new Map<number, { traces: Traces; done: boolean; step: number; lockstep: boolean }>();
  const replies = new Map<number, FromWorker>();
  pool.onmessage = (ev) => {
    const m = ev.data;
    if (m.type === 'export') replies.set(m.reqId, m);
    if (m.type === 'error') throw new Error(m.message);
    if (m.type !== 'chunk') return;
    const r = runs.get(m.runId) ?? { traces: {}, done: false, step: 0, lockstep: true };
    runs.set(m.runId, r);
    for (const c of m.chunks) r.traces[c.flow] = applyChunk(m.reset ? undefined : r.traces[c.flow], c);
    r.done = m.done;
    r.step = m.step;
    // Every flow that has not stopped ends at the same time, as from one runner.
    const ends = Object.values(r.traces).filter((tr) => tr && !tr.stopped && tr.length).map((tr) => tr!.t[tr!.length - 1]);
    if (new Set(ends).size > 1) r.lockstep = false;
  };
  const post = (m: ToWorker) => pool.postMessage(m);
  const until = async (pred: () => boolean) => {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > scaled(30_000)) throw new Error('timed out');
      await new Promise((ok) => setTimeout(ok, 5));
    }
  };
  return { pool, runs, post, until, replies, workers: ipw };
}

/** Every column of every flow, with NaN and -0 compared exactly. */
function columns(traces: Traces): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const id of FLOWS) {
    const tr = traces[id];
    if (!tr) continue;
    for (const { key } of [...TRACE_COLUMNS, ...GEOMETRY_COLUMNS]) {
      const a = tr[key];
      if (!a) continue;
      const w = key === 'sharpness' ? tr.eigK : ['w', 'delta', 'sigmaDir', 'centre', 'lo', 'hi'].includes(key) ? tr.wDim : 1;
      out[`${id}.${key}`] = Array.from(a.subarray(0, tr.length * w));
    }
    out[`${id}.stopped`] = [tr.stopped ? tr.stopped.step : -1];
  }
  return out;
}

/**
 * Float64 round-off: the MLP reuses a forward/backward pass cached at the same point, and which flows
 * share a problem instance (one runner, or one worker's part) decides which calls hit that cache, so a
 * flow's last bits may differ with the split (measured: ≤ 2e-15 relative on the teacher net, 14 steps;
 * often none). 1e-10 of max(1, |x|) is far above that and far below any misplaced sample, wrong centre
 * or stale column (≥ 1e-3 of the value). Times, lengths and stops are compared exactly.
 */
const ROUND_OFF = 1e-10;

function expectSameBits(a: Record<string, number[]>, b: Record<string, number[]>): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let worst = 0;
  for (const k of Object.keys(a)) {
    expect(a[k].length, k).toBe(b[k].length);
    const exact = k.endsWith('.t') || k.endsWith('.stopped');
    const bad = a[k].findIndex((x, i) => {
      const y = b[k][i];
      if (Object.is(x, y)) return false;
      if (exact || !Number.isFinite(x) || !Number.isFinite(y)) return true;
      const d = Math.abs(x - y) / Math.max(1, Math.abs(x), Math.abs(y));
      worst = Math.max(worst, d);
      return d > ROUND_OFF;
    });
    expect(bad, `${k}[${bad}]: ${a[k][bad]} vs ${b[k][bad]}`).toBe(-1);
  }
  return worst;
}

/** Two run files alike: the same structure, numbers to round-off (see ROUND_OFF). */
function expectSameFile(a: unknown, b: unknown, path = ''): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (!Object.is(a, b)) expect(Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b)), path).toBeLessThanOrEqual(ROUND_OFF);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(a).sort(), path).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(a)) expectSameFile((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(a, path).toEqual(b);
}

describe('the split of a run over workers', () => {
  it('GD stays on the lead; the others go largest first onto the least loaded worker', () => {
    expect(assignFlows(FLOWS, 1)).toEqual([FLOWS]);
    expect(assignFlows(FLOWS, 2)).toEqual([['gd', 'gradient-flow', 'rod-flow'], ['central-flow']]);
    expect(assignFlows(FLOWS, 3)).toEqual([['gd', 'gradient-flow'], ['central-flow'], ['rod-flow']]);
    expect(assignFlows(FLOWS, 8)).toEqual([['gd'], ['central-flow'], ['rod-flow'], ['gradient-flow']]);
    // Another cost table, another split (the pool uses the costs it measured).
    const rodHeavy = { gd: 1, 'gradient-flow': 2, 'central-flow': 7, 'rod-flow': 16 } as Record<FlowId, number>;
    expect(assignFlows(FLOWS, 2, rodHeavy)).toEqual([['gd', 'gradient-flow', 'central-flow'], ['rod-flow']]);
    expect(assignFlows(['gd', 'central-flow'], 4)).toEqual([['gd'], ['central-flow']]);
    // The model: wall = the largest part's cost; one worker: the sum.
    const sum = FLOWS.reduce((s, f) => s + FLOW_COST[f], 0);
    expect(predictedWall(FLOWS, 1, FLOW_COST)).toBe(sum);
    expect(predictedWall(FLOWS, 4, FLOW_COST)).toBe(FLOW_COST['central-flow']);
    // A follower's GD shadow adds to its part: 4 workers, shadow 0.5: Central Flow's part + 0.5.
    expect(predictedWall(FLOWS, 4, FLOW_COST, 0.5)).toBe(FLOW_COST['central-flow'] + 0.5);
    // Equal costs over 2 workers: 2 + 2.
    const flat = { gd: 1, 'gradient-flow': 1, 'central-flow': 1, 'rod-flow': 1 } as Record<FlowId, number>;
    expect(predictedWall(FLOWS, 2, flat)).toBe(2);
  });
});

describe('a pooled network run equals the single worker’s', () => {
  // Small: the teacher net, 14 steps of all four flows; capacity 8 so that the traces thin.
  const config: RunConfig = { problem: { id: 'mlp-teacher' }, eta: 0.1, steps: 14, flows: FLOWS, capacity: 8 };

  it('same columns (to round-off), in lockstep; a fork of it and its JSON export too', async () => {
    const one = page(1);
    const many = page(4);
    for (const p of [one, many]) {
      p.post({ type: 'run', runId: 1, config, mode: 'stream' });
      p.post({ type: 'play', runId: 1, stepsPerSlice: 100 });
    }
    await Promise.all([one, many].map((p) => p.until(() => p.runs.get(1)?.done === true)));
    expect(many.pool.started).toBe(4);
    expect(many.pool.parts).toEqual([['gd'], ['central-flow'], ['rod-flow'], ['gradient-flow']]);
    expect(one.pool.started).toBe(1);
    // Every flow's compute time is known (the bench's cost model), and the followers' GD shadows'.
    expect(Object.keys(many.pool.cost!.flowMs).sort()).toEqual([...FLOWS].sort());
    expect(many.pool.cost!.shadowMs.slice(1).every((ms) => ms > 0)).toBe(true);
    expect(one.pool.cost).toBeNull();
    const a = one.runs.get(1)!;
    const b = many.runs.get(1)!;
    expect(b.step).toBe(a.step);
    expect(a.traces.gd!.stride).toBe(2); // thinned (at step 8)
    console.log(`[pool] 4 workers vs 1: largest relative difference ${expectSameBits(columns(b.traces), columns(a.traces)).toExponential(1)}`);
    // The distance to GD came from the followers' shadow of GD: finite, and not zero after the start.
    expect(Array.from(b.traces['rod-flow']!.dist.subarray(1, b.traces['rod-flow']!.length)).every((d) => d > 0 && Number.isFinite(d))).toBe(true);
    expect(b.lockstep).toBe(true);

    // Two workers: the lead holds GD, gradient flow and Rod Flow (each its own runner, with a shadow of GD).
    const two = page(2);
    two.post({ type: 'run', runId: 1, config, mode: 'stream' });
    two.post({ type: 'play', runId: 1, stepsPerSlice: 100 });
    await two.until(() => two.runs.get(1)?.done === true);
    expect(two.pool.parts).toEqual([['gd', 'gradient-flow', 'rod-flow'], ['central-flow']]);
    expect(two.runs.get(1)!.lockstep).toBe(true);
    // The next run of the problem is split by the costs this one measured (per step).
    const per = Object.fromEntries(Object.entries(two.pool.cost!.flowMs).map(([f, ms]) => [f, ms / 14]));
    two.post({ type: 'run', runId: 9, config, mode: 'stream' });
    expect(two.pool.parts).toEqual(assignFlows(FLOWS, 2, { ...FLOW_COST, ...per }));
    console.log(`[pool] 2 workers vs 1: largest relative difference ${expectSameBits(columns(two.runs.get(1)!.traces), columns(a.traces)).toExponential(1)}`);

    // A fork at a step behind the end (the lead's GD checkpoints), played to its end.
    for (const p of [one, many]) {
      p.post({ type: 'fork', runId: 2, fromRunId: 1, t: 6, eta: 0.08, sameBase: false });
      p.post({ type: 'play', runId: 2, stepsPerSlice: 100 });
    }
    await Promise.all([one, many].map((p) => p.until(() => p.runs.get(2)?.done === true)));
    expectSameBits(columns(many.runs.get(2)!.traces), columns(one.runs.get(2)!.traces));
    expect(many.runs.get(2)!.traces.gd!.t[0]).toBe(6);
    expect(many.runs.get(2)!.lockstep).toBe(true);

    for (const p of [one, many]) p.post({ type: 'export', reqId: 7, runId: 2, format: 'json' });
    await Promise.all([one, many].map((p) => p.until(() => p.replies.has(7))));
    const text = (p: typeof one) => (p.replies.get(7) as Extract<FromWorker, { type: 'export' }>).text;
    expectSameFile(JSON.parse(text(many)), JSON.parse(text(one)));
    expect(Object.keys(JSON.parse(text(many)).flows).sort()).toEqual([...FLOWS].sort());
  }, scaled(120_000));

  it('a flow that stops does not hold the others back; its stop shows when the others reach it', async () => {
    // η = 1.5: GD (the lead's only flow) diverges within a few steps; gradient flow (the follower's) runs on.
    const cfg: RunConfig = { problem: { id: 'mlp-teacher' }, eta: 1.5, steps: 30, flows: ['gd', 'gradient-flow'] };
    const one = page(1);
    const two = page(2);
    for (const p of [one, two]) {
      p.post({ type: 'run', runId: 1, config: cfg, mode: 'stream' });
      p.post({ type: 'play', runId: 1, stepsPerSlice: 100 });
    }
    await Promise.all([one, two].map((p) => p.until(() => p.runs.get(1)?.done === true)));
    expect(two.pool.parts).toEqual([['gd'], ['gradient-flow']]);
    const a = one.runs.get(1)!;
    const b = two.runs.get(1)!;
    expect(a.traces.gd!.stopped).not.toBeNull();
    expect(a.traces['gradient-flow']!.t[a.traces['gradient-flow']!.length - 1]).toBe(30);
    expect(b.step).toBe(a.step);
    expect(b.lockstep).toBe(true);
    console.log(`[pool] 2 workers vs 1, GD diverged: largest relative difference ${expectSameBits(columns(b.traces), columns(a.traces)).toExponential(1)}`);
  }, scaled(120_000));
});
