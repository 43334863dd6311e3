/**
 * The engine's shared contract. Everything under src/engine is pure TypeScript (no DOM, no React) and
 * float64; it runs in a Web Worker, in Node (CLI, tests, benchmarks) and in the browser alike.
 *
 * Time is measured in GD steps everywhere: one unit of time = one GD step (docs/equations.md).
 */

export type Vec = Float64Array;

/** How many derivative evaluations a problem has served; used to report cost in gradient units. */
export interface EvalCounters {
  loss: number;
  grad: number;
  hvp: number;
  third: number;
  /** Dense Hessians served (`Problem.hessian`), when the problem has one. */
  hessian?: number;
}

/** A twice-and-thrice differentiable loss in float64. Methods must not keep references to inputs. */
export interface Problem {
  readonly dim: number;
  loss(w: Vec): number;
  /** ∇L(w); writes into `out` when given and returns it. */
  grad(w: Vec, out?: Vec): Vec;
  /** H(w)·v. */
  hvp(w: Vec, v: Vec, out?: Vec): Vec;
  /** T[a,b] = ∇³L(w)[a,b,·], a vector. `∇(uᵀH u)` with u fixed is `third(w,u,u)`. */
  third(w: Vec, a: Vec, b: Vec, out?: Vec): Vec;
  /** Dense Hessian, row-major dim×dim. Present for low-dimensional problems (toys, custom). */
  hessian?(w: Vec, out?: Vec): Vec;
  /** Optional evaluation counters (incremented by the problem on every call). */
  readonly counters?: EvalCounters;
  /**
   * Unit round-off of the arithmetic behind the values (float64 2⁻⁵³ when absent; a float32 twin sets
   * 2⁻²⁴). Solvers raise their tolerances to a multiple of it (flows/precision.ts).
   */
  readonly roundoff?: number;
}

/** A numeric parameter of a problem, shown as a control and carried in the URL. */
export interface ParamSpec {
  key: string;
  label: string;
  default: number;
  min: number;
  max: number;
  step?: number;
  integer?: boolean;
  /** Log-scale slider. */
  log?: boolean;
  help?: string;
  /**
   * When the parameter means something: only while the problem's choice `choice` (its default when unset)
   * is one of `in` (e.g. the teacher's weight scale only for dataset = teacher). Absent = always. The page
   * shows only parameters that apply and its links leave the others out (problems/params.ts paramApplies).
   */
  when?: { choice: string; in: readonly string[] };
}

/** A discrete setting of a problem (dataset, activation, ...). */
export interface ChoiceSpec {
  key: string;
  label: string;
  default: string;
  choices: { value: string; label: string }[];
  help?: string;
}

export interface ProblemDefaults {
  eta: number;
  /** Default start point. Empty for networks (their start is the seeded initial weights). */
  start: number[];
  steps: number;
  /** Plot window for 1-D/2-D problems. For 1-D, `y` is the loss range. */
  window?: { x: [number, number]; y?: [number, number] };
}

/** What a person sets to pick a problem: id plus the values of its params/choices (and expression). */
export interface ProblemSettings {
  id: string;
  params?: Record<string, number>;
  choices?: Record<string, string>;
  /** Custom problems only: the loss as an expression in x (and y) and named parameters. */
  expr?: string;
}

/** A built problem plus what the UI/CLI need around it. */
export interface ProblemInstance {
  problem: Problem;
  /** The concrete settings after defaults were filled in. */
  settings: Required<Pick<ProblemSettings, 'id' | 'params'>> & ProblemSettings;
  /** Default start (toys: defaults.start; networks: the seeded initial weights). */
  start: Vec;
  /** Short label, e.g. "valley (a=0.5)". */
  label: string;
  /** Present for 1-D and 2-D problems: the plot window. */
  window?: { x: [number, number]; y?: [number, number] };
}

export interface ProblemSpec {
  id: string;
  name: string;
  /** One line shown under the selector and in `rodflow problems`. */
  description: string;
  kind: 'toy' | 'custom' | 'network';
  /** Dimension for toys/custom; networks compute theirs from their settings. */
  dim?: number;
  params: ParamSpec[];
  choices?: ChoiceSpec[];
  defaults: ProblemDefaults;
  /** Build a problem. Throws `InputError` with a precise, human message on bad input. */
  create(settings: ProblemSettings): ProblemInstance;
}

/** Bad input from a person (expression, parameter, URL, file): the message is shown as is. */
export class InputError extends Error {
  /** 0-based character position in the offending text, when there is one. */
  readonly position?: number;
  constructor(message: string, position?: number) {
    super(message);
    this.name = 'InputError';
    this.position = position;
  }
}

/**
 * The device behind a problem is gone (a lost WebGL context or WebGPU device, gpu/tf-net.ts). It is not
 * the flow's doing, so the flows' watchdog lets it escape instead of stopping the flow with it, and the
 * worker restarts the run on the float64 reference (worker/host.ts).
 */
export class EngineLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineLostError';
  }
}

/** By name: the error may come from another copy of this module (a worker bundle, a test's import). */
export const isEngineLost = (e: unknown): boolean => e instanceof Error && e.name === 'EngineLostError';

// ---------------------------------------------------------------------------------------------
// Flows

export type FlowId = 'gd' | 'gradient-flow' | 'central-flow' | 'rod-flow';
export const FLOW_IDS: readonly FlowId[] = ['gd', 'gradient-flow', 'central-flow', 'rod-flow'];

export type FlowOptions = Record<string, number | boolean | string>;

export interface OptionSpec {
  key: string;
  label: string;
  type: 'boolean' | 'choice' | 'number';
  default: number | boolean | string;
  choices?: { value: string; label: string }[];
  min?: number;
  max?: number;
  help?: string;
}

export interface StopInfo {
  /** Integer GD step at which the flow stopped. */
  step: number;
  /** Human sentence, e.g. "loss became non-finite at step 41; λ₁ = 7.1 had passed 2/η = 6.67 at step 12". */
  reason: string;
}

/** A flow's state at its current time t (an integer number of GD steps). */
export interface FlowSample {
  /** GD: the iterate w_k. Gradient/central flow: the state. Rod flow: the rod's centre w̄. Owned by the flow: copy to keep. */
  w: Vec;
  /** GD: pair centre (w_k + w_{k+1})/2. Rod flow: same as w. */
  centre?: Vec;
  /** GD and rod flow: half-difference δ (ends are centre ± δ). */
  delta?: Vec;
  /** L(w). */
  loss: number;
  /**
   * The model's prediction of GD's time-averaged loss. GD: pair mean (L(w_k)+L(w_{k+1}))/2.
   * Gradient flow: L(w). Central flow: L(w) + tr Σ/η. Rod flow: (L(w̄+δ) + L(w̄−δ))/2.
   */
  predictedLoss: number;
  /** Top eigenvalues of H(w), descending (at least the largest). */
  sharpness: number[];
  /** Oscillation size: |δ|² (GD, rod flow), tr Σ (central flow), 0 (gradient flow). */
  osc: number;
  /** Central flow: Σ's eigen-decomposition (values descending). */
  sigma?: { values: number[]; vectors: Vec[] };
  /**
   * The model's prediction of GD's time-averaged squared gradient norm. Central flow: ‖g‖² + 4 tr Σ/η²
   * (docs/equations.md §3); the other flows omit it.
   */
  predictedGradSq?: number;
}

export interface Flow {
  readonly id: FlowId;
  /** Current time, in GD steps (an integer after every `advance`). */
  readonly t: number;
  /** Advance by exactly one unit of time. On divergence it sets `stopped` and leaves the last finite state. */
  advance(): void;
  /** The state at time t. */
  sample(): FlowSample;
  stopped: StopInfo | null;
}

/** How the UI draws a flow: set in the flow registry (flows/registry.ts), so adding a flow touches no component. */
export interface FlowLook {
  /** Two-letter name for tight spots (onset labels): 'GD', 'GF', 'CF', 'RF'. */
  short: string;
  /** Line dash (SVG/canvas dash string); undefined = solid. */
  dash?: string;
  /** The ground truth the others are compared with (GD): no distance-to-GD series; raw and smoothed loss. */
  reference?: boolean;
  /** Label of its oscillation-size series (|δ|², σ²); absent = it has none. */
  osc?: string;
  /** Label of its predicted-average-loss series; absent = it has none. */
  predictedLoss?: string;
  /** What its recorded centre is called ('GD pair centre', 'Rod Flow w̄'); default: its name. */
  centre?: string;
  /** Suffix of its path's legend label in the plane, e.g. ' (centre w̄)'. */
  pathSuffix?: string;
  /** Its overlay at the playhead in the plane (lo..hi columns): a rod with end caps, or a ±σ segment. */
  overlay?: { kind: 'rod' | 'segment'; label: string; width: number; dash?: string };
}

export interface FlowSpec {
  id: FlowId;
  name: string;
  /** Colour-blind-safe palette colour (Okabe–Ito). */
  color: string;
  /** Presentation (dash, short name, series labels); the registry sets it. */
  look?: FlowLook;
  description: string;
  options: OptionSpec[];
  create(problem: Problem, eta: number, w0: Vec, options?: FlowOptions): Flow;
}

// ---------------------------------------------------------------------------------------------
// Runner (several flows in lockstep from one start, recorded with bounded memory)

export interface RunConfig {
  problem: ProblemSettings;
  eta: number;
  /** Start point; omitted = the problem's default start. */
  start?: number[];
  steps: number;
  flows: FlowId[];
  flowOptions?: Partial<Record<FlowId, FlowOptions>>;
  /** Max recorded samples per flow; past it the trace is thinned 2:1 and the stride doubles. Default 4096. */
  capacity?: number;
  /** How many top eigenvalues to record per sample. Default 2 (clamped to dim). */
  eigK?: number;
  /** Time of the start, in GD steps (a fork continues the clock of the run it came from). Default 0. */
  t0?: number;
  /**
   * Origin of the 2-D projection plane of a large problem's recorded rows; omitted = the start. A fork
   * keeps its run's origin, so that its path continues where its ghost stopped.
   */
  origin?: number[];
}

/**
 * Columnar record of one flow. Sample i was taken at time t[i]; vectors are flattened
 * (sample i of `w` is w.subarray(i*wDim, (i+1)*wDim)). Arrays may be longer than `length`.
 */
export interface Trace {
  flow: FlowId;
  length: number;
  /** Steps between recorded samples (1, 2, 4, ...; doubles on each thinning). */
  stride: number;
  /** Width of w/delta rows: the problem's dim when dim ≤ 64, else 2 (a projection; see `projected`). */
  wDim: number;
  /** True when w/delta rows hold 2-D projection coordinates instead of the full vector. */
  projected: boolean;
  t: Float64Array;
  w: Float64Array;
  /** GD and rod flow only. */
  delta?: Float64Array;
  loss: Float64Array;
  predictedLoss: Float64Array;
  /** eigK values per sample, descending. */
  sharpness: Float64Array;
  eigK: number;
  osc: Float64Array;
  /** ‖w_flow(t) − w̄_GD(t)‖ to GD's pair centre at the same step (NaN when GD is not running). */
  dist: Float64Array;
  /** Central flow with full rows: unit top eigenvector of Σ per sample (wDim wide); see engine/trace.ts. */
  sigmaDir?: Float64Array;
  stopped: StopInfo | null;
}

/** The runner's public face (implemented in src/engine/runner.ts). */
export interface RunnerApi {
  readonly config: RunConfig;
  readonly instance: ProblemInstance;
  /** Integer steps done so far. */
  readonly step: number;
  /** True when `steps` were done or every flow stopped. */
  readonly done: boolean;
  readonly traces: Partial<Record<FlowId, Trace>>;
  /** Increments whenever traces are thinned: a consumer streaming by index must re-read from 0. */
  readonly generation: number;
  /** Advance every running flow by up to n steps (stops early when done). */
  advance(n: number): void;
  /** Current GD iterate (or the first flow's state when GD is off): the start of a fork. */
  currentState(): Vec;
}
