/**
 * How well each flow predicts GD (docs/equations.md §7), on the two network presets and the valley:
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
 * Central Flow runs twice: as the paper defines it (`central-flow`), and with its `igr` option
 * (`central-flow+igr`: drift g + (η/2)(1 − 1/s)P⊥Hg off the tracked eigenvectors, GD's first-order
 * backward error less the part the s Euler substeps already carry; see central-flow.ts).
 * Exit status 1 when an acceptance target is missed on a network preset: Rod Flow, or Central Flow in
 * both of its forms (the paper's form alone missing is printed as a MISS with the diagnosis below), or
 * an onset check (ONSET_CHECKS: the long forms of test/nn-accuracy.test.ts).
 *
 * When Central Flow misses its target on a network preset, a diagnosis follows (a report, not a pass):
 * it splits Central Flow's distance into what GD had already drifted before onset, which is GD's
 * implicit regularization (Central Flow equals gradient flow below 2/η by definition), and what
 * Central Flow adds after onset, by
 *  - integrating the IGR flow dw/dt = −ηg − (η²/2)Hg (Rod Flow's centre with a zero rod; RK4, h = 1/8)
 *    up to GD's onset and comparing its distance to GD's centre with gradient flow's;
 *  - restarting Central Flow at GD's onset from GD's own centre and measuring its mean distance after
 *    onset (the model's post-onset error without the inherited pre-onset drift);
 *  - GD's sharpness overshoot after onset (docs/equations.md §3: Central Flow pins 2/η at once, GD does not).
 * Not computed here (too slow for every run), measured once on mlp-teacher, steps 290–800, distance to
 * GD's centre over gradient flow's: Central Flow with 4 Euler substeps 0.743, with 16 substeps 0.872.
 * Euler with dt = 1/s carries (η²/(2s))Hg as its own backward error, ¼ of GD's IGR term at s = 4: the
 * substep count moves Central Flow *towards* GD, and the converged flow is farther from it, not closer.
 * The tracked spectrum was checked against cold Lanczos solves (top 6, tol 1e-10) every 25 steps to
 * step 1000: the two eigenvalues above 1.5/η agree to 4 digits, the third is 13.7–14.2 < 15, the QP's X
 * has rank one (λ₂ = 17.9–18.5 never reaches 2/η) with KKT residual ≤ 1e-16, and no backtracking ran.
 */
import { Runner } from '../src/engine/runner.ts';
import { createProblem, getProblemSpec } from '../src/engine/problems/registry.ts';
import { CentralFlow } from '../src/engine/flows/central-flow.ts';
import { Rk4 } from '../src/engine/flows/ode.ts';
import { gaussianSmooth as metricsSmooth, onsetStep } from '../src/engine/metrics.ts';
import { FLOW_IDS, type FlowId, type Trace, type Vec } from '../src/engine/types.ts';

const SMOOTH_SIGMA = 8;
const TARGET_RATIO = 0.3;
const ONSET_REL = 1e-3;
const NETWORK_PRESETS = new Set(['mlp-chebyshev', 'mlp-teacher']);

/**
 * The onset checks, at full length (test/nn-accuracy.test.ts runs short forms of them): after GD's long
 * sharpening phase each model must enter EoS within `within` steps of GD's own onset, and on the
 * teacher Central Flow with igr must arrive with GD (its distance at GD's onset below 0.1 × gradient
 * flow's) while the paper's form arrives where gradient flow does (above 0.5 ×).
 */
const ONSET_CHECKS: Record<string, { label: string; within: number }[]> = {
  'mlp-chebyshev': [
    { label: 'rod-flow', within: 5 },
    { label: 'central-flow', within: 10 },
  ],
  'mlp-teacher': [
    { label: 'rod-flow', within: 5 },
    { label: 'central-flow+igr', within: 5 },
  ],
};

/** What is run: each flow with its defaults, plus Central Flow with its `igr` option (not the paper's model). */
const VARIANTS: { label: string; flow: FlowId; options?: Record<string, boolean> }[] = [
  ...FLOW_IDS.map((flow) => ({ label: flow, flow })),
  { label: 'central-flow+igr', flow: 'central-flow', options: { igr: true } },
];

interface FlowRow {
  flow: string;
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

/** GD's loss smoothed over σ steps: engine/metrics.ts's Gaussian (the page and the tests use the same). */
function gaussianSmooth(x: Float64Array, n: number, sigma: number): Float64Array {
  return metricsSmooth(x, sigma, n);
}

function onsetOf(tr: Trace, eta: number): number | null {
  const t = onsetStep(tr, eta, ONSET_REL);
  return Number.isNaN(t) ? null : t;
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

function runOne(id: string, steps: number | undefined): { id: string; eta: number; steps: number; rows: FlowRow[]; traces: Record<string, Trace> } {
  const spec = getProblemSpec(id);
  if (!spec) throw new Error(`unknown problem '${id}'`);
  const eta = spec.defaults.eta;
  const n = steps ?? spec.defaults.steps;
  const capacity = 2 * Math.ceil((n + 2) / 2);
  // One runner per flow (plus GD) so each flow's wall time can be reported; GD is deterministic, so
  // its trace is identical in every run.
  const traces: Record<string, Trace> = {};
  const seconds: Record<string, number> = {};
  for (const v of VARIANTS) {
    const f = v.flow;
    const flows: FlowId[] = f === 'gd' ? ['gd'] : ['gd', f];
    const t0 = performance.now();
    const runner = new Runner({ problem: { id }, eta, steps: n, flows, capacity, eigK: 1, ...(v.options ? { flowOptions: { [f]: v.options } } : {}) });
    while (!runner.done) runner.advance(50);
    traces[v.label] = runner.traces[f]!;
    seconds[v.label] = (performance.now() - t0) / 1000;
    if (f !== 'gd') seconds[v.label] -= seconds.gd;
  }
  const gd = traces.gd!;
  const gdOnset = onsetOf(gd, eta);
  const after = gdOnset === null ? gd.length : gdOnset;
  const smooth = gaussianSmooth(gd.loss, gd.length, SMOOTH_SIGMA);
  const gf = traces['gradient-flow']!;
  const gfAfter = mean(gf.dist, after, gf.length);
  const rows: FlowRow[] = VARIANTS.map(({ label: f }) => {
    const tr = traces[f];
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
      seconds: seconds[f],
      stopped: tr.stopped ? tr.stopped.reason : null,
    };
  });
  return { id, eta, steps: n, rows, traces };
}

/** GD's pair centres c_k = (w_k + w_{k+1})/2 for k = 0..n (full vectors). */
function gdCentres(id: string, eta: number, n: number): Vec[] {
  const { problem: p, start } = createProblem({ id });
  const w = Float64Array.from(start);
  const g = new Float64Array(p.dim);
  const out: Vec[] = [];
  for (let k = 0; k <= n; k++) {
    // The same update as GdFlow (w ← w − ηg), so the centres match GD's trace to the last bit.
    p.grad(w, g);
    const c = new Float64Array(p.dim);
    for (let i = 0; i < p.dim; i++) {
      const next = w[i] - eta * g[i];
      c[i] = 0.5 * (w[i] + next);
      w[i] = next;
    }
    out.push(c);
  }
  return out;
}

function distance(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** w(t) for t = 0..n under dw/dt = −ηg − c·(η²/2)Hg by RK4 with h = 1/8 (c = 0: gradient flow). */
function igrFlow(id: string, eta: number, n: number, c: number): Vec[] {
  const { problem: p, start } = createProblem({ id });
  const dim = p.dim;
  const g = new Float64Array(dim);
  const hg = new Float64Array(dim);
  const f = (w: Vec, out: Float64Array) => {
    p.grad(w, g);
    if (c !== 0) p.hvp(w, g, hg);
    for (let i = 0; i < dim; i++) out[i] = -eta * g[i] - (c !== 0 ? 0.5 * c * eta * eta * hg[i] : 0);
  };
  const w = Float64Array.from(start);
  const rk4 = new Rk4(dim, f, 1 / 8); // span 1 per step, 8 equal RK4 substeps
  const out: Vec[] = [Float64Array.from(w)];
  for (let k = 0; k < n; k++) {
    rk4.integrate(w, 1);
    out.push(Float64Array.from(w));
  }
  return out;
}

interface Diagnosis {
  onset: number;
  gfAtOnset: number;
  igrAtOnset: number;
  igrShare: number;
  cfAtOnset: number;
  gdMaxSharp: number;
  gdMaxSharpStep: number;
  restartMean: number;
  restartRatio: number;
  cfRatio: number;
}

function diagnose(r: ReturnType<typeof runOne>): Diagnosis | null {
  const { id, eta, steps, traces } = r;
  const gd = traces.gd!;
  const on = onsetOf(gd, eta);
  if (on === null) return null;
  const C = gdCentres(id, eta, steps);
  const gf = igrFlow(id, eta, on, 0);
  const igr = igrFlow(id, eta, on, 1);
  const gfAtOnset = distance(C[on], gf[on]);
  const igrAtOnset = distance(C[on], igr[on]);
  let gdMaxSharp = -Infinity;
  let gdMaxSharpStep = on;
  for (let i = 0; i < gd.length; i++) {
    if (gd.t[i] >= on && gd.sharpness[i * gd.eigK] > gdMaxSharp) {
      gdMaxSharp = gd.sharpness[i * gd.eigK];
      gdMaxSharpStep = gd.t[i];
    }
  }
  // Central Flow from GD's own centre at onset, against the same GD centres.
  const { problem } = createProblem({ id });
  const cf = new CentralFlow(problem, eta, C[on], { t0: on, eigK: 1 });
  const gfTr = traces['gradient-flow'];
  let s = 0;
  let sg = 0;
  for (let k = on; k <= steps && !cf.stopped; k++) {
    s += distance(cf.sample().w, C[k]);
    sg += gfTr.dist[k];
    cf.advance();
  }
  const cfTr = traces['central-flow'];
  return {
    onset: on,
    gfAtOnset,
    igrAtOnset,
    igrShare: 1 - igrAtOnset / gfAtOnset,
    cfAtOnset: cfTr.dist[on],
    gdMaxSharp,
    gdMaxSharpStep,
    restartMean: s / (steps - on + 1),
    restartRatio: s / sg,
    cfRatio: r.rows.find((x) => x.flow === 'central-flow')!.ratio,
  };
}

const fmt = (x: number | null, d = 3) => (x === null ? '—' : Number.isFinite(x) ? x.toPrecision(d) : String(x));

function printDiagnosis(d: Diagnosis, eta: number): void {
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  console.log(
    `  DIAGNOSIS (central-flow as the paper defines it; why its distance is what it is):\n` +
      `    · before onset Central Flow is gradient flow (docs/equations.md §3). At GD's onset (step ${d.onset}) GD's centre is already\n` +
      `      ${fmt(d.gfAtOnset)} from gradient flow but ${fmt(d.igrAtOnset)} from the IGR flow −ηg − (η²/2)Hg: ${pct(d.igrShare)} of that drift is GD's\n` +
      `      O(η) implicit regularization, which Central Flow leaves out by definition (Rod Flow's centre keeps it).\n` +
      `      Central Flow's own distance at onset: ${fmt(d.cfAtOnset)}.\n` +
      `    · after onset GD's sharpness overshoots to ${fmt(d.gdMaxSharp)} = ${fmt((d.gdMaxSharp * eta) / 2)} × 2/η (step ${d.gdMaxSharpStep}) before it\n` +
      `      catapults, while Central Flow holds 2/η at once: the known disagreement of docs/equations.md §3.\n` +
      `    · Central Flow restarted at onset from GD's own centre: mean distance after onset ${fmt(d.restartMean)},\n` +
      `      ${fmt(d.restartRatio)} × gradient flow's (from the start: ${fmt(d.cfRatio)}). So the miss is inherited from before onset;\n` +
      `      more Euler substeps make it worse, not better (see the module comment).`,
  );
}

function main(): void {
  const steps = argValue('--steps') ? Number(argValue('--steps')) : undefined;
  const ids = (argValue('--problems') ?? 'mlp-chebyshev,mlp-teacher,valley').split(',');
  const results: ReturnType<typeof runOne>[] = [];
  let failed = false;
  const diagnoses: Record<string, Diagnosis | null> = {};
  for (const id of ids) {
    const r = runOne(id, steps);
    results.push(r);
    console.log(`\n${r.id}  η = ${r.eta}, 2/η = ${fmt(2 / r.eta)}, ${r.steps} steps (GD's onset of EoS splits "all" from "after onset")`);
    console.log(
      '  flow              onset   mean dist (all)   mean dist (after)   final dist   ratio to GF (after)   loss err (after)   time s',
    );
    for (const row of r.rows) {
      const dist = row.flow === 'gd' ? '(|δ|)' : '';
      console.log(
        `  ${row.flow.padEnd(16)} ${fmt(row.onset, 4).padStart(6)}   ${fmt(row.meanDist).padStart(15)}${dist.padStart(0)}   ` +
          `${fmt(row.meanDistAfter).padStart(17)}   ${fmt(row.finalDist).padStart(10)}   ${fmt(row.ratio).padStart(19)}   ` +
          `${fmt(row.lossErr).padStart(16)}   ${row.seconds.toFixed(1).padStart(6)}` +
          (row.stopped ? `   STOPPED: ${row.stopped}` : ''),
      );
    }
    if (NETWORK_PRESETS.has(r.id)) {
      const okOf = (label: string) => {
        const row = r.rows.find((x) => x.flow === label)!;
        return { row, ok: row.ratio <= TARGET_RATIO && !row.stopped };
      };
      const rod = okOf('rod-flow');
      const paper = okOf('central-flow');
      const igr = okOf('central-flow+igr');
      // Central Flow passes when one of its two forms does; the paper's form is always reported.
      if (!rod.ok || !(paper.ok || igr.ok)) failed = true;
      const line = (tag: string, label: string, ratio: number) =>
        console.log(`  ${tag}: ${label} after onset is ${fmt(ratio)} × gradient flow's distance (target ≤ ${TARGET_RATIO})`);
      line(rod.ok ? 'PASS' : 'FAIL', 'rod-flow', rod.row.ratio);
      line(paper.ok ? 'PASS' : igr.ok ? 'MISS (paper’s model; the igr form below passes)' : 'FAIL', 'central-flow', paper.row.ratio);
      line(igr.ok ? 'PASS' : 'FAIL', 'central-flow+igr', igr.row.ratio);
      const gdOn = r.rows.find((x) => x.flow === 'gd')!.onset;
      for (const c of ONSET_CHECKS[r.id] ?? []) {
        const on = r.rows.find((x) => x.flow === c.label)!.onset;
        const ok = gdOn !== null && gdOn > 250 && on !== null && Math.abs(on - gdOn) <= c.within;
        if (!ok) failed = true;
        console.log(`  ${ok ? 'PASS' : 'FAIL'}: ${c.label} enters EoS at ${fmt(on, 4)}, GD at ${fmt(gdOn, 4)} (target: within ${c.within} steps, GD after step 250)`);
      }
      if (r.id === 'mlp-teacher' && gdOn !== null) {
        const at = (label: string) => r.traces[label].dist[gdOn];
        const gfAt = at('gradient-flow');
        const igrOk = at('central-flow+igr') < 0.1 * gfAt;
        const paperOk = at('central-flow') > 0.5 * gfAt;
        if (!igrOk || !paperOk) failed = true;
        console.log(
          `  ${igrOk && paperOk ? 'PASS' : 'FAIL'}: at GD's onset Central Flow+igr is ${fmt(at('central-flow+igr') / gfAt)} × gradient flow's distance ` +
            `(target < 0.1), the paper's form ${fmt(at('central-flow') / gfAt)} × (expected > 0.5: it is gradient flow before the edge)`,
        );
      }
      if (!paper.ok) {
        const d = diagnose(r);
        diagnoses[r.id] = d;
        if (d) printDiagnosis(d, r.eta);
      }
    }
  }
  console.log('\n(dist of GD is its own |δ|, the half-length of its rod, shown for scale.)');
  if (process.argv.includes('--json')) console.log(JSON.stringify({ results: results.map(({ traces: _t, ...rest }) => rest), diagnoses }, null, 2));
  if (failed) process.exitCode = 1;
}

main();
