/**
 * The network problem on the ACTIVE tfjs backend as a synchronous `Problem`, so that the lockstep flows
 * (GD, gradient flow, Central Flow, Rod Flow), which call their problem synchronously, can run on tfjs
 * without being rewritten as async code.
 *
 * Float32 inside (mlp-pass.ts: hyper-dual passes), float64 at the boundary. Read-back is `dataSync()`,
 * which is synchronous on cpu, wasm and webgl. On webgpu it is not safe (docs/numerics.md: repeated dataSync
 * can lose the device), which is why engine-backend.ts decides whether webgpu may serve this class.
 * The device side (upload once, w kept while unchanged, one pass per call) is tf-net.ts, shared with TfMlp.
 * Use one instance per tfjs backend: create it after the backend is set, dispose it before switching.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset, MlpArch } from '../nn/mlp-spec.ts';
import { FLOAT32_ROUNDOFF } from '../flows/precision.ts';
import { type EvalCounters, InputError, type Problem, type Vec } from '../types.ts';
import type { PassMode } from './mlp-pass.ts';
import { TfNet } from './tf-net.ts';

export class TfSyncProblem implements Problem {
  readonly dim: number;
  readonly counters: EvalCounters = { loss: 0, grad: 0, hvp: 0, third: 0 };
  /** float32 inside: solvers raise their tolerances to a multiple of this (flows/precision.ts). */
  readonly roundoff = FLOAT32_ROUNDOFF;
  /** The tfjs backend this instance was built on. */
  readonly backend: string;
  readonly arch: MlpArch;
  readonly data: Dataset;
  private readonly net: TfNet;

  constructor(arch: MlpArch, data: Dataset) {
    this.net = new TfNet(arch, data, 'TfSyncProblem');
    this.arch = this.net.arch;
    this.data = data;
    this.dim = this.net.dim;
    this.backend = this.net.backend;
  }

  /** The device-resident w (for tests: a repeated w must not be uploaded again). */
  get deviceParams(): tf.Tensor | null {
    return this.net.deviceParams;
  }

  private run(mode: PassMode, w: Vec, a: Vec | null, b: Vec | null, out?: Vec): Float64Array {
    this.net.check(w, 'w');
    const n = mode === 'loss' ? 1 : this.dim;
    if (out !== undefined && !(out instanceof Float64Array && out.length === n))
      throw new InputError(`out must be a Float64Array of length ${n}`);
    const t = this.net.pass(mode, w, a, b);
    let vals: ArrayLike<number>;
    try {
      vals = t.dataSync() as Float32Array;
    } finally {
      t.dispose();
    }
    this.net.assertDevice();
    const dst = out ?? new Float64Array(n);
    for (let i = 0; i < n; i++) dst[i] = vals[i];
    return dst;
  }

  loss(w: Vec): number {
    this.counters.loss++;
    return this.run('loss', w, null, null)[0];
  }

  grad(w: Vec, out?: Vec): Vec {
    this.counters.grad++;
    return this.run('grad', w, null, null, out);
  }

  hvp(w: Vec, v: Vec, out?: Vec): Vec {
    this.counters.hvp++;
    return this.run('hvp', w, v, null, out);
  }

  third(w: Vec, a: Vec, b: Vec, out?: Vec): Vec {
    this.counters.third++;
    return this.run('third', w, a, b, out);
  }

  /** Free device memory; the problem must not be used afterwards. Safe to call twice. */
  dispose(): void {
    this.net.dispose();
  }
}

/** The synchronous float32 twin of a float64 network problem (one carrying `arch` and `data`). */
export function tfSyncProblemFor(problem: Problem): TfSyncProblem {
  const p = problem as Partial<{ arch: MlpArch; data: Dataset }>;
  if (!p || !p.arch || !p.data || !Array.isArray(p.arch.sizes))
    throw new InputError('the tfjs backends only run network problems (an MLP with a dataset)');
  return new TfSyncProblem(p.arch, p.data);
}
