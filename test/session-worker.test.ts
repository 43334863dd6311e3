/**
 * The worker's dispatch (src/worker/host.ts) in Node: run, chunks (columns, geometry, onset), fork,
 * stream transport, export, and errors, through the same messages the page sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseRunFile, runToJson } from '../src/engine/run-file.ts';
import { onsetStep } from '../src/engine/metrics.ts';
import { createRunner } from '../src/engine/runner.ts';
import { createWorkerHost, IMPORT_MAX_SAMPLES, type WorkerHost } from '../src/worker/host.ts';
import type { FromWorker, ToWorker } from '../src/worker/protocol.ts';
import { applyChunk, type ViewTrace } from '../src/state/trace-buffer.ts';

let host: WorkerHost | null = null;
afterEach(() => host?.close());

function harness() {
  const got: FromWorker[] = [];
  const waiters: { pred: (m: FromWorker) => boolean; res: (m: FromWorker) => void }[] = [];
  host = createWorkerHost((m) => {
    got.push(m);
    for (const w of waiters.splice(0)) {
      if (w.pred(m)) w.res(m);
      else waiters.push(w);
    }
  });
  const send = (m: ToWorker) => host!.onMessage(m);
  const until = <T extends FromWorker>(pred: (m: FromWorker) => boolean, ms = 10_000) =>
    new Promise<T>((res, rej) => {
      const hit = got.find(pred);
      if (hit) return res(hit as T);
      waiters.push({ pred, res: res as (m: FromWorker) => void });
      setTimeout(() => rej(new Error('timed out waiting for a worker message')), ms);
    });
  return { got, send, until };
}

type Chunk = Extract<FromWorker, { type: 'chunk' }>;
const doneOf = (runId: number) => (m: FromWorker) => m.type === 'chunk' && m.runId === runId && m.done;

/** The page's copy of a run, built from its chunks as trace-buffer.ts does. */
function collect(got: FromWorker[], runId: number): Record<string, ViewTrace> {
  const out: Record<string, ViewTrace> = {};
  for (const m of got) if (m.type === 'chunk' && m.runId === runId) for (const c of m.chunks) out[c.flow] = applyChunk(m.reset ? undefined : out[c.flow], c);
  return out;
}

describe('worker host', () => {
  it('a horizon run: info, then chunks that rebuild the runner’s traces exactly, with geometry and onset', async () => {
    const { got, send, until } = harness();
    const config = { problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps: 400, flows: ['gd', 'central-flow', 'rod-flow'] as const };
    send({ type: 'run', runId: 1, mode: 'horizon', config: { ...config, flows: [...config.flows] } });
    const last = await until<Chunk>(doneOf(1));
    const info = got.find((m) => m.type === 'info');
    expect(info && info.type === 'info' && info.info.eigStart.length).toBe(2);
    const page = collect(got, 1);
    const ref = createRunner({ ...config, flows: [...config.flows], capacity: 402 });
    ref.advance(400);
    for (const id of config.flows) {
      const a = page[id];
      const b = ref.traces[id]!;
      expect(a.length).toBe(401);
      expect(Array.from(a.w.subarray(0, 802))).toEqual(Array.from(b.w.subarray(0, 802)));
      expect(Array.from(a.loss.subarray(0, 401))).toEqual(Array.from(b.loss.subarray(0, 401)));
      // The onset is engine/metrics.ts's.
      const on = onsetStep(b, 0.3);
      if (Number.isFinite(on)) expect(last.onset[id]).toBe(on);
    }
    // Geometry: GD's pair ends are w_k and w_k + 2δ; the rod's ends are w̄ ∓ δ; Central Flow's ±σ ends.
    const gd = page.gd;
    for (const i of [0, 100, 399]) {
      expect(gd.lo![2 * i]).toBeCloseTo(gd.w[2 * i], 14);
      expect(gd.hi![2 * i]).toBeCloseTo(gd.w[2 * i] + 2 * gd.delta![2 * i], 14);
    }
    const cf = page['central-flow'];
    expect(cf.lo).toBeDefined();
    const i = 300;
    const half = Math.hypot(cf.hi![2 * i] - cf.w[2 * i], cf.hi![2 * i + 1] - cf.w[2 * i + 1]);
    expect(half).toBeCloseTo(Math.sqrt(cf.osc[i]), 12);
  });

  it('a fork continues from the state at its time; export gives a run file the parser accepts', async () => {
    const { got, send, until } = harness();
    send({ type: 'run', runId: 1, mode: 'horizon', config: { problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps: 100, flows: ['gd'] } });
    await until(doneOf(1));
    send({ type: 'fork', runId: 2, fromRunId: 1, t: 40, eta: 0.3, sameBase: false });
    await until(doneOf(2));
    const info = got.find((m) => m.type === 'info' && m.info.runId === 2);
    expect(info?.type === 'info' && info.info.t0).toBe(40);
    const a = collect(got, 1).gd;
    const b = collect(got, 2).gd;
    expect(b.length).toBe(61);
    expect(Array.from(b.w.subarray(0, 122))).toEqual(Array.from(a.w.subarray(80, 202)));
    send({ type: 'export', reqId: 9, runId: 2, format: 'json' });
    const ex = await until((m) => m.type === 'export');
    const file = parseRunFile(ex.type === 'export' ? ex.text : '');
    expect(file.t0).toBe(40);
    expect(file.flows.gd!.t.length).toBe(61);
  });

  it('stream mode advances only while playing or stepping; bad input is an input error', async () => {
    const { got, send, until } = harness();
    send({ type: 'run', runId: 3, mode: 'stream', config: { problem: { id: 'valley' }, eta: 0.3, steps: 50, flows: ['gd'] } });
    const first = await until<Chunk>((m) => m.type === 'chunk' && m.runId === 3);
    expect(first.step).toBe(0);
    send({ type: 'step', runId: 3, n: 4 });
    await until((m) => m.type === 'chunk' && m.runId === 3 && m.step === 4);
    send({ type: 'play', runId: 3, stepsPerSlice: 5 });
    await until(doneOf(3));
    expect((got.filter((m) => m.type === 'chunk').at(-1) as Chunk).step).toBe(50);
    send({ type: 'run', runId: 4, mode: 'horizon', config: { problem: { id: 'valley' }, eta: -2, steps: 5, flows: ['gd'] } });
    const err = await until((m) => m.type === 'error' && m.runId === 4);
    expect(err.type === 'error' && err.input).toBe(true);
    send({ type: 'fork', runId: 6, fromRunId: 5, t: 1, eta: 0.1, sameBase: false });
    const err2 = await until((m) => m.type === 'error' && m.runId === 6);
    expect(err2.type === 'error' && err2.message).toContain('no longer');
  });

  it('imports a large run file in the worker: validated, thinned to at most 4096 samples per flow, last sample kept', async () => {
    const { send, until } = harness();
    const r = createRunner({ problem: { id: 'valley' }, eta: 0.3, steps: 9000, flows: ['gd', 'rod-flow'], capacity: 9002 });
    r.advance(9000);
    const text = JSON.stringify(runToJson(r));
    const bytes = new TextEncoder().encode(text).buffer as ArrayBuffer;
    send({ type: 'import', reqId: 1, bytes });
    const m = await until((x) => x.type === 'imported' && x.reqId === 1);
    if (m.type !== 'imported') throw new Error('no import');
    expect(m.samples).toBe(2 * 9001);
    for (const c of m.traces) {
      expect(c.length).toBeLessThanOrEqual(IMPORT_MAX_SAMPLES);
      expect(c.stride).toBe(4);
      expect(c.t[0]).toBe(0);
      expect(c.t[c.length - 1]).toBe(9000);
      const full = r.traces[c.flow]!;
      expect(c.w[2 * 5]).toBe(full.w[2 * 20]); // sample 5 of the thinned trace is sample 20 (stride 4)
    }
    send({ type: 'import', reqId: 2, text: '{"schema":1,"flows":{}}' });
    const e = await until((x) => x.type === 'error' && x.reqId === 2);
    expect(e.type === 'error' && e.input && e.message).toMatch(/Not a Rod Flow Explorer run file: the problem \(problem\) is missing/);
  });
});
