/**
 * The network problem on the ACTIVE tfjs backend as a synchronous `Problem`, so that the lockstep flows
 * (GD, gradient flow, Central Flow, Rod Flow), which call their problem synchronously, can run on tfjs
 * without being rewritten as async code.
 *
 * Float32 inside (mlp-pass.ts: hyper-dual passes), float64 at the boundary. Read-back is `dataSync()`,
 * which is synchronous on cpu, wasm and webgl. On webgpu it is not safe (platform.md: repeated dataSync
 * can lose the device), which is why engine-backend.ts decides whether webgpu may serve this class.
 * The current parameters stay on the device between calls with the same w (compared entry by entry), so
 * the many HVPs an eigensolver asks for at one point upload w once.
 * Use one instance per tfjs backend: create it after the backend is set, dispose it before switching.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Dataset, type MlpArch, paramCount } from '../nn/mlp-spec.ts';
import { FLOAT32_ROUNDOFF } from '../flows/precision.ts';
import { type EvalCounters, InputError, type Problem, type Vec } from '../types.ts';
import { type LayerSlot, type PassMode, layerSlots, mlpPass } from './mlp-pass.ts';

const ACTIVATIONS = ['tanh', 'gelu', 'softplus'];

export class TfSyncProblem implements Problem {
  readonly dim: number;
  readonly counters: EvalCounters = { loss: 0, grad: 0, hvp: 0, third: 0 };
  /** float32 inside: solvers raise their tolerances to a multiple of this (flows/precision.ts). */
  readonly roundoff = FLOAT32_ROUNDOFF;
  /** The tfjs backend this instance was built on. */
  readonly backend: string;
  readonly arch: MlpArch;
  readonly data: Dataset;
  private readonly slots: LayerSlot[];
  private readonly x: tf.Tensor;
  private readonly y: tf.Tensor;
  private wHost: Float64Array | null = null;
  private wDev: tf.Tensor | null = null;
  private disposed = false;

  constructor(arch: MlpArch, data: Dataset) {
    const sizes = arch?.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1))
      throw new InputError(`network sizes must be ≥ 2 positive integers, got [${String(sizes)}]`);
    if (!ACTIVATIONS.includes(arch.activation))
      throw new InputError(`unknown activation '${String(arch.activation)}' (use tanh, gelu or softplus)`);
    if (!data || data.d !== sizes[0] || data.o !== sizes[sizes.length - 1])
      throw new InputError(
        `dataset '${data?.name}' has ${data?.d} inputs and ${data?.o} outputs; the network expects ${sizes[0]} and ${sizes[sizes.length - 1]}`,
      );
    if (!(data.n >= 1) || data.x.length !== data.n * data.d || data.y.length !== data.n * data.o)
      throw new InputError(`dataset '${data.name}': array sizes do not match n=${data.n}, d=${data.d}, o=${data.o}`);
    this.arch = { sizes: sizes.slice(), activation: arch.activation };
    this.data = data;
    this.dim = paramCount(arch);
    this.slots = layerSlots(this.arch);
    this.backend = tf.getBackend();
    this.x = tf.tensor2d(Float32Array.from(data.x), [data.n, data.d]);
    this.y = tf.tensor2d(Float32Array.from(data.y), [data.n, data.o]);
  }

  private check(v: Vec, what: string): void {
    if (this.disposed) throw new Error('TfSyncProblem used after dispose()');
    if (!(v instanceof Float64Array) || v.length !== this.dim)
      throw new InputError(`${what} must be a Float64Array of length ${this.dim}, got length ${(v as { length?: number } | null)?.length}`);
  }

  /** The device copy of w, uploaded only when w differs from the last one. */
  private params(w: Vec): tf.Tensor {
    const h = this.wHost;
    if (this.wDev && h) {
      let same = true;
      for (let i = 0; i < h.length; i++)
        if (h[i] !== w[i]) {
          same = false;
          break;
        }
      if (same) return this.wDev;
    }
    this.wDev?.dispose();
    this.wDev = null;
    this.wHost = Float64Array.from(w);
    this.wDev = tf.tensor1d(Float32Array.from(w));
    return this.wDev;
  }

  /** The device-resident w (for tests: a repeated w must not be uploaded again). */
  get deviceParams(): tf.Tensor | null {
    return this.wDev;
  }

  private run(mode: PassMode, w: Vec, a: Vec | null, b: Vec | null, out?: Vec): Float64Array {
    this.check(w, 'w');
    if (a) this.check(a, 'direction a');
    if (b) this.check(b, 'direction b');
    const n = mode === 'loss' ? 1 : this.dim;
    if (out !== undefined && !(out instanceof Float64Array && out.length === n))
      throw new InputError(`out must be a Float64Array of length ${n}`);
    const wt = this.params(w);
    const t = tf.tidy(() => {
      const at = a ? tf.tensor1d(Float32Array.from(a)) : null;
      const bt = b ? tf.tensor1d(Float32Array.from(b)) : null;
      const r = mlpPass(this.arch, this.slots, this.x, this.y, wt, mode, at, bt);
      return mode === 'loss' ? r.loss : mode === 'grad' ? r.grad! : mode === 'hvp' ? r.ha! : r.tab!;
    });
    let vals: ArrayLike<number>;
    try {
      vals = t.dataSync() as Float32Array;
    } finally {
      t.dispose();
    }
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
    if (this.disposed) return;
    this.disposed = true;
    this.x.dispose();
    this.y.dispose();
    this.wDev?.dispose();
    this.wDev = null;
    this.wHost = null;
  }
}

/** The synchronous float32 twin of a float64 network problem (one carrying `arch` and `data`). */
export function tfSyncProblemFor(problem: Problem): TfSyncProblem {
  const p = problem as Partial<{ arch: MlpArch; data: Dataset }>;
  if (!p || !p.arch || !p.data || !Array.isArray(p.arch.sizes))
    throw new InputError('the tfjs backends only run network problems (an MLP with a dataset)');
  return new TfSyncProblem(p.arch, p.data);
}
