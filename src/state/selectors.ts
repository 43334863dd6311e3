/**
 * Pure functions of the settings and the state: what a run is (mode, config, engine), where its clock
 * ends and freezes, and the λ behind "η just below 2/λ". The UI and the state modules import these;
 * they change nothing.
 */
import { formatNumber, JS_STYLE } from '../engine/format.ts';
import { getProblemSpec } from '../engine/problems/registry.ts';
import type { FlowId, ProblemSettings, RunConfig } from '../engine/types.ts';
import type { EngineChoice } from '../engine/gpu/engine-backend.ts';
import type { RunMode } from '../worker/protocol.ts';
import type { Settings } from './settings.ts';
import type { AppState, RunView } from './store.ts';
import { countUpTo, type ViewTrace } from './trace-buffer.ts';

export function modeFor(s: Settings): RunMode {
  return getProblemSpec(s.problem)?.kind === 'network' ? 'stream' : 'horizon';
}

export function problemSettingsOf(s: Settings): ProblemSettings {
  const p: ProblemSettings = { id: s.problem, params: { ...s.params } };
  if (Object.keys(s.choices).length) p.choices = { ...s.choices };
  if (s.expr !== undefined) p.expr = s.expr;
  return p;
}

/** What runs the flows: the chosen engine for networks; 1-D/2-D problems always run the float64 reference. */
export function engineOf(s: Settings): EngineChoice {
  return modeFor(s) === 'stream' ? (s.engine ?? 'float64') : 'float64';
}

/** The engine's RunConfig for the settings (the same config the CLI builds from the same values). */
export function configOf(s: Settings): RunConfig {
  const c: RunConfig = { problem: problemSettingsOf(s), eta: s.eta, steps: s.steps, flows: [...s.flows] };
  if (s.start) c.start = [...s.start];
  if (Object.keys(s.flowOptions).length) c.flowOptions = structuredClone(s.flowOptions);
  return c;
}

/** Keys that say when a change of settings needs a new grid / a new run / a rebuilt fork history. */
export const problemKey = (s: Settings) => JSON.stringify([s.problem, s.params, s.choices, s.expr]);
export const runKey = (s: Settings) => JSON.stringify([problemKey(s), s.start, s.steps, s.flows, s.flowOptions, engineOf(s)]);
export const forksKey = (s: Settings) => JSON.stringify(s.forks ?? []);

/** η as labels and names show it: 4 significant digits, the shortest text (engine/format.ts). */
export function fmtEta(v: number): string {
  return formatNumber(v, { ...JS_STYLE, sig: 4 });
}

/** End of the clock for the current run (absolute). */
export function runEnd(r: RunView): number {
  return r.info ? r.info.t0 + r.info.steps : r.t0;
}

/** The flow whose divergence freezes the run: GD, or the first flow when GD is off. */
export function leadFlow(r: RunView): FlowId | undefined {
  if (r.traces.gd) return 'gd';
  return r.info?.flows[0];
}

/** The lead flow's divergence, if it stopped. */
export function leadStop(r: RunView): { step: number; reason: string } | null {
  const lf = leadFlow(r);
  return (lf ? r.traces[lf]?.stopped : null) ?? null;
}

/** A network run that will compute nothing more: its budget is done or its lead flow diverged. */
export function streamFinished(r: RunView): boolean {
  return r.done || leadStop(r) !== null;
}

/** Where the replay must stop: the lead flow's stop (divergence) or the last computed sample. */
export function freezeTime(r: RunView): number {
  const stop = leadStop(r);
  return stop ? Math.min(stop.step, r.frontier) : r.frontier;
}

/** The samples of a trace up to `time` (a ghost ends where its run was forked). */
export function upToTime(tr: ViewTrace, time: number): ViewTrace {
  return { ...tr, length: countUpTo(tr, time) };
}

/** λ₁ of gradient flow's last recorded state (where the stable flow sharpens to), if it ran. */
export function gfEndSharpness(st: AppState): number | null {
  const tr = st.run.traces['gradient-flow'];
  if (!tr || tr.length === 0) return null;
  const l = tr.sharpness[(tr.length - 1) * tr.eigK];
  return Number.isFinite(l) && l > 0 ? l : null;
}

/** The largest λ₁ gradient flow reached over the run (GD with a small η tracks gradient flow). */
function gfMaxSharpness(st: AppState): number | null {
  const tr = st.run.traces['gradient-flow'];
  if (!tr) return null;
  let m = -Infinity;
  for (let i = 0; i < tr.length; i++) {
    const l = tr.sharpness[i * tr.eigK];
    if (l > m) m = l;
  }
  return Number.isFinite(m) && m > 0 ? m : null;
}

/**
 * The λ that "η just below 2/λ₁" refers to, one value for every place that offers it (the divergence
 * banner, the η control): the largest top eigenvalue GD would meet at a small η, i.e. the larger of λ₁
 * at the start and the largest λ₁ along gradient flow's path ('gf-end': gradient flow sharpens towards
 * its end). Below 2/λ of that, gradient flow (GD's small-η limit) stays below the edge over the run;
 * λ₁ at the start alone would leave GD at the edge wherever the flow sharpens (progressive
 * sharpening). GD's own transients can still reach the edge (a large first step into a sharper region).
 */
export function edgeLambda(st: AppState): { lambda: number; where: 'start' | 'gf-end' } | null {
  const l0 = st.eigStart[0] > 0 ? st.eigStart[0] : null;
  const l1 = gfMaxSharpness(st);
  if (l1 !== null && (l0 === null || l1 > l0)) return { lambda: l1, where: 'gf-end' };
  return l0 !== null ? { lambda: l0, where: 'start' } : null;
}

/** η = 0.99 · 2/λ for the λ of edgeLambda, rounded to 4 digits. */
export function etaJustBelow(lambda: number): number {
  return Number(((0.99 * 2) / lambda).toPrecision(4));
}
