/**
 * The tfjs network problem (float32, src/engine/gpu) against the float64 reference MlpProblem
 * (src/engine/nn/mlp.ts: backprop, Pearlmutter HVP, third = central difference of exact HVPs, ~1e-10),
 * on tfjs-cpu and tfjs-wasm in Node. The browser backends run the same checks in
 * test/browser/gpu-browser.test.ts.
 *
 * Tolerances (all relative in the 2-norm, ‖x32 − x64‖ / ‖x64‖), u = 2⁻²⁴ ≈ 6e-8 (float32):
 * - loss, gradient, HVP, third vector: 1e-5. Each entry is a sum over n ≤ 128 examples of products
 *   along ≤ 3 layers; round-off grows like √n·u ≈ 7e-7 typically, and measured errors are 0.3–2e-7 at
 *   the initial weights. 1e-5 leaves ~50× margin; a wrong term in any formula errs by ≥ 1e-2.
 *   At a trained point the gradient is small against its per-example terms (cancellation), so there the
 *   gradient is held to 1e-5 · (sum of per-example gradient norms), bounded by ‖J‖·‖r‖, see below.
 * - top eigenvalue: 1e-5 relative. Lanczos stops at residual 1e-4·|θ| from float32 HVPs; the eigenvalue
 *   error is ≲ residual²/gap + HVP noise ≈ 1e-6.
 * - GD, 60 steps at η = 0.1 from the seeded init: iterates within 1e-4 relative. Float32 round-off
 *   (~1e-7 per step) is propagated by GD's Jacobian I − ηH, whose norm is ≤ 1 + small before the edge of
 *   stability, so 60 steps stay ≲ 1e-5; chaos after EoS would amplify it (not tested here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/engine/gpu/backend.ts';
import { TfMlp, tfMlpFor } from '../src/engine/gpu/tf-mlp.ts';
import { NETWORK_PROBLEMS } from '../src/engine/nn/registry.ts';
import { lanczosTopK } from '../src/engine/linalg/lanczos.ts';
import { chebyshevData, teacherData } from '../src/engine/nn/datasets.ts';
import { initWeights } from '../src/engine/nn/init.ts';
import { MlpProblem } from '../src/engine/nn/mlp.ts';
import type { Activation, Dataset, MlpArch } from '../src/engine/nn/mlp-spec.ts';
import { normal } from '../src/engine/nn/rng.ts';
import { InputError } from '../src/engine/types.ts';
import { rel, randn } from './vec-compare.ts';


interface Case {
  name: string;
  arch: MlpArch;
  data: Dataset;
}
const CASES: Case[] = (['tanh', 'gelu', 'softplus'] as Activation[]).flatMap((activation) => [
  { name: `teacher 8→16→16→1 ${activation}`, arch: { sizes: [8, 16, 16, 1], activation }, data: teacherData(1) },
  { name: `chebyshev 1→30→20→1 ${activation}`, arch: { sizes: [1, 30, 20, 1], activation }, data: chebyshevData(3) },
]);
/** A 2-output, 1-hidden-layer case and a linear model (L = 1: zero third derivative) cover the edges. */
const twoOut: Dataset = (() => {
  const g = normal(9);
  const n = 12;
  return { name: 'two-out', n, d: 3, o: 2, x: Float64Array.from({ length: n * 3 }, g), y: Float64Array.from({ length: n * 2 }, g) };
})();
CASES.push({ name: 'random 3→5→2 tanh', arch: { sizes: [3, 5, 2], activation: 'tanh' }, data: twoOut });
CASES.push({ name: 'linear 3→2', arch: { sizes: [3, 2], activation: 'tanh' }, data: twoOut });

describe.each(['cpu', 'wasm'] as const)('TfMlp on tfjs-%s vs float64', (backend) => {
  it.each(CASES)('$name: loss, grad, HVP, third within 1e-5', async ({ arch, data }) => {
    expect((await selectBackend(backend)).name).toBe(backend);
    const ref = new MlpProblem(arch, data);
    const p = new TfMlp(arch, data);
    expect(p.dim).toBe(ref.dim);
    const w = initWeights(arch, 2, 1, 0.3);
    const a = randn(p.dim, 5);
    const b = randn(p.dim, 6);
    const errs = {
      loss: Math.abs((await p.loss(w)) - ref.loss(w)) / ref.loss(w),
      grad: rel(await p.grad(w), ref.grad(w)),
      hvp: rel(await p.hvp(w, a), ref.hvp(w, a)),
      third: 0,
    };
    const t64 = ref.third(w, a, b);
    const t32 = await p.third(w, a, b);
    if (arch.sizes.length === 2) {
      // Linear model: the loss is quadratic, ∇³L = 0 exactly.
      expect(Math.max(...t32.map(Math.abs))).toBe(0);
    } else errs.third = rel(t32, t64);
    console.log(`[gpu-tf-mlp] ${backend} ${arch.sizes.join('-')} ${arch.activation}: ${JSON.stringify(Object.fromEntries(Object.entries(errs).map(([k, v]) => [k, +v.toExponential(1)])))}`);
    for (const [k, v] of Object.entries(errs)) expect(v, k).toBeLessThan(1e-5);
    expect(p.counters).toEqual({ loss: 1, grad: 1, hvp: 1, third: 1 });
    p.dispose();
  });

  it('third(a, b) is symmetric in a, b and contracts symmetrically with a third direction', async () => {
    // An identity of ∇³L checked on the float32 path alone (independent of the float64 code).
    const { arch, data } = CASES[0];
    const p = new TfMlp(arch, data);
    const w = initWeights(arch, 2, 1, 0.3);
    const [a, b, c] = [randn(p.dim, 11), randn(p.dim, 12), randn(p.dim, 13)];
    const tab = await p.third(w, a, b);
    const tba = await p.third(w, b, a);
    expect(rel(tab, tba)).toBeLessThan(1e-5);
    const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, xi, i) => s + xi * y[i], 0);
    const tac = await p.third(w, a, c);
    const s1 = dot(tab, c);
    const s2 = dot(tac, b);
    expect(Math.abs(s1 - s2) / Math.abs(s1)).toBeLessThan(1e-4); // a scalar: cancellation in the dot
    p.dispose();
  });

  it('gradient at a trained point (small gradient, cancellation) within 1e-5 of its per-example scale', async () => {
    const { arch, data } = CASES[0];
    const ref = new MlpProblem(arch, data);
    let w = initWeights(arch, 2);
    for (let k = 0; k < 300; k++) {
      const g = ref.grad(w);
      w = w.map((x, i) => x - 0.1 * g[i]);
    }
    const p = new TfMlp(arch, data);
    const g64 = ref.grad(w);
    const g32 = await p.grad(w);
    // Scale: Σ_i ‖∇ℓ_i‖/n, the size of the terms that cancel, via one-example problems.
    let scale = 0;
    for (let i = 0; i < data.n; i++) {
      const one: Dataset = { ...data, n: 1, x: data.x.slice(i * data.d, (i + 1) * data.d), y: data.y.slice(i, i + 1) };
      const gi = new MlpProblem(arch, one).grad(w);
      scale += Math.hypot(...gi) / data.n;
    }
    const err = Math.hypot(...g32.map((x, i) => x - g64[i]));
    console.log(`[gpu-tf-mlp] ${backend} trained point: ‖g‖=${Math.hypot(...g64).toExponential(2)}, scale=${scale.toExponential(2)}, err=${err.toExponential(1)}`);
    expect(err).toBeLessThan(1e-5 * scale);
    p.dispose();
  });

  it('top eigenvalue by Lanczos on device HVPs matches float64 Lanczos; warm start costs ≤ 2 HVPs', async () => {
    for (const { arch, data } of [CASES[0], CASES[1]]) {
      const ref = new MlpProblem(arch, data);
      const p = new TfMlp(arch, data);
      const w = initWeights(arch, 2, 1, 0.3);
      const r64 = lanczosTopK((v, out) => ref.hvp(w, v, out), ref.dim, 1, { tol: 1e-10 });
      const r32 = await p.topEig(w);
      const err = Math.abs(r32.value - r64.values[0]) / Math.abs(r64.values[0]);
      const cos = Math.abs(r32.vector.reduce((s, x, i) => s + x * r64.vectors[0][i], 0));
      console.log(`[gpu-tf-mlp] ${backend} ${arch.sizes.join('-')} λ1=${r64.values[0].toFixed(6)} err=${err.toExponential(1)} hvps=${r32.hvps} |cos|=${cos.toFixed(8)}`);
      expect(r32.converged).toBe(true);
      expect(err).toBeLessThan(1e-5);
      expect(cos).toBeGreaterThan(1 - 1e-4);
      const warm = await p.topEig(w, r32.vector);
      expect(warm.hvps).toBeLessThanOrEqual(2);
      expect(Math.abs(warm.value - r64.values[0]) / r64.values[0]).toBeLessThan(1e-5);
      p.dispose();
    }
  });

  it('GD on device: 60 steps match float64 GD within 1e-4; chunked read-back changes nothing', async () => {
    const { arch, data } = CASES[0];
    const ref = new MlpProblem(arch, data);
    const w0 = initWeights(arch, 2);
    let w = w0;
    const l64: number[] = [];
    for (let k = 0; k < 60; k++) {
      l64.push(ref.loss(w));
      const g = ref.grad(w);
      w = w.map((x, i) => x - 0.1 * g[i]);
    }
    const p = new TfMlp(arch, data);
    const run = await p.runGD(w0, 0.1, 60, { readEvery: 25 });
    expect(run.steps).toBe(60);
    expect(run.stopped).toBeUndefined();
    const errW = rel(run.w, w);
    const errL = rel(run.losses, Float64Array.from(l64));
    console.log(`[gpu-tf-mlp] ${backend} GD 60 steps: w err ${errW.toExponential(1)}, loss err ${errL.toExponential(1)}`);
    expect(errW).toBeLessThan(1e-4);
    expect(errL).toBeLessThan(1e-4);
    const run1 = await p.runGD(w0, 0.1, 60, { readEvery: 1 });
    expect(Array.from(run1.w)).toEqual(Array.from(run.w));
    p.dispose();
  });

  it('GD that diverges stops at the last iterate with a finite loss', async () => {
    const { arch, data } = CASES[0];
    const p = new TfMlp(arch, data);
    const ref = new MlpProblem(arch, data);
    const w0 = initWeights(arch, 2);
    for (const readEvery of [1, 7, 50]) {
      const run = await p.runGD(w0, 400, 200, { readEvery });
      expect(run.stopped).toMatch(/non-finite at step \d+/);
      const g = Number(/step (\d+)/.exec(run.stopped!)![1]);
      expect(run.steps).toBe(g - 1);
      expect(run.losses.length).toBe(run.steps);
      expect(run.losses.every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(await p.loss(run.w))).toBe(true);
      // One more step from the returned iterate must be the non-finite one (checked in float64 too).
      const g1 = ref.grad(run.w);
      const next = run.w.map((x, i) => x - 400 * g1[i]);
      expect(Number.isFinite(await p.loss(next))).toBe(false);
    }
    p.dispose();
  });

  it('re-uses the device copy of w only while w is unchanged (compared by value)', async () => {
    const { arch, data } = CASES[0];
    const p = new TfMlp(arch, data);
    const ref = new MlpProblem(arch, data);
    const w = initWeights(arch, 2);
    const before = tf.memory().numTensors;
    await p.grad(w);
    await p.grad(w);
    w[3] += 0.5; // mutate in place: must be noticed
    expect(rel(await p.grad(w), ref.grad(w))).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before + 1); // only the cached w stays alive
    p.dispose();
    expect(tf.memory().numTensors).toBe(before - 2); // x, y and w freed
  });

  it('tfMlpFor: the float32 twin of every registry network at its seeded start', async () => {
    for (const spec of NETWORK_PROBLEMS) {
      const inst = spec.create({ id: spec.id });
      const p = tfMlpFor(inst.problem);
      expect(p.dim).toBe(inst.problem.dim);
      const err = rel(await p.grad(inst.start), inst.problem.grad(inst.start));
      expect(err, spec.id).toBeLessThan(1e-5);
      p.dispose();
    }
    expect(() => tfMlpFor({ dim: 2 } as never)).toThrow(/only runs network problems/);
  });

  it('bad input is an InputError with a clear message', async () => {
    const { arch, data } = CASES[0];
    expect(() => new TfMlp({ sizes: [3, 16, 1], activation: 'tanh' }, data)).toThrow(InputError);
    expect(() => new TfMlp({ sizes: [8, 0, 1], activation: 'tanh' }, data)).toThrow(/positive integers/);
    const p = new TfMlp(arch, data);
    await expect(p.grad(new Float64Array(3))).rejects.toThrow(/length 433/);
    await expect(p.runGD(new Float64Array(p.dim), -1, 10)).rejects.toThrow(InputError);
    await expect(p.runGD(new Float64Array(p.dim), 0.1, 1.5)).rejects.toThrow(/steps/);
    p.dispose();
    await expect(p.loss(new Float64Array(p.dim))).rejects.toThrow(/dispose/);
  });
});

afterAll(() => {
  tf.disposeVariables();
});
