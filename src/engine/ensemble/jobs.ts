/**
 * The two ensemble views as jobs: which trajectories (η and start per trajectory), how many steps, and
 * what the raw per-trajectory records (trajectories.ts layout, float64 from the CPU or float32 from the
 * GPU) mean: GD's outcome class and period, its time-averaged sharpness, its attractor, and each
 * flow's end state against GD's.
 *
 * Inputs are rounded to float32 on every path, so the GPU and the float64 CPU start from the same
 * numbers and the sampled comparison measures the arithmetic, not the rounding of η or the start.
 */
import type { ProblemSettings } from '../types.ts';
import { GD_STRIDE, FLOW_STRIDE, REC, type EnsembleFlow } from './trajectories.ts';
import { eig2 } from '../flows/spectrum.ts';

export const ENSEMBLE_FLOWS: EnsembleFlow[] = ['gd', 'rod-flow', 'central-flow', 'gradient-flow'];

export interface SweepJob {
  kind: 'sweep';
  problem: ProblemSettings;
  start: number[];
  etaLo: number;
  etaHi: number;
  /** Number of η values, log-spaced. */
  n: number;
  steps: number;
}

export interface MapJob {
  kind: 'map';
  problem: ProblemSettings;
  eta: number;
  x: [number, number];
  y: [number, number];
  nx: number;
  ny: number;
  steps: number;
}

export type EnsembleJob = SweepJob | MapJob;

export function trajectoryCount(job: EnsembleJob): number {
  return job.kind === 'sweep' ? job.n : job.nx * job.ny;
}

/** η of sweep trajectory i (log-spaced, float32). */
export function sweepEta(job: SweepJob, i: number): number {
  const t = job.n > 1 ? i / (job.n - 1) : 0;
  return Math.fround(Math.exp(Math.log(job.etaLo) + t * (Math.log(job.etaHi) - Math.log(job.etaLo))));
}

/** Start of map trajectory i = row·nx + col (cell centres; row 0 at the bottom, y lo). */
export function mapStart(job: MapJob, i: number): [number, number] {
  const col = i % job.nx;
  const row = Math.floor(i / job.nx);
  return [
    Math.fround(job.x[0] + ((col + 0.5) / job.nx) * (job.x[1] - job.x[0])),
    Math.fround(job.y[0] + ((row + 0.5) / job.ny) * (job.y[1] - job.y[0])),
  ];
}

/** (η, x0, y0) for trajectories [from, to), float32-rounded, as a flat array. */
export function jobInputs(job: EnsembleJob, from: number, to: number): Float32Array {
  const out = new Float32Array(3 * (to - from));
  for (let i = from; i < to; i++) {
    const o = 3 * (i - from);
    if (job.kind === 'sweep') {
      out[o] = sweepEta(job, i);
      out[o + 1] = job.start[0];
      out[o + 2] = job.start[1] ?? 0;
    } else {
      const [x, y] = mapStart(job, i);
      out[o] = job.eta;
      out[o + 1] = x;
      out[o + 2] = y;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// GD outcome

export const OUTCOMES = ['converges below the edge', 'settles at the edge', 'higher period / chaotic', 'diverges'] as const;
export type OutcomeClass = 0 | 1 | 2 | 3;
/** Converged with η·S̄/2 at least this is "at the edge" (the valley's GD ends at 0.987). */
export const EDGE_FRACTION = 0.95;
/** Period test: |w_{k+p} − w_k| ≤ PERIOD_TOL·(1 + max|w|) over the record (float32 noise ≈ 1e-7). */
export const PERIOD_TOL = 1e-4;

export interface GdSummary {
  cls: OutcomeClass;
  /** Smallest period among 1, 2, 4, 8, 16, 32 that fits the last iterates; 0: none (chaotic/unsettled). */
  period: number;
  /** Time-averaged λ₁ over the window; NaN when diverged. */
  meanS: number;
  /** GD's pair centre at time T, (w_T + w_{T+1})/2. */
  centre: [number, number];
  divStep: number;
}

export function gdSummary(rec: ArrayLike<number>, o: number, eta: number): GdSummary {
  const status = rec[o];
  const divStep = rec[o + 1];
  if (status !== 0) return { cls: 3, period: 0, meanS: NaN, centre: [NaN, NaN], divStep };
  const meanS = rec[o + 2] / rec[o + 3];
  let scale = 0;
  for (let j = 0; j < 2 * REC; j++) scale = Math.max(scale, Math.abs(rec[o + 8 + j]));
  const tol = PERIOD_TOL * (1 + scale);
  let period = 0;
  for (const p of [1, 2, 4, 8, 16, 32]) {
    let ok = true;
    for (let k = 0; k + p < REC && ok; k++) {
      const a = o + 8 + 2 * k;
      const b = o + 8 + 2 * (k + p);
      if (Math.abs(rec[a] - rec[b]) > tol || Math.abs(rec[a + 1] - rec[b + 1]) > tol) ok = false;
    }
    if (ok) {
      period = p;
      break;
    }
  }
  const cls: OutcomeClass = period === 1 ? ((eta * meanS) / 2 >= EDGE_FRACTION ? 1 : 0) : period === 2 ? 1 : 2;
  const l = o + 8 + 2 * (REC - 1);
  const centre: [number, number] = [0.5 * (rec[l - 2] + rec[l]), 0.5 * (rec[l - 1] + rec[l + 1])];
  return { cls, period, meanS, centre, divStep };
}

/** A flow's end state: position, Σ's top eigenvalue and direction (rod: δ = √s₁v₁). */
export interface FlowEnd {
  ok: boolean;
  w: [number, number];
  s1: number;
  v: [number, number];
  divStep: number;
}

const ev = new Float64Array(2);
const eu = new Float64Array(4);
export function flowEnd(rec: ArrayLike<number>, o: number): FlowEnd {
  eig2(rec[o + 4], rec[o + 5], rec[o + 6], ev, eu);
  return { ok: rec[o] === 0, w: [rec[o + 2], rec[o + 3]], s1: Math.max(0, ev[0]), v: [eu[0], eu[1]], divStep: rec[o + 1] };
}

export function strideFor(flow: EnsembleFlow): number {
  return flow === 'gd' ? GD_STRIDE : FLOW_STRIDE;
}

// ---------------------------------------------------------------------------------------------
// Comparing the GPU with float64

/** Relative tolerance of the float32 GPU against float64 on non-chaotic trajectories (end states). */
export const F32_TOL = 2e-3;

export interface CheckRow {
  index: number;
  flow: EnsembleFlow;
  chaotic: boolean;
  classGpu: number;
  classCpu: number;
  /** max |Δw| / (1 + |w|) at the end (NaN when not compared). */
  err: number;
  ok: boolean;
}

/**
 * Compares one trajectory's records. GD: when not chaotic (class 0 or 1) its last iterate must agree
 * within F32_TOL (the class may differ only on a threshold); chaotic or diverging: the class must agree. Flows: status must agree; when GD is not chaotic their
 * end position must agree within F32_TOL. Diverging trajectories compare in class only.
 */
export function compareRecords(flow: EnsembleFlow, gpu: ArrayLike<number>, og: number, cpu: ArrayLike<number>, oc: number, eta: number, gdClass: number): CheckRow {
  const chaotic = gdClass === 2 || gdClass === 3;
  if (flow === 'gd') {
    const a = gdSummary(gpu, og, eta);
    const b = gdSummary(cpu, oc, eta);
    let err = NaN;
    if (a.cls !== 3 && b.cls !== 3) {
      const l = 8 + 2 * (REC - 1);
      const sc = 1 + Math.max(Math.abs(cpu[oc + l]), Math.abs(cpu[oc + l + 1]));
      err = Math.max(Math.abs(gpu[og + l] - cpu[oc + l]), Math.abs(gpu[og + l + 1] - cpu[oc + l + 1])) / sc;
    }
    // A class is a threshold on continuous numbers (η·S̄/2 ≥ 0.95, the period test): a trajectory whose
    // end state agrees within F32_TOL but sits on a threshold may get the neighbouring label; it agrees.
    const ok = chaotic ? a.cls === b.cls || err <= F32_TOL : err <= F32_TOL;
    if (chaotic) err = NaN;
    return { index: -1, flow, chaotic, classGpu: a.cls, classCpu: b.cls, err, ok };
  }
  const ga = gpu[og];
  const ca = cpu[oc];
  let err = NaN;
  if (!chaotic && ga === 0 && ca === 0) {
    const sc = 1 + Math.max(Math.abs(cpu[oc + 2]), Math.abs(cpu[oc + 3]));
    err = Math.max(Math.abs(gpu[og + 2] - cpu[oc + 2]), Math.abs(gpu[og + 3] - cpu[oc + 3])) / sc;
  }
  const ok = (chaotic || ga === ca) && (Number.isNaN(err) || err <= F32_TOL);
  return { index: -1, flow, chaotic, classGpu: ga, classCpu: ca, err, ok };
}
