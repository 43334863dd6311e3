/**
 * The ensemble's float64 trajectories (engine/ensemble/trajectories.ts) against the engine's own flows
 * (an independent implementation of the same schemes), and the closed-form 2×2 QP against qp.ts.
 */
import { describe, expect, it } from 'vitest';
import { Trajectories, GD_STRIDE, FLOW_STRIDE, REC, qp2 } from '../src/engine/ensemble/trajectories.ts';
import { ensembleProblem } from '../src/engine/ensemble/problem.ts';
import { FieldProblem } from '../src/engine/problems/field.ts';
import { GdFlow } from '../src/engine/flows/gd.ts';
import { RodFlow } from '../src/engine/flows/rod-flow.ts';
import { CentralFlow } from '../src/engine/flows/central-flow.ts';
import { GradientFlow } from '../src/engine/flows/gradient-flow.ts';
import { solvePsdQp } from '../src/engine/flows/qp.ts';
import { mulberry32 } from '../src/engine/rng.ts';

const cases: { id: string; eta: number; start: number[]; T: number; params?: Record<string, number>; expr?: string }[] = [
  { id: 'valley', eta: 0.3, start: [0.2, 0.2], T: 300 },
  { id: 'quartic', eta: 1, start: [0.01], T: 200 },
  { id: 'soft-well', eta: 1.5, start: [0.1], T: 200 },
  { id: 'self-stab', eta: 0.01, start: [0, 12], T: 300 },
  { id: 'quadratic-2d', eta: 1, start: [0.3, 1], T: 100 },
  // Two eigenvalues above 1.5/η: Central Flow's k = 2 QP (closed form here, iterative in the engine).
  { id: 'custom', eta: 1, start: [0.1, 0.12], T: 200, expr: '1.2*x^2 + 1.1*y^2 - 0.1*x^4 - 0.1*y^4 + 0.05*x^2*y^2', params: {} },
];

function run(flow: { advance(): void; stopped: unknown }, T: number) {
  for (let k = 0; k < T && !flow.stopped; k++) flow.advance();
}

describe('ensemble trajectories (float64) = the engine flows', () => {
  for (const c of cases) {
    const p = ensembleProblem({ id: c.id, params: c.params, expr: c.expr });
    const prob = new FieldProblem(p.field);
    const tr = new Trajectories(p.field);
    const w0 = Float64Array.from(c.start);
    const y0 = c.start[1] ?? 0;
    it(`${c.id}: GD iterates exactly`, () => {
      const out = new Float64Array(GD_STRIDE);
      tr.gd(c.eta, c.start[0], y0, c.T, out);
      const gd = new GdFlow(prob, c.eta, w0);
      run(gd, c.T);
      const s = gd.sample();
      // Engine at time T holds (w_T, w_{T+1}); the record's last two slots are those.
      expect(out[8 + 2 * (REC - 2)]).toBe(s.w[0]);
      expect(out[8 + 2 * (REC - 1)]).toBe(s.w[0] + 2 * s.delta![0]);
      if (p.dim === 2) expect(out[9 + 2 * (REC - 2)]).toBe(s.w[1]);
    });
    it(`${c.id}: Rod Flow = engine Σ form, RK4 h = 0.5`, () => {
      const out = new Float64Array(FLOW_STRIDE);
      tr.rod(c.eta, c.start[0], y0, c.T, out);
      const rf = new RodFlow(prob, c.eta, w0, { form: 'sigma', integrator: 'rk4' });
      run(rf, c.T);
      const y = rf.state();
      const scale = 1 + Math.abs(y[0]) + Math.abs(y[1] ?? 0);
      expect(Math.abs(out[2] - y[0])).toBeLessThan(1e-9 * scale);
      if (p.dim === 2) {
        expect(Math.abs(out[3] - y[1])).toBeLessThan(1e-9 * scale);
        expect(Math.abs(out[4] - y[2])).toBeLessThan(1e-9 * scale);
        expect(Math.abs(out[6] - y[5])).toBeLessThan(1e-9 * scale);
      } else expect(Math.abs(out[4] - y[1])).toBeLessThan(1e-9 * scale);
    });
    it(`${c.id}: Central Flow = engine (Euler ×4, look-ahead, backtracking)`, () => {
      const out = new Float64Array(FLOW_STRIDE);
      tr.central(c.eta, c.start[0], y0, c.T, out);
      const cf = new CentralFlow(prob, c.eta, w0);
      run(cf, c.T);
      const s = cf.sample();
      const scale = 1 + Math.abs(s.w[0]) + Math.abs(s.w[1] ?? 0);
      expect(Math.abs(out[2] - s.w[0])).toBeLessThan(1e-7 * scale);
      if (p.dim === 2) expect(Math.abs(out[3] - s.w[1])).toBeLessThan(1e-7 * scale);
      expect(Math.abs(out[4] + out[6] - s.osc)).toBeLessThan(1e-6 * (1 + s.osc));
    });
    // RK4 at hηρ ≤ 1/4 against adaptive Dormand–Prince at rtol 1e-8: measured 4.4e-5 on the valley.
    it(`${c.id}: gradient flow = engine (adaptive) to 1e-4`, () => {
      const out = new Float64Array(FLOW_STRIDE);
      tr.gradientFlow(c.eta, c.start[0], y0, Math.min(c.T, 100), out);
      const gf = new GradientFlow(prob, c.eta, w0);
      run(gf, Math.min(c.T, 100));
      const s = gf.sample();
      const scale = 1 + Math.abs(s.w[0]) + Math.abs(s.w[1] ?? 0);
      expect(Math.abs(out[2] - s.w[0])).toBeLessThan(1e-4 * scale);
      if (p.dim === 2) expect(Math.abs(out[3] - s.w[1])).toBeLessThan(1e-4 * scale);
    });
  }
});

describe('qp2 (closed-form 2×2 PSD QP) = qp.ts', () => {
  it('matches solvePsdQp on random problems (value and X)', () => {
    const rnd = mulberry32(7);
    let rank1 = 0;
    let interior = 0;
    for (let trial = 0; trial < 300; trial++) {
      // G = EᵀE from three random 2-vectors (rank ≤ 2, as in 2-D problems) or 3-vectors (full rank).
      const d = trial % 2 === 0 ? 2 : 3;
      const E = Array.from({ length: 3 }, () => Array.from({ length: d }, () => rnd() * 2 - 1));
      const G = new Float64Array(9);
      for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) G[p * 3 + q] = E[p].reduce((s, v, i) => s + v * E[q][i], 0);
      const a = Float64Array.from([rnd() * 2 - 1, rnd() * 2 - 1, rnd() * 2 - 1]);
      const x = new Float64Array(3);
      qp2(G, a, x);
      const ref = solvePsdQp(2, G, a);
      const f = (v: ArrayLike<number>) => {
        let s = 0;
        for (let p = 0; p < 3; p++) {
          s += a[p] * v[p];
          for (let q = 0; q < 3; q++) s += 0.25 * v[p] * G[p * 3 + q] * v[q];
        }
        return s;
      };
      expect(x[0]).toBeGreaterThanOrEqual(0);
      expect(x[2]).toBeGreaterThanOrEqual(0);
      expect(x[0] * x[2] - 0.5 * x[1] * x[1]).toBeGreaterThanOrEqual(-1e-9);
      if (ref.kkt.max < 1e-8) expect(f(x)).toBeLessThanOrEqual(f(ref.x) + 1e-9 * (1 + Math.abs(f(ref.x))));
      if (x[0] * x[2] - 0.5 * x[1] * x[1] > 1e-9) interior++;
      else if (x[0] + x[2] > 0) rank1++;
    }
    expect(rank1).toBeGreaterThan(10);
    expect(interior).toBeGreaterThan(10);
  });
});

/**
 * GD replays an exact cycle (w_k = w_{k−p} bit for bit) instead of recomputing it. The record must be
 * the plain loop's, bit for bit: checked against a step-by-step loop over the field here, on runs that
 * converge (p = 1), settle in a 2-cycle, period-double (p = 4) and stay chaotic, and the replay must
 * actually skip work (fewer gradient calls than steps).
 */
describe('GD: an exact cycle is replayed, not recomputed, with the same record', () => {
  function plainGd(f: ReturnType<typeof ensembleProblem>['field'], eta: number, x0: number, y0: number, T: number): Float64Array {
    const out = new Float64Array(GD_STRIDE);
    const g = new Float64Array(2);
    const h = new Float64Array(3);
    const two = f.dim === 2;
    let x = x0;
    let y = two ? y0 : 0;
    const lim = 1e6 * (Math.abs(f.f(x, y)) + 1);
    const A = Math.max(1, Math.min(256, Math.floor(T / 2)));
    const recFrom = T + 2 - REC;
    let sumS = 0;
    let nS = 0;
    let status = 0;
    let divStep = T + 1;
    for (let k = 0; k <= T; k++) {
      if (k > T - A) {
        f.h(x, y, h);
        const lam = two ? 0.5 * (h[0] + h[2]) + Math.sqrt(0.25 * (h[0] - h[2]) ** 2 + h[1] * h[1]) : h[0];
        sumS += lam;
        nS++;
      }
      if (k >= recFrom) {
        out[8 + 2 * (k - recFrom)] = x;
        out[9 + 2 * (k - recFrom)] = y;
      }
      f.g(x, y, g);
      const nx = x - eta * g[0];
      const ny = two ? y - eta * g[1] : 0;
      if (!(Math.abs(f.f(nx, ny)) <= lim)) {
        status = 1;
        divStep = k + 1;
        break;
      }
      x = nx;
      y = ny;
    }
    if (status === 0) {
      out[8 + 2 * (REC - 1)] = x;
      out[9 + 2 * (REC - 1)] = y;
    }
    out.set([status, divStep, sumS, nS, x, y, lim], 0);
    return out;
  }
  const runs: { id: string; eta: number; start: [number, number]; T: number; what: string }[] = [
    { id: 'quartic', eta: 0.5, start: [0.01, 0], T: 4096, what: 'converges (p = 1)' },
    { id: 'quartic', eta: 1.25, start: [0.01, 0], T: 4096, what: '2-cycle' },
    { id: 'quartic', eta: 1.56, start: [0.01, 0], T: 4096, what: 'period 4' },
    { id: 'quartic', eta: 1.6, start: [0.01, 0], T: 4096, what: 'chaotic' },
    { id: 'valley', eta: 0.3, start: [0.2, 0.2], T: 1024, what: 'valley' },
    { id: 'valley', eta: 0.3, start: [1.2, -0.2], T: 1024, what: 'valley, another start' },
    { id: 'quartic', eta: 0.5, start: [0.01, 0], T: 9, what: 'short horizon' },
  ];
  for (const r of runs) {
    it(`${r.id} η = ${r.eta} (${r.what}): record = the plain loop's`, () => {
      const p = ensembleProblem({ id: r.id });
      let grads = 0;
      const counting = { ...p.field, dim: p.field.dim, g: (x: number, y: number, o: Float64Array) => (grads++, p.field.g(x, y, o)) };
      const out = new Float64Array(GD_STRIDE);
      new Trajectories(counting).gd(r.eta, r.start[0], r.start[1], r.T, out);
      const want = plainGd(p.field, r.eta, r.start[0], r.start[1], r.T);
      for (let i = 0; i < GD_STRIDE; i++) expect(Object.is(out[i], want[i]), `slot ${i}: ${out[i]} vs ${want[i]}`).toBe(true);
      if (r.what === 'converges (p = 1)' || r.what === '2-cycle') expect(grads).toBeLessThan(r.T / 2);
    });
  }
});

/**
 * Rod Flow, Central Flow and gradient flow stop at an exact fixed point (a step that returns its own
 * state bit for bit: every later step would too). Runs that settle early: the end state equals the
 * engine's flow run step by step to the horizon, and doubling the horizon costs no gradient call.
 */
describe('flows: an exact fixed point ends the run early, with the same end state', () => {
  const T = 1500;
  const settle: { id: string; eta: number; start: number[] }[] = [
    { id: 'quartic', eta: 0.5, start: [0.3] },
    { id: 'valley', eta: 0.1, start: [0.2, 0.2] },
  ];
  for (const c of settle) {
    const p = ensembleProblem({ id: c.id });
    const prob = new FieldProblem(p.field);
    const w0 = Float64Array.from(c.start);
    let grads = 0;
    const counting = { ...p.field, dim: p.field.dim, g: (x: number, y: number, o: Float64Array) => (grads++, p.field.g(x, y, o)) };
    const tr = new Trajectories(counting);
    const y0 = c.start[1] ?? 0;
    /** Runs to T and to 2T: the same record and the same number of gradient calls. */
    const twice = (f: (T: number, out: Float64Array) => void): Float64Array => {
      const a = new Float64Array(FLOW_STRIDE);
      const b = new Float64Array(FLOW_STRIDE);
      grads = 0;
      f(T, a);
      const ga = grads;
      grads = 0;
      f(2 * T, b);
      expect(grads).toBe(ga);
      b[1] = a[1]; // the horizon (divergence step slot when none)
      expect([...b]).toEqual([...a]);
      expect(a[0]).toBe(0);
      return a;
    };
    it(`${c.id}: Rod Flow`, () => {
      const out = twice((t, o) => tr.rod(c.eta, c.start[0], y0, t, o));
      const rf = new RodFlow(prob, c.eta, w0, { form: 'sigma', integrator: 'rk4' });
      run(rf, T);
      expect(Math.abs(out[2] - rf.state()[0])).toBeLessThan(1e-12);
    });
    it(`${c.id}: Central Flow`, () => {
      const out = twice((t, o) => tr.central(c.eta, c.start[0], y0, t, o));
      const cf = new CentralFlow(prob, c.eta, w0);
      run(cf, T);
      const s = cf.sample();
      expect(Math.abs(out[2] - s.w[0])).toBeLessThan(1e-9);
      if (p.dim === 2) expect(Math.abs(out[3] - s.w[1])).toBeLessThan(1e-9);
    });
    it(`${c.id}: gradient flow`, () => {
      const out = twice((t, o) => tr.gradientFlow(c.eta, c.start[0], y0, t, o));
      const gf = new GradientFlow(prob, c.eta, w0);
      run(gf, T);
      expect(Math.abs(out[2] - gf.sample().w[0])).toBeLessThan(1e-4); // RK4 against adaptive DP, as above
    });
  }
});
