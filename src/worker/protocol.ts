/**
 * The typed message protocol between the page (main thread) and the simulation worker.
 *
 * The worker owns the engine: it builds the problem, runs the flows and streams the recorded traces to
 * the page in columnar Float64Array chunks (transferred, not copied). The page only draws.
 *
 * Two modes:
 *  - 'horizon' (1-D/2-D problems): the worker computes the whole step budget at once and sends it in
 *    one chunk; the page then replays it with a playhead. A newer request supersedes an older one
 *    between slices, so dragging the start never queues stale work.
 *  - 'stream' (networks): the worker advances only while playing, in frame-budgeted slices, and sends
 *    the new samples after every slice.
 *
 * Engines (networks only): a run may ask for an engine other than the float64 reference ('auto', a tfjs
 * backend). The worker then imports the tfjs path on demand, reports `engine` messages (calibrating, then
 * what actually runs), and falls back to float64 with a reason when the engine cannot start. 'auto'
 * remembers its calibration per device: a worker has no localStorage, so the page hands the worker its
 * remembered entries once (`memory`) and persists what the worker reports back (`memory`).
 */
import type { FlowId, FlowOptions, ProblemSettings, RunConfig, Trace } from '../engine/types.ts';
import type { RunMode, RunPart } from '../engine/session.ts';
import type { LossGrid } from '../engine/grid.ts';
import type { HistoryInput, SavedInput } from '../engine/run-file.ts';
import type { EngineChoice, EngineInfo } from '../engine/gpu/engine-backend.ts';

/**
 * New samples of one flow's trace, from index `from` (0 when `reset`) up to `length`: the trace's
 * columns (engine/trace.ts), sliced to those samples, plus the drawing geometry.
 */
export interface TraceChunk extends Omit<Trace, 'length'> {
  from: number;
  length: number;
  /**
   * Ready-to-draw geometry, wDim wide per sample, so the page does no arithmetic:
   * GD: centre = pair centre w_k + δ, ends lo = w_k, hi = w_{k+1}; rod flow: centre w̄, ends w̄ ∓ δ;
   * central flow (full rows): ends w ∓ σu with σ² = tr Σ and u = sigmaDir, Σ's top direction.
   */
  centre?: Float64Array;
  lo?: Float64Array;
  hi?: Float64Array;
}

export type { RunMode, RunPart };


export type ToWorker =
  /**
   * `engine`: networks only; omitted or 'float64' = the float64 reference (a fork keeps its run's engine).
   * `part`: the page's worker pool split this network run (state/worker-pool.ts): compute only these
   * flows (a fork of it keeps the same part).
   */
  | { type: 'run'; runId: number; config: RunConfig; mode: RunMode; engine?: EngineChoice; part?: RunPart }
  /** Forget the current run (the pool gave the next one to another worker): free its memory. */
  | { type: 'drop' }
  /** The engine choices remembered on this device (key → value), sent once after the worker starts. */
  | { type: 'memory'; entries: Record<string, string> }
  /** Stream mode: advance while playing, `stepsPerSlice` steps at most per slice (frame-budgeted). */
  | { type: 'play'; runId: number; stepsPerSlice: number }
  | { type: 'pause'; runId: number }
  | { type: 'step'; runId: number; n: number }
  /**
   * Fork the current run (`fromRunId`) at absolute time t with a new η: start = GD's iterate at t,
   * t0 = t, same end of the clock; a network run forks at its current step, which its info reports.
   * With `sameBase` the new run reuses the current run's own start and t0 (η dragged again at the same
   * fork point: replace the fork, no new ghost).
   */
  | { type: 'fork'; runId: number; fromRunId: number; t: number; eta: number; sameBase: boolean }
  /** aspect: the plane frame's width/height in px (2-D): the landscape then covers all the frame draws. */
  | { type: 'grid'; reqId: number; problem: ProblemSettings; n: number; aspect?: number }
  /**
   * `history`, `saved`: what the page draws besides the current run (ghosts, fork history, saved runs), for a JSON export.
   * A pooled run (the lead's): `flows`, the traces of the flows the other workers compute, and `upTo`,
   * the time every flow has reached (the file ends there, as a run computed in one worker would).
   */
  | { type: 'export'; reqId: number; runId: number; format: 'json' | 'csv'; history?: HistoryInput; saved?: SavedInput[]; flows?: Trace[]; upTo?: number }
  /** Parse, validate and thin a run file off the page's thread (text, or the file's bytes, transferred). */
  | { type: 'import'; reqId: number; text?: string; bytes?: ArrayBuffer };

/** An earlier segment of an imported run: from t0, `steps` steps with step size η; its ghost's traces (none when the file has no ghost for it). */
export interface ImportedSegment {
  t0: number;
  eta: number;
  steps: number;
  traces: TraceChunk[];
}

export interface ImportedSaved {
  name: string;
  eta: number;
  traces: TraceChunk[];
}

/** What an imported file's run was computed with, and its fork history (the settings that rebuild it). */
export interface ImportedRestore {
  problem: ProblemSettings;
  /** The run's start at step 0 (absent for problems above 64 dimensions). */
  start?: number[];
  /** The end of the clock (the step budget). */
  end: number;
  flows: FlowId[];
  flowOptions: Partial<Record<FlowId, FlowOptions>>;
  /** settings.forks (undefined: the history does not start at step 0). */
  forks?: { t: number; eta: number }[];
}

export interface RunInfo {
  runId: number;
  label: string;
  dim: number;
  /** Plot window (1-D/2-D problems). */
  window?: { x: [number, number]; y?: [number, number] };
  /** The start actually used (full vector for dim ≤ 64; empty for networks). */
  start: number[];
  /** Top eigenvalues of H at the start (descending), for the η ticks at 2/λ. */
  eigStart: number[];
  flows: FlowId[];
  t0: number;
  steps: number;
  mode: RunMode;
  flowOptions: Partial<Record<FlowId, FlowOptions>>;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'info'; info: RunInfo }
  /** A pooled run was forked (the lead's answer to 'fork'): the fork's config, for the other workers' parts. */
  | { type: 'forked'; runId: number; config: RunConfig }
  | {
      type: 'chunk';
      runId: number;
      /** Traces were thinned: the chunks are full resets. */
      generation: number;
      reset: boolean;
      /** Steps done (relative to t0). */
      step: number;
      done: boolean;
      /** Compute time of this chunk, ms (for the bench and the status line). */
      ms: number;
      /** First chunk of a run: worker time from receiving the request to posting this chunk, ms. */
      sinceRequest?: number;
      chunks: TraceChunk[];
      /** First absolute time at which each flow's sharpness exceeded 2/η (EoS onset), if any. */
      onset: Partial<Record<FlowId, number>>;
      /** A pooled run's part: compute time of each of its flows so far, and of its GD shadow, ms (the pool's cost model). */
      cost?: { flowMs: Partial<Record<FlowId, number>>; shadowMs: number };
    }
  | { type: 'grid'; reqId: number; grid: GridResult }
  | { type: 'export'; reqId: number; text: string; filename: string }
  /**
   * An imported run file: its label and η, and its traces (thinned to at most IMPORT_MAX_SAMPLES per
   * flow); from a schema-2 file also its earlier segments (the ghosts), its saved runs, and the settings
   * that restore its run and fork history.
   */
  | {
      type: 'imported'; reqId: number; label: string; eta: number; traces: TraceChunk[]; samples: number; kept: number;
      segments?: ImportedSegment[]; saved?: ImportedSaved[]; restore?: ImportedRestore;
    }
  /** How an import is going (a line for the page's status). */
  | { type: 'importProgress'; reqId: number; text: string }
  | { type: 'error'; runId?: number; reqId?: number; message: string; position?: number; input: boolean }
  | { type: 'engine'; runId: number; status: EngineStatus }
  /** An engine calibration to remember on this device (the page writes it to localStorage). */
  | { type: 'memory'; key: string; value: string };

/**
 * What runs a network's flows: 'calibrating' while a non-float64 engine starts (and, for 'auto', times
 * the candidates); then 'running' with what actually runs (after any fallback). `fellBack`: the engine
 * failed and the run uses float64 instead (the reason is in info.failed). `stoppedAt`: it failed mid-run
 * (a lost GPU device or context) after this many recorded steps; the run starts again from its start on
 * float64, and the page keeps the samples it already had (state/engine-status.ts).
 */
export type EngineStatus =
  | { phase: 'calibrating'; requested: EngineChoice }
  | { phase: 'running'; info: EngineInfo; fellBack?: boolean; stoppedAt?: number };

/** Loss over the plot window: an n×n grid (2-D) or a curve of n points (1-D); see engine/grid.ts. */
export interface GridResult extends LossGrid {
  /** 1-D: the x of each value (so the page does no arithmetic to draw the curve). */
  xs?: Float64Array;
  /** The problem's own window, which the plot frames; `x`/`y` are where the landscape was sampled. */
  frame: { x: [number, number]; y?: [number, number] };
}
