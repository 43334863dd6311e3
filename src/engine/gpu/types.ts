/**
 * Contract of the tfjs (float32, possibly GPU) path. It mirrors `Problem` from ../types.ts with Promises,
 * because every read-back from a GPU is asynchronous (`await tensor.data()`; `dataSync` can lose a WebGPU
 * device). Inputs and outputs are float64 at the boundary so callers can mix this path with the float64
 * reference; the values inside are float32.
 */
import type { EvalCounters, Vec } from '../types.ts';

export type GpuBackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendChoice = GpuBackendName | 'auto';
/** Fallback order of explicit choices: a requested backend that fails falls back to the next one. */
export const BACKEND_ORDER: readonly GpuBackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface AsyncProblem {
  readonly dim: number;
  loss(w: Vec): Promise<number>;
  /** ∇L(w). */
  grad(w: Vec): Promise<Vec>;
  /** H(w)·v. */
  hvp(w: Vec, v: Vec): Promise<Vec>;
  /** T[a,b] = ∇³L(w)[a,b,·]. */
  third(w: Vec, a: Vec, b: Vec): Promise<Vec>;
  readonly counters?: EvalCounters;
  /** Top Hessian eigenpair (sharpness), warm-started from a previous eigenvector when given. */
  topEig?(w: Vec, warm?: Vec | null): Promise<TopEig>;
  /** Free device memory; the problem must not be used afterwards. */
  dispose?(): void;
}

/** What backend selection settled on, for display ("tfjs-webgpu (calibrated: 3.1 ms/HVP)"). */
export interface BackendInfo {
  name: GpuBackendName;
  /** The backend asked for. */
  requested: BackendChoice;
  /** Backends tried before this one that failed to initialise, with the reason. */
  failed: { name: GpuBackendName; reason: string }[];
  /** 'auto' only: ms per (gradient + HVP) of each backend timed, and whether the choice came from storage. */
  calibration?: { ms: Partial<Record<GpuBackendName, number>>; fromStorage: boolean; key: string };
}

/** Result of a top-eigenpair computation on device HVPs. */
export interface TopEig {
  value: number;
  /** Unit eigenvector (float64 copy), usable as the next warm start. */
  vector: Vec;
  /** HVPs spent. */
  hvps: number;
  converged: boolean;
}

/** Result of an on-device GD run. */
export interface GdRun {
  /** Final iterate w_steps. */
  w: Vec;
  /** losses[k] = L(w_k), k = 0..steps-1 (computed on device alongside each gradient). */
  losses: Float64Array;
  /** Steps actually done (fewer than asked when the loss became non-finite). */
  steps: number;
  /** Set when the loss became non-finite. */
  stopped?: string;
}
