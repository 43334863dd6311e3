/**
 * Hyper-dual numbers over tfjs tensors: x = v + a·ε₁ + b·ε₂ + ab·ε₁ε₂ with ε₁² = ε₂² = 0.
 *
 * Pushing them through the *backprop computation of the gradient* (forward-mode over reverse-mode) gives,
 * in one pass, ∇L (component v), H·a (component a), H·b (component b) and ∇³L[a,b,·] (component ab),
 * exactly up to float32 round-off, with a handful of kernels per layer and no autodiff tape.
 * A null component means "identically zero" and is skipped, so the same code serves loss / gradient
 * (v only), HVP (v, a) and third derivative (all four) without wasted work.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface HD {
  v: tf.Tensor;
  a: tf.Tensor | null;
  b: tf.Tensor | null;
  ab: tf.Tensor | null;
}

export function constant(v: tf.Tensor): HD {
  return { v, a: null, b: null, ab: null };
}

function plus(x: tf.Tensor | null, y: tf.Tensor | null): tf.Tensor | null {
  if (x === null) return y;
  if (y === null) return x;
  return tf.add(x, y);
}

function prod(op: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor, p: tf.Tensor | null, q: tf.Tensor | null): tf.Tensor | null {
  return p === null || q === null ? null : op(p, q);
}

/** Any bilinear product (elementwise, matmul): Leibniz rule up to the mixed ε₁ε₂ term. */
export function bilinear(op: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor, x: HD, y: HD): HD {
  return {
    v: op(x.v, y.v),
    a: plus(prod(op, x.a, y.v), prod(op, x.v, y.a)),
    b: plus(prod(op, x.b, y.v), prod(op, x.v, y.b)),
    ab: plus(plus(prod(op, x.ab, y.v), prod(op, x.v, y.ab)), plus(prod(op, x.a, y.b), prod(op, x.b, y.a))),
  };
}

export function add(x: HD, y: HD): HD {
  return { v: tf.add(x.v, y.v), a: plus(x.a, y.a), b: plus(x.b, y.b), ab: plus(x.ab, y.ab) };
}

/** Linear map applied to every component (scaling, reduction, reshape, ...). */
export function linear(f: (t: tf.Tensor) => tf.Tensor, x: HD): HD {
  return { v: f(x.v), a: x.a && f(x.a), b: x.b && f(x.b), ab: x.ab && f(x.ab) };
}

/**
 * Elementwise function f of x given f(x.v), f′(x.v), f″(x.v):
 * f(x) = f + f′a ε₁ + f′b ε₂ + (f″ a b + f′ ab) ε₁ε₂. `d2` may be omitted when x has no b part.
 */
export function map(x: HD, f0: tf.Tensor, f1: tf.Tensor | undefined, f2: tf.Tensor | undefined): HD {
  const need1 = x.a !== null || x.b !== null || x.ab !== null;
  if (need1 && f1 === undefined) throw new Error('hyperdual map: first derivative missing');
  const m = (t: tf.Tensor | null) => (t === null ? null : tf.mul(f1!, t));
  let ab = m(x.ab);
  if (x.a !== null && x.b !== null) {
    if (f2 === undefined) throw new Error('hyperdual map: second derivative missing');
    ab = plus(ab, tf.mul(f2, tf.mul(x.a, x.b)));
  }
  return { v: f0, a: m(x.a), b: m(x.b), ab };
}
