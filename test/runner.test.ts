/**
 * The runner: lockstep clocks, bounded memory by 2:1 thinning, t0, distances to GD's pair centre,
 * divergence reasons, input errors, and the projection basis for large problems.
 */
import { describe, expect, it } from 'vitest';
import { GdFlow } from '../src/engine/flows/gd.ts';
import { RodFlow } from '../src/engine/flows/rod-flow.ts';
import { FLOWS, getFlowSpec } from '../src/engine/flows/registry.ts';
import { gaussianSmooth, meanDistance, onsetStep, pairMean } from '../src/engine/metrics.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { createRunner, projectionBasis } from '../src/engine/runner.ts';
import { FLOW_IDS, InputError, type RunConfig } from '../src/engine/types.ts';

const ALL = [...FLOW_IDS];

describe('runner', () => {
  it('steps every flow in lockstep and records the same times; each flow equals the flow run alone', () => {
    const cfg: RunConfig = { problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps: 150, flows: ALL };
    const r = createRunner(cfg);
    r.advance(40);
    r.advance(1000); // stops at `steps`
    expect(r.step).toBe(150);
    expect(r.done).toBe(true);
    for (const id of ALL) {
      const tr = r.traces[id]!;
      expect(tr.length).toBe(151);
      expect(Array.from(tr.t.subarray(0, 151))).toEqual(Array.from({ length: 151 }, (_, i) => i));
    }
    // second implementation: the flows run by hand
    const { problem } = createProblem({ id: 'valley' });
    const gd = new GdFlow(problem, 0.3, Float64Array.of(0.2, 0.2));
    const rod = new RodFlow(problem, 0.3, Float64Array.of(0.2, 0.2));
    for (let k = 0; k < 150; k++) {
      gd.advance();
      rod.advance();
    }
    const g = gd.sample();
    const s = rod.sample();
    const i = 150;
    expect(r.traces.gd!.w[2 * i]).toBe(g.w[0]);
    expect(r.traces['rod-flow']!.w[2 * i + 1]).toBe(s.w[1]);
    expect(r.traces['rod-flow']!.delta![2 * i]).toBe(s.delta![0]);
    expect(r.traces.gd!.loss[i]).toBe(g.loss);
    expect(r.traces.gd!.sharpness[2 * i]).toBe(g.sharpness[0]);
    // dist = ‖w_flow − w̄_GD‖
    expect(r.traces['rod-flow']!.dist[i]).toBeCloseTo(Math.hypot(s.w[0] - g.centre![0], s.w[1] - g.centre![1]), 15);
    expect(r.traces.gd!.dist[i]).toBeCloseTo(Math.sqrt(g.osc), 15);
    expect(Array.from(r.currentState())).toEqual(Array.from(g.w));
  });

  it('thinning keeps memory bounded over 100k steps (capacity 64): stride doubles, times stay on the grid', () => {
    const r = createRunner({ problem: { id: 'quartic', params: { S: 2.5, Q: 1 } }, eta: 1, start: [0.01], steps: 100_000, flows: ['gd', 'rod-flow'], capacity: 64, t0: 0 });
    const arrays = r.traces.gd!.t;
    let gens = 0;
    let last = r.generation;
    while (!r.done) {
      r.advance(997);
      if (r.generation !== last) {
        gens++;
        last = r.generation;
      }
      for (const id of ['gd', 'rod-flow'] as const) {
        const tr = r.traces[id]!;
        expect(tr.length).toBeLessThanOrEqual(64);
        expect(tr.t).toBe(id === 'gd' ? arrays : tr.t); // no reallocation
      }
    }
    const tr = r.traces.gd!;
    // 100k steps into 64 samples: stride 2048 (64·2048 = 131072 ≥ 100001 > 32·2048... ) and log2 thinnings
    expect(tr.stride).toBe(2048);
    expect(r.generation).toBe(11);
    expect(gens).toBeGreaterThan(0);
    // every sample on the stride grid, and the final step recorded after them (100000 is off the grid)
    for (let i = 0; i < tr.length - 1; i++) expect(tr.t[i]).toBe(i * tr.stride);
    expect(tr.t[tr.length - 1]).toBe(100_000);
    expect(tr.length).toBe(Math.floor(100_000 / 2048) + 2);
    // the thinned record still holds the right samples: GD's 2-cycle δ² = S − 2/η
    expect(tr.osc[tr.length - 1]).toBeCloseTo(0.5, 10);
    expect(r.traces['rod-flow']!.length).toBe(tr.length);
  });

  it('the final step is always recorded, on the stride grid or not, and only once', () => {
    for (const steps of [1001, 1024, 7]) {
      const r = createRunner({ problem: { id: 'valley', params: { a: 0.5 } }, eta: 0.3, start: [0.2, 0.2], steps, flows: ['gd', 'gradient-flow'], capacity: 16 });
      while (!r.done) r.advance(100);
      r.advance(5); // a done runner records nothing more
      for (const id of ['gd', 'gradient-flow'] as const) {
        const tr = r.traces[id]!;
        expect(tr.t[tr.length - 1]).toBe(steps);
        expect(tr.t[tr.length - 2]).toBeLessThan(steps);
        expect(tr.length).toBeLessThanOrEqual(16);
      }
    }
  });

  it('respects t0: clocks, records and stop steps continue from it', () => {
    const r = createRunner({ problem: { id: 'quadratic', params: { lambda: 1 } }, eta: 2.5, start: [1], steps: 50, flows: ['gd'], t0: 1000 });
    r.advance(50);
    const tr = r.traces.gd!;
    expect(tr.t[0]).toBe(1000);
    expect(tr.t[tr.length - 1]).toBe(1000 + tr.length - 1);
    expect(tr.stopped!.step).toBe(1019);
    expect(tr.stopped!.reason).toBe('λ₁ = 1 passed 2/η = 0.8 at step 1000; loss blew up to 2.46e+6 (limit ±1.50e+6) at step 1019');
    expect(r.done).toBe(true);
  });

  it('divergence: each flow stops with its own reason; the others go on; dist is NaN after GD stops', () => {
    const r = createRunner({ problem: { id: 'quadratic', params: { lambda: 1 } }, eta: 2.5, start: [1], steps: 60, flows: ALL });
    r.advance(60);
    expect(r.traces.gd!.stopped!.reason).toMatch(/^λ₁ = 1 passed 2\/η = 0\.8 at step 0; loss blew up to .* at step 19$/);
    expect(r.traces['rod-flow']!.stopped!.reason).toMatch(/^λ₁ = 1 passed 2\/η = 0\.8 at step 0; the rod’s loss blew up to .* at step \d+$/);
    // gradient flow converges; the quadratic has no third derivative, so the central flow cannot hold
    // S at 2/η and is gradient flow here too
    expect(r.traces['gradient-flow']!.stopped).toBeNull();
    expect(r.traces['gradient-flow']!.length).toBe(61);
    const d = r.traces['gradient-flow']!.dist;
    expect(Number.isFinite(d[10])).toBe(true);
    expect(Number.isNaN(d[30])).toBe(true);
    for (const id of ALL) {
      const tr = r.traces[id]!;
      for (let i = 0; i < tr.length; i++) expect(Number.isFinite(tr.loss[i])).toBe(true);
    }
  });

  it('rejects bad configurations with clear InputErrors', () => {
    const base: RunConfig = { problem: { id: 'valley' }, eta: 0.3, steps: 10, flows: ['gd'] };
    expect(() => createRunner({ ...base, eta: 0 })).toThrow(InputError);
    expect(() => createRunner({ ...base, steps: 1.5 })).toThrow(/non-negative integer/);
    expect(() => createRunner({ ...base, flows: [] })).toThrow(/at least one flow/);
    expect(() => createRunner({ ...base, flows: ['gd', 'gd'] })).toThrow(/twice/);
    expect(() => createRunner({ ...base, flows: ['nope' as never] })).toThrow(/Unknown flow 'nope'/);
    expect(() => createRunner({ ...base, start: [1] })).toThrow(/2-D|dimension 2/);
    expect(() => createRunner({ ...base, start: [1, NaN] })).toThrow(/not a finite number/);
    expect(() => createRunner({ ...base, capacity: 5 })).toThrow(/even integer/);
    expect(() => createRunner({ ...base, flowOptions: { 'rod-flow': { form: 'matrix' } }, flows: ['rod-flow'] })).toThrow(/must be one of/);
    expect(() => createRunner({ ...base, problem: { id: 'nope' } })).toThrow(InputError);
  });

  it('default start, eigK clamping, and the registry', () => {
    const r = createRunner({ problem: { id: 'quartic' }, eta: 1, steps: 5, flows: ['central-flow'], eigK: 3 });
    expect(r.traces['central-flow']!.eigK).toBe(1);
    expect(r.traces['central-flow']!.w[0]).toBe(0.01);
    expect(FLOWS.map((f) => f.id)).toEqual(ALL);
    expect(new Set(FLOWS.map((f) => f.color)).size).toBe(4);
    expect(getFlowSpec('rod-flow').options.map((o) => o.key)).toEqual(['form', 'backwardError', 'seed', 'integrator', 'rtol']);
    expect(() => getFlowSpec('x')).toThrow(InputError);
  });

  it('large problems (a 701-parameter network) are recorded as 2-D projections relative to w₀', () => {
    const cfg: RunConfig = { problem: { id: 'mlp-chebyshev' }, eta: 0.2, steps: 3, flows: ['gd'], eigK: 1 };
    const r = createRunner(cfg);
    r.advance(3);
    const tr = r.traces.gd!;
    const n = r.instance.problem.dim;
    expect(n).toBeGreaterThan(64);
    expect(tr.projected).toBe(true);
    expect(tr.wDim).toBe(2);
    const [e1, e2] = projectionBasis(n);
    const gd = new GdFlow(r.instance.problem, 0.2, r.instance.start);
    const w0 = r.instance.start;
    for (let i = 0; i <= 3; i++) {
      const s = gd.sample();
      let a = 0;
      let b = 0;
      let da = 0;
      for (let c = 0; c < n; c++) {
        a += (s.w[c] - w0[c]) * e1[c];
        b += (s.w[c] - w0[c]) * e2[c];
        da += s.delta![c] * e1[c];
      }
      expect(tr.w[2 * i]).toBeCloseTo(a, 13);
      expect(tr.w[2 * i + 1]).toBeCloseTo(b, 13);
      expect(tr.delta![2 * i]).toBeCloseTo(da, 13);
      gd.advance();
    }
  });

  it('projection basis for large problems: two orthonormal, deterministic directions', () => {
    const [a, b] = projectionBasis(500);
    const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(dot(a, a)).toBeCloseTo(1, 14);
    expect(dot(b, b)).toBeCloseTo(1, 14);
    expect(Math.abs(dot(a, b))).toBeLessThan(1e-14);
    expect(Array.from(projectionBasis(500)[0])).toEqual(Array.from(a));
  });
});

describe('metrics', () => {
  it('onset step, mean distance, pair mean and Gaussian smoothing', () => {
    const r = createRunner({ problem: { id: 'self-stab' }, eta: 0.01, steps: 800, flows: ['gd', 'central-flow'] });
    r.advance(800);
    const gd = r.traces.gd!;
    // first sampled S > 2/η, checked against a direct scan
    let direct = NaN;
    for (let i = 0; i < gd.length; i++) if (gd.sharpness[i * gd.eigK] > 200) {
      direct = gd.t[i];
      break;
    }
    expect(onsetStep(gd, 0.01)).toBe(direct);
    expect(direct).toBeGreaterThan(700);
    const cf = r.traces['central-flow']!;
    let s = 0;
    for (let i = 0; i < cf.length; i++) s += cf.dist[i];
    expect(meanDistance(cf)).toBeCloseTo(s / cf.length, 14);
    expect(Array.from(pairMean([1, 3, 5, 7]))).toEqual([2, 4, 6, 7]);
    const flat = gaussianSmooth([2, 2, 2, 2, 2], 1.5);
    flat.forEach((v) => expect(v).toBeCloseTo(2, 14));
    const alt = gaussianSmooth(Array.from({ length: 200 }, (_, i) => (i % 2 ? 1 : -1)), 4);
    expect(Math.abs(alt[100])).toBeLessThan(1e-3);
  });
});
