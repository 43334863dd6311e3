/**
 * Ensemble bench (headless Debian Chromium, the built page, window.__rodflowEnsemble): wall time and
 * trajectory-steps per second of the GD, Rod Flow and Central Flow kernels on WebGPU (here SwiftShader,
 * a software adapter) and on the CPU worker pool (float64), plus Node's single-thread float64 loop.
 * Targets: the 1-D quartic sweep (1024 η × 4096 GD steps) ≤ 1 s and the 256×256 valley map of GD
 * outcomes (1024 steps) ≤ 3 s on the path the page picks ('auto').
 *
 * Expected on a real GPU, from the arithmetic per step (not measured here: no GPU on this machine):
 *  - GD on the quartic: ≈ 15 flops per step (gradient + loss); 1024 trajectories fill ~1/16 of a
 *    large GPU, so the sweep is latency-bound: 4097 dependent steps × ~30 instructions ≈ 0.1–1 ms of
 *    kernel time, ~1e9–1e10 trajectory-steps/s; the 256×256 map (67M steps × ~40 flops) ≈ 1e10–1e11/s.
 *  - Rod Flow: 2 RK4 steps × 4 right-hand sides × (a 2×2 eigensolve + up to 2 rods × (2 gradients +
 *    2 Hessians)) ≈ 1–2k flops per step, ~1e8–1e9 trajectory-steps/s; Central Flow (4 substeps with
 *    third derivatives, a 2×2 eigensolve and the QP, backtracking near the edge) about the same.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium } from 'playwright-core';
// @ts-expect-error plain ESM helper without types
import { serveDist } from '../scripts/serve-dist.mjs';
// @ts-expect-error plain ESM helper without types
import { buildPage } from '../scripts/build-page.mjs';
import type { EnsembleJob, SweepJob } from '../src/engine/ensemble/jobs.ts';
import { jobInputs } from '../src/engine/ensemble/jobs.ts';
import { ensembleProblem } from '../src/engine/ensemble/problem.ts';
import { Trajectories, strideOf, type EnsembleFlow } from '../src/engine/ensemble/trajectories.ts';
import { table } from './util.ts';

const SWEEP: SweepJob = { kind: 'sweep', problem: { id: 'quartic' }, start: [0.01], etaLo: 0.4, etaHi: 1.6, n: 1024, steps: 4096 };
const SWEEP_FLOWS: EnsembleJob = { ...SWEEP, n: 256 };
const MAP: EnsembleJob = { kind: 'map', problem: { id: 'valley' }, eta: Math.fround(0.3), x: [-0.3, 1.4], y: [-0.3, 1.3], nx: 256, ny: 256, steps: 1024 };

// Not from test/e2e/harness.ts: that module configures vitest on import and fails outside it.
const ROOT = join(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
function build(outDir: string): void {
  const failed = buildPage(outDir, { logLevel: 'error' });
  if (failed !== null) throw new Error(failed);
}

const n = (j: EnsembleJob) => (j.kind === 'sweep' ? j.n : j.nx * j.ny);
const rate = (j: EnsembleJob, ms: number) => (n(j) * j.steps) / (ms / 1000);
const fmtRate = (r: number) => (Number.isFinite(r) ? r.toExponential(2) : 'n/a');

function nodeRate(job: EnsembleJob, flow: EnsembleFlow, count: number): number {
  const p = ensembleProblem(job.problem);
  const tr = new Trajectories(p.field);
  const inp = jobInputs(job, 0, count);
  const out = new Float64Array(count * strideOf(flow));
  const t0 = performance.now();
  for (let i = 0; i < count; i++) tr.run(flow, inp[3 * i], inp[3 * i + 1], inp[3 * i + 2], job.steps, out, i * strideOf(flow));
  return (count * job.steps) / ((performance.now() - t0) / 1000);
}

export async function runEnsembleBench(): Promise<void> {
  console.log('Node, one thread, float64 (trajectory-steps/s):');
  console.log(
    table(
      ['flow', 'quartic sweep', 'valley map'],
      (['gd', 'rod-flow', 'central-flow'] as EnsembleFlow[]).map((f) => [f, fmtRate(nodeRate(SWEEP, f, f === 'gd' ? 256 : 16)), fmtRate(nodeRate(MAP, f, f === 'gd' ? 1024 : 32))]),
    ),
  );
  if (!existsSync(CHROMIUM)) {
    console.log(`(browser part skipped: ${CHROMIUM} is absent)`);
    return;
  }
  const out = join(ROOT, 'node_modules', '.cache', 'rodflow-bench-ensemble');
  build(out);
  const { server, url } = (await serveDist(out, 0)) as { server: Server; url: string };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url + '?v=1&problem=quartic&play=0');
    await page.waitForFunction(() => (window as any).__rodflowEnsemble, null, { timeout: 60_000 });
    const run = (job: EnsembleJob, flows: EnsembleFlow[], path: string) =>
      page.evaluate(([j, f, p]) => (window as any).__rodflowEnsemble.runJobForTest(j, f, p, 0), [job, flows, path] as const) as Promise<{ path: string; note: string; ms: Record<string, number>; error: string | null }>;
    const pool = await page.evaluate(() => (window as any).__rodflowEnsemble.poolSize());
    // A cold pool: the first job pays for starting the workers (module load, JIT); reported apart.
    const t0 = Date.now();
    const cold = await run({ ...SWEEP, n: 2 * pool, steps: 64 }, ['gd'], 'cpu');
    console.log(`CPU pool cold start (first tiny job, ${pool} workers): ${cold.ms.gd.toFixed(0)} ms in the job, ${Date.now() - t0} ms round trip`);
    const rows: string[][] = [];
    let auto = '';
    for (const path of ['webgpu', 'cpu', 'auto']) {
      const g = await run(SWEEP, ['gd'], path);
      const m = await run(MAP, ['gd'], path);
      if (path === 'auto') {
        auto = `auto picked ${g.path}: quartic sweep (1024 η × 4096 GD steps) ${(g.ms.gd / 1000).toFixed(2)} s (target ≤ 1 s); 256×256 valley map of GD outcomes ${(m.ms.gd / 1000).toFixed(2)} s (target ≤ 3 s)`;
        continue;
      }
      const f = await run(SWEEP_FLOWS, ['gd', 'rod-flow', 'central-flow'], path);
      const label = path === 'cpu' ? `CPU pool (${pool} workers, float64)` : `WebGPU (${g.note.replace(/^WebGPU \(float32\) on /, '')}, float32)`;
      if (g.error || m.error || f.error) console.log(`(${path}: ${g.error ?? m.error ?? f.error})`);
      rows.push([label, `${(g.ms.gd / 1000).toFixed(2)} s`, fmtRate(rate(SWEEP, g.ms.gd)), `${(m.ms.gd / 1000).toFixed(2)} s`, fmtRate(rate(MAP, m.ms.gd)), fmtRate(rate(SWEEP_FLOWS, f.ms['rod-flow'])), fmtRate(rate(SWEEP_FLOWS, f.ms['central-flow']))]);
    }
    console.log('\nIn the page (wall time incl. pipeline creation; trajectory-steps/s):');
    console.log(table(['path', 'quartic sweep GD', 'steps/s', 'valley map GD', 'steps/s', 'Rod Flow steps/s', 'Central Flow steps/s'], rows));
    console.log(auto);
  } finally {
    await browser.close();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runEnsembleBench();
