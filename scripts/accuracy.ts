/**
 * How well each flow predicts GD (dynamics.md §7), on the two network presets and the valley:
 *   npx tsx scripts/accuracy.ts [--steps N] [--problems mlp-chebyshev,mlp-teacher,valley] [--json]
 *
 * For each problem it runs GD, gradient flow, Central Flow and Rod Flow in lockstep (src/engine/runner.ts,
 * every flow with its default options, eigK = 1) and prints per flow:
 *  - onset: first step with λ_max ≥ (1 − 10⁻³)·2/η (the flow's own sharpness). The tolerance is needed
 *    because Central Flow holds λ_max at 2/η from below (its Euler look-ahead pins it to round-off
 *    and discretization error), so a strict "> 2/η" can miss its onset by hundreds of steps;
 *  - ‖w_flow − w̄_GD‖ (w̄_GD = GD's pair centre at the same step): mean over the run, mean after GD's
 *    onset, final;
 *  - ratio: mean distance after GD's onset divided by gradient flow's (the acceptance target is ≤ 0.3
 *    for Central Flow and Rod Flow on both network presets);
 *  - loss error: mean |predicted time-averaged loss − GD's smoothed loss| / mean GD's smoothed loss,
 *    both means after GD's onset (a ratio of means: GD's loss can fall to ~0 at the end of a run, where
 *    a pointwise relative error would explode). GD's smoothed loss is its loss trace convolved with a
 *    Gaussian of σ = 8 steps (the 2-step pair mean still carries the slower wobble of the catapults).
 * Exit status 1 when an acceptance target is missed on a network preset.
 */
import { Runner } from '../src/engine/runner.ts';
import { getProblemSpec } from '../src/engine/problems/registry.ts';
import { FLOW_IDS, type FlowId, type Trace } from '../src/engine/types.ts';

const SMOOTH_SIGMA = 8;
const TARGET_RATIO = 0.3;
const ONSET_REL = 1e-3;
const NETWORK_PRESETS = new Set(['mlp-chebyshev', 'mlp-teacher']);

interface FlowRow {
  flow: FlowId;
  onset: number | null;
  meanDist: number;
  meanDistAfter: number;
  finalDist: number;
  ratio: number;
  lossErr: number;
  seconds: number;
  stopped: string | null;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function gaussianSmooth(x: Float64Array, n: number, sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const wts = Array.from({ length: 2 * r + 1 }, (_, j) => Math.exp(-((j - r) ** 2) / (2 * sigma * sigma)));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let z = 0;
    for (let j = -r; j <= r; j++) {
      const k = i + j;
      if (k < 0 || k >= n) continue;
      s += wts[j + r] * x[k];
      z += wts[j + r];
    }
    out[i] = s / z;
  }
  return out;
}

function onsetOf(tr: Trace, eta: number): number | null {
  for (let i = 0; i < tr.length; i++) if (tr.sharpness[i * tr.eigK] >= (1 - ONSET_REL) * (2 / eta)) return tr.t[i];
  return null;
}

function mean(xs: Float64Array, from: number, to: number): number {
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    if (Number.isFinite(xs[i])) {
      s += xs[i];
      c++;
    }
  }
  return c ? s / c : NaN;
}

function runOne(id: string, steps: number | undefined): { id: string; eta: number; steps: number; rows: FlowRow[] } {
  const spec = getProblemSpec(id);
  if (!spec) throw new Error(`unknown problem '${id}'`);
  const eta = spec.defaults.eta;
  const n = steps ?? spec.defaults.steps;
  const capacity = 2 * Math.ceil((n + 2) / 2);
  // One runner per flow (plus GD) so each flow's wall time can be reported; GD is deterministic, so
  // its trace is identical in every run.
  const traces: Partial<Record<FlowId, Trace>> = {};
  const seconds: Partial<Record<FlowId, number>> = {};
  for (const f of FLOW_IDS) {
    const flows: FlowId[] = f === 'gd' ? ['gd'] : ['gd', f];
    const t0 = performance.now();
    const runner = new Runner({ problem: { id }, eta, steps: n, flows, capacity, eigK: 1 });
    while (!runner.done) runner.advance(50);
    traces[f] = runner.traces[f];
    seconds[f] = (performance.now() - t0) / 1000;
    if (f !== 'gd') seconds[f]! -= seconds.gd!;
  }
  const gd = traces.gd!;
  const gdOnset = onsetOf(gd, eta);
  const after = gdOnset === null ? gd.length : gdOnset;
  const smooth = gaussianSmooth(gd.loss, gd.length, SMOOTH_SIGMA);
  const gf = traces['gradient-flow']!;
  const gfAfter = mean(gf.dist, after, gf.length);
  const rows: FlowRow[] = FLOW_IDS.map((f) => {
    const tr = traces[f]!;
    const len = tr.length;
    const absErr = new Float64Array(len);
    for (let i = 0; i < len; i++) absErr[i] = Math.abs(tr.predictedLoss[i] - smooth[i]);
    const meanDistAfter = mean(tr.dist, after, len);
    return {
      flow: f,
      onset: onsetOf(tr, eta),
      meanDist: mean(tr.dist, 0, len),
      meanDistAfter,
      finalDist: tr.dist[len - 1],
      ratio: meanDistAfter / gfAfter,
      lossErr: mean(absErr, after, len) / mean(smooth, after, Math.min(len, gd.length)),
      seconds: seconds[f]!,
      stopped: tr.stopped ? tr.stopped.reason : null,
    };
  });
  return { id, eta, steps: n, rows };
}

const fmt = (x: number | null, d = 3) => (x === null ? '—' : Number.isFinite(x) ? x.toPrecision(d) : String(x));

function main(): void {
  const steps = argValue('--steps') ? Number(argValue('--steps')) : undefined;
  const ids = (argValue('--problems') ?? 'mlp-chebyshev,mlp-teacher,valley').split(',');
  const results: ReturnType<typeof runOne>[] = [];
  let failed = false;
  for (const id of ids) {
    const r = runOne(id, steps);
    results.push(r);
    console.log(`\n${r.id}  η = ${r.eta}, 2/η = ${fmt(2 / r.eta)}, ${r.steps} steps (GD's onset of EoS splits "all" from "after onset")`);
    console.log(
      '  flow            onset   mean dist (all)   mean dist (after)   final dist   ratio to GF (after)   loss err (after)   time s',
    );
    for (const row of r.rows) {
      const dist = row.flow === 'gd' ? '(|δ|)' : '';
      console.log(
        `  ${row.flow.padEnd(14)} ${fmt(row.onset, 4).padStart(6)}   ${fmt(row.meanDist).padStart(15)}${dist.padStart(0)}   ` +
          `${fmt(row.meanDistAfter).padStart(17)}   ${fmt(row.finalDist).padStart(10)}   ${fmt(row.ratio).padStart(19)}   ` +
          `${fmt(row.lossErr).padStart(16)}   ${row.seconds.toFixed(1).padStart(6)}` +
          (row.stopped ? `   STOPPED: ${row.stopped}` : ''),
      );
    }
    if (NETWORK_PRESETS.has(r.id)) {
      for (const f of ['central-flow', 'rod-flow'] as const) {
        const row = r.rows.find((x) => x.flow === f)!;
        const ok = row.ratio <= TARGET_RATIO && !row.stopped;
        if (!ok) failed = true;
        console.log(`  ${ok ? 'PASS' : 'FAIL'}: ${f} after onset is ${fmt(row.ratio)} × gradient flow's distance (target ≤ ${TARGET_RATIO})`);
      }
    }
  }
  console.log('\n(dist of GD is its own |δ|, the half-length of its rod, shown for scale.)');
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
  if (failed) process.exitCode = 1;
}

main();
