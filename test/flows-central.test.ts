/**
 * Central flow against: docs/equations.md §5's valley facts, the k = 1 formula with ∇S from finite differences
 * of the top eigenvalue (independent of third()), the analytic pinned states of quartics (k = 1 and a
 * rotated separable 2-D quartic for k = 2), and GD / gradient flow run alongside.
 */
import { describe, expect, it } from 'vitest';
import { CentralFlow } from '../src/engine/flows/central-flow.ts';
import { GdFlow } from '../src/engine/flows/gd.ts';
import { GradientFlow } from '../src/engine/flows/gradient-flow.ts';
import { Spectrum } from '../src/engine/flows/spectrum.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import type { Problem, Vec } from '../src/engine/types.ts';

/** Top eigenvalue of the dense 2×2 (or 1×1) Hessian, written independently of the engine. */
function topEig(p: Problem, w: Vec): number {
  const H = p.hessian!(w);
  if (p.dim === 1) return H[0];
  const [a, b, c] = [H[0], H[1], H[3]];
  return (a + c) / 2 + Math.sqrt(((a - c) / 2) ** 2 + b * b);
}

function fdGradS(p: Problem, w: Vec, h = 1e-5): Float64Array {
  return Float64Array.from(w, (_, i) => {
    const a = Float64Array.from(w);
    const b = Float64Array.from(w);
    a[i] += h;
    b[i] -= h;
    return (topEig(p, a) - topEig(p, b)) / (2 * h);
  });
}

/**
 * L(w) = Σ_i (S_i/2) z_i² − (Q/4) z_i⁴ with z = Rᵀw, R the rotation by θ. Separable in z: each z_i
 * is a 1-D quartic, so the central flow pins each at z_i² = (S_i − 2/η)/(3Q) with
 * σ_i² = (S_i − Q z_i²)/(3Q) (stationarity g + ½σ²∂S = 0 per coordinate).
 */
function rotatedQuartic(S: [number, number], Q: number, theta: number): Problem {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const toZ = (w: Vec) => [c * w[0] + s * w[1], -s * w[0] + c * w[1]];
  const toW = (z: number[], out: Vec) => {
    out[0] = c * z[0] - s * z[1];
    out[1] = s * z[0] + c * z[1];
    return out;
  };
  return {
    dim: 2,
    loss: (w) => toZ(w).reduce((acc, z, i) => acc + (S[i] / 2) * z * z - (Q / 4) * z ** 4, 0),
    grad: (w, out = new Float64Array(2)) => toW(toZ(w).map((z, i) => S[i] * z - Q * z ** 3), out),
    hvp: (w, v, out = new Float64Array(2)) => {
      const z = toZ(w);
      const vz = toZ(v);
      return toW(vz.map((x, i) => (S[i] - 3 * Q * z[i] ** 2) * x), out);
    },
    third: (w, a, b, out = new Float64Array(2)) => {
      const z = toZ(w);
      const az = toZ(a);
      const bz = toZ(b);
      return toW(z.map((x, i) => -6 * Q * x * az[i] * bz[i]), out);
    },
    hessian: (w, out = new Float64Array(4)) => {
      const z = toZ(w);
      const d = z.map((x, i) => S[i] - 3 * Q * x * x);
      // H = R diag(d) Rᵀ
      out[0] = c * c * d[0] + s * s * d[1];
      out[1] = c * s * (d[0] - d[1]);
      out[2] = out[1];
      out[3] = s * s * d[0] + c * c * d[1];
      return out;
    },
  };
}

describe('central flow', () => {
  it('valley (a = 0.5, η = 0.3, start (0.2, 0.2)): ends at x² = y² = 2/3 with S = 2/η; near GD, far from gradient flow; loss never rises', () => {
    const { problem, start } = createProblem({ id: 'valley', params: { a: 0.5 } });
    const eta = 0.3;
    const cf = new CentralFlow(problem, eta, start);
    const gd = new GdFlow(problem, eta, start);
    const gf = new GradientFlow(problem, eta, start);
    let prev = cf.sample().loss;
    for (let k = 0; k < 2000; k++) {
      cf.advance();
      gd.advance();
      gf.advance();
      const L = cf.sample().loss;
      expect(L).toBeLessThanOrEqual(prev + 1e-15 * Math.max(prev, 1e-12));
      prev = L;
    }
    const s = cf.sample();
    expect(Math.abs(s.w[0] ** 2 - 2 / 3)).toBeLessThan(1e-4);
    expect(Math.abs(s.w[1] ** 2 - 2 / 3)).toBeLessThan(1e-4);
    expect(Math.abs(s.sharpness[0] - 2 / eta)).toBeLessThan(1e-4);
    const gdEnd = gd.sample().centre!;
    const dist = (a: Vec) => Math.hypot(a[0] - gdEnd[0], a[1] - gdEnd[1]);
    expect(dist(s.w)).toBeLessThan(0.05);
    expect(dist(gf.sample().w)).toBeGreaterThan(0.3);
    // docs/equations.md §5: GD ends ≈ (0.841, 0.804)
    expect(gdEnd[0]).toBeCloseTo(0.841, 3);
    expect(gdEnd[1]).toBeCloseTo(0.804, 3);
  });

  it('k = 1: σ² = 2⟨−g,∇S⟩/‖∇S‖² with ∇S from finite differences of λ₁; the look-ahead adds 2(S−2/η)/(η·dt)', () => {
    const cases: { id: string; eta: number; points: number[][] }[] = [
      { id: 'valley', eta: 0.3, points: [[0.7, 0.85], [0.6, 0.9], [0.9, 0.75]] },
      { id: 'self-stab', eta: 0.01, points: [[-0.005, 14.3], [0.01, 14.5]] },
      { id: 'soft-well', eta: 1.5, points: [[0.2], [0.35]] },
    ];
    let checked = 0;
    for (const c of cases) {
      const { problem } = createProblem({ id: c.id });
      const cf = new CentralFlow(problem, c.eta, Float64Array.from(c.points[0]));
      for (const pt of c.points) {
        const w = Float64Array.from(pt);
        const S = topEig(problem, w);
        expect(S).toBeGreaterThan(1.5 / c.eta);
        const gS = fdGradS(problem, w);
        const g = problem.grad(w);
        const nS = gS.reduce((a, v) => a + v * v, 0);
        const gdot = g.reduce((a, v, i) => a + v * gS[i], 0);
        const pure = Math.max(0, (-2 * gdot) / nS);
        const res = cf.correctionAt(w, Infinity);
        expect(res.k).toBe(1);
        expect(Math.abs(res.X[0] - pure)).toBeLessThanOrEqual(1e-7 * Math.max(pure, (2 * Math.abs(gdot)) / nS));
        // direction = g + ½σ²∇S
        for (let i = 0; i < w.length; i++) expect(res.direction[i]).toBeCloseTo(g[i] + 0.5 * pure * gS[i], 6);
        const dt = 0.25;
        const ahead = Math.max(0, (-2 * gdot + (2 * (S - 2 / c.eta)) / (c.eta * dt)) / nS);
        const res2 = cf.correctionAt(w, dt);
        expect(Math.abs(res2.X[0] - ahead)).toBeLessThanOrEqual(1e-7 * Math.max(ahead, 1e-300) + 1e-12);
        checked++;
      }
    }
    expect(checked).toBe(7);
  });

  it('quartic from 0.01 (ηS = 2.5): pins S = 2/η at x² = (S − 2/η)/(3Q) with σ² = (S − Qx²)/(3Q); predictions follow', () => {
    const S = 2.5;
    const Q = 1;
    const eta = 1;
    const { problem } = createProblem({ id: 'quartic', params: { S, Q } });
    const cf = new CentralFlow(problem, eta, Float64Array.of(0.01));
    for (let k = 0; k < 200; k++) cf.advance();
    const s = cf.sample();
    const x2 = (S - 2 / eta) / (3 * Q);
    const sigma2 = (S - Q * x2) / (3 * Q);
    expect(s.w[0] ** 2).toBeCloseTo(x2, 10);
    expect(s.sharpness[0]).toBeCloseTo(2 / eta, 10);
    expect(s.osc).toBeCloseTo(sigma2, 8);
    expect(s.sigma!.values[0]).toBeCloseTo(sigma2, 8);
    expect(s.predictedLoss).toBeCloseTo(problem.loss(s.w) + sigma2 / eta, 8);
    const g = problem.grad(s.w)[0];
    expect(s.predictedGradSq!).toBeCloseTo(g * g + (4 * sigma2) / eta ** 2, 8);
  });

  it('soft well (η = 1.5): settles where the curvature is 2/η, with σ² = −2L′/S′ (no substep cycling)', () => {
    const { problem } = createProblem({ id: 'soft-well', params: { k: 1 } });
    const eta = 1.5;
    // curvature of x²/√(1+x²) is (2 − x²)/(1+x²)^{5/2}: solve = 2/η on (0, 1) by bisection
    const curv = (x: number) => (2 - x * x) / (1 + x * x) ** 2.5;
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 200; i++) {
      const m = (lo + hi) / 2;
      if (curv(m) > 2 / eta) lo = m;
      else hi = m;
    }
    const xs = (lo + hi) / 2;
    const cf = new CentralFlow(problem, eta, Float64Array.of(1.2));
    for (let k = 0; k < 100; k++) cf.advance();
    const s = cf.sample();
    expect(s.w[0]).toBeCloseTo(xs, 9);
    expect(s.sharpness[0]).toBeCloseTo(2 / eta, 9);
    const h = 1e-5;
    const dS = (curv(xs + h) - curv(xs - h)) / (2 * h);
    const g = problem.grad(Float64Array.of(xs))[0];
    expect(s.osc).toBeCloseTo((-2 * g) / dS, 7);
  });

  it('k = 2 (rotated separable quartic): both eigenvalues pinned at 2/η, Σ’s eigenpairs analytic', () => {
    const S: [number, number] = [2.5, 2.8];
    const Q = 1;
    const eta = 1;
    const theta = 0.5;
    const problem = rotatedQuartic(S, Q, theta);
    const cf = new CentralFlow(problem, eta, Float64Array.of(0.2, 0.25));
    for (let k = 0; k < 300; k++) cf.advance();
    const s = cf.sample();
    expect(cf.stopped).toBeNull();
    expect(s.sharpness[0]).toBeCloseTo(2 / eta, 9);
    expect(s.sharpness[1]).toBeCloseTo(2 / eta, 9);
    const sig = S.map((Si) => (Si - (Q * (Si - 2 / eta)) / (3 * Q)) / (3 * Q)).sort((a, b) => b - a);
    expect(s.sigma!.values.length).toBe(2);
    expect(s.sigma!.values[0]).toBeCloseTo(sig[0], 8);
    expect(s.sigma!.values[1]).toBeCloseTo(sig[1], 8);
    expect(s.osc).toBeCloseTo(sig[0] + sig[1], 8);
    // Σ's top eigenvector is the z axis with the larger σ²: S₂ = 2.8 gives (2.8 − 0.8/3)/3 = 0.844 >
    // 0.778 for S₁ = 2.5, so it is R e₂ = (−sin θ, cos θ).
    const v = s.sigma!.vectors[0];
    expect(Math.abs(-v[0] * Math.sin(theta) + v[1] * Math.cos(theta))).toBeCloseTo(1, 8);
    // z-coordinates pinned at z_i² = (S_i − 2/η)/(3Q)
    const z = [Math.cos(theta) * s.w[0] + Math.sin(theta) * s.w[1], -Math.sin(theta) * s.w[0] + Math.cos(theta) * s.w[1]];
    z.forEach((zi, i) => expect(zi * zi).toBeCloseTo((S[i] - 2 / eta) / (3 * Q), 9));
  });

  it('without a dense Hessian (Lanczos path) it follows the dense-path flow on the valley', () => {
    const { problem, start } = createProblem({ id: 'valley' });
    const noHess: Problem = {
      dim: 2,
      loss: (w) => problem.loss(w),
      grad: (w, o) => problem.grad(w, o),
      hvp: (w, v, o) => problem.hvp(w, v, o),
      third: (w, a, b, o) => problem.third(w, a, b, o),
    };
    const a = new CentralFlow(problem, 0.3, start);
    const b = new CentralFlow(noHess, 0.3, start);
    for (let k = 0; k < 300; k++) {
      a.advance();
      b.advance();
    }
    const sa = a.sample();
    const sb = b.sample();
    expect(Math.hypot(sa.w[0] - sb.w[0], sa.w[1] - sb.w[1])).toBeLessThan(1e-7);
    expect(sb.sharpness[0]).toBeCloseTo(sa.sharpness[0], 7);
    expect(sb.osc).toBeCloseTo(sa.osc, 7);
  });

  it('below 2/η it is gradient flow by Euler (no correction), and osc = 0', () => {
    const { problem } = createProblem({ id: 'quadratic', params: { lambda: 1 } });
    const cf = new CentralFlow(problem, 0.5, Float64Array.of(1), { substeps: 4 });
    for (let k = 1; k <= 10; k++) {
      cf.advance();
      const s = cf.sample();
      expect(s.w[0]).toBeCloseTo((1 - 0.5 / 4) ** (4 * k), 14);
      expect(s.osc).toBe(0);
    }
  });
});

describe('Spectrum warm starts (Lanczos path)', () => {
  // A(t) = R(t) diag(d) R(t)ᵀ with R(t) rotating each eigenvector smoothly, dim 60:
  // the eigenvalues stay d while the eigenvectors turn smoothly, as along the central flow's substeps.
  const n = 60;
  const d = Float64Array.from({ length: n }, (_, i) => (i < 3 ? 10 - i : 5 * Math.cos(i)));
  let t = 0;
  let matvecs = 0;
  const apply = (v: Vec, out: Float64Array, count = true): Float64Array => {
    if (count) matvecs++;
    // out = R diag(d) Rᵀ v, R = rotations of angle t·(1 + i/n) in the planes (i, i + n/2): each top
    // eigenvector turns into the bulk (as along a flow; not within the top block, which would be free).
    const h = n / 2;
    for (let i = 0; i < h; i++) {
      const a = t * (1 + i / n);
      const c = Math.cos(a);
      const s = Math.sin(a);
      const x = c * v[i] + s * v[i + h];
      const y = -s * v[i] + c * v[i + h];
      const dx = d[i] * x;
      const dy = d[i + h] * y;
      out[i] = c * dx - s * dy;
      out[i + h] = s * dx + c * dy;
    }
    return out;
  };
  const problem = { dim: n, loss: () => 0, grad: (_w: Vec, o?: Float64Array) => o ?? new Float64Array(n), hvp: (_w: Vec, v: Vec, o?: Float64Array) => apply(v, o ?? new Float64Array(n)) } as unknown as Problem;

  // Measured: 301 matvecs with 'last', 213 with 'extrapolate' (40 calls, eigenvectors turning 1e-3 per call).
  it("'extrapolate' finds the same top-3 eigenpairs as 'last', with fewer matrix-vector products", () => {
    const cost: Record<string, number> = {};
    for (const mode of ['last', 'extrapolate'] as const) {
      const sp = new Spectrum(problem);
      sp.tol = 1e-6;
      sp.warmMode = mode;
      matvecs = 0;
      for (let k = 0; k < 40; k++) {
        t = 0.001 * k;
        sp.top(new Float64Array(n), 3);
        for (let j = 0; j < 3; j++) {
          expect(Math.abs(sp.values[j] - d[j])).toBeLessThan(1e-8);
          // Residual of the returned vector against the exact operator.
          const Au = apply(sp.vectors[j], new Float64Array(n), false);
          let r = 0;
          for (let i = 0; i < n; i++) r += (Au[i] - sp.values[j] * sp.vectors[j][i]) ** 2;
          expect(Math.sqrt(r)).toBeLessThan(1e-6 * 10 * 1.01);
        }
      }
      cost[mode] = matvecs;
    }
    expect(cost.extrapolate).toBeLessThan(0.75 * cost.last);
  });
});
