/**
 * The device side of a tiny network on the ACTIVE tfjs backend, shared by the asynchronous `TfMlp` and
 * the synchronous `TfSyncProblem`: the validated shape, the dataset uploaded once, the current
 * parameters kept on the device while w is unchanged (compared entry by entry, so the many HVPs an
 * eigensolver asks for at one point upload w once), and one derivative pass as a tensor. How the result
 * is read back (`await data()` or `dataSync()`) is the caller's business.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Dataset, type MlpArch, paramCount } from '../nn/mlp-spec.ts';
import { EngineLostError, InputError, type Vec } from '../types.ts';
import { type LayerSlot, type PassMode, layerSlots, mlpPass } from './mlp-pass.ts';

const ACTIVATIONS = ['tanh', 'gelu', 'softplus'];

export class TfNet {
  readonly dim: number;
  readonly arch: MlpArch;
  readonly data: Dataset;
  /** The tfjs backend the tensors live on. */
  readonly backend: string;
  readonly slots: LayerSlot[];
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  private wHost: Float64Array | null = null;
  private wDev: tf.Tensor | null = null;
  private disposed = false;
  /** Set when the WebGPU device reports its loss (device.lost resolves). */
  private gpuLost: string | null = null;

  /** `owner` names the class in the used-after-dispose message. */
  constructor(
    arch: MlpArch,
    data: Dataset,
    private readonly owner: string,
  ) {
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
    const lost = (tf.backend() as { device?: { lost?: Promise<{ message?: string }> } }).device?.lost;
    void lost?.then((info) => {
      this.gpuLost = `the WebGPU device was lost${info?.message ? ` (${info.message})` : ''}`;
    });
  }

  /**
   * Throws when the device behind the tensors is gone. A lost WebGL context does not make tfjs throw:
   * every read-back then returns zeros (measured in Chromium: GD's loss read 0 for 230 steps and the run
   * went on), so each read-back is followed by this check (docs/numerics.md, "GPU path").
   */
  assertDevice(): void {
    if (this.gpuLost) throw new EngineLostError(this.gpuLost);
    const gl = (tf.backend() as { gpgpu?: { gl?: { isContextLost?: () => boolean } } }).gpgpu?.gl;
    if (gl?.isContextLost?.()) throw new EngineLostError('the WebGL context was lost');
  }

  /** Throws after dispose, or an InputError for a vector that is not a Float64Array of length dim. */
  check(v: Vec, what: string): void {
    if (this.disposed) throw new Error(`${this.owner} used after dispose()`);
    if (!(v instanceof Float64Array) || v.length !== this.dim)
      throw new InputError(`${what} must be a Float64Array of length ${this.dim}, got length ${(v as { length?: number } | null)?.length}`);
  }

  /** The device copy of w, uploaded only when w differs from the last one. */
  params(w: Vec): tf.Tensor {
    this.check(w, 'w');
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

  /** One pass at w (directions a, b for 'hvp' / 'third'); the caller reads and disposes the tensor. */
  pass(mode: PassMode, w: Vec, a: Vec | null = null, b: Vec | null = null): tf.Tensor {
    const wt = this.params(w);
    if (a) this.check(a, 'direction a');
    if (b) this.check(b, 'direction b');
    return tf.tidy(() => {
      const at = a ? tf.tensor1d(Float32Array.from(a)) : null;
      const bt = b ? tf.tensor1d(Float32Array.from(b)) : null;
      const r = mlpPass(this.arch, this.slots, this.x, this.y, wt, mode, at, bt);
      return mode === 'loss' ? r.loss : mode === 'grad' ? r.grad! : mode === 'hvp' ? r.ha! : r.tab!;
    });
  }

  /** Free device memory; safe to call twice. */
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
