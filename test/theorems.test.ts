/**
 * The known properties of Rod Flow (docs/equations.md §4) as tests, each against an independent oracle:
 * exact linear algebra on quadratics, closed-form and Newton-computed GD 2-cycles of the quartic,
 * GD itself run alongside, and Taylor expansions checked by their order of convergence.
 */
import { describe, expect, it } from 'vitest';
import { GdFlow } from '../src/engine/flows/gd.ts';
import { RodFlow } from '../src/engine/flows/rod-flow.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import type { Problem, Vec } from '../src/engine/types.ts';

const FORMS = ['vector', 'sigma'] as const;

function quartic(S: number, Q = 1): Problem {
  return createProblem({ id: 'quartic', params: { S, Q } }).problem;
}

/** GD's period-2 orbits of the 1-D map f(x) = x − ηL'(x), by sign changes of f(f(x)) − x and Newton. */
function twoCycles(p: Problem, eta: number, lo: number, hi: number): { a: number; b: number }[] {
  const f = (x: number) => x - eta * p.grad(Float64Array.of(x))[0];
  const F = (x: number) => f(f(x)) - x;
  const roots: number[] = [];
  const N = 20000;
  for (let i = 0; i < N; i++) {
    let x0 = lo + ((hi - lo) * i) / N;
    let x1 = lo + ((hi - lo) * (i + 1)) / N;
    if (F(x0) === 0) roots.push(x0);
    if (F(x0) * F(x1) >= 0) continue;
    for (let it = 0; it < 200; it++) {
      const m = 0.5 * (x0 + x1);
      if (F(x0) * F(m) <= 0) x1 = m;
      else x0 = m;
    }
    // polish with Newton (central-difference derivative)
    let x = 0.5 * (x0 + x1);
    for (let it = 0; it < 5; it++) {
      const h = 1e-7;
      const d = (F(x + h) - F(x - h)) / (2 * h);
      if (d !== 0) x -= F(x) / d;
    }
    roots.push(x);
  }
  const out: { a: number; b: number }[] = [];
  for (const a of roots) {
    const b = f(a);
    if (Math.abs(b - a) < 1e-8 || a > b) continue; // fixed points; each orbit once
    out.push({ a, b });
  }
  return out;
}

function run<T extends { advance(): void }>(f: T, n: number): T {
  for (let i = 0; i < n; i++) f.advance();
  return f;
}

describe('Rod Flow: threshold on a quadratic', () => {
  // ½λx² with λ = 1; η = 1.99 and 2.01. GD's |δ|² changes by (1 − ηλ)² per step: rate 2 ln|1 − ηλ|.
  // The rod's exact linear rates: vector form 2(ηλ − 2) (Σ = r², dr/dt = (ηλ − 2)r), Σ form
  // (ηλ)²/2 − 2. Both equal GD's 2ε − ε² + … to first order in ε = ηλ − 2.
  const { problem } = createProblem({ id: 'quadratic', params: { lambda: 1 } });
  for (const form of FORMS) {
    for (const eta of [1.99, 2.01]) {
      it(`${form} form, ηλ = ${eta}: ${eta > 2 ? 'grows' : 'decays'}; rate = its linearisation, = GD's to first order`, () => {
        const rod = new RodFlow(problem, eta, Float64Array.of(1), { form, seed: 'off' });
        const gd = new GdFlow(problem, eta, Float64Array.of(1));
        run(rod, 200);
        run(gd, 200);
        const r0 = rod.sample().osc;
        const g0 = gd.sample().osc;
        run(rod, 200);
        run(gd, 200);
        const rate = Math.log(rod.sample().osc / r0) / 200;
        const gdRate = Math.log(gd.sample().osc / g0) / 200;
        const eps = eta - 2;
        expect(Math.sign(rate)).toBe(Math.sign(eps));
        expect(gdRate).toBeCloseTo(2 * Math.log(Math.abs(1 - eta)), 12);
        const exact = form === 'vector' ? 2 * eps : (eta * eta) / 2 - 2;
        expect(Math.abs(rate - exact)).toBeLessThan(1e-6 * Math.abs(exact));
        // first-order agreement with GD: the mismatch is O(ε²), far below the rate itself
        expect(Math.abs(rate - gdRate)).toBeLessThan(2 * eps * eps);
        expect(Math.abs(rate - gdRate)).toBeLessThan(0.02 * Math.abs(gdRate));
      });
    }
  }

  it('linearisation at a minimum (rotated 2-D quadratic): dr/dt = (ηH − 2)r; Σ mode (i,j) at η²λᵢλⱼ/2 − 2', () => {
    const { problem } = createProblem({ id: 'quadratic-2d', params: { l1: 2.1, l2: 0.5, theta: 30 } });
    const eta = 1;
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    const u1 = [c, s];
    const u2 = [-s, c];
    const lam = [2.1, 0.5];
    const zero = Float64Array.of(0, 0);
    const vec = new RodFlow(problem, eta, zero, { form: 'vector', backwardError: false });
    const sig = new RodFlow(problem, eta, zero, { form: 'sigma', backwardError: false });
    const a = 0.3;
    const b = -0.2;
    const r = Float64Array.of(a * u1[0] + b * u2[0], a * u1[1] + b * u2[1]);
    const dv = vec.rhsAt(zero, r);
    // (ηH − 2)r in the eigenbasis: coefficients (ηλ₁ − 2)a, (ηλ₂ − 2)b
    const want = [0, 1].map((i) => (eta * lam[0] - 2) * a * u1[i] + (eta * lam[1] - 2) * b * u2[i]);
    expect(Math.abs(dv[2] - want[0]) + Math.abs(dv[3] - want[1])).toBeLessThan(1e-14);
    expect(Math.abs(dv[0]) + Math.abs(dv[1])).toBe(0); // centre at rest: g₊ + g₋ = 0 by symmetry
    const ds = sig.rhsAt(zero, r); // Σ = rrᵀ
    const coef = [a, b];
    const U = [u1, u2];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        // entry (i,j) of Uᵀ dΣ U must be (η²λᵢλⱼ/2 − 2)·coefᵢcoefⱼ
        let v = 0;
        for (let p = 0; p < 2; p++) for (let q = 0; q < 2; q++) v += U[i][p] * ds[2 + p * 2 + q] * U[j][q];
        expect(v).toBeCloseTo(((eta * eta * lam[i] * lam[j]) / 2 - 2) * coef[i] * coef[j], 13);
      }
    }
  });
});

describe('Rod Flow: quartic self-stabilisation L = (S/2)x² − (Q/4)x⁴, η = Q = 1, start 0.01', () => {
  for (const S of [2.2, 2.5, 2.9]) {
    it(`ηS = ${S}: GD's 2-cycle and the rod both settle at δ² = (S − 2/η)/Q, centre 0`, () => {
      const p = quartic(S);
      const target = S - 2;
      const gd = run(new GdFlow(p, 1, Float64Array.of(0.01)), 3000);
      expect(Math.abs(gd.sample().osc - target) / target).toBeLessThan(1e-6);
      for (const form of FORMS) {
        const rod = run(new RodFlow(p, 1, Float64Array.of(0.01), { form }), 3000);
        const s = rod.sample();
        expect(Math.abs(s.osc - target) / target).toBeLessThan(1e-6);
        expect(Math.abs(s.w[0])).toBeLessThan(1e-6);
      }
    });
  }

  it('the GD 2-cycles of the quartic map, found by Newton, match the closed forms used below', () => {
    // For f(x) = (1 − S)x + x³ (η = Q = 1) a 2-cycle {a, b}, a ≠ ±b, satisfies a² + ab + b² = S − 2 and
    // a² − ab + b² = S, so ab = −1, centre² = ((a + b)/2)² = (S − 3)/4 and δ² = ((b − a)/2)² = (S + 1)/4:
    // it exists for S > 3 (the symmetric cycle's pitchfork at ηS = 3), and δ² = 1.025 at S = 3.1.
    for (const S of [3.1, 3.3]) {
      const cycles = twoCycles(quartic(S), 1, -2, 2).filter((c) => Math.abs(c.a + c.b) > 1e-6);
      expect(cycles.length).toBe(2); // centre ±√((S−3)/4)
      for (const c of cycles) {
        expect(((c.b - c.a) / 2) ** 2).toBeCloseTo((S + 1) / 4, 12);
        expect(((c.a + c.b) / 2) ** 2).toBeCloseTo((S - 3) / 4, 12);
      }
    }
  });

  it('ηS = 3.1: GD and the rod both sit on the asymmetric 2-cycle (δ² = 1.025)', () => {
    const S = 3.1;
    const cyc = twoCycles(quartic(S), 1, -2, 2).filter((c) => Math.abs(c.a + c.b) > 1e-6)[0];
    const d2 = ((cyc.b - cyc.a) / 2) ** 2;
    const c2 = ((cyc.a + cyc.b) / 2) ** 2;
    expect(d2).toBeCloseTo(1.025, 12);
    const gd = run(new GdFlow(quartic(S), 1, Float64Array.of(0.01)), 3000);
    const g = gd.sample();
    expect(Math.abs(g.osc - d2) / d2).toBeLessThan(1e-6);
    expect(Math.abs(g.centre![0] ** 2 - c2) / c2).toBeLessThan(1e-6);
    for (const form of FORMS) {
      const s = run(new RodFlow(quartic(S), 1, Float64Array.of(0.01), { form }), 3000).sample();
      expect(Math.abs(s.osc - d2) / d2).toBeLessThan(1e-6);
      expect(Math.abs(s.w[0] ** 2 - c2) / c2).toBeLessThan(1e-6);
    }
  });

  it('ηS = 3.3: GD wanders off the 2-cycle (period-doubled / chaotic) while the rod settles on it', () => {
    const S = 3.3;
    const d2 = (S + 1) / 4;
    const gd = run(new GdFlow(quartic(S), 1, Float64Array.of(0.01)), 3000);
    let lo = Infinity;
    let hi = -Infinity;
    let gap = 0;
    let prev2 = NaN;
    let prev1 = NaN;
    for (let k = 0; k < 400; k++) {
      const s = gd.sample();
      lo = Math.min(lo, s.osc);
      hi = Math.max(hi, s.osc);
      if (k >= 2) gap = Math.max(gap, Math.abs(s.w[0] - prev2)); // |w_{k} − w_{k−2}|: 0 on a 2-cycle
      prev2 = prev1;
      prev1 = s.w[0];
      gd.advance();
    }
    expect(hi - lo).toBeGreaterThan(0.05);
    expect(gap).toBeGreaterThan(0.05);
    for (const form of FORMS) {
      const rod = run(new RodFlow(quartic(S), 1, Float64Array.of(0.01), { form }), 3000);
      let rlo = Infinity;
      let rhi = -Infinity;
      for (let k = 0; k < 400; k++) {
        const o = rod.sample().osc;
        rlo = Math.min(rlo, o);
        rhi = Math.max(rhi, o);
        rod.advance();
      }
      expect(rhi - rlo).toBeLessThan(1e-9);
      expect(Math.abs(rhi - d2) / d2).toBeLessThan(1e-6);
    }
  });
});

describe('Rod Flow: fixed points are exactly the GD 2-cycles', () => {
  /** Max-abs of the rod's RHS at (w̄, δ) relative to the size of its terms. */
  function residual(p: Problem, eta: number, wbar: Vec, delta: Vec, form: 'vector' | 'sigma', backwardError: boolean): number {
    const rod = new RodFlow(p, eta, wbar, { form, backwardError });
    const dy = rod.rhsAt(wbar, delta);
    const scale = Math.max(...Array.from(delta, Math.abs)) * (form === 'sigma' ? Math.max(...Array.from(delta, Math.abs)) : 1);
    return Math.max(...Array.from(dy, Math.abs)) / scale;
  }

  const cases: { name: string; p: Problem; eta: number; lo: number; hi: number }[] = [
    { name: 'quartic ηS = 2.5 (symmetric)', p: quartic(2.5), eta: 1, lo: -2, hi: 2 },
    { name: 'quartic ηS = 3.1 (asymmetric too)', p: quartic(3.1), eta: 1, lo: -2, hi: 2 },
    { name: 'soft well k = 1, η = 1.5', p: createProblem({ id: 'soft-well', params: { k: 1 } }).problem, eta: 1.5, lo: -3, hi: 3 },
  ];
  for (const c of cases) {
    it(`${c.name}: RHS = 0 to round-off at every 2-cycle, both forms, with and without the backward-error term`, () => {
      const cycles = twoCycles(c.p, c.eta, c.lo, c.hi);
      expect(cycles.length).toBeGreaterThan(0);
      for (const { a, b } of cycles) {
        const wbar = Float64Array.of((a + b) / 2);
        const delta = Float64Array.of((b - a) / 2);
        for (const form of FORMS) {
          for (const be of [true, false]) {
            expect(residual(c.p, c.eta, wbar, delta, form, be)).toBeLessThan(1e-12);
            // and a nearby rod is not a fixed point
            expect(residual(c.p, c.eta, wbar, Float64Array.of(delta[0] * 1.01), form, be)).toBeGreaterThan(1e-4);
          }
        }
      }
    });
  }

  it('2-D: a GD 2-cycle of a rotated separable quartic is a fixed point of both forms', () => {
    // L(w) = Σ (S_i/2)z_i² − ¼z_i⁴, z = Rᵀw: GD's 2-cycle is z_i → −z_i with z_i² = S_i − 2 (η = 1).
    const S = [2.4, 2.7];
    const th = 0.7;
    const c = Math.cos(th);
    const s = Math.sin(th);
    const toZ = (w: Vec) => [c * w[0] + s * w[1], -s * w[0] + c * w[1]];
    const toW = (z: number[], out: Vec = new Float64Array(2)) => {
      out[0] = c * z[0] - s * z[1];
      out[1] = s * z[0] + c * z[1];
      return out;
    };
    const p: Problem = {
      dim: 2,
      loss: (w) => toZ(w).reduce((a, z, i) => a + (S[i] / 2) * z * z - z ** 4 / 4, 0),
      grad: (w, out) => toW(toZ(w).map((z, i) => S[i] * z - z ** 3), out),
      hvp: (w, v, out) => {
        const z = toZ(w);
        return toW(toZ(v).map((x, i) => (S[i] - 3 * z[i] ** 2) * x), out);
      },
      third: (w, a, b, out) => {
        const z = toZ(w);
        const az = toZ(a);
        const bz = toZ(b);
        return toW(z.map((x, i) => -6 * x * az[i] * bz[i]), out);
      },
    };
    const delta = toW(S.map((Si) => Math.sqrt(Si - 2)));
    // confirm it is a GD 2-cycle first (the oracle): w = −δ → +δ → −δ
    const w1 = Float64Array.from(delta, (v) => -v);
    const g = p.grad(w1);
    const w2 = Float64Array.from(w1, (v, i) => v - g[i]);
    expect(Math.abs(w2[0] - delta[0]) + Math.abs(w2[1] - delta[1])).toBeLessThan(1e-14);
    const zero = Float64Array.of(0, 0);
    for (const form of FORMS) {
      for (const be of [true, false]) {
        const dy = new RodFlow(p, 1, zero, { form, backwardError: be }).rhsAt(zero, delta);
        expect(Math.max(...Array.from(dy, Math.abs))).toBeLessThan(1e-14);
      }
    }
  });
});

describe('Rod Flow: self-stabilisation expansion', () => {
  it('to second order in δ the centre velocity is the central flow’s −η[g + ½T[δ,δ]] (error O(|δ|⁴))', () => {
    const { problem } = createProblem({ id: 'valley' });
    const eta = 0.3;
    const wbar = Float64Array.of(0.7, 0.6);
    const dir = Float64Array.of(0.6, -0.8);
    const err = (eps: number) => {
      const d = Float64Array.from(dir, (v) => eps * v);
      const rod = new RodFlow(problem, eta, wbar, { form: 'vector', backwardError: false });
      const dy = rod.rhsAt(wbar, d);
      const g = problem.grad(wbar);
      const T = problem.third(wbar, d, d);
      return Math.hypot(dy[0] + eta * (g[0] + 0.5 * T[0]), dy[1] + eta * (g[1] + 0.5 * T[1]));
    };
    const e1 = err(1e-2);
    const e2 = err(5e-3);
    // the valley is a quartic polynomial: g(w̄ ± δ) has no terms past δ³, so the mean of g₊ and g₋
    // is g + ½T[δ,δ] exactly — the expansion is exact here; check on the soft well instead below.
    expect(e1).toBeLessThan(1e-15 + 1e-12 * Math.abs(e2));
    const sw = createProblem({ id: 'soft-well' }).problem;
    const errSw = (eps: number) => {
      const wb = Float64Array.of(0.4);
      const d = Float64Array.of(eps);
      const dy = new RodFlow(sw, 1.5, wb, { form: 'vector', backwardError: false }).rhsAt(wb, d);
      const g = sw.grad(wb)[0];
      const T = sw.third(wb, d, d)[0];
      return Math.abs(dy[0] + 1.5 * (g + 0.5 * T));
    };
    const ratio = errSw(2e-2) / errSw(1e-2);
    expect(ratio).toBeGreaterThan(16 * 0.9);
    expect(ratio).toBeLessThan(16 * 1.1);
  });
});
