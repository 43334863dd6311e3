/**
 * Activations and their first three derivatives as explicit tfjs ops.
 *
 * Why explicit: the network's derivatives are propagated by hand (hyper-dual numbers through backprop,
 * see hyperdual.ts), never by nested `tf.grad`, which is silently wrong through tanh/exp/sigmoid
 * (docs/numerics.md) and whose gradient registry does not even load under Node's ESM resolver. So each
 * activation only needs σ, σ′, σ″, σ‴ as closed forms; tests compare them with float64 formulas.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../nn/mlp-spec.ts';

/** derivs[k] = σ⁽ᵏ⁾(z) for k = 0..order (order ≤ 3). Caller owns the tensors (use inside tf.tidy). */
export type Derivs = tf.Tensor[];

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

/** tanh: t = tanh z, σ′ = 1 − t², σ″ = −2tσ′, σ‴ = σ′(6t² − 2). */
function tanhDerivs(z: tf.Tensor, order: number): Derivs {
  const t = tf.tanh(z);
  const out: Derivs = [t];
  if (order < 1) return out;
  const t2 = tf.mul(t, t);
  const d1 = tf.sub(1, t2);
  out.push(d1);
  if (order >= 2) out.push(tf.mul(tf.mul(-2, t), d1));
  if (order >= 3) out.push(tf.mul(d1, tf.sub(tf.mul(6, t2), 2)));
  return out;
}

/** softplus: σ′ = s = sigmoid z, σ″ = s(1 − s), σ‴ = s(1 − s)(1 − 2s). */
function softplusDerivs(z: tf.Tensor, order: number): Derivs {
  const out: Derivs = [tf.softplus(z)];
  if (order < 1) return out;
  const s = tf.sigmoid(z);
  out.push(s);
  if (order < 2) return out;
  const s1 = tf.mul(s, tf.sub(1, s));
  out.push(s1);
  if (order >= 3) out.push(tf.mul(s1, tf.sub(1, tf.mul(2, s))));
  return out;
}

/**
 * GELU, tanh approximation σ = ½x(1 + tanh u), u = c(x + kx³). With T = tanh u and its derivatives in u
 * T′ = sech²u, T″ = −2TT′, T‴ = T′(6T² − 2), and u′ = c(1 + 3kx²), u″ = 6ckx, u‴ = 6ck:
 *   σ′ = ½(1 + T) + ½x T′u′
 *   σ″ = T′u′ + ½x(T″u′² + T′u″)
 *   σ‴ = 3/2 (T″u′² + T′u″) + ½x(T‴u′³ + 3T″u′u″ + T′u‴)
 */
function geluDerivs(x: tf.Tensor, order: number): Derivs {
  const c = SQRT_2_OVER_PI;
  const x2 = tf.mul(x, x);
  const u = tf.mul(c, tf.add(x, tf.mul(GELU_K, tf.mul(x2, x))));
  const T = tf.tanh(u);
  const halfX = tf.mul(0.5, x);
  const out: Derivs = [tf.mul(halfX, tf.add(1, T))];
  if (order < 1) return out;
  // T′ = sech²u = 4e/(1+e)², e = exp(−2|u|). Not 1 − T²: for |x| ≳ 5 float32 tanh u rounds to ±1 and
  // 1 − T² = 0, while x·u′² ≈ 70 still multiplies the true ~1e-7, an absolute error of ~1e-5 in σ″.
  const e = tf.exp(tf.mul(-2, tf.abs(u)));
  const ep1 = tf.add(1, e);
  const T1 = tf.div(tf.mul(4, e), tf.mul(ep1, ep1));
  const u1 = tf.mul(c, tf.add(1, tf.mul(3 * GELU_K, x2)));
  out.push(tf.add(tf.mul(0.5, tf.add(1, T)), tf.mul(halfX, tf.mul(T1, u1))));
  if (order < 2) return out;
  const T2 = tf.mul(tf.mul(-2, T), T1);
  const u2 = tf.mul(6 * c * GELU_K, x);
  const inner2 = tf.add(tf.mul(T2, tf.mul(u1, u1)), tf.mul(T1, u2)); // T″u′² + T′u″
  out.push(tf.add(tf.mul(T1, u1), tf.mul(halfX, inner2)));
  if (order < 3) return out;
  const T3 = tf.mul(T1, tf.sub(tf.mul(6, tf.mul(T, T)), 2));
  const u3 = 6 * c * GELU_K;
  const inner3 = tf.add(
    tf.add(tf.mul(T3, tf.mul(tf.mul(u1, u1), u1)), tf.mul(3, tf.mul(T2, tf.mul(u1, u2)))),
    tf.mul(u3, T1),
  );
  out.push(tf.add(tf.mul(1.5, inner2), tf.mul(halfX, inner3)));
  return out;
}

/** σ and its derivatives up to `order` (0..3), evaluated elementwise at z. */
export function activationDerivs(act: Activation, z: tf.Tensor, order: number): Derivs {
  if (!(order >= 0 && order <= 3)) throw new RangeError(`activation derivative order ${order} not in 0..3`);
  switch (act) {
    case 'tanh':
      return tanhDerivs(z, order);
    case 'softplus':
      return softplusDerivs(z, order);
    case 'gelu':
      return geluDerivs(z, order);
    default:
      throw new RangeError(`unknown activation '${act as string}'`);
  }
}
