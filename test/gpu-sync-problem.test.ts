/**
 * TfSyncProblem (src/engine/gpu/sync-problem.ts): the network's float32 twin on tfjs as a synchronous
 * `Problem`, checked against the float64 reference MlpProblem in Node on tfjs-cpu and tfjs-wasm, then
 * driven through the real Runner with all four flows on the mlp-teacher preset (bench/float32.ts; the
 * tests run steps 275 → 320 from GD's iterate at 275, `npm run bench -- float32` the whole 0 → 320).
 *
 * Derivative tolerances: 1e-5 relative (2-norm), the argument of test/gpu-tf-mlp.test.ts (float32
 * u ≈ 6e-8, sums over n ≤ 128 examples: √n·u ≈ 7e-7; measured 0.6–1.4e-7 here; a wrong term errs by ≥ 1e-2).
 *
 * Flow tolerances come from measuring how float32 round-off grows along each flow (the test prints them).
 * mlp-teacher, η = 0.1, up to step 320: λ₁ crosses 2/η = 20 near step 290, so the run includes EoS onset.
 * - Before onset every flow contracts perturbations (‖I − ηH‖ ≤ 1), so the float32 run stays within a few
 *   float32 ulps of the float64 one. Measured in full space (a separate script, all four flows):
 *   ‖Δw‖/‖w‖ = 0.6–0.9e-7 by step 300, the same as a float64 run started from the float32-rounded w₀
 *   (0.5–0.7e-7; measured before the precision floor below). Here (2-D projections, loss, λ₁): max
 *   1.4e-8, 6.7e-7, 1.9e-7. Bound 1e-6 (≥ 1.5× margin on the loss, 5× on λ₁; a wrong derivative or a
 *   stalled solver is off by ≥ 1e-3).
 * - After onset GD is unstable along the top eigenvector: |1 − ηλ| > 1 amplifies the round-off that seeds
 *   its oscillation, and float32's seed is 1e9× float64's. Measured on GD in full space: ‖Δw‖/‖w‖ 9.4e-8
 *   at step 300, 1.1e-6 at 350, 1.4e-3 at 400 (the float32 GD starts its period-2 oscillation earlier).
 *   That is physics, not a bug, so after step 290 GD is held only to λ₁ within 1e-3 and loss within 5e-2
 *   (at 320 it still agrees to 1e-7; the bounds are what stays true up to ~400). The other flows have no
 *   unstable mode and keep 1e-6.
 * - Work per step (step control and Lanczos): float32 must not stall. The problem declares roundoff 2⁻²⁴,
 *   so the solvers floor their tolerances (flows/precision.ts). Measured per step, grad/HVP/third,
 *   float64 vs float32: GD 1/18.6 vs 1/11.7; gradient flow 13.0/18.5 vs 6.2/11.6; Central Flow
 *   4.0/26.7/6.7 vs 4.0/18.4/6.7; Rod Flow 15.1/36.9 vs 12.8/30.7. Without the floor: 299 HVPs per GD
 *   step, and Rod Flow took 2095 integrator steps for its first 50 units (190 in float64). Bound: total
 *   evaluations within 3× float64's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/engine/gpu/backend.ts';
import { TfSyncProblem, tfSyncProblemFor } from '../src/engine/gpu/sync-problem.ts';
import { chebyshevData, teacherData } from '../src/engine/nn/datasets.ts';
import { initWeights } from '../src/engine/nn/init.ts';
import { MlpProblem } from '../src/engine/nn/mlp.ts';
import type { Activation, Dataset, MlpArch } from '../src/engine/nn/mlp-spec.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { InputError } from '../src/engine/types.ts';
import { END, FLOWS, compareFloat32, describeComparison, float32Violations } from '../bench/float32.ts';
import { rel, randn } from './vec-compare.ts';


const CASES: { name: string; arch: MlpArch; data: Dataset }[] = [
  { name: 'teacher 8→16→16→1 tanh', arch: { sizes: [8, 16, 16, 1], activation: 'tanh' }, data: teacherData(1) },
  { name: 'chebyshev 1→30→20→1 gelu', arch: { sizes: [1, 30, 20, 1], activation: 'gelu' as Activation }, data: chebyshevData(3) },
  { name: 'chebyshev 1→30→20→1 softplus', arch: { sizes: [1, 30, 20, 1], activation: 'softplus' as Activation }, data: chebyshevData(3) },
];

describe.each(['cpu', 'wasm'] as const)('TfSyncProblem on tfjs-%s vs float64', (backend) => {
  it.each(CASES)('$name: loss, grad, HVP, third within 1e-5; out honoured; counted', async ({ arch, data }) => {
    expect((await selectBackend(backend)).name).toBe(backend);
    const ref = new MlpProblem(arch, data);
    const p = new TfSyncProblem(arch, data);
    try {
      expect(p.backend).toBe(backend);
      expect(p.dim).toBe(ref.dim);
      const w = initWeights(arch, 2, 1, 0.3);
      const a = randn(p.dim, 5);
      const b = randn(p.dim, 6);
      const out = new Float64Array(p.dim);
      const errs = {
        loss: Math.abs(p.loss(w) - ref.loss(w)) / ref.loss(w),
        grad: rel(p.grad(w), ref.grad(w)),
        hvp: rel(p.hvp(w, a), ref.hvp(w, a)),
        third: rel(p.third(w, a, b), ref.third(w, a, b)),
      };
      console.log(`[sync ${backend}] ${arch.sizes.join('→')} ${arch.activation}: ${Object.entries(errs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
      for (const [k, v] of Object.entries(errs)) expect(v, k).toBeLessThan(1e-5);
      // `out` is written and returned; a second call gives the same bits (deterministic pass).
      expect(p.grad(w, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(p.grad(w)));
      expect(p.hvp(w, a, out)).toBe(out);
      expect(p.third(w, a, b, out)).toBe(out);
      expect(rel(out, ref.third(w, a, b))).toBeLessThan(1e-5);
      expect(p.counters).toEqual({ loss: 1, grad: 3, hvp: 2, third: 2 });
    } finally {
      p.dispose();
    }
  });
});

describe('TfSyncProblem housekeeping', () => {
  it('keeps w on the device while it does not change; re-uploads when one entry does', async () => {
    await selectBackend('wasm');
    const { arch, data } = CASES[0];
    const p = new TfSyncProblem(arch, data);
    expect(p.roundoff).toBe(2 ** -24); // declares float32, so the flows' solvers floor their tolerances
    const w = initWeights(arch, 2, 1, 0.3);
    p.grad(w);
    const dev = p.deviceParams;
    const v = randn(p.dim, 3);
    p.hvp(Float64Array.from(w), v); // equal values, another array: no upload
    expect(p.deviceParams).toBe(dev);
    const w2 = Float64Array.from(w);
    w2[7] += 1e-3;
    p.grad(w2);
    expect(p.deviceParams).not.toBe(dev);
    // No tensor leaks per call: the count is stable over many calls.
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) p.third(w2, v, v);
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before - 3); // x, y and w
    p.dispose(); // twice is harmless
    expect(() => p.grad(w)).toThrow(/after dispose/);
  });

  it('bad input is an InputError with a clear message', async () => {
    await selectBackend('cpu');
    const { arch, data } = CASES[0];
    expect(() => new TfSyncProblem({ sizes: [8], activation: 'tanh' }, data)).toThrow(InputError);
    expect(() => new TfSyncProblem({ sizes: [3, 4, 1], activation: 'tanh' }, data)).toThrow(/8 inputs/);
    expect(() => new TfSyncProblem({ sizes: [8, 4, 1], activation: 'relu' as Activation }, data)).toThrow(/activation/);
    const p = new TfSyncProblem(arch, data);
    try {
      expect(() => p.grad(new Float64Array(3))).toThrow(InputError);
      expect(() => p.grad([1, 2] as unknown as Float64Array)).toThrow(/Float64Array of length 433/);
      const w = initWeights(arch, 2, 1, 0.3);
      expect(() => p.hvp(w, new Float64Array(2))).toThrow(/direction a/);
      expect(() => p.grad(w, new Float64Array(4))).toThrow(/out must be/);
    } finally {
      p.dispose();
    }
    expect(() => tfSyncProblemFor(createProblem({ id: 'valley' }).problem)).toThrow(/network problems/);
    const twin = tfSyncProblemFor(createProblem({ id: 'mlp-teacher' }).problem);
    expect(twin.dim).toBe(433);
    expect(twin.arch.sizes).toEqual([8, 16, 16, 1]);
    expect(twin.data.n).toBe(128);
    twin.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// All four flows through the real Runner: float64 vs float32 (tfjs-wasm), mlp-teacher, steps 275 → 320
// from GD's float64 iterate at step 275: the EoS onset (≈ 290) and the same bounds as the long run from
// step 0, which `npm run bench -- float32` checks (bench/float32.ts).

describe('flows on TfSyncProblem (wasm) through the Runner vs float64', () => {
  it.each(FLOWS)('%s: steps 275 → 320 (through EoS onset) agree within the measured float32 round-off growth; no stall', async (flow) => {
    const c = await compareFloat32(flow, 275);
    console.log(`[flows] ${describeComparison(c)}`);
    expect(c.samples).toBe(END - 275 + 1);
    expect(float32Violations(c)).toEqual([]);
  });
});
