/**
 * The precision floor (flows/precision.ts) on a float32-like problem: mlp-teacher whose every returned
 * number is rounded to float32 (Math.fround), i.e. relative noise ~6e-8 per component, as the tfjs twin
 * has. Declaring `roundoff = 2⁻²⁴` must keep the solvers' work per step near float64's; left undeclared,
 * the float64 tolerances are unreachable and the work explodes (the failure the floor fixes, measured
 * on tfjs-wasm: 300 HVPs per GD step against 9.6). The trajectories must still follow float64's.
 */
import { describe, expect, it } from 'vitest';
import { Runner } from '../src/engine/runner.ts';
import { RodFlow } from '../src/engine/flows/rod-flow.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { FLOAT32_ROUNDOFF, FLOOR, floorTolerance } from '../src/engine/flows/precision.ts';
import type { EvalCounters, FlowId, Problem, ProblemInstance, Vec } from '../src/engine/types.ts';

function rounded(p: Problem, roundoff: number | undefined): Problem & { counters: EvalCounters } {
  const r = (v: Vec): Vec => {
    for (let i = 0; i < v.length; i++) v[i] = Math.fround(v[i]);
    return v;
  };
  const counters: EvalCounters = { loss: 0, grad: 0, hvp: 0, third: 0 };
  return {
    dim: p.dim,
    counters,
    ...(roundoff !== undefined ? { roundoff } : {}),
    loss: (w) => (counters.loss++, Math.fround(p.loss(w))),
    grad: (w, out) => (counters.grad++, r(p.grad(w, out))),
    hvp: (w, v, out) => (counters.hvp++, r(p.hvp(w, v, out))),
    third: (w, a, b, out) => (counters.third++, r(p.third(w, a, b, out))),
  };
}

const STEPS = 12;
const FLOWS: FlowId[] = ['gd', 'gradient-flow', 'rod-flow'];

function run(wrap: ((p: Problem) => Problem & { counters: EvalCounters }) | null) {
  const base = createProblem({ id: 'mlp-teacher' });
  const problem = wrap ? wrap(base.problem) : base.problem;
  const instance: ProblemInstance = { ...base, problem };
  const runner = new Runner({ problem: { id: 'mlp-teacher' }, eta: 0.1, steps: STEPS, flows: FLOWS, eigK: 1 }, instance);
  while (!runner.done) runner.advance(STEPS);
  const counters = (problem as { counters?: EvalCounters }).counters ?? base.problem.counters!;
  const last = (f: FlowId) => {
    const tr = runner.traces[f]!;
    return { w: tr.w.subarray((tr.length - 1) * tr.wDim, tr.length * tr.wDim), stopped: tr.stopped };
  };
  return { counters: { ...counters }, last, units: counters.grad + 2 * counters.hvp + 4 * counters.third + 0.5 * counters.loss };
}

describe('precision floor', () => {
  it('raises tolerances to FLOOR·u and leaves float64 tolerances alone', () => {
    expect(floorTolerance(1e-8, { roundoff: FLOAT32_ROUNDOFF })).toBe(FLOOR * FLOAT32_ROUNDOFF);
    expect(floorTolerance(1e-3, { roundoff: FLOAT32_ROUNDOFF })).toBe(1e-3);
    expect(floorTolerance(1e-13, {})).toBe(1e-13);
  });

  it('a float32 problem that declares its round-off costs about what float64 costs, and follows it', () => {
    const f64 = run(null);
    const declared = run((p) => rounded(p, FLOAT32_ROUNDOFF));
    const undeclared = run((p) => rounded(p, undefined));
    console.log(
      `[precision] gradient units over ${STEPS} steps: float64 ${f64.units}, float32 declared ${declared.units}, float32 undeclared ${undeclared.units}`,
    );
    expect(declared.units).toBeLessThan(1.5 * f64.units);
    // The failure mode the floor exists for: without it the same noise costs several times more.
    expect(undeclared.units).toBeGreaterThan(2 * declared.units);
    for (const f of FLOWS) {
      const a = f64.last(f);
      const b = declared.last(f);
      expect(b.stopped).toBeNull();
      let d = 0;
      let s = 0;
      for (let i = 0; i < a.w.length; i++) {
        d += (a.w[i] - b.w[i]) ** 2;
        s += a.w[i] ** 2;
      }
      // Before the edge all three are contracting: float32 noise (~6e-8) plus the looser tolerance
      // (1.2e-5 per step, relative) stays far below 1e-4 of ‖w‖ over 12 steps.
      expect(Math.sqrt(d / s)).toBeLessThan(1e-4);
    }
  });

  it("Rod Flow's round-off seed is the problem's own round-off (float32 GD re-seeds its oscillation 2²⁹× larger)", () => {
    // ½(2.5x² + 0.5y²) at η = 1: λ₁ = 2.5 > 2/η along x; from (0, 1) the gradient, and so the rod, has
    // no x component, so after one step the rod's x part is the seed, grown by the flow for one unit.
    const { problem } = createProblem({ id: 'quadratic-2d', params: { l1: 2.5, l2: 0.5, theta: 0 } });
    const rodX = (roundoff: number | undefined, form: 'vector') => {
      const p = roundoff === undefined ? problem : { ...problem, dim: problem.dim, loss: problem.loss.bind(problem), grad: problem.grad.bind(problem), hvp: problem.hvp.bind(problem), third: problem.third.bind(problem), hessian: problem.hessian!.bind(problem), roundoff };
      const f = new RodFlow(p, 1, Float64Array.from([0, 1]), { form });
      f.advance();
      f.advance();
      return Math.abs(f.sample().delta![0]);
    };
    // (The Σ form uses the same floor on uᵀΣu, but its sample shows only Σ's top rod, here along y.)
    for (const form of ['vector'] as const) {
      const f64 = rodX(undefined, form);
      const f32 = rodX(FLOAT32_ROUNDOFF, form);
      expect(f64, form).toBeGreaterThan(0);
      expect(f32 / f64, form).toBeGreaterThan(0.5 * 2 ** 29);
      expect(f32 / f64, form).toBeLessThan(2 * 2 ** 29);
    }
  });
});
