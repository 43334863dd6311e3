/**
 * Everything a person sets on the page (and nothing that is computed): the URL carries exactly this.
 * Defaults come from the registries, so a new problem or flow needs no change here.
 */
import { getProblemSpec, PROBLEMS } from '../engine/problems/registry.ts';
import { FLOW_IDS, type FlowId, type FlowOptions, type ProblemSpec } from '../engine/types.ts';
import type { EngineChoice } from '../engine/gpu/engine-backend.ts';

export const LOG_AXES = ['loss', 'sharpness', 'rod', 'dist'] as const;
export type LogAxis = (typeof LOG_AXES)[number];

/** Control groups a classroom link can hide. */
export const CONTROL_IDS = ['problem', 'params', 'eta', 'start', 'steps', 'flows', 'options', 'transport', 'axes', 'runs', 'export'] as const;
export type ControlId = (typeof CONTROL_IDS)[number];

export const CONTROL_LABELS: Record<ControlId, string> = {
  problem: 'Problem selector',
  params: 'Problem parameters / expression',
  eta: 'Step size η',
  start: 'Start point',
  steps: 'Step budget',
  flows: 'Flows on/off',
  options: 'Flow options',
  transport: 'Play / pause / step / speed',
  axes: 'Time axis and log axes',
  runs: 'Saved runs',
  export: 'Export / import',
};

export const MAX_STEPS = 100_000;
export const SPEEDS = [0, 1, 2, 5, 10, 20, 50, 100, 200] as const;

export interface Settings {
  problem: string;
  /** Values of the problem's params that differ from, or add to, the defaults. */
  params: Record<string, number>;
  choices: Record<string, string>;
  /** Custom problems: the expression; undefined = the problem's default. */
  expr?: string;
  eta: number;
  /** Start point; null = the problem's default start. */
  start: number[] | null;
  /** Step budget (the clock's end). */
  steps: number;
  flows: FlowId[];
  flowOptions: Partial<Record<FlowId, FlowOptions>>;
  timeAxis: 'steps' | 'eta';
  log: LogAxis[];
  /** Steps per frame; 0 = auto (about 7 s for the whole budget). */
  speed: number;
  /** Start playing when the page opens. */
  play: boolean;
  /** Classroom link: control groups hidden from view. */
  hide: ControlId[];
  /** Networks: what runs the flows; undefined = 'float64', the CPU reference (see engine-backend.ts). */
  engine?: EngineChoice;
  /**
   * 1-D/2-D problems: the η changes that forked the current run, oldest first: at absolute time `t` the
   * run with step size `eta` was forked (it stays as a ghost up to t); the current run has `this.eta`.
   * Undefined = the current run started from the start (no fork). See controller.ts (forkRun, rebuild).
   */
  forks?: ForkSeg[];
  /** Lessons (src/lessons): the lesson shown (its number, or 'index' for the list) and its scene (1-based). */
  lesson?: string;
  scene?: number;
  /** Presenter mode (projector: large text, only the scene's controls). */
  presenter?: boolean;
  /** The ensemble view open under the plots (ui/ensemble): η sweep or start-plane map; undefined = closed. */
  view?: 'sweep' | 'map';
}

/** One fork in a run's history: the run with step size `eta` was forked at absolute time `t`. */
export interface ForkSeg {
  t: number;
  eta: number;
}
/** At most this many forks in a link (each is recomputed when the link opens). */
export const MAX_FORKS = 100;

export const DEFAULT_PROBLEM = 'valley';
/** The opening problem's step budget in the page: its EoS episode (onset, catapult, settling) fits in it. */
export const DEFAULT_VIEW_STEPS = 600;

/** The settings a problem opens with (its registry defaults). */
export function problemDefaults(spec: ProblemSpec, keep?: Partial<Settings>): Settings {
  return {
    problem: spec.id,
    params: {},
    choices: {},
    expr: undefined,
    eta: spec.defaults.eta,
    start: null,
    steps: spec.id === DEFAULT_PROBLEM ? Math.min(spec.defaults.steps, DEFAULT_VIEW_STEPS) : spec.defaults.steps,
    flows: [...FLOW_IDS],
    flowOptions: {},
    timeAxis: keep?.timeAxis ?? 'steps',
    log: keep?.log ?? ['loss', 'dist'],
    speed: 0,
    play: keep?.play ?? true,
    hide: keep?.hide ?? [],
  };
}

export function defaultSettings(): Settings {
  return problemDefaults(getProblemSpec(DEFAULT_PROBLEM) ?? PROBLEMS[0]);
}

/** Steps per frame actually used. */
export function effectiveSpeed(s: Pick<Settings, 'speed' | 'steps'>): number {
  return s.speed > 0 ? s.speed : Math.max(1, Math.ceil(s.steps / 420));
}
