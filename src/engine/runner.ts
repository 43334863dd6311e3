/**
 * Runs several flows in lockstep from one start and records them with bounded memory.
 *
 * - Every flow advances by exactly one GD step per runner step, so sample i of every trace is at the
 *   same time t0 + i·stride.
 * - Traces are preallocated typed arrays of `capacity` samples. When full, every trace keeps its
 *   even-indexed samples (2:1 thinning), the stride doubles and `generation` increments, so memory
 *   stays bounded however long the run (a consumer streaming by index re-reads from 0 on a new
 *   generation).
 * - w/delta rows: the full vector when dim ≤ 64, else its coordinates ⟨w − o, e_j⟩ on two fixed
 *   seeded random orthonormal directions e₁, e₂ (`projected`; delta uses ⟨δ, e_j⟩), o = config.origin
 *   (a fork keeps its run's origin) or else the start w₀.
 * - The columns and their thinning are engine/trace.ts's; Central Flow's Σ direction (sigmaDir) is its
 *   own sample's top eigenvector of Σ, recorded when rows are full vectors.
 * - dist = ‖w_flow − w̄_GD‖ in the full space, w̄_GD GD's pair centre at the same step (NaN when GD is
 *   not running or has stopped; for GD itself it is ‖w_k − w̄_k‖ = |δ_k|).
 */
import { mulberry32 } from './rng.ts';
import { createProblem } from './problems/registry.ts';
import { getFlowSpec } from './flows/registry.ts';
import { checkEta } from './eta.ts';
import { allocTrace, MAX_RECORDED_DIM, thinTrace, type TraceColumn } from './trace.ts';
import { FLOW_IDS, InputError, type Flow, type FlowId, type ProblemInstance, type RunConfig, type RunnerApi, type Trace, type Vec } from './types.ts';

export { MAX_RECORDED_DIM } from './trace.ts';
export const DEFAULT_CAPACITY = 4096;
/** Seed of the projection directions (fixed: the same problem always projects the same way). */
const PROJECTION_SEED = 0x5eed;

interface Slot {
  id: FlowId;
  flow: Flow;
  trace: Trace;
}


/** Two orthonormal directions in R^n from a seeded Gaussian (Box–Muller) draw, Gram–Schmidt. */
export function projectionBasis(n: number, seed = PROJECTION_SEED): [Vec, Vec] {
  const rnd = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const e1 = new Float64Array(n);
  const e2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    e1[i] = gauss();
    e2[i] = gauss();
  }
  const nrm = (v: Vec) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const n1 = nrm(e1);
  for (let i = 0; i < n; i++) e1[i] /= n1;
  let c = 0;
  for (let i = 0; i < n; i++) c += e1[i] * e2[i];
  for (let i = 0; i < n; i++) e2[i] -= c * e1[i];
  const n2 = nrm(e2);
  for (let i = 0; i < n; i++) e2[i] /= n2;
  return [e1, e2];
}

function checkConfig(config: RunConfig): void {
  if (!config || typeof config !== 'object') throw new InputError('A run configuration is required.');
  const { eta, steps, flows } = config;
  checkEta(eta);
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0) throw new InputError(`Number of steps must be a non-negative integer (got ${String(steps)}).`);
  if (!Array.isArray(flows) || flows.length === 0) throw new InputError('Choose at least one flow to run.');
  const seen = new Set<string>();
  for (const f of flows) {
    if (!(FLOW_IDS as readonly string[]).includes(f)) throw new InputError(`Unknown flow '${String(f)}' (known: ${FLOW_IDS.join(', ')}).`);
    if (seen.has(f)) throw new InputError(`Flow '${f}' is listed twice.`);
    seen.add(f);
  }
  const cap = config.capacity;
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 4 || cap % 2 !== 0)) {
    throw new InputError(`Trace capacity must be an even integer ≥ 4 (got ${String(cap)}).`);
  }
  const k = config.eigK;
  if (k !== undefined && (!Number.isInteger(k) || k < 1)) throw new InputError(`eigK must be a positive integer (got ${String(k)}).`);
  const t0 = config.t0;
  if (t0 !== undefined && (!Number.isInteger(t0) || t0 < 0)) throw new InputError(`t0 must be a non-negative integer (got ${String(t0)}).`);
}

export class Runner implements RunnerApi {
  readonly config: RunConfig;
  readonly instance: ProblemInstance;
  step = 0;
  generation = 0;
  readonly traces: Partial<Record<FlowId, Trace>> = {};
  private readonly slots: Slot[];
  private readonly capacity: number;
  private readonly t0: number;
  private readonly eigK: number;
  private readonly wDim: number;
  private readonly basis: [Vec, Vec] | null;
  private readonly w0: Vec;
  /** Origin of the projection plane (projected rows only). */
  private readonly origin: Vec;
  private stride = 1;
  /** Runner step of the last record() (the final step is recorded even off the stride grid). */
  private lastRecorded = -1;
  private gd: Slot | undefined;

  /**
   * `instance`: an already-built problem for `config.problem` (e.g. its tfjs float32 twin chosen by the
   * worker's engine select); omitted = built here from the registry.
   */
  constructor(config: RunConfig, instance?: ProblemInstance) {
    checkConfig(config);
    this.config = config;
    this.instance = instance ?? createProblem(config.problem);
    const problem = this.instance.problem;
    const n = problem.dim;
    const start = config.start ?? Array.from(this.instance.start);
    if (!Array.isArray(start)) throw new InputError('The start point must be a list of numbers.');
    if (start.length !== n) throw new InputError(`The start point has ${start.length} coordinates but '${this.instance.label}' has dimension ${n}.`);
    this.w0 = Float64Array.from(start as ArrayLike<number>);
    for (let i = 0; i < n; i++) if (!Number.isFinite(this.w0[i])) throw new InputError(`Start coordinate ${i + 1} is not a finite number (${String(start[i])}).`);
    this.capacity = config.capacity ?? DEFAULT_CAPACITY;
    this.t0 = config.t0 ?? 0;
    this.eigK = Math.min(n, config.eigK ?? 2);
    const projected = n > MAX_RECORDED_DIM;
    this.wDim = projected ? 2 : n;
    this.basis = projected ? projectionBasis(n) : null;
    const origin = config.origin;
    if (origin !== undefined && (!Array.isArray(origin) || origin.length !== n || !origin.every(Number.isFinite)))
      throw new InputError(`The projection origin must be ${n} finite numbers.`);
    this.origin = origin ? Float64Array.from(origin) : this.w0;

    this.slots = config.flows.map((id) => {
      const spec = getFlowSpec(id);
      const flow = spec.create(problem, config.eta, this.w0, { ...(config.flowOptions?.[id] ?? {}), t0: this.t0, eigK: this.eigK });
      // Optional columns: what this flow's samples carry (a rod's δ; Σ's direction when rows are full).
      const first = flow.sample();
      const optional: TraceColumn[] = [];
      if (first.delta) optional.push('delta');
      if (first.sigma && !projected) optional.push('sigmaDir');
      const trace = allocTrace(id, this.capacity, this.wDim, this.eigK, projected, optional);
      trace.stopped = flow.stopped;
      this.traces[id] = trace;
      return { id, flow, trace };
    });
    this.gd = this.slots.find((s) => s.id === 'gd');
    this.record();
  }

  get done(): boolean {
    return this.step >= this.config.steps || this.slots.every((s) => s.flow.stopped);
  }

  advance(n: number): void {
    if (!Number.isFinite(n) || n < 0) throw new InputError(`advance(n) needs a non-negative number of steps (got ${n}).`);
    for (let i = 0; i < n && !this.done; i++) {
      for (const s of this.slots) {
        if (!s.flow.stopped) {
          s.flow.advance();
          if (s.flow.stopped) s.trace.stopped = s.flow.stopped;
        }
      }
      this.step++;
      if (this.step % this.stride === 0) this.record();
    }
    // The last step is always recorded, on the stride grid or not (a run file ends where the run did).
    if (this.done && this.lastRecorded !== this.step) this.record();
  }

  currentState(): Vec {
    const s = this.gd ?? this.slots[0];
    return Float64Array.from(s.flow.sample().w);
  }

  /** Record every running flow at the current step (thinning first when full). */
  private record(): void {
    this.lastRecorded = this.step;
    const running = this.slots.filter((s) => !s.flow.stopped || s.trace.length === 0);
    if (running.some((s) => s.trace.length >= this.capacity)) this.thin();
    const t = this.t0 + this.step;
    let centre: Vec | null = null;
    if (this.gd && running.includes(this.gd)) {
      const gs = this.gd.flow.sample();
      centre = gs.centre ?? gs.w;
      this.write(this.gd, gs, t, centre);
    }
    for (const s of running) if (s !== this.gd) this.write(s, s.flow.sample(), t, centre);
  }

  private write(s: Slot, smp: ReturnType<Flow['sample']>, t: number, centre: Vec | null): void {
    const tr = s.trace;
    const i = tr.length;
    const wd = this.wDim;
    tr.t[i] = t;
    this.putRow(tr.w, i, smp.w, true);
    if (tr.delta) {
      if (smp.delta) this.putRow(tr.delta, i, smp.delta, false);
      else tr.delta.fill(0, i * wd, (i + 1) * wd);
    }
    tr.loss[i] = smp.loss;
    tr.predictedLoss[i] = smp.predictedLoss;
    const k = this.eigK;
    for (let j = 0; j < k; j++) tr.sharpness[i * k + j] = j < smp.sharpness.length ? smp.sharpness[j] : NaN;
    tr.osc[i] = smp.osc;
    if (tr.sigmaDir) {
      const u = smp.sigma && smp.sigma.values.length ? smp.sigma.vectors[0] : null;
      if (u) tr.sigmaDir.set(u, i * wd);
      else tr.sigmaDir.fill(0, i * wd, (i + 1) * wd);
    }
    let d = NaN;
    if (centre) {
      d = 0;
      const w = smp.w;
      for (let c = 0; c < w.length; c++) {
        const x = w[c] - centre[c];
        d += x * x;
      }
      d = Math.sqrt(d);
    }
    tr.dist[i] = d;
    tr.length = i + 1;
  }

  private putRow(dst: Float64Array, i: number, v: Vec, relative: boolean): void {
    if (!this.basis) {
      dst.set(v, i * this.wDim);
      return;
    }
    const [e1, e2] = this.basis;
    const w0 = this.origin;
    let a = 0;
    let b = 0;
    for (let c = 0; c < v.length; c++) {
      const x = relative ? v[c] - w0[c] : v[c];
      a += x * e1[c];
      b += x * e2[c];
    }
    dst[2 * i] = a;
    dst[2 * i + 1] = b;
  }

  /** Keep even-indexed samples of every trace, double the stride. */
  private thin(): void {
    for (const s of this.slots) thinTrace(s.trace);
    this.stride *= 2;
    for (const s of this.slots) s.trace.stride = this.stride;
    this.generation++;
  }
}

export function createRunner(config: RunConfig, instance?: ProblemInstance): Runner {
  return new Runner(config, instance);
}
