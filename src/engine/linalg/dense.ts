/** Small dense vector helpers (float64). Allocation-free where an `out` is taken. */
import type { Vec } from '../types.ts';

export function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Vec): number {
  return Math.sqrt(dot(a, a));
}

/** out = a + s·b */
export function axpy(a: Vec, s: number, b: Vec, out: Vec = new Float64Array(a.length)): Vec {
  for (let i = 0; i < a.length; i++) out[i] = a[i] + s * b[i];
  return out;
}

export function scale(a: Vec, s: number, out: Vec = new Float64Array(a.length)): Vec {
  for (let i = 0; i < a.length; i++) out[i] = s * a[i];
  return out;
}

/** ‖a − b‖ */
export function dist(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** y = A x for row-major n×n A. */
export function matVec(A: ArrayLike<number>, n: number, x: Vec, out: Vec = new Float64Array(n)): Vec {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const r = i * n;
    for (let j = 0; j < n; j++) s += A[r + j] * x[j];
    out[i] = s;
  }
  return out;
}
