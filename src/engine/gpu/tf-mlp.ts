/**
 * The tiny-network problem of mlp-spec.ts on tfjs (float32 inside, float64 at the boundary).
 *
 * Derivatives come from mlp-pass.ts (hyper-dual numbers through backprop), not from tf.grad. The device
 * side (tf-net.ts, shared with TfSyncProblem) keeps w uploaded while it is unchanged.
 * Every read-back is `await data()` (WebGPU can lose its device on repeated dataSync).
 * Use one TfMlp per tfjs backend: create it after the backend is set and dispose it before switching.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset, MlpArch } from '../nn/mlp-spec.ts';
import { type EvalCounters, InputError, type Problem, type Vec } from '../types.ts';
import { checkEta } from '../eta.ts';
import { type PassMode, mlpPass } from './mlp-pass.ts';
import { TfNet } from './tf-net.ts';
import { type TopEigOptions, topEigAsync } from './top-eig.ts';
import type { AsyncProblem, GdRun, TopEig } from './types.ts';

export interface GdOptions {
  /** Read losses back (and check them for non-finite values) every this many steps. Default 50. */
  readEvery?: number;
  /** Called after every read-back with the step count so far (e.g. for a progress bar). */
  onProgress?: (stepsDone: number) => void;
}

export class TfMlp implements AsyncProblem {
  readonly dim: number;
  readonly counters: EvalCounters = { loss: 0, grad: 0, hvp: 0, third: 0 };
  readonly backend: string;
  private readonly net: TfNet;

  constructor(
    readonly arch: MlpArch,
    data: Dataset,
  ) {
    this.net = new TfNet(arch, data, 'TfMlp');
    this.dim = this.net.dim;
    this.backend = this.net.backend;
  }

  private async run(mode: PassMode, w: Vec, a: Vec | null = null, b: Vec | null = null): Promise<Float64Array> {
    const out = this.net.pass(mode, w, a, b);
    const data = await out.data();
    out.dispose();
    this.net.assertDevice();
    return Float64Array.from(data);
  }

  async loss(w: Vec): Promise<number> {
    this.counters.loss++;
    return (await this.run('loss', w))[0];
  }

  async grad(w: Vec): Promise<Vec> {
    this.counters.grad++;
    return this.run('grad', w);
  }

  async hvp(w: Vec, v: Vec): Promise<Vec> {
    this.counters.hvp++;
    return this.run('hvp', w, v);
  }

  async third(w: Vec, a: Vec, b: Vec): Promise<Vec> {
    this.counters.third++;
    return this.run('third', w, a, b);
  }

  /** Sharpness λ₁(H(w)) and its eigenvector by Lanczos on device HVPs; pass the last vector as `warm`. */
  async topEig(w: Vec, warm?: Vec | null, opts?: TopEigOptions): Promise<TopEig> {
    this.net.params(w);
    return topEigAsync((v) => this.hvp(w, v), this.dim, warm, opts);
  }

  /**
   * GD w_{k+1} = w_k − η∇L(w_k) with everything on the device; losses are read back every `readEvery`
   * steps. On a non-finite loss it stops and returns the last iterate whose loss was finite.
   */
  async runGD(w0: Vec, eta: number, steps: number, opts: GdOptions = {}): Promise<GdRun> {
    this.net.check(w0, 'w0');
    checkEta(eta);
    if (!Number.isInteger(steps) || steps < 0) throw new InputError(`steps must be a non-negative integer, got ${steps}`);
    const readEvery = Math.max(1, Math.floor(opts.readEvery ?? 50));
    const losses = new Float64Array(steps);
    const step = (cur: tf.Tensor): [tf.Tensor, tf.Tensor] =>
      tf.tidy(() => {
        const r = mlpPass(this.net.arch, this.net.slots, this.net.x, this.net.y, cur, 'grad');
        return [tf.sub(cur, tf.mul(eta, r.grad!)), r.loss];
      });
    // Kept device iterates: `start` = w_done, and `prev` = the previous chunk's start (index prevIdx), so
    // that the last finite iterate can be recomputed whichever chunk it lies in.
    let start: tf.Tensor = tf.tensor1d(Float32Array.from(w0));
    let prev: tf.Tensor | null = null;
    let prevIdx = 0;
    let done = 0;
    let stopped: string | undefined;
    while (done < steps) {
      const chunk = Math.min(readEvery, steps - done);
      const chunkLosses: tf.Tensor[] = [];
      let cur = start;
      for (let k = 0; k < chunk; k++) {
        const [next, l] = step(cur);
        if (cur !== start) cur.dispose();
        cur = next;
        chunkLosses.push(l);
      }
      this.counters.grad += chunk;
      const stacked = tf.stack(chunkLosses);
      const vals = await stacked.data();
      stacked.dispose();
      chunkLosses.forEach((t) => t.dispose());
      this.net.assertDevice();
      let bad = -1;
      for (let k = 0; k < chunk && bad < 0; k++) {
        if (Number.isFinite(vals[k])) losses[done + k] = vals[k];
        else bad = k;
      }
      if (bad < 0) {
        prev?.dispose();
        prev = start;
        prevIdx = done;
        start = cur;
        done += chunk;
        opts.onProgress?.(done);
        continue;
      }
      cur.dispose();
      const g = done + bad; // L(w_g) is not finite; keep w_{g-1}
      if (g === 0) {
        start.dispose();
        throw new InputError('the loss is not finite at the start point');
      }
      const m = g - 1;
      let base = start;
      let baseIdx = done;
      if (m < done) {
        base = prev!;
        baseIdx = prevIdx;
      }
      let redo = base;
      for (let k = baseIdx; k < m; k++) {
        const [next, l] = step(redo);
        l.dispose();
        if (redo !== base) redo.dispose();
        redo = next;
      }
      if (start !== redo) start.dispose();
      if (prev && prev !== redo) prev.dispose();
      prev = null;
      start = redo;
      done = m;
      stopped = `loss became non-finite at step ${g}`;
      break;
    }
    prev?.dispose();
    const wOut = Float64Array.from(await start.data());
    start.dispose();
    this.net.assertDevice();
    return { w: wOut, losses: losses.slice(0, done), steps: done, ...(stopped ? { stopped } : {}) };
  }

  dispose(): void {
    this.net.dispose();
  }
}

/**
 * The float32 twin of a float64 network problem (a `MlpProblem` from the network registry, which carries
 * its `arch` and `data`), on the active tfjs backend. Throws InputError for a problem that is not a net.
 */
export function tfMlpFor(problem: Problem): TfMlp {
  const p = problem as Partial<{ arch: MlpArch; data: Dataset }>;
  if (!p.arch || !p.data || !Array.isArray(p.arch.sizes))
    throw new InputError('the GPU (tfjs) path only runs network problems (an MLP with a dataset)');
  return new TfMlp(p.arch, p.data);
}
