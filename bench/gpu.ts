/**
 * The tfjs (float32) network path in Node: ms per gradient / HVP and on-device GD steps per second on
 * every backend Node has (cpu, wasm), against the float64 plain-TS reference (src/engine/nn/mlp.ts),
 * for the teacher net 8→16→16→1 (433 params, n = 128) and a ~20k-param net 8→128→144→1 (n = 256).
 * In a browser page the same figures come from `measureBackends` (src/engine/gpu/measure.ts) with
 * ['webgpu', 'webgl', 'wasm', 'cpu']; test/browser/gpu-browser.test.ts prints them for Chromium.
 */
import { measureBackends } from '../src/engine/gpu/measure.ts';
import { teacherData } from '../src/engine/nn/datasets.ts';
import { initWeights } from '../src/engine/nn/init.ts';
import { MlpProblem } from '../src/engine/nn/mlp.ts';
import type { Dataset, MlpArch } from '../src/engine/nn/mlp-spec.ts';
import { median, table } from './util.ts';

interface Net {
  label: string;
  arch: MlpArch;
  data: Dataset;
}

const NETS: Net[] = [
  { label: 'teacher 8→16→16→1', arch: { sizes: [8, 16, 16, 1], activation: 'tanh' }, data: teacherData(1) },
  { label: '8→128→144→1, n=256', arch: { sizes: [8, 128, 144, 1], activation: 'tanh' }, data: teacherData(1, 256) },
];

function timeF64(net: Net, reps: number): { gradMs: number; hvpMs: number; gdStepsPerSec: number; params: number } {
  const p = new MlpProblem(net.arch, net.data);
  const w = initWeights(net.arch, 2);
  const w2 = w.map((x) => x * (1 + 1e-6));
  const v = new Float64Array(p.dim).fill(1 / Math.sqrt(p.dim));
  const g = new Float64Array(p.dim);
  const h = new Float64Array(p.dim);
  for (let i = 0; i < 3; i++) p.hvp(i % 2 ? w : w2, v, h); // warm-up (JIT)
  const time = (f: (i: number) => void): number => {
    const ms: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      f(i);
      ms.push(performance.now() - t0);
    }
    return median(ms);
  };
  // Alternate points: the reference caches its forward pass by w, a GD loop never hits that cache.
  const gradMs = time((i) => p.grad(i % 2 ? w : w2, g));
  const hvpMs = time((i) => p.hvp(i % 2 ? w : w2, v, h));
  const steps = 50;
  const x = Float64Array.from(w);
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) {
    p.grad(x, g);
    for (let i = 0; i < x.length; i++) x[i] -= 1e-3 * g[i];
  }
  return { params: p.dim, gradMs, hvpMs, gdStepsPerSec: steps / ((performance.now() - t0) / 1000) };
}

export async function runGpuBench(): Promise<void> {
  const rows: string[][] = [];
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  for (const net of NETS) {
    const ref = timeF64(net, 9);
    rows.push([net.label, 'float64 TS', String(ref.params), f(ref.gradMs), f(ref.hvpMs), f(ref.gdStepsPerSec)]);
    const w = initWeights(net.arch, 2);
    for (const r of await measureBackends(['cpu', 'wasm'], net.arch, net.data, w, { reps: 7, gdSteps: 50 })) {
      if ('error' in r) rows.push([net.label, `tfjs-${r.backend}`, '', `failed: ${r.error}`, '', '']);
      else rows.push([net.label, `tfjs-${r.backend}`, String(r.params), f(r.gradMs), f(r.hvpMs), f(r.gdStepsPerSec)]);
    }
  }
  console.log(table(['net', 'path', 'params', 'ms/grad', 'ms/HVP', 'GD steps/s'], rows));
  console.log('tfjs GD runs on device with one read-back per 50 steps; float64 TS is single-threaded.');
}

// `npx tsx bench/gpu.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) await runGpuBench();
