/**
 * A run session: the problem, the engine that computes it and the runner, built the same way for the
 * page's worker and the CLI. It also answers what a fork needs (the state at a time, the fork's config).
 *
 * Engines (networks only): 'float64' is the CPU reference; any other choice starts the network's tfjs
 * float32 twin (engine-backend.ts, which loads tfjs on demand). When that fails to start, a session
 * opened with `fallback` runs on float64 instead and says why (EngineInfo.failed).
 */
import { createProblem, getProblemSpec } from './problems/registry.ts';
import { createRunner, type Runner } from './runner.ts';
import { PartRunner } from './part.ts';
import { topEigs } from './linalg/eigs.ts';
import { fullCapacity, MAX_RECORDED_DIM } from './trace.ts';
import { ENGINE_LABELS, networkProblemOn, type EngineChoice, type EngineInfo, type EngineProblem } from './gpu/engine-backend.ts';
import type { KeyValueStore } from './gpu/backend.ts';
import { InputError, type FlowId, type ProblemInstance, type RunConfig } from './types.ts';

/**
 * 'horizon' (1-D/2-D problems): the whole step budget is recorded at stride 1, so that any step can be
 * replayed and forked exactly. 'stream' (networks): recorded with the default bounded capacity.
 */
export type RunMode = 'horizon' | 'stream';

/**
 * A network run split over the page's worker pool (docs/architecture.md, "Workers"): this session
 * computes only `flows`, each in its own runner (engine/part.ts), with a shadow of GD for their
 * distance to GD. The lead (`follower` false) holds GD; its info, forks and export speak for the whole
 * run. A follower is only asked for samples.
 */
export interface RunPart {
  flows: FlowId[];
  follower: boolean;
}

export interface SessionInfo {
  label: string;
  dim: number;
  window?: { x: [number, number]; y?: [number, number] };
  /** The start actually used (full vector for dim ≤ MAX_RECORDED_DIM; empty for larger problems). */
  start: number[];
  /** Top two eigenvalues of H at the start (descending). */
  eigStart: number[];
}

export interface Session {
  readonly runner: Runner | PartRunner;
  /** The config the runner runs (the mode's capacity filled in). */
  readonly config: RunConfig;
  readonly mode: RunMode;
  readonly info: SessionInfo;
  /**
   * The lead flow's state (GD, or the first flow) at absolute time `t`, and the time it is really at:
   * in horizon mode the recorded sample at `t` (stride 1, exact); in stream mode the runner's current
   * state (only it is kept whole), with its own time, which may be later than `t`.
   */
  stateAt(t: number): { t: number; w: number[] };
  /**
   * The config of a fork with step size `eta` at absolute time `t` (clamped to the recorded range):
   * start = the lead flow's state there, same end of the clock, same projection origin. `sameBase`:
   * the same start and t0 as this session (η changed again at the same fork point).
   */
  forkConfig(t: number, eta: number, sameBase: boolean): RunConfig;
}

/**
 * Open a session on `instance` (the engine's twin of the problem) or on the problem built from the
 * registry. `part`: only those flows of `config` (see RunPart); forks still name all of config's flows.
 */
export function openSession(config: RunConfig, mode: RunMode, instance?: ProblemInstance, part?: RunPart): Session {
  const cfg: RunConfig = { ...config };
  if (mode === 'horizon') cfg.capacity = Math.max(cfg.capacity ?? 0, fullCapacity(cfg.steps));
  if (part) {
    const unknown = part.flows.filter((f) => !config.flows.includes(f));
    if (unknown.length || !part.flows.length) throw new InputError(`A run part must hold some of the run's flows (got ${part.flows.join(', ') || 'none'}).`);
  }
  const runner: Runner | PartRunner = part ? new PartRunner(cfg, part.flows, instance) : createRunner(cfg, instance);
  // The session's config is what it computes; forkConfig below starts from the whole run's `config`.
  if (part) cfg.flows = part.flows.slice();
  const inst = runner.instance;
  const w0 = cfg.start ? Float64Array.from(cfg.start) : inst.start;
  const info: SessionInfo = {
    label: inst.label,
    dim: inst.problem.dim,
    window: inst.window,
    start: inst.problem.dim <= MAX_RECORDED_DIM ? Array.from(w0) : [],
    // A follower's info goes nowhere (the lead's speaks for the run): no eigen-solve for it.
    eigStart: part?.follower ? [] : topEigs(inst.problem, w0, 2).values.slice(),
  };
  const t0 = cfg.t0 ?? 0;
  const end = t0 + cfg.steps;

  function stateAt(t: number): { t: number; w: number[] } {
    const tr = runner.traces.gd ?? runner.traces[cfg.flows[0]];
    if (mode === 'horizon' && tr && !tr.projected && tr.length > 0 && tr.stride === 1) {
      // Last sample at or before t (stride 1: sample i is at t0 + i).
      const i = Math.max(0, Math.min(tr.length - 1, Math.floor(t) - t0));
      return { t: tr.t[i], w: Array.from(tr.w.subarray(i * tr.wDim, (i + 1) * tr.wDim)) };
    }
    return { t: t0 + runner.step, w: Array.from(runner.currentState()) };
  }

  return {
    runner,
    config: cfg,
    mode,
    info,
    stateAt,
    forkConfig(t, eta, sameBase) {
      const origin = cfg.origin ?? (inst.problem.dim > MAX_RECORDED_DIM ? Array.from(w0) : undefined);
      const base: RunConfig = { ...config, eta, ...(origin ? { origin } : {}) };
      if (sameBase) return base;
      const at = stateAt(Math.max(t0, Math.min(t, end)));
      return { ...base, start: at.w, t0: at.t, steps: Math.max(0, end - at.t) };
    },
  };
}

/** The engine info of a run on the float64 reference. */
export const FLOAT64_INFO: EngineInfo = { name: 'float64', requested: 'float64', failed: [], summary: ENGINE_LABELS.float64 };

/** The info shown when an engine could not start and the run uses the float64 reference instead. */
/** The float64 reference standing in for `requested`, which failed to start, or (with `ran`) failed mid-run on the engine `ran`. */
export function float64Fallback(requested: EngineChoice, reason: string, ran?: string): EngineInfo {
  const failedName = ran ?? requested;
  const summary = ran ? `CPU float64 (reference) — '${ran}' stopped mid-run` : `CPU float64 (reference) — '${requested}' failed to start`;
  return { name: 'float64', requested, failed: [{ name: failedName, reason }], summary };
}

/**
 * Engines: one engine problem at a time (tfjs has one active backend), kept while the problem and the
 * choice stay the same (forks, resets and restarts reuse it without calibrating again), disposed when
 * either changes. Starts are chained, so two calibrations never overlap.
 */
export class EngineCache {
  private key = '';
  private promise: Promise<EngineProblem> | null = null;
  constructor(private readonly storage?: KeyValueStore) {}

  get(config: RunConfig, instance: ProblemInstance, choice: EngineChoice): Promise<EngineProblem> {
    const key = JSON.stringify([config.problem, choice]);
    if (this.promise && this.key === key) return this.promise;
    const prev = this.promise;
    this.key = key;
    const w0 = config.start ? Float64Array.from(config.start) : instance.start;
    this.promise = (async () => {
      if (prev) await prev.then((p) => p.dispose(), () => undefined);
      return networkProblemOn(instance.problem, w0, choice, this.storage ? { storage: this.storage } : {});
    })();
    return this.promise;
  }

  release(): void {
    const prev = this.promise;
    this.promise = null;
    this.key = '';
    void prev?.then((p) => p.dispose(), () => undefined);
  }
}

/** True when `choice` needs an engine start (a network on something other than the float64 reference). */
export function needsEngine(config: RunConfig, mode: RunMode, choice: EngineChoice | undefined): boolean {
  return !!choice && choice !== 'float64' && mode === 'stream' && getProblemSpec(config.problem.id)?.kind === 'network';
}

export interface EngineSession {
  session: Session;
  engine: EngineInfo;
  /** The engine could not start and the run uses float64 instead. */
  fellBack: boolean;
  /** Free the engine (not needed when a cache owns it). */
  dispose(): void;
}

/**
 * Open a session on the chosen engine. The engine starts asynchronously (tfjs import, backend start,
 * 'auto' calibration). A start failure falls back to float64 when `fallback` is set, else it throws.
 * Input errors (a bad config) always throw.
 */
export async function openEngineSession(
  config: RunConfig,
  opts: { mode: RunMode; engine?: EngineChoice; storage?: KeyValueStore; fallback?: boolean; cache?: EngineCache; instance?: ProblemInstance },
): Promise<EngineSession> {
  const choice = opts.engine ?? 'float64';
  if (!needsEngine(config, opts.mode, choice)) return { session: openSession(config, opts.mode, opts.instance), engine: FLOAT64_INFO, fellBack: false, dispose() {} };
  const instance = opts.instance ?? createProblem(config.problem);
  const cache = opts.cache ?? new EngineCache(opts.storage);
  let eng: EngineProblem;
  try {
    eng = await cache.get(config, instance, choice);
  } catch (e) {
    if (e instanceof InputError || !opts.fallback) throw e;
    cache.release();
    return { session: openSession(config, opts.mode), engine: float64Fallback(choice, (e as Error).message ?? String(e)), fellBack: true, dispose() {} };
  }
  const dispose = () => (opts.cache ? undefined : cache.release());
  try {
    return { session: openSession(config, opts.mode, { ...instance, problem: eng.problem }), engine: eng.info, fellBack: false, dispose };
  } catch (e) {
    if (e instanceof InputError || !opts.fallback) {
      dispose();
      throw e;
    }
    cache.release();
    return { session: openSession(config, opts.mode), engine: float64Fallback(choice, (e as Error).message), fellBack: true, dispose() {} };
  }
}
