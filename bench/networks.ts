/**
 * Network throughput (plain-TS float64 reference path, Node): derivative costs, GD with and without
 * the top eigenvalue every step, and steps/s of every flow on the teacher net (P = 433, n = 128) and on
 * a wider net (moons, 2→140→140→1, P = 20,301, n = 200).
 *
 * Cost per step in gradient units (each flow as the page runs it: a step, then its sample) uses the problem's
 * counters with the weights
 *   grad = 1, loss = 0.5 (a forward pass), hvp = 2, third = 4 (two HVPs: central difference),
 * and the measured time ratios are printed next to them so the weights can be checked.
 * Note: the MLP caches its forward (and backward) passes at its last two points, so a loss or HVP at a point whose
 * gradient was just taken costs less than its weight says; the units count calls, not work.
 */
import { MlpProblem } from '../src/engine/nn/mlp.ts';
import { NETWORK_PROBLEMS } from '../src/engine/nn/registry.ts';
import { EigTracker, lanczosTopK } from '../src/engine/linalg/lanczos.ts';
import { FLOWS } from '../src/engine/flows/registry.ts';
import type { EvalCounters, ProblemInstance } from '../src/engine/types.ts';
import { Runner } from '../src/engine/runner.ts';
import { tryBackend } from '../src/engine/gpu/backend.ts';
import { tfSyncProblemFor } from '../src/engine/gpu/sync-problem.ts';

const UNITS = { loss: 0.5, grad: 1, hvp: 2, third: 4 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median µs per call of f over `reps` batches lasting ≥ ~budgetMs in total. */
function timeUs(f: () => void, budgetMs = 300, reps = 5): number {
  f();
  let n = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < n; i++) f();
    const dt = performance.now() - t;
    if (dt > budgetMs / reps || n > 1e6) break;
    n *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) f();
    samples.push(((performance.now() - t) / n) * 1000);
  }
  return median(samples);
}

function instance(id: string, params?: Record<string, number>, choices?: Record<string, string>): ProblemInstance {
  const spec = NETWORK_PROBLEMS.find((p) => p.id === id);
  if (!spec) throw new Error(`no network problem '${id}'`);
  return spec.create({ id, params, choices });
}

function derivativeCosts(label: string, inst: ProblemInstance): number {
  const p = inst.problem as MlpProblem;
  const w = Float64Array.from(inst.start);
  const g = new Float64Array(p.dim);
  const h = new Float64Array(p.dim);
  const v = new Float64Array(p.dim).map((_, i) => Math.sin(i + 1));
  const u = new Float64Array(p.dim).map((_, i) => Math.cos(i + 1));
  // Perturb w every call so that no cache helps (the worst case, as when w moves every step). Three
  // values in turn: the MLP keeps its last two points, so two alternating values would always hit.
  let s = 0;
  const bump = () => {
    s++;
    w[0] = inst.start[0] + 1e-12 * (s % 3);
  };
  const tLoss = timeUs(() => (bump(), p.loss(w)));
  const tGrad = timeUs(() => (bump(), p.grad(w, g)));
  const tHvp = timeUs(() => (bump(), p.hvp(w, v, h)));
  const tHvpCached = timeUs(() => p.hvp(w, v, h));
  const tThird = timeUs(() => p.third(w, u, v, h));
  console.log(
    `${label}: P = ${p.dim}, n = ${p.data.n}\n` +
      `  loss ${tLoss.toFixed(0)} µs · grad ${tGrad.toFixed(0)} µs (${(1e6 / tGrad).toFixed(0)}/s) · ` +
      `HVP ${tHvp.toFixed(0)} µs (same point: ${tHvpCached.toFixed(0)} µs) · third ${tThird.toFixed(0)} µs\n` +
      `  measured ratios to a gradient: loss ${(tLoss / tGrad).toFixed(2)}, HVP ${(tHvp / tGrad).toFixed(2)} ` +
      `(same point ${(tHvpCached / tGrad).toFixed(2)}), third ${(tThird / tGrad).toFixed(2)}`,
  );
  return tGrad;
}

function gdRates(label: string, inst: ProblemInstance, eta: number, steps: number): void {
  const p = inst.problem;
  const w = Float64Array.from(inst.start);
  const g = new Float64Array(p.dim);
  let t = performance.now();
  for (let k = 0; k < steps; k++) {
    p.grad(w, g);
    for (let i = 0; i < p.dim; i++) w[i] -= eta * g[i];
  }
  const gdRate = steps / ((performance.now() - t) / 1000);
  // GD + top eigenvalue every step, tracked (warm-started from the last two steps), from the same start.
  const parts = [`  ${label}: GD ${gdRate.toFixed(0)} steps/s`];
  for (const tol of [1e-3, 1e-5]) {
    w.set(inst.start);
    const tr = new EigTracker(p.dim, 1, { tol });
    t = performance.now();
    for (let k = 0; k < steps; k++) {
      p.grad(w, g);
      tr.update((x, o) => p.hvp(w, x, o));
      for (let i = 0; i < p.dim; i++) w[i] -= eta * g[i];
    }
    const eigRate = steps / ((performance.now() - t) / 1000);
    parts.push(`GD + λ_max (tol ${tol}) ${eigRate.toFixed(0)} steps/s, ${(tr.matvecs / steps).toFixed(2)} HVPs/step`);
  }
  console.log(parts.join(' · ') + ` (${steps} steps from init)`);
}

/** GD as the page and the CLI run it: the Runner's GD flow with its top-2 sharpness sample every step. */
function runnerGdRate(id: string, eta: number, steps: number): void {
  const r = new Runner({ problem: { id }, eta, steps, flows: ['gd'], eigK: 2, capacity: steps + 4 });
  const p = r.instance.problem;
  const t = performance.now();
  while (!r.done) r.advance(50);
  const s = (performance.now() - t) / 1000;
  console.log(`  ${id} through the Runner (page/CLI path, λ₁ and λ₂ sampled every step): ${(steps / s).toFixed(0)} steps/s, ${(p.counters!.hvp / steps).toFixed(1)} HVPs/step (${steps} steps from init)`);
}

/**
 * Steps/s and gradient units per step of every flow, as the page and the CLI run them: each flow with the
 * Runner's eigK = 2 and its sample (the recorded λ₁, λ₂, loss, rod…) taken after every step. The units are
 * split into the step (advance) and the sample; their sum is what a recorded step costs, and the ratio
 * printed. The split is not the work's purpose: Central Flow's and Rod Flow's samples compute the next
 * step's first eigen-solve (and Central Flow's substep data), which that step then reuses.
 */
function flowRates(inst: ProblemInstance, eta: number, steps: number, warmup: number, capMs = 20_000): Record<string, number> {
  const unitsOf: Record<string, { step: number; total: number }> = {};
  const unitsIn = (a: EvalCounters, b: EvalCounters) =>
    (b.loss - a.loss) * UNITS.loss + (b.grad - a.grad) * UNITS.grad + (b.hvp - a.hvp) * UNITS.hvp + (b.third - a.third) * UNITS.third;
  for (const spec of FLOWS) {
    const p = inst.problem;
    const flow = spec.create(p, eta, Float64Array.from(inst.start), { eigK: 2 });
    flow.sample();
    for (let k = 0; k < warmup && !flow.stopped; k++) {
      flow.advance();
      flow.sample();
    }
    const c0 = { ...p.counters! };
    let stepUnits = 0;
    const t = performance.now();
    let done = 0;
    const deadline = t + capMs;
    for (; done < steps && !flow.stopped && performance.now() < deadline; done++) {
      const a = { ...p.counters! };
      flow.advance();
      stepUnits += unitsIn(a, p.counters!);
      flow.sample();
    }
    const dt = (performance.now() - t) / 1000;
    const c = p.counters!;
    const d = { loss: c.loss - c0.loss, grad: c.grad - c0.grad, hvp: c.hvp - c0.hvp, third: c.third - c0.third };
    const per = (x: number) => (x / Math.max(done, 1)).toFixed(1);
    const total = unitsIn(c0, c) / Math.max(done, 1);
    const step = stepUnits / Math.max(done, 1);
    unitsOf[spec.id] = { step, total };
    console.log(
      `  ${spec.id.padEnd(14)} ${(done / dt).toFixed(1).padStart(8)} steps/s · ${total.toFixed(1).padStart(6)} grad units/step ` +
        `(${step.toFixed(1)} step + ${(total - step).toFixed(1)} sample; per step: ${per(d.grad)} grad, ${per(d.hvp)} HVP, ${per(d.third)} third, ${per(d.loss)} loss; ` +
        `steps ${warmup}–${warmup + done})${flow.stopped ? ` stopped: ${flow.stopped.reason}` : ''}`,
    );
  }
  const r = unitsOf['rod-flow'];
  const cf = unitsOf['central-flow'];
  if (!r || !cf) return Object.fromEntries(Object.entries(unitsOf).map(([k, v]) => [k, v.total]));
  console.log(
    `  cost per step in gradient units, step + sample: Rod Flow ${r.total.toFixed(1)}, Central Flow ${cf.total.toFixed(1)}: ` +
      `Rod Flow costs ${(r.total / cf.total).toFixed(2)}× Central Flow (target ≤ 0.5)`,
  );
  return Object.fromEntries(Object.entries(unitsOf).map(([k, v]) => [k, v.total]));
}

export async function runNetworkBench(): Promise<void> {
  const teacher = instance('mlp-teacher');
  const wide = instance('mlp', { width: 140, depth: 2 }, { dataset: 'moons', activation: 'tanh' });
  console.log('Derivatives (w moved between calls unless "same point"):');
  derivativeCosts('teacher 8→16→16→1 tanh', teacher);
  derivativeCosts('wide moons 2→140→140→1 tanh', wide);
  // The wide net starts sharper than 2/0.2 (its last layer sees 140 features): take η = 1/λ_max(w₀),
  // stable at the start, so the flows are timed on a run that does not diverge.
  const s0 = lanczosTopK((x, o) => wide.problem.hvp(wide.start, x, o), wide.problem.dim, 1).values[0];
  const etaWide = Number((1 / s0).toPrecision(2));
  console.log('\nGD throughput:');
  gdRates('teacher', teacher, 0.1, 2000);
  runnerGdRate('mlp-teacher', 0.1, 600);
  gdRates(`wide (η = ${etaWide} = 1/λ_max(w₀))`, wide, etaWide, 40);
  console.log('\nFlows on the teacher net (η = 0.1), timed over steps 300–400 (around the EoS onset at 290):');
  flowRates(teacher, 0.1, 100, 300);
  console.log(`\nFlows on the wide net (η = ${etaWide}), steps 0–5 (each flow capped at 20 s):`);
  flowRates(wide, etaWide, 5, 0);
  // The same flows on the float32 tfjs twin (the UI's and CLI's engine choice), per backend Node has,
  // against float64 under the same protocol: 40 steps from GD's iterate at step 300 (near the onset).
  const w300 = Float64Array.from(teacher.start);
  const g = new Float64Array(w300.length);
  for (let k = 0; k < 300; k++) {
    teacher.problem.grad(w300, g);
    for (let i = 0; i < g.length; i++) w300[i] -= 0.1 * g[i];
  }
  const from300 = { ...teacher, start: w300 };
  console.log('\nFlows on the teacher net from GD\'s step-300 iterate, 40 steps (capped at 10 s), float64 then each tfjs backend:');
  console.log('  float64:');
  flowRates(from300, 0.1, 40, 0, 10_000);
  for (const backend of ['wasm', 'cpu'] as const) {
    const err = await tryBackend(backend);
    if (err !== null) {
      console.log(`  tfjs-${backend} unavailable: ${err}`);
      continue;
    }
    const twin = tfSyncProblemFor(teacher.problem);
    try {
      console.log(`  tfjs-${backend} (float32, synchronous read-back):`);
      flowRates({ ...from300, problem: twin }, 0.1, 40, 0, 10_000);
    } finally {
      twin.dispose();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runNetworkBench();
