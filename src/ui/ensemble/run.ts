/**
 * Runs an ensemble job on WebGPU or on the CPU pool, batch by batch (progressive results), with the
 * sampled GPU-vs-float64 check, cancellation, and a cache keyed by the job and the path.
 */
import { ensembleProblem, type EnsembleProblem } from '../../engine/ensemble/problem.ts';
import { compareRecords, gdSummary, jobInputs, trajectoryCount, type CheckRow, type EnsembleJob } from '../../engine/ensemble/jobs.ts';
import { strideOf, type EnsembleFlow } from '../../engine/ensemble/trajectories.ts';
import { mulberry32 } from '../../engine/rng.ts';
import { cpuPool } from './cpu-pool.ts';
import { Cancelled, GpuEnsemble, gpuEnsemble } from './gpu.ts';

export type PathChoice = 'auto' | 'webgpu' | 'cpu';
export type PathUsed = 'webgpu' | 'cpu';

export interface FlowData {
  /** Records, trajectories.ts layout (float64; the GPU's float32 values widened). */
  data: Float64Array;
  /** Trajectories done so far (batches complete in order). */
  done: number;
}

export interface CheckSummary {
  rows: CheckRow[];
  agree: number;
  chaotic: number;
  maxErr: number;
  ms: number;
}

export interface EnsembleRun {
  key: string;
  job: EnsembleJob;
  n: number;
  path: PathUsed;
  /** Why this path ran (e.g. "WebGPU is not available here", "WGSL cannot express this loss …"). */
  note: string;
  flows: Partial<Record<EnsembleFlow, FlowData>>;
  check: Partial<Record<EnsembleFlow, CheckSummary>>;
  /** Wall time per flow (ms) and the adapter. */
  ms: Partial<Record<EnsembleFlow, number>>;
  adapter: string;
  error?: string;
  cancelled?: boolean;
}

/** Trajectories per batch: results appear batch by batch. */
function batchSize(job: EnsembleJob, flow: EnsembleFlow, path: PathUsed): number {
  const n = trajectoryCount(job);
  if (flow === 'gd') return Math.min(n, job.kind === 'sweep' ? 1024 : 8192);
  return Math.min(n, path === 'webgpu' ? 1024 : 256);
}

/** CPU tasks are split further so every worker of the pool gets work and cancel stays prompt. */
const CPU_TASK = 128;

const cache = new Map<string, EnsembleRun>();
export function jobKey(job: EnsembleJob, path: PathChoice): string {
  return JSON.stringify([job, path]);
}
export function cachedRun(key: string): EnsembleRun | undefined {
  return cache.get(key);
}

export interface RunHandle {
  run: EnsembleRun;
  cancel(): void;
  /** Resolves when every asked flow finished (or the run was cancelled / failed). */
  finished: Promise<EnsembleRun>;
}

/**
 * Which path runs `p`, and why. 'auto' takes WebGPU on a hardware adapter only: a software adapter
 * (SwiftShader, `isFallbackAdapter`) runs the kernels on the same CPU cores as the worker pool, in
 * float32 and several times slower than the float64 pool (bench/ensemble.ts), so auto picks the pool.
 */
export async function choosePath(p: EnsembleProblem, choice: PathChoice): Promise<{ path: PathUsed; note: string }> {
  const pool = `CPU (float64, ${cpuPool().size} worker${cpuPool().size > 1 ? 's' : ''})`;
  if (choice === 'cpu') return { path: 'cpu', note: `${pool}, as chosen` };
  if (!p.wgsl.source) return { path: 'cpu', note: `${pool}: ${p.wgsl.error ?? 'WGSL cannot express this loss'}` };
  if (!GpuEnsemble.available()) return { path: 'cpu', note: `${pool}: WebGPU is not available in this browser` };
  const dev = await gpuEnsemble().getDevice();
  if (!dev) return { path: 'cpu', note: `${pool}: no WebGPU adapter` };
  const name = gpuEnsemble().adapterName;
  if (choice === 'auto' && gpuEnsemble().software) {
    return { path: 'cpu', note: `${pool}: WebGPU here is a software adapter${name ? ` (${name})` : ''}, slower than the pool; pick WebGPU to use it anyway` };
  }
  return { path: 'webgpu', note: `WebGPU (float32)${name ? ` on ${name}` : ''}` };
}

/**
 * Starts (or resumes from the cache) `flows` of `job`. `onUpdate` is called after every batch.
 * Flows already complete in a cached run are not recomputed.
 */
export function startEnsemble(job: EnsembleJob, flows: EnsembleFlow[], choice: PathChoice, onUpdate: (r: EnsembleRun) => void, checkSample = 64): RunHandle {
  const key = jobKey(job, choice);
  const n = trajectoryCount(job);
  let run = cache.get(key);
  if (!run) {
    run = { key, job, n, path: 'cpu', note: '…', flows: {}, check: {}, ms: {}, adapter: '' };
    cache.set(key, run);
  }
  const r = run;
  r.cancelled = false;
  r.error = undefined;
  let cancelled = false;
  const finished = (async (): Promise<EnsembleRun> => {
    let p: EnsembleProblem;
    try {
      p = ensembleProblem(job.problem);
      const chosen = await choosePath(p, choice);
      r.path = chosen.path;
      r.note = chosen.note;
      r.adapter = gpuEnsemble().adapterName;
      onUpdate(r);
      for (const flow of flows) {
        const have = r.flows[flow];
        if (have && have.done === n) continue;
        const stride = strideOf(flow);
        const fd: FlowData = { data: new Float64Array(n * stride).fill(NaN), done: 0 };
        r.flows[flow] = fd;
        const t0 = performance.now();
        const bs = batchSize(job, flow, r.path);
        for (let from = 0; from < n; from += bs) {
          if (cancelled) throw new Cancelled();
          const to = Math.min(n, from + bs);
          const inputs = jobInputs(job, from, to);
          if (r.path === 'webgpu') {
            const out = await gpuEnsemble().runBatch(p, flow, inputs, job.steps, () => cancelled);
            fd.data.set(out, from * stride);
          } else {
            const tasks: Promise<void>[] = [];
            for (let a = 0; a < to - from; a += CPU_TASK) {
              const b = Math.min(to - from, a + CPU_TASK);
              const slice = inputs.subarray(3 * a, 3 * b);
              tasks.push(
                (async () => {
                  if (cancelled) return;
                  const d = await cpuPool().run(job.problem, flow, slice.slice(), job.steps);
                  fd.data.set(d, (from + a) * stride);
                })(),
              );
            }
            await Promise.all(tasks);
            if (cancelled) throw new Cancelled();
          }
          fd.done = to;
          r.ms[flow] = performance.now() - t0;
          onUpdate(r);
        }
        if (r.path === 'webgpu' && checkSample > 0) {
          r.check[flow] = await checkAgainstCpu(job, flow, fd.data, r.flows.gd?.data, checkSample);
          onUpdate(r);
        }
      }
    } catch (e) {
      if (e instanceof Cancelled) r.cancelled = true;
      else r.error = (e as Error).message;
      onUpdate(r);
    }
    return r;
  })();
  return {
    run: r,
    cancel: () => {
      cancelled = true;
    },
    finished,
  };
}

/**
 * The sampled check: `sample` random trajectories (seeded by the job) rerun in float64 on the CPU pool
 * and compared with the GPU's records (jobs.ts compareRecords: non-chaotic within F32_TOL, chaotic in
 * class only; GD's class decides which).
 */
export async function checkAgainstCpu(job: EnsembleJob, flow: EnsembleFlow, gpu: Float64Array, gd: Float64Array | undefined, sample: number): Promise<CheckSummary> {
  const t0 = performance.now();
  const n = trajectoryCount(job);
  const rnd = mulberry32(n * 7919 + job.steps);
  const idx = new Set<number>();
  while (idx.size < Math.min(sample, n)) idx.add(Math.floor(rnd() * n));
  const list = [...idx].sort((a, b) => a - b);
  const inputs = new Float32Array(3 * list.length);
  list.forEach((i, k) => inputs.set(jobInputs(job, i, i + 1), 3 * k));
  const stride = strideOf(flow);
  const gdStride = strideOf('gd');
  const parts: Promise<Float64Array>[] = [];
  for (let a = 0; a < list.length; a += 16) parts.push(cpuPool().run(job.problem, flow, inputs.slice(3 * a, 3 * Math.min(list.length, a + 16)), job.steps));
  const cpu = new Float64Array(list.length * stride);
  (await Promise.all(parts)).forEach((d, k) => cpu.set(d, 16 * k * stride));
  const rows = list.map((i, k) => {
    const eta = inputs[3 * k];
    const cls = gd ? gdSummary(gd, i * gdStride, eta).cls : flow === 'gd' ? gdSummary(cpu, k * stride, eta).cls : 0;
    const row = compareRecords(flow, gpu, i * stride, cpu, k * stride, eta, cls);
    row.index = i;
    return row;
  });
  const agree = rows.filter((r) => r.ok).length;
  const chaotic = rows.filter((r) => r.chaotic).length;
  const maxErr = rows.reduce((m, r) => (Number.isNaN(r.err) ? m : Math.max(m, r.err)), 0);
  return { rows, agree, chaotic, maxErr, ms: performance.now() - t0 };
}

/**
 * Test and benchmark hook (window.__rodflowEnsemble): run a job to the end on a path and report what
 * ran, the wall time per flow and the sampled check.
 */
export async function runJobForTest(job: EnsembleJob, flows: EnsembleFlow[], choice: PathChoice, checkSample = 64) {
  cache.delete(jobKey(job, choice));
  const h = startEnsemble(job, flows, choice, () => {}, checkSample);
  const r = await h.finished;
  const checks = Object.fromEntries(Object.entries(r.check).map(([f, c]) => [f, { agree: c!.agree, n: c!.rows.length, chaotic: c!.chaotic, maxErr: c!.maxErr, bad: c!.rows.filter((x) => !x.ok) }]));
  return { path: r.path, note: r.note, ms: r.ms, checks, error: r.error ?? null, done: Object.fromEntries(Object.entries(r.flows).map(([f, d]) => [f, d!.done])) };
}
if (typeof window !== 'undefined') {
  (window as unknown as { __rodflowEnsemble: unknown }).__rodflowEnsemble = {
    runJobForTest,
    gpu: () => gpuEnsemble(),
    poolSize: () => cpuPool().size,
    /** The problem's WGSL through the browser's compiler: error lines ([] when it compiles), or the generator's message. */
    compile: async (problem: EnsembleJob['problem']) => {
      const p = ensembleProblem(problem);
      return p.wgsl.source ? gpuEnsemble().compile(p) : [`unsupported: ${p.wgsl.error}`];
    },
  };
}
