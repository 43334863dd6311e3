import { describe, expect, it } from 'vitest';
import { EigTracker, jacobiEig, lanczosTopK } from '../src/engine/linalg/lanczos.ts';
import { InputError } from '../src/engine/types.ts';

// Oracle: matrices built as Q diag(λ) Qᵀ with a random orthogonal Q, so the spectrum is known exactly.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function randomOrthogonal(n: number, seed: number): Float64Array[] {
  const r = rng(seed);
  const Q: Float64Array[] = [];
  while (Q.length < n) {
    const v = new Float64Array(n).map(() => r());
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        let h = 0;
        for (let i = 0; i < n; i++) h += q[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= h * q[i];
      }
    }
    let nn = 0;
    for (let i = 0; i < n; i++) nn += v[i] * v[i];
    nn = Math.sqrt(nn);
    for (let i = 0; i < n; i++) v[i] /= nn;
    Q.push(v);
  }
  return Q;
}

function buildMatrix(lambda: number[], seed: number) {
  const n = lambda.length;
  const Q = randomOrthogonal(n, seed);
  const A = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const q = Q[k];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] += lambda[k] * q[i] * q[j];
  }
  let calls = 0;
  const mv = (v: Float64Array, out: Float64Array) => {
    calls++;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * v[j];
      out[i] = s;
    }
    return out;
  };
  return { A, Q, mv, n, calls: () => calls };
}

function residual(mv: (v: Float64Array, o: Float64Array) => Float64Array, x: Float64Array, theta: number) {
  const ax = mv(x, new Float64Array(x.length));
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (ax[i] - theta * x[i]) ** 2;
  return Math.sqrt(s);
}

const sortedDesc = (a: number[]) => [...a].sort((x, y) => y - x);

describe('jacobiEig', () => {
  it('recovers a known spectrum and orthonormal eigenvectors', () => {
    const lam = [3, -7, 0.5, 0.5, 2, 11];
    const { A, n } = buildMatrix(lam, 5);
    const { values, vecs } = jacobiEig(A, n);
    expect(Array.from(values)).toEqual(sortedDesc(lam).map((v) => expect.closeTo(v, 12)));
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += vecs[i * n + a] * vecs[i * n + b];
        expect(s).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });
});

describe('lanczosTopK', () => {
  it('finds the top-k of a random SPD matrix (cold start)', () => {
    const r = rng(11);
    const lam = Array.from({ length: 80 }, () => 0.1 + 5 * (r() + 0.5));
    lam[3] = 9;
    lam[17] = 8.5;
    lam[40] = 8;
    const M = buildMatrix(lam, 12);
    for (const k of [1, 3, 5]) {
      const res = lanczosTopK(M.mv, M.n, k, { tol: 1e-10 });
      expect(res.converged).toBe(true);
      const want = sortedDesc(lam).slice(0, k);
      res.values.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-9));
      res.vectors.forEach((x, i) => expect(residual(M.mv, x, res.values[i])).toBeLessThan(1e-8));
    }
  });

  it('returns the largest algebraic eigenvalues of an indefinite matrix, not the largest in size', () => {
    const r = rng(3);
    const lam = Array.from({ length: 60 }, () => 2 * r());
    lam[0] = -20;
    lam[1] = -15;
    lam[2] = 4;
    lam[3] = 3;
    const M = buildMatrix(lam, 4);
    const res = lanczosTopK(M.mv, M.n, 2, { tol: 1e-10 });
    expect(res.values[0]).toBeCloseTo(4, 9);
    expect(res.values[1]).toBeCloseTo(3, 9);
  });

  it('finds both copies of a repeated top eigenvalue (block start)', () => {
    const r = rng(8);
    const lam = Array.from({ length: 40 }, () => r());
    lam[5] = 3;
    lam[9] = 3;
    lam[20] = 2;
    const M = buildMatrix(lam, 9);
    const res = lanczosTopK(M.mv, M.n, 3, { tol: 1e-10 });
    expect(res.values[0]).toBeCloseTo(3, 9);
    expect(res.values[1]).toBeCloseTo(3, 9);
    expect(res.values[2]).toBeCloseTo(2, 9);
    // The two vectors for λ = 3 span the eigenspace: orthonormal, and each is an eigenvector.
    let d = 0;
    for (let i = 0; i < M.n; i++) d += res.vectors[0][i] * res.vectors[1][i];
    expect(Math.abs(d)).toBeLessThan(1e-9);
    expect(residual(M.mv, res.vectors[1], 3)).toBeLessThan(1e-8);
  });

  it('thick-restarts on a larger matrix with a clustered top', () => {
    const n = 400;
    const lam = Array.from({ length: n }, (_, i) => 1 - i / n);
    lam[0] = 1.02;
    lam[1] = 1.01;
    const M = buildMatrix(lam, 21);
    const res = lanczosTopK(M.mv, n, 4, { tol: 1e-9, maxBasis: 20, maxIter: 5000 });
    expect(res.converged).toBe(true);
    const want = sortedDesc(lam).slice(0, 4);
    res.values.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-10));
  });

  it('is exact when the space reaches the full dimension, and clamps k to dim', () => {
    const M = buildMatrix([2, -1, 0.5], 2);
    const res = lanczosTopK(M.mv, 3, 5);
    expect(res.values.length).toBe(3);
    expect(res.values[0]).toBeCloseTo(2, 12);
    expect(res.values[1]).toBeCloseTo(0.5, 12);
    expect(res.values[2]).toBeCloseTo(-1, 12);
    const one = lanczosTopK((v, o) => ((o[0] = -4 * v[0]), o), 1, 1);
    expect(one.values).toEqual([-4]);
  });

  it('warm start from exact eigenvectors costs one matvec per vector', () => {
    const r = rng(5);
    const lam = Array.from({ length: 50 }, () => r());
    lam[0] = 5;
    lam[1] = 4;
    const M = buildMatrix(lam, 6);
    const cold = lanczosTopK(M.mv, M.n, 2, { tol: 1e-10 });
    const warm = lanczosTopK(M.mv, M.n, 2, { tol: 1e-8, warm: cold.vectors });
    expect(warm.matvecs).toBe(2);
    expect(warm.values[0]).toBeCloseTo(5, 12);
    expect(warm.values[1]).toBeCloseTo(4, 12);
    // Signs follow the warm vectors.
    for (let j = 0; j < 2; j++) {
      let d = 0;
      for (let i = 0; i < M.n; i++) d += warm.vectors[j][i] * cold.vectors[j][i];
      expect(d).toBeGreaterThan(0.999);
    }
  });

  it('warm start from a slightly different matrix converges in a few matvecs', () => {
    const r = rng(15);
    const lam = Array.from({ length: 100 }, () => r());
    lam[0] = 3;
    const A = buildMatrix(lam, 16);
    const lam2 = lam.slice();
    lam2[0] = 3.001;
    // Same spectrum shape, eigenbasis rotated a little: mix A with a nearby matrix.
    const B = buildMatrix(lam2, 16);
    const E = buildMatrix(lam.map(() => r()), 17);
    const mvB = (v: Float64Array, out: Float64Array) => {
      B.mv(v, out);
      const e = E.mv(v, new Float64Array(v.length));
      for (let i = 0; i < v.length; i++) out[i] += 1e-3 * e[i];
      return out;
    };
    const prev = lanczosTopK(A.mv, A.n, 1, { tol: 1e-12 });
    const cold = lanczosTopK(mvB, A.n, 1, { tol: 1e-12 });
    const warm = lanczosTopK(mvB, A.n, 1, { tol: 1e-6, warm: prev.vectors });
    expect(Math.abs(warm.values[0] - cold.values[0])).toBeLessThan(1e-10);
    expect(warm.matvecs).toBeLessThanOrEqual(5);
    const coldLoose = lanczosTopK(mvB, A.n, 1, { tol: 1e-6 });
    expect(warm.matvecs).toBeLessThan(coldLoose.matvecs);
  });

  it('is deterministic and rejects bad input with InputError', () => {
    const M = buildMatrix([1, 2, 3, 4, 5, 6, 7, 8], 1);
    const a = lanczosTopK(M.mv, 8, 2, { tol: 1e-3 });
    const b = lanczosTopK(M.mv, 8, 2, { tol: 1e-3 });
    expect(a.values).toEqual(b.values);
    expect(() => lanczosTopK(M.mv, 0, 1)).toThrow(InputError);
    expect(() => lanczosTopK(M.mv, 8, 0)).toThrow(InputError);
    expect(() => lanczosTopK(M.mv, 8, 1, { tol: -1 })).toThrow(InputError);
    expect(() => lanczosTopK((_v, o) => o.fill(NaN), 8, 1)).toThrow(InputError);
  });
});

describe('EigTracker', () => {
  it('on a 2-cycle of matrices (GD at EoS) costs one matvec per warm vector once both are seen', () => {
    const r = rng(31);
    const lam = Array.from({ length: 60 }, () => r());
    lam[0] = 4;
    lam[1] = 3.9;
    const A = buildMatrix(lam, 32);
    const B = buildMatrix(lam, 33); // same spectrum, unrelated eigenvectors
    const tr = new EigTracker(60, 2, { tol: 1e-9 });
    const costs: number[] = [];
    for (let s = 0; s < 8; s++) {
      const res = tr.update(s % 2 === 0 ? A.mv : B.mv);
      expect(res.values[0]).toBeCloseTo(4, 9);
      expect(res.values[1]).toBeCloseTo(3.9, 9);
      costs.push(res.matvecs);
    }
    // After the first two updates the warm block holds both matrices' exact eigenvectors: 4 vectors, 4 matvecs.
    expect(costs.slice(2)).toEqual([4, 4, 4, 4, 4, 4]);
    expect(costs[0]).toBeGreaterThan(10);
    // With the previous step only, every update starts from the other matrix's vectors: far more work.
    const one = new EigTracker(60, 2, { tol: 1e-9, history: 1 });
    let mv = 0;
    for (let s = 0; s < 8; s++) mv += one.update(s % 2 === 0 ? A.mv : B.mv).matvecs;
    expect(mv).toBeGreaterThan(costs.reduce((a, b) => a + b, 0) + 20);
  });

  it('follows a slowly rotating matrix with few matvecs per step', () => {
    const n = 50;
    const r = rng(41);
    const lam = Array.from({ length: n }, () => r());
    lam[0] = 2;
    const Q = randomOrthogonal(n, 42);
    const M = (t: number) => {
      // Rotate the top eigenvector in the plane (q0, q1) by angle t.
      const c = Math.cos(t), s = Math.sin(t);
      const u = Q[0].map((v, i) => c * v + s * Q[1][i]);
      const x = Q[1].map((v, i) => -s * Q[0][i] + c * v);
      const basis = [u, x, ...Q.slice(2)];
      return (v: Float64Array, out: Float64Array) => {
        out.fill(0);
        for (let k = 0; k < n; k++) {
          let d = 0;
          for (let i = 0; i < n; i++) d += basis[k][i] * v[i];
          for (let i = 0; i < n; i++) out[i] += lam[k] * d * basis[k][i];
        }
        return out;
      };
    };
    const tr = new EigTracker(n, 1, { tol: 1e-8 });
    for (let s = 0; s < 20; s++) {
      const res = tr.update(M(0.01 * s));
      expect(res.values[0]).toBeCloseTo(2, 10);
    }
    expect(tr.matvecs / tr.updates).toBeLessThan(8);
  });
});
