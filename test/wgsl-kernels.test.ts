/**
 * The WGSL kernels run on the CPU by wgsl_reflect's WGSL interpreter (WgslExec, float32 storage), chunked
 * as the page dispatches them, against the float64 trajectories (engine/ensemble/trajectories.ts).
 * Short horizons, one dispatch each: the interpreter is slow, and a second dispatch on the same state
 * buffer did not continue the state in it (wgsl_reflect 1.6.0; the same chunked kernels match float64 on
 * WebGPU, test/e2e/ensemble.test.ts, with the sampled GPU-vs-float64 check).
 */
import { describe, expect, it } from 'vitest';
import { WgslExec, WgslParser } from 'wgsl_reflect/wgsl_reflect.module.js';
import { ensembleModule, ENTRY } from '../src/engine/wgsl/kernels.ts';
import { ensembleProblem } from '../src/engine/ensemble/problem.ts';
import { FLOW_STRIDE, GD_STRIDE, Trajectories, sharpWindow, strideOf, type EnsembleFlow } from '../src/engine/ensemble/trajectories.ts';

function runKernel(id: string, flow: EnsembleFlow, starts: [number, number, number][], T: number, chunk: number, expr?: string) {
  const p = ensembleProblem({ id, expr, params: expr ? {} : undefined });
  const exec = new WgslExec(new WgslParser().parse(ensembleModule(p.wgsl.source!, p.dim)));
  const n = starts.length;
  const inp = new Float32Array(starts.flat());
  const st = new Float32Array(n * strideOf(flow));
  const prm = new Float32Array(Math.max(1, p.paramValues.length));
  prm.set(p.paramValues);
  const end = flow === 'gd' ? T + 1 : T;
  for (let k0 = 0; k0 < end; k0 += chunk) {
    const cfg = new Uint32Array([n, T, k0, Math.min(end, k0 + chunk), sharpWindow(T), 0, 0, 0]);
    exec.dispatchWorkgroups(ENTRY[flow], 1, { 0: { 0: cfg, 1: inp, 2: st, 3: prm } });
  }
  const tr = new Trajectories(p.field);
  const ref = new Float64Array(n * strideOf(flow));
  starts.forEach(([eta, x, y], i) => tr.run(flow, eta, x, y, T, ref, i * strideOf(flow)));
  return { st, ref };
}

const near = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * (1 + Math.abs(b)));
const f = Math.fround;

describe('WGSL kernels (interpreted) = float64 trajectories', () => {
  it('GD on the quartic (2-cycle, period 4, divergence)', () => {
    const starts: [number, number, number][] = [
      [f(1), f(0.01), 0],
      [f(1.25), f(0.3), 0],
      [f(1), f(2), 0],
    ];
    const { st, ref } = runKernel('quartic', 'gd', starts, 60, 61);
    for (let i = 0; i < 3; i++) {
      const o = i * GD_STRIDE;
      expect(st[o]).toBe(ref[o]); // status
      expect(st[o + 1]).toBe(ref[o + 1]); // divergence step
      if (ref[o] === 0) {
        near(st[o + 2] / st[o + 3], ref[o + 2] / ref[o + 3], 1e-4);
        for (let j = 8; j < GD_STRIDE; j++) near(st[o + j], ref[o + j], 1e-4);
      }
    }
    expect(st[GD_STRIDE + 0]).toBe(0);
    expect(st[2 * GD_STRIDE]).toBe(1);
  });
  it('GD that lands on an exact fixed point or 2-cycle in float32: the replayed rest = float64', () => {
    // η = 0.5 converges, η = 1.1 settles in a 2-cycle well before step 200; the kernel replays the
    // cycle from there (window sums, the recorded iterates, the end state).
    const starts: [number, number, number][] = [
      [f(0.5), f(0.01), 0],
      [f(1.1), f(0.01), 0],
      [f(1.1), f(0.3), 0],
    ];
    const { st, ref } = runKernel('quartic', 'gd', starts, 301, 302);
    for (let i = 0; i < starts.length; i++) {
      const o = i * GD_STRIDE;
      expect(st[o]).toBe(0);
      expect(st[o + 3]).toBe(ref[o + 3]); // window length
      near(st[o + 2] / st[o + 3], ref[o + 2] / ref[o + 3], 1e-5);
      for (let j = 4; j < GD_STRIDE; j++) if (j !== 6 && j !== 7) near(st[o + j], ref[o + j], 1e-5);
    }
  });
  it('GD on the valley (2-D)', () => {
    const { st, ref } = runKernel('valley', 'gd', [[f(0.3), f(0.2), f(0.2)]], 40, 41);
    for (let j = 2; j < GD_STRIDE; j++) if (j !== 6) near(st[j], ref[j], 1e-4);
  });
  for (const flow of ['rod-flow', 'central-flow', 'gradient-flow'] as const) {
    it(`${flow} on the quartic (above the edge) and the valley`, () => {
      for (const [id, s] of [
        ['quartic', [f(1), f(0.3), 0]],
        ['valley', [f(0.3), f(0.6), f(0.7)]],
      ] as const) {
        const { st, ref } = runKernel(id, flow, [s as [number, number, number]], 8, 8);
        expect(st[0]).toBe(ref[0]);
        for (let j = 2; j < 7; j++) near(st[j], ref[j], 2e-4);
      }
    });
  }
  it('central-flow with two eigenvalues at the edge (the k = 2 QP)', () => {
    const expr = '1.2*x^2 + 1.1*y^2 - 0.1*x^4 - 0.1*y^4 + 0.05*x^2*y^2';
    const { st, ref } = runKernel('custom', 'central-flow', [[f(1), f(0.1), f(0.12)]], 6, 6, expr);
    for (let j = 2; j < 7; j++) near(st[j], ref[j], 2e-4);
    expect(ref[4] + ref[6]).toBeGreaterThan(0); // Σ ≠ 0: the QP was active
    expect(FLOW_STRIDE).toBe(8);
  });
});
