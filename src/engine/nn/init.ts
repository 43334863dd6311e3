/**
 * Seeded initial weights in the mlp-spec.ts layout, and a plain forward pass (used to make teacher
 * targets; the problem's own forward pass lives in mlp.ts with preallocated buffers).
 */
import type { MlpArch } from './mlp-spec.ts';
import { paramCount } from './mlp-spec.ts';
import { ACTIVATIONS } from './activations.ts';
import { normal } from './rng.ts';

/**
 * LeCun-style init: W_l ~ N(0, scale²/fan_in); biases N(0, biasScale²) (0 by default).
 * Layout per layer: W_l (out×in, row-major) then b_l.
 */
export function initWeights(arch: MlpArch, seed: number, scale = 1, biasScale = 0): Float64Array {
  const w = new Float64Array(paramCount(arch));
  const g = normal(seed);
  let off = 0;
  for (let l = 0; l + 1 < arch.sizes.length; l++) {
    const fin = arch.sizes[l];
    const fout = arch.sizes[l + 1];
    const s = scale / Math.sqrt(fin);
    for (let i = 0; i < fout * fin; i++) w[off++] = s * g();
    for (let i = 0; i < fout; i++) w[off++] = biasScale * g();
  }
  return w;
}

/** f(x) for n inputs (row-major n×d); returns n×o. Allocates: not for hot loops. */
export function mlpForward(arch: MlpArch, w: Float64Array, x: Float64Array, n: number): Float64Array {
  let a = x;
  let off = 0;
  const L = arch.sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const fin = arch.sizes[l];
    const fout = arch.sizes[l + 1];
    const z = new Float64Array(n * fout);
    for (let p = 0; p < n; p++) {
      for (let j = 0; j < fout; j++) {
        let s = w[off + fout * fin + j];
        for (let i = 0; i < fin; i++) s += w[off + j * fin + i] * a[p * fin + i];
        z[p * fout + j] = s;
      }
    }
    off += fout * (fin + 1);
    if (l + 1 < L) {
      const out = new Float64Array(z.length);
      ACTIVATIONS[arch.activation](z, out, new Float64Array(z.length), new Float64Array(z.length), z.length);
      a = out;
    } else a = z;
  }
  return a;
}
