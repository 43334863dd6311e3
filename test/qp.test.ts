/**
 * The central flow's PSD-constrained QP, min_{X⪰0} ¼⟨X,𝔅[X]⟩ + ⟨α,X⟩, against independent oracles:
 * KKT conditions (which certify optimality of a convex problem), objective comparisons with many
 * random feasible points and feasible perturbations, a brute-force grid for k = 2, and the closed
 * form for decoupled (diagonal) instances.
 */
import { describe, expect, it } from 'vitest';
import { kktResiduals, objective, projectPsd, smat, solvePsdQp, svec, svecSize } from '../src/engine/flows/qp.ts';
import { mulberry32 } from '../src/engine/rng.ts';

/** Uniform in [−0.5, 0.5), seeded (the engine's generator, centred). */
function rng(seed: number): () => number {
  const u = mulberry32(seed);
  return () => u() - 0.5;
}

/** A random instance built like the central flow's: D_ij ∈ R^n, g ∈ R^n, drift on the diagonal. */
function instance(k: number, n: number, seed: number, drift: 'mixed' | 'nonneg' = 'mixed'): { G: Float64Array; a: Float64Array } {
  const r = rng(seed);
  const m = svecSize(k);
  const E = Array.from({ length: m }, () => Float64Array.from({ length: n }, () => r()));
  const g = Float64Array.from({ length: n }, () => r());
  const G = new Float64Array(m * m);
  const a = new Float64Array(m);
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < m; q++) G[p * m + q] = E[p].reduce((s, v, c) => s + v * E[q][c], 0);
    a[p] = E[p].reduce((s, v, c) => s + v * g[c], 0);
  }
  // Drift on the diagonal entries (like α_ii − (λ_i − 2/η)/(η dt)): both signs, or ≥ 0 (then the
  // problem is bounded below even when 𝔅 is singular: on 𝔅's null space f changes by Σ d_i X_ii ≥ 0).
  let p = 0;
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++, p++) if (i === j) a[p] += drift === 'mixed' ? 2 * r() : Math.abs(r());
  return { G, a };
}

function randomPsd(k: number, r: () => number, scale: number): Float64Array {
  const B = Float64Array.from({ length: k * k }, () => r() * scale);
  const X = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let l = 0; l < k; l++) X[i * k + j] += B[i * k + l] * B[j * k + l];
  return svec(k, X);
}

describe('PSD QP solver', () => {
  for (let k = 2; k <= 5; k++) {
    // n ≥ k(k+1)/2 so that 𝔅 is generically non-singular; singular instances are tested below.
    for (const n of [svecSize(k), 12, 40]) {
      it(`k = ${k}, dim ${n}: KKT residuals at round-off and no feasible point does better`, () => {
        for (let seed = 1; seed <= 6; seed++) {
          const { G, a } = instance(k, n, 1000 * k + 10 * n + seed);
          const res = solvePsdQp(k, G, a);
          const kkt = kktResiduals(k, G, a, res.x);
          expect(kkt.max).toBeLessThan(1e-9);
          const m = svecSize(k);
          const f0 = objective(m, G, a, res.x);
          const r = rng(seed);
          const fscale = Math.abs(f0) + 1e-12;
          for (let trial = 0; trial < 200; trial++) {
            // random PSD points at several scales, and feasible perturbations of the answer
            const y = trial % 2 === 0 ? randomPsd(k, r, 10 ** (Math.floor(trial / 40) - 2)) : Float64Array.from(res.x, (v) => v + 1e-3 * r());
            projectPsd(k, y);
            expect(objective(m, G, a, y)).toBeGreaterThanOrEqual(f0 - 1e-9 * fscale);
          }
        }
      });
    }
  }

  it('singular 𝔅 (dim < k(k+1)/2), bounded problem (drift ≥ 0): KKT at round-off', () => {
    for (let k = 2; k <= 4; k++) {
      for (let seed = 1; seed <= 5; seed++) {
        const { G, a } = instance(k, 2, 500 + 10 * k + seed, 'nonneg');
        const res = solvePsdQp(k, G, a);
        expect(kktResiduals(k, G, a, res.x).max).toBeLessThan(1e-9);
      }
    }
  });

  it('k = 2: brute force over a grid of PSD matrices agrees with the solver', () => {
    const k = 2;
    const { G, a } = instance(k, 6, 77);
    const res = solvePsdQp(k, G, a);
    const m = 3;
    let best = Infinity;
    // X = [[p, q], [q, s]] ⪰ 0 ⟺ p, s ≥ 0, q² ≤ ps. Grid around the origin, wide enough to contain the answer.
    const R = 2 * Math.max(1, ...Array.from(res.X, Math.abs));
    const N = 120;
    for (let i = 0; i <= N; i++) {
      const p = (R * i) / N;
      for (let j = 0; j <= N; j++) {
        const s = (R * j) / N;
        const qmax = Math.sqrt(p * s);
        for (let l = -20; l <= 20; l++) {
          const q = (qmax * l) / 20;
          const f = objective(m, G, a, svec(k, [p, q, q, s]));
          if (f < best) best = f;
        }
      }
    }
    expect(res.value).toBeLessThanOrEqual(best + 1e-12);
    // and the grid gets close to it (grid spacing R/N)
    expect(best - res.value).toBeLessThan(0.05 * (Math.abs(res.value) + 1));
  });

  it('decoupled (diagonal) instances match the k = 1 closed form per entry', () => {
    const k = 3;
    const m = svecSize(k);
    const G = new Float64Array(m * m);
    const a = new Float64Array(m);
    const diag = [0, 3, 5];
    const gs = [2, 0.5, 3];
    const as = [-1.5, 0.7, -0.2];
    diag.forEach((p, i) => {
      G[p * m + p] = gs[i];
      a[p] = as[i];
    });
    // off-diagonal coordinates: positive curvature and no linear term
    for (const p of [1, 2, 4]) G[p * m + p] = 1;
    const res = solvePsdQp(k, G, a);
    const X = smat(k, res.x);
    for (let i = 0; i < k; i++) expect(X[i * k + i]).toBeCloseTo(Math.max(0, (-2 * as[i]) / gs[i]), 10);
    expect(Math.abs(X[1]) + Math.abs(X[2]) + Math.abs(X[5])).toBeLessThan(1e-10);
  });

  it('k = 1 is the closed form max(0, −2a/G)', () => {
    expect(solvePsdQp(1, Float64Array.of(4), Float64Array.of(-3)).x[0]).toBeCloseTo(1.5, 14);
    expect(solvePsdQp(1, Float64Array.of(4), Float64Array.of(3)).x[0]).toBe(0);
  });

  it('projectPsd clips negative eigenvalues (idempotent, PSD result)', () => {
    const x = svec(2, [1, 2, 2, 1]); // eigenvalues 3, −1
    projectPsd(2, x);
    const X = smat(2, x);
    // projection of [[1,2],[2,1]] = 3·(1,1)(1,1)ᵀ/2
    expect(X[0]).toBeCloseTo(1.5, 14);
    expect(X[1]).toBeCloseTo(1.5, 14);
    const y = Float64Array.from(x);
    projectPsd(2, y);
    expect(Array.from(y)).toEqual(Array.from(x).map((v) => expect.closeTo(v, 14)));
  });
});
