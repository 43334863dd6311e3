/**
 * The adaptive Dormand–Prince integrator (ode.ts) against exact solutions of linear ODEs, and its
 * blockwise (normwise) error control, which is what makes the rod flow affordable on wide networks.
 */
import { describe, expect, it } from 'vitest';
import { Dopri5, Rk4 } from '../src/engine/flows/ode.ts';
import { lanczosTopK } from '../src/engine/linalg/lanczos.ts';
import { RodFlow } from '../src/engine/flows/rod-flow.ts';
import { NETWORK_PROBLEMS } from '../src/engine/nn/registry.ts';

/**
 * y' = −a_i y_i, exact solution y_i(0)e^{−a_i t}. Block 1: one slow component (rate 0.1) of size 1 and
 * 50 small entries (1e-6) decaying at rate 2 — the shape of a rod flow state at the start of a run
 * (centre entries near 0, rod modes decaying at 2 − ηλ).
 */
function decay(blocks: number[] | undefined, rtol: number) {
  const n = 51;
  const a = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 0.1 : 2));
  const y0 = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 1e-6 * (1 + i / n)));
  const ode = new Dopri5(n, (y, dy) => {
    for (let i = 0; i < n; i++) dy[i] = -a[i] * y[i];
  }, { rtol, atol: rtol * 1e-6, hmax: 0.5, blocks });
  const y = Float64Array.from(y0);
  let worst = 0;
  for (let t = 1; t <= 10; t++) {
    ode.integrate(y, 1);
    let err = 0;
    let size = 0;
    for (let i = 0; i < n; i++) {
      err = Math.max(err, Math.abs(y[i] - y0[i] * Math.exp(-a[i] * t)));
      size = Math.max(size, Math.abs(y0[i] * Math.exp(-a[i] * t)));
    }
    worst = Math.max(worst, err / size);
  }
  return { evals: ode.evals, worst };
}

describe('Dopri5', () => {
  it('componentwise control: exact to rtol on every entry (reference)', () => {
    const r = decay(undefined, 1e-8);
    expect(r.worst).toBeLessThan(1e-7);
  });

  it('blockwise control: normwise error within 10·rtol of the exact solution, with fewer than half the evaluations', () => {
    const comp = decay(undefined, 1e-8);
    const block = decay([51], 1e-8);
    expect(block.worst).toBeLessThan(1e-7);
    expect(block.evals).toBeLessThan(0.5 * comp.evals);
  });

  it('rejects malformed blocks with a clear message', () => {
    const f = () => undefined;
    expect(() => new Dopri5(4, f, { rtol: 1e-6, atol: 0, hmax: 1, blocks: [2, 3] })).toThrow(/last block must end at 4/);
    expect(() => new Dopri5(4, f, { rtol: 1e-6, atol: 0, hmax: 1, blocks: [3, 2, 4] })).toThrow(/increase/);
  });
});

describe('Rod flow on a wider net (moons 2→20→20→1, P = 501): normwise control per block', () => {
  // The first steps are the expensive transient. Componentwise control spent 385 right-hand sides on
  // the first 3 steps here (h ≈ 0.05: biases start at 0, the rod's modes decay at rate 2 − ηλ);
  // blockwise control (rod-flow.ts) 163, with the same trajectory.
  it('spends at most 200 right-hand sides on the first 3 steps and matches fixed-step RK4 (h = 0.05)', () => {
    const spec = NETWORK_PROBLEMS.find((p) => p.id === 'mlp')!;
    const inst = spec.create({ id: 'mlp', params: { width: 20, depth: 2 }, choices: { dataset: 'moons', activation: 'tanh' } });
    const p = inst.problem;
    const s0 = lanczosTopK((x, o) => p.hvp(inst.start, x, o), p.dim, 1).values[0];
    const eta = Number((1 / s0).toPrecision(2));
    const rf = new RodFlow(p, eta, Float64Array.from(inst.start));
    const ref = new RodFlow(p, eta, Float64Array.from(inst.start));
    const y = ref.state();
    const fine = new Rk4(y.length, (u, du) => ref.rhs(u, du), 0.05);
    for (let k = 0; k < 3; k++) {
      rf.advance();
      fine.integrate(y, 1);
    }
    expect(rf.evals).toBeLessThanOrEqual(200);
    const a = rf.state();
    const n = p.dim;
    // Normwise per block: centre and rod each relative to their own size.
    for (const [lo, hi] of [[0, n], [n, 2 * n]]) {
      let err = 0;
      let size = 0;
      for (let i = lo; i < hi; i++) {
        err = Math.max(err, Math.abs(a[i] - y[i]));
        size = Math.max(size, Math.abs(y[i]));
      }
      expect(err / size).toBeLessThan(1e-6);
    }
  });
});
