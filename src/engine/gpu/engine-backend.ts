/**
 * Which engine runs a network's flows: the float64 reference, or its float32 twin on a tfjs backend
 * (TfSyncProblem, a synchronous `Problem`, so the lockstep flows run unchanged), or 'auto'.
 *
 * - 'float64' returns the problem unchanged and never loads tfjs.
 * - An explicit tfjs backend is tried first, then the ones after it in BACKEND_ORDER (webgpu → webgl →
 *   wasm → cpu), as selectBackend does; each failure is recorded with its reason. If none starts, the
 *   float64 reference runs (it always can), with every failure listed.
 * - 'auto' times one gradient + one HVP of the actual net (median after a warm-up) on float64 AND on
 *   every tfjs backend available here, and keeps the fastest. On small nets float64 wins: dispatch
 *   overhead dominates tfjs (docs/numerics.md), and that is the right answer. The choice is remembered per
 *   device and net shape in the given KeyValueStore.
 * - WebGPU: the flows need synchronous read-back, and tfjs-webgpu's `dataSync()` is the path
 *   docs/numerics.md warns about. Whether webgpu may serve the flows is WEBGPU_SYNC below, set from a
 *   measurement in headless Chromium (see its comment).
 *
 * Browser-Worker safe: no Node imports. tfjs, the backends, the tfjs problem and the float64 net (for
 * timing) load on demand, so the UI can import the names and labels below without any engine code.
 */
import type { KeyValueStore } from './backend.ts';
import type { Dataset, MlpArch } from '../nn/mlp-spec.ts';
import { InputError, type Problem, type Vec } from '../types.ts';
import { BACKEND_ORDER, type GpuBackendName } from './types.ts';

export type EngineChoice = 'float64' | 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['float64', 'auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
export const ENGINE_LABELS: Record<EngineChoice, string> = {
  float64: 'float64 CPU (reference)',
  auto: 'auto (fastest, calibrated)',
  webgpu: 'tfjs WebGPU (float32)',
  webgl: 'tfjs WebGL (float32)',
  wasm: 'tfjs wasm (float32)',
  cpu: 'tfjs CPU (float32)',
};

export interface EngineInfo {
  /** What actually runs. */
  name: 'float64' | GpuBackendName;
  requested: EngineChoice;
  /** Fallbacks tried before, with reasons. */
  failed: { name: string; reason: string }[];
  /** 'auto' only: ms per gradient + HVP of each engine timed. */
  calibrationMs?: Partial<Record<'float64' | GpuBackendName, number>>;
  /** 'auto' only: the choice was remembered from an earlier calibration. */
  fromStorage?: boolean;
  /** One line for display. */
  summary: string;
}

export interface EngineProblem {
  problem: Problem;
  info: EngineInfo;
  dispose(): void;
}

export interface EngineOptions {
  /** 'auto': where the choice is remembered (localStorage, a JSON file in the CLI). Without it, every call calibrates. */
  storage?: KeyValueStore;
  /** Restrict the tfjs backends considered (default: those this environment can have). */
  candidates?: GpuBackendName[];
  /** 'auto': timed repetitions per engine (median). Default 5. */
  reps?: number;
}

/**
 * May tfjs-webgpu serve the synchronous flows? No. Measured in headless Chromium 156 (SwiftShader
 * adapter, --enable-unsafe-webgpu), TfSyncProblem on the teacher net (P = 433), in a dedicated Web Worker
 * and on the page alike: every `dataSync()` gradient read back all zeros (‖g‖ = 0 against 1.59 in float64),
 * at a median 5.3 ms per call (p90 45–62 ms, max 0.4–1.2 s), and after 193 calls the device was lost
 * ("A valid external Instance reference no longer exists"; the next createBuffer failed). The same 2000
 * calls on webgl: 13.2 ms median, all equal, 1.1e-7 from float64; on wasm 1.0–1.3 ms. So 'webgpu' falls
 * back to the next backend with WEBGPU_SYNC_NOTE as the reason; WebGPU stays for the async paths (TfMlp).
 */
export const WEBGPU_SYNC: boolean = false;
export const WEBGPU_SYNC_NOTE =
  'WebGPU reads back asynchronously only; the lockstep flows need synchronous reads. Measured in Chromium (SwiftShader): tfjs-webgpu dataSync returned zeros and lost the device after 193 gradients';

export const ENGINE_STORAGE_PREFIX = 'rodflow.engine:';

type Engine = 'float64' | GpuBackendName;

function isChoice(c: unknown): c is EngineChoice {
  return typeof c === 'string' && (ENGINE_CHOICES as readonly string[]).includes(c);
}

function netOf(problem: Problem): { arch: MlpArch; data: Dataset } | null {
  const p = problem as Partial<{ arch: MlpArch; data: Dataset }>;
  return p && p.arch && p.data && Array.isArray(p.arch.sizes) ? { arch: p.arch, data: p.data } : null;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const fmtMs = (ms: number): string => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Median ms of one gradient + one HVP at w, after an untimed warm-up (JIT, shader compilation, wasm start). */
function timeGradHvp(p: Problem, w: Vec, reps: number): number {
  const v = new Float64Array(p.dim).fill(1 / Math.sqrt(p.dim));
  const g = new Float64Array(p.dim);
  const h = new Float64Array(p.dim);
  // Alternate two nearby points so every gradient pays its forward pass / upload, as in a real step.
  const w2 = Float64Array.from(w, (x) => x * (1 + 1e-7) + 1e-9);
  // Warm up by time, not by count: V8 needs dozens of calls before the float64 loops are optimised
  // (measured: one warm-up call left float64 at 5.6 ms per grad+HVP on the teacher, against 0.76 warm,
  // which let wasm tie it).
  const tw = now();
  for (let i = 0; i < 50 && (i < 2 || now() - tw < 60); i++) {
    p.grad(i % 2 ? w2 : w, g);
    p.hvp(i % 2 ? w2 : w, v, h);
  }
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const x = i % 2 ? w2 : w;
    const t0 = now();
    p.grad(x, g);
    p.hvp(x, v, h);
    t.push(now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

function label(name: Engine): string {
  return name === 'float64' ? 'float64 CPU' : `tfjs-${name} float32`;
}

function calibrationText(ms: Partial<Record<Engine, number>>, fromStorage: boolean): string {
  const parts = (Object.entries(ms) as [Engine, number][]).map(([n, t]) => `${n} ${fmtMs(t)} ms`);
  return `auto${fromStorage ? ', remembered' : ''}: ${parts.join(', ')} per grad+HVP`;
}

function float64Engine(problem: Problem, info: Omit<EngineInfo, 'name' | 'summary'>, summary?: string): EngineProblem {
  return {
    problem,
    info: { name: 'float64', ...info, summary: summary ?? ENGINE_LABELS.float64 },
    dispose() {},
  };
}

/**
 * The network problem on the chosen engine. For network problems only (InputError otherwise, unless the
 * choice is 'float64'). 'float64' returns `problem` unchanged without touching tfjs.
 */
export async function networkProblemOn(problem: Problem, w0: Vec, choice: EngineChoice, opts: EngineOptions = {}): Promise<EngineProblem> {
  if (!isChoice(choice)) throw new InputError(`Unknown engine '${String(choice)}' (use ${ENGINE_CHOICES.join(', ')}).`);
  if (choice === 'float64') return float64Engine(problem, { requested: 'float64', failed: [] });
  const net = netOf(problem);
  if (!net) throw new InputError(`The ${ENGINE_LABELS[choice]} engine runs network problems only; toy and custom problems run on float64.`);
  if (!(w0 instanceof Float64Array) || w0.length !== problem.dim)
    throw new InputError(`The start point must be a Float64Array of length ${problem.dim} (got ${(w0 as { length?: number } | null)?.length}).`);

  const backend = await import('./backend.ts');
  const { TfSyncProblem } = await import('./sync-problem.ts');
  const env = opts.candidates ?? backend.environmentBackends();
  const failed: EngineInfo['failed'] = [];

  /** Starts a tfjs backend and builds the twin on it; null (with the reason in `failed`) on failure. */
  const start = async (name: GpuBackendName): Promise<InstanceType<typeof TfSyncProblem> | null> => {
    if (name === 'webgpu' && !WEBGPU_SYNC) {
      failed.push({ name, reason: WEBGPU_SYNC_NOTE });
      return null;
    }
    const err = await backend.tryBackend(name);
    if (err !== null) {
      failed.push({ name, reason: err });
      return null;
    }
    let p: InstanceType<typeof TfSyncProblem> | null = null;
    try {
      p = new TfSyncProblem(net.arch, net.data);
      const g = p.grad(w0); // smoke test: a backend that starts but cannot compute is a failure
      if (!g.every(Number.isFinite)) throw new Error('the gradient at the start is not finite');
      p.counters.grad = 0;
      return p;
    } catch (e) {
      p?.dispose();
      failed.push({ name, reason: errText(e) });
      return null;
    }
  };
  const tfEngine = (p: InstanceType<typeof TfSyncProblem>, name: GpuBackendName, extra: Partial<EngineInfo>, note: string): EngineProblem => ({
    problem: p,
    info: { name, requested: choice, failed, ...extra, summary: `${label(name)}${note ? ` (${note})` : ''}` },
    dispose: () => p.dispose(),
  });
  const fellBack = () => (failed.length ? `fell back from ${failed.map((f) => f.name).join(', ')}` : '');

  if (choice !== 'auto') {
    const order = [choice, ...BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(choice) + 1).filter((b) => env.includes(b))];
    for (const name of order) {
      const p = await start(name);
      if (p) return tfEngine(p, name, {}, fellBack());
    }
    return float64Engine(problem, { requested: choice, failed }, `${label('float64')} (no tfjs backend started: ${failed.map((f) => f.name).join(', ')})`);
  }

  // auto: remembered per device and per net shape (the best engine depends on the size).
  const key = `${ENGINE_STORAGE_PREFIX}${await backend.deviceKey()} | ${net.arch.sizes.join('-')} ${net.arch.activation} n=${net.data.n}`;
  const stored = readRecord(opts.storage, key);
  if (stored && (stored.name === 'float64' || env.includes(stored.name))) {
    const extra = { calibrationMs: stored.ms, fromStorage: true };
    if (stored.name === 'float64') return float64Engine(problem, { requested: 'auto', failed, ...extra }, `${label('float64')} (${calibrationText(stored.ms, true)})`);
    const p = await start(stored.name);
    if (p) return tfEngine(p, stored.name, extra, calibrationText(stored.ms, true));
    failed.length = 0; // the remembered backend no longer starts: calibrate afresh
  }

  const reps = Math.max(1, Math.floor(opts.reps ?? 5));
  const ms: Partial<Record<Engine, number>> = {};
  // A fresh float64 twin, so the caller's problem counters are not touched by the timing.
  const { MlpProblem } = await import('../nn/mlp.ts');
  ms.float64 = timeGradHvp(new MlpProblem(net.arch, net.data), w0, reps);
  for (const name of env) {
    const p = await start(name);
    if (!p) continue;
    try {
      ms[name] = timeGradHvp(p, w0, reps);
    } catch (e) {
      failed.push({ name, reason: `calibration failed: ${errText(e)}` });
    } finally {
      p.dispose();
    }
  }
  const best = (Object.entries(ms) as [Engine, number][]).sort((a, b) => a[1] - b[1])[0][0];
  const extra = { calibrationMs: ms, fromStorage: false };
  const keep = () => {
    try {
      opts.storage?.setItem(key, JSON.stringify({ name: best, ms }));
    } catch {
      /* storage full or unwritable: the next run calibrates again */
    }
  };
  if (best === 'float64') {
    keep();
    return float64Engine(problem, { requested: 'auto', failed, ...extra }, `${label('float64')} (${calibrationText(ms, false)})`);
  }
  const p = await start(best);
  if (!p) return float64Engine(problem, { requested: 'auto', failed, ...extra }, `${label('float64')} (${best} won the calibration but failed to restart)`);
  keep();
  return tfEngine(p, best, extra, calibrationText(ms, false));
}

function readRecord(storage: KeyValueStore | undefined, key: string): { name: Engine; ms: Partial<Record<Engine, number>> } | null {
  let text: string | null = null;
  try {
    text = storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
  if (!text) return null;
  try {
    const rec = JSON.parse(text) as { name?: unknown; ms?: unknown };
    const ok = rec.name === 'float64' || (BACKEND_ORDER as readonly unknown[]).includes(rec.name);
    if (!ok || typeof rec.ms !== 'object' || rec.ms === null) return null;
    return { name: rec.name as Engine, ms: rec.ms as Partial<Record<Engine, number>> };
  } catch {
    return null; // unreadable record: calibrate again
  }
}
