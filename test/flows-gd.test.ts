/**
 * GD, the ground truth: against a plain loop (second implementation), and its rod against the exact
 * one-step identities of docs/equations.md §4, to round-off, on every toy problem.
 */
import { describe, expect, it } from 'vitest';
import { GdFlow } from '../src/engine/flows/gd.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { TOY_PROBLEMS } from '../src/engine/problems/toys.ts';
import { InputError } from '../src/engine/types.ts';

const EPS = 2 ** -52;

function maxAbs(...vs: ArrayLike<number>[]): number {
  let m = 0;
  for (const v of vs) for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

describe('GD', () => {
  for (const spec of TOY_PROBLEMS) {
    it(`${spec.id}: iterates equal a plain loop; the rod obeys GD's exact identities to round-off`, () => {
      const { problem, start } = createProblem({ id: spec.id });
      const eta = spec.defaults.eta;
      const n = problem.dim;
      const gd = new GdFlow(problem, eta, start);
      // plain loop
      const w = Float64Array.from(start);
      const g = new Float64Array(n);
      const steps = 60;
      const cs: Float64Array[] = [];
      const ds: Float64Array[] = [];
      for (let k = 0; k <= steps; k++) {
        const s = gd.sample();
        expect(Array.from(s.w)).toEqual(Array.from(w));
        problem.grad(w, g);
        const wn = Float64Array.from(w, (v, i) => v - eta * g[i]);
        for (let i = 0; i < n; i++) {
          expect(s.centre![i]).toBe(0.5 * (w[i] + wn[i]));
          expect(s.delta![i]).toBe(0.5 * (wn[i] - w[i]));
        }
        expect(s.loss).toBe(problem.loss(w));
        expect(s.predictedLoss).toBe(0.5 * (problem.loss(w) + problem.loss(wn)));
        cs.push(Float64Array.from(s.centre!));
        ds.push(Float64Array.from(s.delta!));
        w.set(wn);
        gd.advance();
      }
      expect(gd.t).toBe(steps + 1);
      const gp = new Float64Array(n);
      const gm = new Float64Array(n);
      const gr = new Float64Array(n);
      const gl = new Float64Array(n);
      for (let k = 0; k < steps; k++) {
        const c = cs[k];
        const d = ds[k];
        const scale = maxAbs(c, d, cs[k + 1], ds[k + 1]) + 1e-300;
        problem.grad(Float64Array.from(c, (v, i) => v + d[i]), gp);
        problem.grad(Float64Array.from(c, (v, i) => v - d[i]), gm);
        // centre: w̄_{k+1} − w̄_k = −(η/2)(g₊ + g₋)
        for (let i = 0; i < n; i++) {
          expect(Math.abs(cs[k + 1][i] - c[i] + 0.5 * eta * (gp[i] + gm[i]))).toBeLessThanOrEqual(16 * EPS * scale);
        }
        // Σ: Σ_{k+1} − Σ_k = (η²/4)(g₊g₊ᵀ + g₋g₋ᵀ) − 2Σ_k
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const lhs = ds[k + 1][i] * ds[k + 1][j] - d[i] * d[j];
            const rhs = 0.25 * eta * eta * (gp[i] * gp[j] + gm[i] * gm[j]) - 2 * d[i] * d[j];
            expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(64 * EPS * scale * scale);
          }
        }
        // sign-flipped r_k = (−1)^k δ_k: r_{k+1} − r_k = (η/2)(g(w̄+r) − g(w̄−r)) − 2r_k
        const sg = k % 2 === 0 ? 1 : -1;
        const r = Float64Array.from(d, (v) => sg * v);
        const r1 = Float64Array.from(ds[k + 1], (v) => -sg * v);
        problem.grad(Float64Array.from(c, (v, i) => v + r[i]), gr);
        problem.grad(Float64Array.from(c, (v, i) => v - r[i]), gl);
        for (let i = 0; i < n; i++) {
          const rhs = 0.5 * eta * (gr[i] - gl[i]) - 2 * r[i];
          expect(Math.abs(r1[i] - r[i] - rhs)).toBeLessThanOrEqual(16 * EPS * scale);
        }
      }
    });
  }

  it('stops on divergence with the eigenvalue and the step in the reason, keeping the last finite pair', () => {
    // ½λx² with λ = 1 at η = 2.5: |1 − ηλ| = 1.5, the loss grows ×2.25 per step from 0.5 and passes
    // 1e6·(0.5 + 1) when 0.5·2.25^k > 1.5e6, i.e. at k = 19 (0.5·2.25¹⁹ = 2.46e6).
    const { problem } = createProblem({ id: 'quadratic', params: { lambda: 1 } });
    const gd = new GdFlow(problem, 2.5, Float64Array.of(1));
    gd.sample(); // sees λ₁ = 1 > 2/η = 0.8 at step 0
    for (let i = 0; i < 40 && !gd.stopped; i++) gd.advance();
    expect(gd.stopped).not.toBeNull();
    expect(gd.stopped!.step).toBe(19);
    expect(gd.stopped!.reason).toBe('λ₁ = 1 passed 2/η = 0.8 at step 0; loss blew up to 2.46e+6 (limit ±1.50e+6) at step 19');
    const s = gd.sample();
    expect(Number.isFinite(s.loss) && Number.isFinite(s.predictedLoss)).toBe(true);
    expect(gd.t).toBe(17); // the pair (w17, w18) is the last whose both ends are below the limit
  });

  it('without samples the reason still names λ₁ at the last finite state', () => {
    const { problem } = createProblem({ id: 'quadratic', params: { lambda: 1 } });
    const gd = new GdFlow(problem, 2.5, Float64Array.of(1));
    for (let i = 0; i < 40 && !gd.stopped; i++) gd.advance();
    expect(gd.stopped!.reason).toBe('λ₁ = 1 was above 2/η = 0.8 at step 18; loss blew up to 2.46e+6 (limit ±1.50e+6) at step 19');
  });

  it('rejects bad input with a clear message', () => {
    const { problem } = createProblem({ id: 'valley' });
    expect(() => new GdFlow(problem, -1, Float64Array.of(0, 0))).toThrow(InputError);
    expect(() => new GdFlow(problem, 0.1, Float64Array.of(0))).toThrow(/2 coordinates|dimension 2/);
    expect(() => new GdFlow(problem, 0.1, Float64Array.of(NaN, 0))).toThrow(/not a finite number/);
    expect(() => new GdFlow(problem, 0.1, Float64Array.of(0, 0), { bogus: 1 })).toThrow(/no option 'bogus'/);
  });
});
