/**
 * A GPU engine that loses its device mid-run (docs/numerics.md, "GPU path"). Measured in Chromium: a
 * lost WebGL context does not make tfjs throw; every read-back returns zeros and GD's loss read 0 for 230
 * steps while the run went on. So TfNet checks the device after each read-back and throws EngineLostError;
 * the flows' watchdog lets that error escape (a plain error stops the flow instead); and the worker host
 * restarts the run on the float64 reference, from its start, saying after how many steps the engine stopped.
 *
 * In Node the tfjs-cpu backend stands in for the GPU: the loss is the same `isContextLost()` that WebGL
 * answers, put on the backend object where TfNet looks for it. test/e2e/hardening.test.ts loses a real
 * WebGL context in Chromium.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/engine/gpu/backend.ts';
import { TfSyncProblem } from '../src/engine/gpu/sync-problem.ts';
import type { Dataset, MlpArch } from '../src/engine/nn/mlp-spec.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { createRunner } from '../src/engine/runner.ts';
import { EngineLostError, isEngineLost, type Problem, type RunConfig } from '../src/engine/types.ts';
import { applyChunk, type ViewTrace } from '../src/state/trace-buffer.ts';
import { createWorkerHost, type WorkerHost } from '../src/worker/host.ts';
import type { FromWorker } from '../src/worker/protocol.ts';

type Gl = { isContextLost: () => boolean };
let host: WorkerHost | null = null;
/** Undo the stand-in context on the cpu backend. */
let restoreGl: (() => void) | null = null;

afterEach(() => {
  host?.close();
  host = null;
  restoreGl?.();
  restoreGl = null;
});

/** Give the active tfjs backend a WebGL-like context whose loss the test controls. */
function fakeContext(): { lose(): void } {
  const b = tf.backend() as unknown as { gpgpu?: { gl: Gl } };
  const before = b.gpgpu;
  let lost = false;
  b.gpgpu = { gl: { isContextLost: () => lost } };
  restoreGl = () => {
    if (before === undefined) delete b.gpgpu;
    else b.gpgpu = before;
  };
  return { lose: () => (lost = true) };
}

const NET: RunConfig = { problem: { id: 'mlp-chebyshev' }, eta: 0.2, steps: 24, flows: ['gd', 'gradient-flow'] };

describe('a GPU engine that loses its device mid-run', () => {
  it('TfSyncProblem throws EngineLostError after a read-back from a lost context, not zeros', async () => {
    await selectBackend('cpu');
    const ctx = fakeContext();
    const inst = createProblem(NET.problem);
    const net = inst.problem as unknown as { arch: MlpArch; data: Dataset };
    const p = new TfSyncProblem(net.arch, net.data);
    try {
      const w = Float64Array.from(inst.start);
      const g = p.grad(w) as Float64Array;
      expect(Math.hypot(...g)).toBeGreaterThan(0);
      ctx.lose();
      let caught: unknown = null;
      try {
        p.grad(w);
      } catch (e) {
        caught = e;
      }
      expect(isEngineLost(caught)).toBe(true);
      expect((caught as Error).message).toBe('the WebGL context was lost');
      expect(() => p.loss(w)).toThrow(EngineLostError);
    } finally {
      p.dispose();
    }
  });

  it('the flows stop on a plain error but let a lost device escape to the runner', () => {
    const inst = createProblem({ id: 'valley' });
    const failing = (make: () => Error): Problem => {
      let calls = 0;
      return new Proxy(inst.problem, {
        get(target, key, recv) {
          const v = Reflect.get(target, key, recv);
          if (key !== 'grad') return typeof v === 'function' ? v.bind(target) : v;
          return (...args: unknown[]) => {
            if (++calls > 20) throw make();
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    };
    const cfg: RunConfig = { problem: { id: 'valley' }, eta: 0.3, steps: 200, flows: ['gd', 'gradient-flow'] };
    const plain = createRunner(cfg, { ...inst, problem: failing(() => new Error('tfjs says no')) });
    plain.advance(200);
    const stops = Object.values(plain.traces).map((t) => t?.stopped?.reason ?? '');
    expect(stops.some((r) => r.includes('the step could not be computed (tfjs says no)'))).toBe(true);

    const lost = createRunner(cfg, { ...inst, problem: failing(() => new EngineLostError('the WebGL context was lost')) });
    expect(() => lost.advance(200)).toThrow('the WebGL context was lost');
    for (const t of Object.values(lost.traces)) expect(t?.stopped ?? null).toBeNull();
  });

  it('the worker restarts the run on float64 from its start, says after how many steps, and finishes it exactly', async () => {
    await selectBackend('cpu');
    const ctx = fakeContext();
    const got: FromWorker[] = [];
    const waiters: { pred: (m: FromWorker) => boolean; res: (m: FromWorker) => void }[] = [];
    host = createWorkerHost((m) => {
      got.push(m);
      for (const w of waiters.splice(0)) (w.pred(m) ? w.res(m) : waiters.push(w));
    });
    const until = (pred: (m: FromWorker) => boolean, ms = 15_000) =>
      new Promise<FromWorker>((res, rej) => {
        const hit = got.find(pred);
        if (hit) return res(hit);
        waiters.push({ pred, res });
        setTimeout(() => rej(new Error(`timed out; last messages: ${got.slice(-3).map((m) => m.type).join(', ')}`)), ms);
      });
    const running = (m: FromWorker) => m.type === 'engine' && m.status.phase === 'running';
    host.onMessage({ type: 'run', runId: 1, mode: 'stream', config: NET, engine: 'cpu' });
    const started = await until(running);
    expect(started.type === 'engine' && started.status.phase === 'running' && started.status.info.name).toBe('cpu');
    host.onMessage({ type: 'step', runId: 1, n: 5 });
    await until((m) => m.type === 'chunk' && m.step === 5);
    ctx.lose();
    host.onMessage({ type: 'play', runId: 1, stepsPerSlice: 4 });
    const fell = await until((m) => running(m) && m.type === 'engine' && m.status.phase === 'running' && m.status.fellBack === true);
    if (fell.type !== 'engine' || fell.status.phase !== 'running') throw new Error('no fallback');
    expect(fell.status.stoppedAt).toBe(5);
    expect(fell.status.info.name).toBe('float64');
    expect(fell.status.info.failed).toEqual([{ name: 'cpu', reason: 'the WebGL context was lost' }]);
    expect(fell.status.info.summary).toBe("CPU float64 (reference) — 'cpu' stopped mid-run");
    // The restart keeps the transport (it was playing) and runs to the end.
    await until((m) => m.type === 'chunk' && m.runId === 1 && m.done);
    const page: Record<string, ViewTrace> = {};
    for (const m of got) if (m.type === 'chunk') for (const c of m.chunks) page[c.flow] = applyChunk(m.reset ? undefined : page[c.flow], c);
    // Oracle: the same run on the float64 reference from the start, bit for bit.
    const ref = createRunner(NET);
    ref.advance(NET.steps);
    for (const f of NET.flows) {
      const a = page[f];
      const b = ref.traces[f]!;
      expect(a.length).toBe(b.length);
      expect(Array.from(a.loss.subarray(0, a.length))).toEqual(Array.from(b.loss.subarray(0, b.length)));
      expect(a.stopped ?? null).toBeNull();
    }
  });
});
