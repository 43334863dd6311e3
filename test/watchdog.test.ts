/**
 * The engine's watchdog: every integrator, eigen-solver and flow stops with a reason, after a bounded
 * amount of work, on non-finite numbers, blow-up and stiffness (issue 12 rows 10 and 11). Bounds are
 * counts of right-hand sides, matrix-vector products and derivative calls, never wall-clock time.
 */
import { describe, expect, it } from 'vitest';
import { Dopri5, MAX_STEPS_PER_SPAN, Rk4 } from '../src/engine/flows/ode.ts';
import { LawsonDopri5, type LinearPart } from '../src/engine/flows/lawson.ts';
import { lanczosTopK, NonFiniteError } from '../src/engine/linalg/lanczos.ts';
import { Spectrum } from '../src/engine/flows/spectrum.ts';
import { Runner } from '../src/engine/runner.ts';
import { FLOW_IDS, type FlowId, type Problem, type Vec } from '../src/engine/types.ts';

/** L = 0: the Lawson integrator is then plain Dormand–Prince. */
const NO_LINEAR: LinearPart = {
  apply: (_x, out) => out.fill(0),
  exp: (x, _t, out) => out.set(x),
  phi1: (x, t, out) => {
    for (let i = 0; i < x.length; i++) out[i] = t * x[i];
  },
};

function integrators(f: (y: Float64Array, dy: Float64Array) => void) {
  return [
    ['Dopri5', new Dopri5(1, f, { rtol: 1e-8, atol: 1e-12, hmax: 1 })],
    ['LawsonDopri5', new LawsonDopri5(1, f, NO_LINEAR, { rtol: 1e-8, atol: 1e-12, hmax: 1 })],
  ] as const;
}

/** Every integrate call may spend at most this many right-hand sides (6 per step attempt + the first). */
const RHS_BOUND = 6 * MAX_STEPS_PER_SPAN + 1;

describe('integrators give up with a reason after bounded work', () => {
  it('blow-up in finite time (y′ = y², y(0) = 1, pole at t = 1)', () => {
    for (const [name, ode] of integrators((y, dy) => (dy[0] = y[0] * y[0]))) {
      const y = Float64Array.of(1);
      expect(ode.integrate(y, 2), name).toBe(false);
      expect(['step-collapsed', 'non-finite', 'too-stiff'], name).toContain(ode.failure);
      expect(ode.evals, name).toBeLessThanOrEqual(RHS_BOUND);
    }
  });

  it('a right-hand side that returns NaN', () => {
    for (const [name, ode] of integrators((_y, dy) => (dy[0] = NaN))) {
      expect(ode.integrate(Float64Array.of(1), 1), name).toBe(false);
      expect(ode.failure, name).toBe('non-finite');
      expect(ode.evals, name).toBe(1);
    }
    const rk = new Rk4(1, (y, dy) => (dy[0] = y[0] > 1.5 ? NaN : 1), 0.5);
    expect(rk.integrate(Float64Array.of(1), 2)).toBe(false);
    expect(rk.failure).toBe('non-finite');
  });

  it('NaN only away from the start (the step shrinks, then the state is declared non-finite)', () => {
    for (const [name, ode] of integrators((y, dy) => (dy[0] = y[0] > 1.25 ? NaN : 1))) {
      expect(ode.integrate(Float64Array.of(1), 1), name).toBe(false);
      expect(ode.evals, name).toBeLessThanOrEqual(RHS_BOUND);
    }
  });

  it('a stiffness the step bound cannot resolve (y′ = −10⁶y) stops as too stiff', () => {
    for (const [name, ode] of integrators((y, dy) => (dy[0] = -1e6 * y[0]))) {
      expect(ode.integrate(Float64Array.of(1), 1), name).toBe(false);
      expect(ode.failure, name).toBe('too-stiff');
      expect(ode.evals, name).toBeLessThanOrEqual(RHS_BOUND);
    }
  });

  it('after a failure the next call starts afresh and succeeds on a healthy state', () => {
    let bad = true;
    const ode = new Dopri5(1, (y, dy) => (dy[0] = bad ? NaN : -y[0]), { rtol: 1e-8, atol: 0, hmax: 1 });
    expect(ode.integrate(Float64Array.of(1), 1)).toBe(false);
    bad = false;
    const y = Float64Array.of(1);
    expect(ode.integrate(y, 1)).toBe(true);
    expect(ode.failure).toBeNull();
    expect(y[0]).toBeCloseTo(Math.exp(-1), 8);
  });
});

describe('Lanczos and the flows’ spectrum on non-finite operators', () => {
  it('lanczosTopK throws NonFiniteError at the first non-finite product', () => {
    let calls = 0;
    const mv = (_v: Float64Array, out: Float64Array) => (calls++, out.fill(NaN));
    expect(() => lanczosTopK(mv, 50, 2)).toThrow(NonFiniteError);
    expect(calls).toBe(1);
  });

  it('lanczosTopK on the zero operator and on one whose products vanish returns within maxIter', () => {
    let calls = 0;
    const zero = (_v: Float64Array, out: Float64Array) => (calls++, out.fill(0));
    const r = lanczosTopK(zero, 200, 3, { maxIter: 40 });
    expect(r.values.every((v) => v === 0)).toBe(true);
    expect(calls).toBeLessThanOrEqual(200);
  });

  it('Spectrum (Lanczos path) reports NaN eigenvalues instead of throwing', () => {
    const n = 100;
    const p: Problem = {
      dim: n,
      loss: () => NaN,
      grad: (_w: Vec, o = new Float64Array(n)) => o.fill(NaN),
      hvp: (_w: Vec, _v: Vec, o = new Float64Array(n)) => o.fill(NaN),
    } as unknown as Problem;
    const sp = new Spectrum(p);
    sp.top(new Float64Array(n), 2);
    expect(sp.count).toBe(2);
    expect(Number.isNaN(sp.values[0])).toBe(true);
  });
});

describe('flows stop with a reason, after bounded work', () => {
  it('row 10: mlp-teacher at η = 1000, every flow stops at once and says why', () => {
    // Each flow alone, so its derivative calls can be counted. Measured: GD 2 grads + 41 HVPs (the stop
    // reason's λ₁ solve), gradient flow 1201 grads (too stiff: η·λ₁ ≈ 3640 needs ~1100 Dopri steps per GD
    // step), Central Flow 141 HVPs + 12 thirds, Rod Flow 15 grads + 27 HVPs.
    for (const flow of FLOW_IDS as readonly FlowId[]) {
      const r = new Runner({ problem: { id: 'mlp-teacher' }, eta: 1000, steps: 20, flows: [flow] });
      const c = r.instance.problem.counters!;
      r.advance(20);
      const tr = r.traces[flow]!;
      expect(tr.stopped, flow).not.toBeNull();
      expect(tr.stopped!.step, flow).toBeLessThanOrEqual(2);
      expect(tr.stopped!.reason, flow).toMatch(/^λ₁ = .*; .* at step \d+$/);
      expect(c.grad + 2 * c.hvp + 4 * c.third + 0.5 * c.loss, flow).toBeLessThan(2000);
      for (let i = 0; i < tr.length; i++) expect(Number.isFinite(tr.loss[i]), flow).toBe(true);
    }
  });

  it("Central Flow far past the edge (mlp-teacher at η = 2.5, the long fuzz's slowest case): the look-ahead's halvings end when they stall", () => {
    // The look-ahead is halved while that brings λ₁ closer to 2/η; at 3.64 against 0.8 no halving ever
    // halves the excess, and all 20 halvings (two eigen-solves each) ran on every substep: 38,322
    // gradient units for these 3 steps (~4 s a step on this machine, 135 s for the fuzz's 20 steps).
    // Ending them after 3 tries in a row without improvement: 15,309 units, the same λ₁ to 4 digits.
    const r = new Runner({ problem: { id: 'mlp-teacher' }, eta: 2.5, steps: 3, flows: ['central-flow'] });
    const c = r.instance.problem.counters!;
    r.advance(3);
    const tr = r.traces['central-flow']!;
    expect(tr.stopped).toBeNull();
    expect(tr.length).toBe(4);
    expect(c.grad + 2 * c.hvp + 4 * c.third + 0.5 * c.loss).toBeLessThan(20_000);
    // It still moves λ₁ down towards 2/η = 0.8 (from 3.64 at the start).
    expect(tr.sharpness[3 * tr.eigK]).toBeLessThan(3.8);
  });

  it('row 11: a custom loss with a pole (1/x from −0.5: gradient flow reaches the pole in finite time)', () => {
    const r = new Runner({ problem: { id: 'custom', expr: '1/x' }, eta: 0.01, start: [-0.5], steps: 300, flows: [...FLOW_IDS] });
    r.advance(300);
    const gf = r.traces['gradient-flow']!;
    expect(gf.stopped).not.toBeNull();
    expect(gf.stopped!.reason).toMatch(/step size collapsed|non-finite|too stiff/);
    expect(gf.stopped!.step).toBeLessThan(10);
    for (const id of FLOW_IDS) {
      const tr = r.traces[id]!;
      for (let i = 0; i < tr.length; i++) expect(Number.isFinite(tr.t[i])).toBe(true);
    }
  });

  it('a problem whose derivatives throw: the flow stops with the message, the runner does not', () => {
    const n = 3;
    let armed = false;
    const p = {
      dim: n,
      loss: (w: Vec) => 0.5 * w.reduce((s, x) => s + x * x, 0),
      grad: (w: Vec, o = new Float64Array(n)) => {
        if (armed) throw new Error('cannot evaluate here');
        for (let i = 0; i < n; i++) o[i] = w[i];
        return o;
      },
      hvp: (_w: Vec, v: Vec, o = new Float64Array(n)) => (o.set(v), o),
      hessian: (_w: Vec, o = new Float64Array(n * n)) => {
        o.fill(0);
        for (let i = 0; i < n; i++) o[i * n + i] = 1;
        return o;
      },
      third: (_w: Vec, _u: Vec, _v: Vec, o = new Float64Array(n)) => o.fill(0),
    } as unknown as Problem;
    for (const flow of FLOW_IDS as readonly FlowId[]) {
      armed = false;
      const r = new Runner({ problem: { id: 'quadratic' }, eta: 0.1, start: [1, 2, 3], steps: 5, flows: [flow] }, { problem: p, start: Float64Array.of(1, 2, 3), label: 'test', settings: { id: 'quadratic', params: {} } } as never);
      r.advance(2);
      armed = true;
      expect(() => r.advance(3), flow).not.toThrow();
      expect(r.traces[flow]!.stopped?.reason, flow).toMatch(/cannot evaluate here/);
    }
  });
});
