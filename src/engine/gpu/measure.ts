/**
 * Timing of the tfjs network path, usable in Node (bench/gpu.ts) and in a browser page alike (no DOM,
 * no Node APIs): ms per gradient, ms per HVP and GD steps per second on the active backend, or on each
 * of a list of backends. Medians after a warm-up, because the first calls compile shaders / start wasm.
 */
import type { Dataset, MlpArch } from '../nn/mlp-spec.ts';
import type { Vec } from '../types.ts';
import { tryBackend } from './backend.ts';
import { TfMlp } from './tf-mlp.ts';
import type { GpuBackendName } from './types.ts';

export interface TfTiming {
  backend: string;
  params: number;
  gradMs: number;
  hvpMs: number;
  gdStepsPerSec: number;
}

export interface MeasureOptions {
  /** Timed repetitions of grad and of HVP (median reported). Default 5. */
  reps?: number;
  /** GD steps in the timed on-device run (read back once at the end). Default 50. */
  gdSteps?: number;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

async function median(reps: number, f: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    await f();
    t.push(now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

/** Times the net on the backend that is active now. */
export async function measureTfMlp(arch: MlpArch, data: Dataset, w: Vec, opts: MeasureOptions = {}): Promise<Omit<TfTiming, 'backend'>> {
  const reps = opts.reps ?? 5;
  const gdSteps = opts.gdSteps ?? 50;
  const p = new TfMlp(arch, data);
  try {
    const v = new Float64Array(p.dim).fill(1 / Math.sqrt(p.dim));
    await p.grad(w);
    await p.hvp(w, v);
    await p.runGD(w, 1e-3, 2, { readEvery: 2 });
    // Alternate two nearby points so every grad call pays its upload like a real GD loop would.
    const w2 = Float64Array.from(w, (x) => x * (1 + 1e-6));
    let flip = false;
    const gradMs = await median(reps, () => p.grad((flip = !flip) ? w : w2));
    const hvpMs = await median(reps, () => p.hvp(w, v));
    const t0 = now();
    await p.runGD(w, 1e-3, gdSteps, { readEvery: gdSteps });
    const gdStepsPerSec = gdSteps / ((now() - t0) / 1000);
    return { params: p.dim, gradMs, hvpMs, gdStepsPerSec };
  } finally {
    p.dispose();
  }
}

/** Times the net on each backend that starts here; a backend that fails is reported with its reason. */
export async function measureBackends(
  backends: GpuBackendName[],
  arch: MlpArch,
  data: Dataset,
  w: Vec,
  opts: MeasureOptions = {},
): Promise<(TfTiming | { backend: string; error: string })[]> {
  const out: (TfTiming | { backend: string; error: string })[] = [];
  for (const b of backends) {
    const err = await tryBackend(b);
    if (err !== null) {
      out.push({ backend: b, error: err });
      continue;
    }
    out.push({ backend: b, ...(await measureTfMlp(arch, data, w, opts)) });
  }
  return out;
}
