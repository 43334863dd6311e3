/**
 * The float32 twin (TfSyncProblem on tfjs-wasm) against float64, all four flows through the Runner on
 * the mlp-teacher preset (η = 0.1). `npm run bench -- float32` runs the long form, steps 0 → 320 (λ₁
 * crosses 2/η = 20 between steps 290 and 300), prints the differences and checks them against the
 * bounds that test/gpu-sync-problem.test.ts explains; the test runs the short form, steps 275 → 320
 * from GD's float64 iterate at step 275 (same onset, same bounds, a sixth of the work).
 */
import { selectBackend } from '../src/engine/gpu/backend.ts';
import { tfSyncProblemFor } from '../src/engine/gpu/sync-problem.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { createRunner } from '../src/engine/runner.ts';
import type { FlowId, Problem } from '../src/engine/types.ts';
import { gdIterate } from '../test/gd-iterate.ts';

export const ETA = 0.1;
export const END = 320;
/** λ₁ first exceeds 2/η = 20 between steps 290 and 300 (float64 and float32 alike). */
export const ONSET = 290;
export const FLOWS: FlowId[] = ['gd', 'gradient-flow', 'central-flow', 'rod-flow'];

export interface Float32Comparison {
  flow: FlowId;
  from: number;
  /** Largest relative differences before/after ONSET: projected w (scaled by ‖w₀‖), loss, λ₁. */
  maxDiff: { preW: number; preLoss: number; preS: number; postW: number; postLoss: number; postS: number };
  /** λ₁ at END, float64 and float32. */
  lastS: [number, number];
  /** Evaluations (grad + HVP + third) per step, float64 and float32. */
  work: [number, number];
  stepsPerSec: [number, number];
  finite: boolean;
  stopped: [string | null, string | null];
  samples: number;
}


/** Run `flow` from step `from` (GD's iterate there) to END on float64 and on the float32 twin. */
export async function compareFloat32(flow: FlowId, from: number): Promise<Float32Comparison> {
  await selectBackend('wasm');
  const steps = END - from;
  const cfg = { problem: { id: 'mlp-teacher' }, eta: ETA, steps, flows: [flow], t0: from, ...(from > 0 ? { start: Array.from(gdIterate('mlp-teacher', ETA, from)) } : {}) };
  const inst64 = createProblem(cfg.problem);
  const tfp = tfSyncProblemFor(inst64.problem);
  try {
    const r64 = createRunner(cfg, inst64);
    const r32 = createRunner(cfg, { ...createProblem(cfg.problem), problem: tfp });
    if (r32.instance.problem !== tfp) throw new Error('the float32 runner does not run the twin');
    let t0 = performance.now();
    r64.advance(steps);
    const ms64 = performance.now() - t0;
    t0 = performance.now();
    r32.advance(steps);
    const ms32 = performance.now() - t0;
    const a = r64.traces[flow]!;
    const b = r32.traces[flow]!;
    if (!a.projected || !b.projected) throw new Error('expected projected traces for a network');
    const wNorm = Math.hypot(...createProblem(cfg.problem).start); // ‖w₀‖ scale for the projected coordinates
    const m = { preW: 0, preLoss: 0, preS: 0, postW: 0, postLoss: 0, postS: 0 };
    let finite = true;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      for (const x of [a.loss[i], b.loss[i], a.sharpness[i * a.eigK], b.sharpness[i * b.eigK], b.w[2 * i], b.w[2 * i + 1]]) finite &&= Number.isFinite(x);
      const dw = Math.hypot(a.w[2 * i] - b.w[2 * i], a.w[2 * i + 1] - b.w[2 * i + 1]) / wNorm;
      const dl = Math.abs(a.loss[i] - b.loss[i]) / a.loss[i];
      const ds = Math.abs(a.sharpness[i * a.eigK] - b.sharpness[i * b.eigK]) / a.sharpness[i * a.eigK];
      const pre = a.t[i] <= ONSET;
      if (pre) [m.preW, m.preLoss, m.preS] = [Math.max(m.preW, dw), Math.max(m.preLoss, dl), Math.max(m.preS, ds)];
      else [m.postW, m.postLoss, m.postS] = [Math.max(m.postW, dw), Math.max(m.postLoss, dl), Math.max(m.postS, ds)];
    }
    const work = (p: Problem) => (p.counters!.grad + p.counters!.hvp + p.counters!.third) / steps;
    const last = (t: typeof a) => t.sharpness[(t.length - 1) * t.eigK];
    return {
      flow,
      from,
      maxDiff: m,
      lastS: [last(a), last(b)],
      work: [work(inst64.problem), work(tfp)],
      stepsPerSec: [(steps / ms64) * 1000, (steps / ms32) * 1000],
      finite,
      stopped: [a.stopped?.reason ?? null, b.stopped?.reason ?? null],
      samples: b.length,
    };
  } finally {
    tfp.dispose();
  }
}

/** The bounds (test/gpu-sync-problem.test.ts says where each comes from); empty when all hold. */
export function float32Violations(c: Float32Comparison): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string) => ok || bad.push(what);
  check(c.finite, 'a non-finite value');
  check(c.stopped[0] === null && c.stopped[1] === null, `stopped: ${c.stopped.join(' / ')}`);
  check(c.samples === END - c.from + 1, `recorded ${c.samples} samples`);
  check(c.lastS[0] > 20 * (1 - 1e-6), `λ₁ at ${END} is ${c.lastS[0]} < 2/η`);
  check(c.maxDiff.preW < 1e-6 && c.maxDiff.preLoss < 1e-6 && c.maxDiff.preS < 1e-6, 'pre-onset differences ≥ 1e-6');
  if (c.flow === 'gd') check(c.maxDiff.postS < 1e-3 && c.maxDiff.postLoss < 5e-2, 'GD post-onset λ₁ ≥ 1e-3 or loss ≥ 5e-2');
  else check(c.maxDiff.postW < 1e-6 && c.maxDiff.postLoss < 1e-6 && c.maxDiff.postS < 1e-6, 'post-onset differences ≥ 1e-6');
  check(c.work[1] / c.work[0] < 3, `float32 work ${c.work[1].toFixed(1)} vs float64 ${c.work[0].toFixed(1)} per step`);
  return bad;
}

export function describeComparison(c: Float32Comparison): string {
  return (
    `${c.flow} ${c.from}→${END}: max diffs ${Object.entries(c.maxDiff).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}; ` +
    `λ₁ at ${END}: ${c.lastS[0].toFixed(4)} vs ${c.lastS[1].toFixed(4)}; evaluations/step ${c.work[0].toFixed(1)} vs ${c.work[1].toFixed(1)}; ` +
    `steps/s ${c.stepsPerSec[0].toFixed(0)} vs ${c.stepsPerSec[1].toFixed(0)} (float64 vs float32)`
  );
}

export async function runFloat32Bench(): Promise<void> {
  console.log(`float32 twin (tfjs-wasm) vs float64, mlp-teacher η = ${ETA}, steps 0 → ${END} (onset ≈ ${ONSET})`);
  for (const flow of FLOWS) {
    const c = await compareFloat32(flow, 0);
    const bad = float32Violations(c);
    console.log(`${describeComparison(c)}  ${bad.length ? `FAIL: ${bad.join('; ')}` : 'ok'}`);
    if (bad.length) process.exitCode = 1;
  }
}
