/**
 * One pass through the MLP of mlp-spec.ts on tfjs: forward, loss and (optionally) backprop, all in
 * hyper-dual numbers (hyperdual.ts). Parameter tangents a, b are flat vectors in the same layout as w.
 * Must be called inside tf.tidy; returns tensors the caller keeps or disposes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MlpArch } from '../nn/mlp-spec.ts';
import { activationDerivs } from './activations.ts';
import { type HD, add, bilinear, constant, linear, map } from './hyperdual.ts';

export type PassMode = 'loss' | 'grad' | 'hvp' | 'third';

export interface PassResult {
  /** Scalar L(w). */
  loss: tf.Tensor;
  /** Flat ∇L(w) (modes grad, hvp, third). */
  grad?: tf.Tensor;
  /** Flat H·a (hvp, third). */
  ha?: tf.Tensor;
  /** Flat ∇³L[a,b,·] (third). */
  tab?: tf.Tensor;
}

/** Offsets of W_l and b_l in the flat vector. */
export interface LayerSlot {
  out: number;
  inp: number;
  wOff: number;
  bOff: number;
}

export function layerSlots(arch: MlpArch): LayerSlot[] {
  const slots: LayerSlot[] = [];
  let off = 0;
  for (let l = 0; l + 1 < arch.sizes.length; l++) {
    const inp = arch.sizes[l];
    const out = arch.sizes[l + 1];
    slots.push({ out, inp, wOff: off, bOff: off + out * inp });
    off += out * (inp + 1);
  }
  return slots;
}

function splitParams(flat: tf.Tensor | null, slots: LayerSlot[]): { W: tf.Tensor | null; b: tf.Tensor | null }[] {
  return slots.map((s) =>
    flat === null
      ? { W: null, b: null }
      : {
          W: tf.reshape(tf.slice(flat, [s.wOff], [s.out * s.inp]), [s.out, s.inp]),
          b: tf.slice(flat, [s.bOff], [s.out]),
        },
  );
}

function flatten(parts: (tf.Tensor | null)[]): tf.Tensor {
  return tf.concat(parts.map((p) => tf.reshape(p as tf.Tensor, [-1])));
}

/**
 * x: n×d inputs, y: n×o targets, w: flat params; a, b: flat tangents (hvp needs a; third needs a and b).
 */
export function mlpPass(
  arch: MlpArch,
  slots: LayerSlot[],
  x: tf.Tensor,
  y: tf.Tensor,
  w: tf.Tensor,
  mode: PassMode,
  a: tf.Tensor | null = null,
  b: tf.Tensor | null = null,
): PassResult {
  const n = x.shape[0];
  const L = slots.length;
  // Highest activation derivative used: forward needs σ..σ^(k), backprop σ′..σ^(k+1), k = tangent order.
  const order = mode === 'loss' ? 0 : mode === 'grad' ? 1 : mode === 'hvp' ? 2 : 3;
  const pw = splitParams(w, slots);
  const pa = splitParams(mode === 'hvp' || mode === 'third' ? a : null, slots);
  const pb = splitParams(mode === 'third' ? b : null, slots);
  const Ws: HD[] = [];
  const Bs: HD[] = [];
  for (let l = 0; l < L; l++) {
    Ws.push({ v: pw[l].W!, a: pa[l].W, b: pb[l].W, ab: null });
    Bs.push({ v: pw[l].b!, a: pa[l].b, b: pb[l].b, ab: null });
  }
  const mm = (tA: boolean, tB: boolean) => (p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, tA, tB);

  // Forward. acts[l] is the input of layer l; derivs[l] the activation derivatives at layer l's output.
  const acts: HD[] = [constant(x)];
  const derivs: tf.Tensor[][] = [];
  const zs: HD[] = [];
  let z: HD = constant(x);
  for (let l = 0; l < L; l++) {
    z = add(bilinear(mm(false, true), acts[l], Ws[l]), Bs[l]);
    zs.push(z);
    if (l + 1 < L) {
      const d = activationDerivs(arch.activation, z.v, order);
      derivs.push(d);
      acts.push(map(z, d[0], d[1], d[2]));
    }
  }
  const r = add(z, constant(tf.neg(y))); // residual f − y
  const loss = tf.div(tf.sum(tf.mul(r.v, r.v)), 2 * n);
  if (mode === 'loss') return { loss };

  // Backprop: δ_L = r/n; gW_l = δ_lᵀ A_l, gb_l = Σ_rows δ_l; δ_{l−1} = (δ_l W_l) ⊙ σ′(z_{l−1}).
  let delta = linear((t) => tf.div(t, n), r);
  const gW: HD[] = new Array(L);
  const gB: HD[] = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    gW[l] = bilinear(mm(true, false), delta, acts[l]);
    gB[l] = linear((t) => tf.sum(t, 0), delta);
    if (l > 0) {
      const d = derivs[l - 1];
      const sigmaPrime = map(zs[l - 1], d[1], d[2], d[3]); // σ′(z) as a hyper-dual number
      delta = bilinear(tf.mul, bilinear(mm(false, false), delta, Ws[l]), sigmaPrime);
    }
  }
  // A component can be identically zero (e.g. the third derivative of a linear model): fill with zeros.
  const pick = (c: 'v' | 'a' | 'ab') =>
    flatten(
      slots.flatMap((s, l) => [gW[l][c] ?? tf.zeros([s.out, s.inp]), gB[l][c] ?? tf.zeros([s.out])]),
    );
  const res: PassResult = { loss, grad: pick('v') };
  if (mode === 'hvp' || mode === 'third') res.ha = pick('a');
  if (mode === 'third') res.tab = pick('ab');
  return res;
}
