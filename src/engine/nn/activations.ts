/**
 * Smooth activations with their first three derivatives (the Hessian-vector product needs φ, φ', φ'';
 * third derivatives of the loss are central differences of exact HVPs, so φ''' is not needed).
 *
 * GELU uses the tanh approximation 0.5·x·(1 + tanh(c(x + 0.044715x³))), c = √(2/π), the same formula
 * as the GPU path, so both compute the same function.
 */
import type { Activation } from './mlp-spec.ts';

/** Writes φ(z), φ'(z), φ''(z) for z into a, d1, d2 (same length). */
export type ActivationFn = (z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, n: number) => void;

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

function tanhAct(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = Math.tanh(z[i]);
    const s = 1 - t * t;
    a[i] = t;
    d1[i] = s;
    d2[i] = -2 * t * s;
  }
}

function geluAct(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = z[i];
    const x2 = x * x;
    const u = GELU_C * (x + GELU_K * x2 * x);
    const du = GELU_C * (1 + 3 * GELU_K * x2);
    const ddu = GELU_C * 6 * GELU_K * x;
    const t = Math.tanh(u);
    const s = 1 - t * t; // tanh'
    // φ = ½x(1+t); φ' = ½(1+t) + ½x s u'; φ'' = s u' + ½x (s u'' − 2 t s u'²)
    a[i] = 0.5 * x * (1 + t);
    d1[i] = 0.5 * (1 + t) + 0.5 * x * s * du;
    d2[i] = s * du + 0.5 * x * (s * ddu - 2 * t * s * du * du);
  }
}

function softplusAct(z: Float64Array, a: Float64Array, d1: Float64Array, d2: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = z[i];
    // log(1+eˣ) without overflow: max(x,0) + log1p(e^{−|x|}).
    a[i] = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    const sg = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    d1[i] = sg;
    d2[i] = sg * (1 - sg);
  }
}

export const ACTIVATIONS: Record<Activation, ActivationFn> = {
  tanh: tanhAct,
  gelu: geluAct,
  softplus: softplusAct,
};

/** Scalar φ for tests and for building targets with a teacher network. */
export function activate(act: Activation, x: number): number {
  const z = new Float64Array([x]);
  const a = new Float64Array(1);
  ACTIVATIONS[act](z, a, new Float64Array(1), new Float64Array(1), 1);
  return a[0];
}
