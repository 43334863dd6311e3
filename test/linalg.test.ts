import { describe, expect, it } from 'vitest';
import { symeig, symeigJacobi } from '../src/engine/linalg/symeig.ts';
import { eig2, topEigs } from '../src/engine/linalg/eigs.ts';
import { dot, matVec } from '../src/engine/linalg/dense.ts';
import { mulberry32 } from '../src/engine/problems/fd-check.ts';
import type { Problem, Vec } from '../src/engine/types.ts';

function randomSymmetric(n: number, rand: () => number): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = 2 * rand() - 1;
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  return A;
}

/** A random orthogonal matrix (columns) by Gram–Schmidt on random vectors. */
function randomOrthogonal(n: number, rand: () => number): Vec[] {
  const Q: Vec[] = [];
  while (Q.length < n) {
    const v = Float64Array.from({ length: n }, () => 2 * rand() - 1);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        const d = dot(q, v);
        for (let i = 0; i < n; i++) v[i] -= d * q[i];
      }
    }
    const nv = Math.sqrt(dot(v, v));
    if (nv > 1e-6) Q.push(v.map((x) => x / nv));
  }
  return Q;
}

/** A = Σ λ_k q_k q_kᵀ */
function fromSpectrum(values: number[], Q: Vec[]): Float64Array {
  const n = Q.length;
  const A = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] += values[k] * Q[k][i] * Q[k][j];
  }
  return A;
}

function frob(A: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s += A[i] * A[i];
  return Math.sqrt(s);
}

/** ‖A − VΛVᵀ‖_F / ‖A‖_F and max |VᵀV − I|. */
function checkDecomposition(A: Float64Array, n: number, values: number[], vectors: Vec[]) {
  const R = fromSpectrum(values, vectors);
  let err = 0;
  for (let i = 0; i < n * n; i++) err += (A[i] - R[i]) ** 2;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) orth = Math.max(orth, Math.abs(dot(vectors[i], vectors[j]) - (i === j ? 1 : 0)));
  }
  return { recon: Math.sqrt(err) / Math.max(frob(A), 1e-300), orth };
}

describe('symeig (cyclic Jacobi)', () => {
  it('reconstructs random symmetric matrices up to 20×20 with orthonormal vectors, values descending', () => {
    const rand = mulberry32(11);
    for (let n = 1; n <= 20; n++) {
      for (let rep = 0; rep < 6; rep++) {
        const A = randomSymmetric(n, rand);
        // Odd reps force the Jacobi path also for n ≤ 2 (which symeig answers in closed form).
        const { values, vectors } = rep % 2 ? symeigJacobi(A, n) : symeig(A, n);
        const { recon, orth } = checkDecomposition(A, n, values, vectors);
        // Backward-stable: errors are a small multiple of n·ε.
        expect(recon, `n=${n}`).toBeLessThan(1e-13);
        expect(orth, `n=${n}`).toBeLessThan(1e-13);
        for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
        // Each pair satisfies A v = λ v.
        for (let k = 0; k < n; k++) {
          const Av = matVec(A, n, vectors[k]);
          for (let i = 0; i < n; i++) expect(Math.abs(Av[i] - values[k] * vectors[k][i])).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('recovers a known spectrum with repeated eigenvalues', () => {
    const rand = mulberry32(12);
    const spectra = [
      [3, 3, 3, 1, 1, -2],
      [0, 0, 0, 0, 0],
      [5, 5, 5, 5, 5, 5, 5, 5],
      [2, 2, -1, -1, -1, 7, 7, 7, 0, 0, 0.5, 0.5],
    ];
    for (const spec of spectra) {
      const n = spec.length;
      const A = fromSpectrum(spec, randomOrthogonal(n, rand));
      const { values, vectors } = symeig(A, n);
      const sorted = [...spec].sort((a, b) => b - a);
      for (let i = 0; i < n; i++) expect(values[i]).toBeCloseTo(sorted[i], 13);
      const { recon, orth } = checkDecomposition(A, n, values, vectors);
      if (frob(A) > 0) expect(recon).toBeLessThan(1e-13);
      expect(orth).toBeLessThan(1e-13);
    }
  });

  it('handles diagonal, identity, badly scaled and exactly-known 2×2 cases', () => {
    const d = symeig([1, 0, 0, 0, 4, 0, 0, 0, -2], 3);
    expect(d.values).toEqual([4, 1, -2]);
    expect(Array.from(d.vectors[0])).toEqual([0, 1, 0]);
    // Entries whose squares overflow float64: still rotated (the matrix is scaled internally).
    const big = symeig([1e200, 3e199, 3e199, -1e200], 2);
    expect(big.values[0] / 1e200).toBeCloseTo(Math.hypot(1, 0.3), 14);
    expect(big.values[1] / 1e200).toBeCloseTo(-Math.hypot(1, 0.3), 14);
    const tiny = symeig([1e-200, 3e-201, 3e-201, -1e-200], 2);
    expect(tiny.values[0] / 1e-200).toBeCloseTo(Math.hypot(1, 0.3), 14);
    // [[2,1],[1,2]]: eigenvalues 3 and 1, vectors (1,1)/√2 and (1,−1)/√2 up to sign.
    const s = symeig([2, 1, 1, 2], 2);
    expect(s.values[0]).toBeCloseTo(3, 15);
    expect(s.values[1]).toBeCloseTo(1, 15);
    expect(Math.abs(s.vectors[0][0])).toBeCloseTo(Math.SQRT1_2, 15);
    // Sign convention: largest-magnitude component positive.
    for (const v of s.vectors) expect(v[0] >= 0 || v[1] >= 0).toBe(true);
  });

  it('uses the symmetric part and returns NaN (not a hang) on non-finite input', () => {
    const a = symeig([1, 2, 0, 1], 2); // symmetric part [[1,1],[1,1]] → 2, 0
    expect(a.values[0]).toBeCloseTo(2, 15);
    expect(a.values[1]).toBeCloseTo(0, 15);
    const b = symeig([1, NaN, NaN, 1], 2);
    expect(b.values.every(Number.isNaN)).toBe(true);
  });
});

describe('eig2 closed form', () => {
  it('agrees with Jacobi on random 2×2 and on the degenerate cases b = 0, a = c', () => {
    const rand = mulberry32(13);
    const cases: [number, number, number][] = [
      [1, 0, 2],
      [2, 0, 1],
      [1, 0, 1],
      [1, 1e-300, 1],
      [0, 0, 0],
      [-3, 2, -3],
    ];
    for (let i = 0; i < 200; i++) cases.push([4 * rand() - 2, 4 * rand() - 2, 4 * rand() - 2]);
    for (const [a, b, c] of cases) {
      const vals = new Float64Array(2);
      const vecs = new Float64Array(4);
      eig2(a, b, c, vals, vecs);
      const e = { values: Array.from(vals), vectors: [vecs.slice(0, 2), vecs.slice(2, 4)] };
      const j = symeigJacobi([a, b, b, c], 2);
      expect(e.values[0]).toBeCloseTo(j.values[0], 14);
      expect(e.values[1]).toBeCloseTo(j.values[1], 14);
      const { recon, orth } = checkDecomposition(Float64Array.of(a, b, b, c), 2, e.values, e.vectors);
      if (Math.abs(a) + Math.abs(b) + Math.abs(c) > 0) expect(recon).toBeLessThan(1e-15 * 8);
      expect(orth).toBeLessThan(1e-15);
    }
  });
});

/** A quadratic problem ½ wᵀAw with a dense Hessian (or without, to force the Lanczos route). */
function quadraticProblem(A: Float64Array, n: number, withHessian: boolean): Problem {
  const p: Problem = {
    dim: n,
    loss: (w) => 0.5 * dot(w, matVec(A, n, w)),
    grad: (w, out) => matVec(A, n, w, out),
    hvp: (_w, v, out) => matVec(A, n, v, out),
    third: (_w, _a, _b, out) => (out ?? new Float64Array(n)).fill(0),
  };
  if (withHessian) p.hessian = (_w, out) => (out ? (out.set(A), out) : Float64Array.from(A));
  return p;
}

describe('topEigs', () => {
  it('dense route (dim ≤ 64 with hessian) returns the top k of a known spectrum', () => {
    const rand = mulberry32(21);
    const n = 12;
    const spec = Array.from({ length: n }, (_, i) => 10 - i * 0.7);
    const A = fromSpectrum(spec, randomOrthogonal(n, rand));
    const { values, vectors } = topEigs(quadraticProblem(A, n, true), new Float64Array(n), 3);
    expect(values.length).toBe(3);
    expect(vectors.length).toBe(3);
    for (let i = 0; i < 3; i++) expect(values[i]).toBeCloseTo(spec[i], 12);
  });

  it('Lanczos route (no hessian) agrees with the known spectrum in dimension 100', () => {
    const rand = mulberry32(22);
    const n = 100;
    const spec = Array.from({ length: n }, (_, i) => (i < 3 ? 20 - 3 * i : 5 * rand() - 2));
    const A = fromSpectrum(spec, randomOrthogonal(n, rand));
    const { values } = topEigs(quadraticProblem(A, n, false), new Float64Array(n), 3, { tol: 1e-10 });
    expect(values[0]).toBeCloseTo(20, 8);
    expect(values[1]).toBeCloseTo(17, 8);
    expect(values[2]).toBeCloseTo(14, 8);
  });

  it('dim 1 and 2 closed forms match Jacobi; k is clamped to dim; warm vectors fix the sign', () => {
    const A2 = Float64Array.of(1.5, -0.4, -0.4, 0.2);
    const p2 = quadraticProblem(A2, 2, true);
    const r = topEigs(p2, new Float64Array(2), 5);
    const j = symeig(A2, 2);
    expect(r.values.length).toBe(2);
    expect(r.values[0]).toBeCloseTo(j.values[0], 15);
    expect(r.values[1]).toBeCloseTo(j.values[1], 15);
    const flipped = r.vectors.map((v) => v.map((x) => -x));
    const again = topEigs(p2, new Float64Array(2), 2, { warm: flipped });
    for (let i = 0; i < 2; i++) expect(dot(again.vectors[i], flipped[i])).toBeCloseTo(1, 14);
    const p1 = quadraticProblem(Float64Array.of(-3), 1, true);
    expect(topEigs(p1, new Float64Array(1), 2)).toEqual({ values: [-3], vectors: [Float64Array.of(1)] });
  });
});
