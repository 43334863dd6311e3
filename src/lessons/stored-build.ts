/**
 * Stored runs: what a scene opens on, computed by the engine ahead of time (scripts/make-stored-runs.ts)
 * and served from public/runs/<id>.json in the run-file schema (src/engine/run-file.ts). Node-only
 * helpers; the page only reads the files (stored.ts).
 *
 * Thinning keeps the files small: samples every `stride` steps, the smallest odd stride that leaves at
 * most MAX_SAMPLES per flow (1 for short runs; odd so that GD's zig-zag stays visible, see strideFor). Numbers keep 15
 * significant digits (relative rounding 5e-16, far below the 1e-12 the staleness test allows).
 */
import { Runner } from '../engine/runner.ts';
import { runToJson, type FlowRecord, type RunFile } from '../engine/run-file.ts';
import type { RunConfig } from '../engine/types.ts';
import { getProblemSpec } from '../engine/problems/registry.ts';
import { parseUrl } from '../state/url.ts';

export const MAX_SAMPLES = 800;

/** The engine's run configuration for a scene state (what the page's worker runs for the same link). */
export function configFromState(state: string): RunConfig {
  const { settings: s, ignored } = parseUrl('?' + state);
  if (ignored.length) throw new Error(`State '${state}' has fields the page ignores: ${ignored.join('; ')}`);
  const problem: RunConfig['problem'] = { id: s.problem, params: { ...s.params } };
  if (Object.keys(s.choices).length) problem.choices = { ...s.choices };
  if (s.expr !== undefined) problem.expr = s.expr;
  const c: RunConfig = { problem, eta: s.eta, steps: s.steps, flows: [...s.flows], capacity: Math.max(4096, s.steps + 2) };
  if (s.start) c.start = [...s.start];
  if (Object.keys(s.flowOptions).length) c.flowOptions = structuredClone(s.flowOptions);
  return c;
}

export function isNetworkState(state: string): boolean {
  return getProblemSpec(parseUrl('?' + state).settings.problem)?.kind === 'network';
}

/**
 * The smallest odd stride that leaves at most MAX_SAMPLES. Odd, because GD at the edge flips sign every
 * step: an even stride keeps only every other iterate, all on one side of the oscillation, and the plane
 * then draws a false path hugging one wall of the valley instead of GD's zig-zag.
 */
export function strideFor(steps: number): number {
  let s = 1;
  while (steps / s > MAX_SAMPLES) s += 2;
  return s;
}

const round = (v: number | null): number | null => (v === null ? null : Number(v.toPrecision(15)));

/** Keep samples whose time is a multiple of `stride` (and the last one), rounded. */
export function thinRecord(rec: FlowRecord, stride: number): FlowRecord {
  const n = rec.t.length;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if ((rec.t[i] ?? 0) % stride === 0 || i === n - 1) keep.push(i);
  const col = (a: (number | null)[]) => keep.map((i) => round(a[i]));
  const rows = (a: (number | null)[][]) => keep.map((i) => a[i].map(round));
  const out: FlowRecord = {
    stride: rec.stride * stride,
    projected: rec.projected,
    t: keep.map((i) => rec.t[i]) as FlowRecord['t'],
    w: rows(rec.w),
    loss: col(rec.loss),
    predictedLoss: col(rec.predictedLoss),
    sharpness: col(rec.sharpness),
    eigenvalues: rows(rec.eigenvalues),
    dist: col(rec.dist),
  };
  if (rec.delta) out.delta = rows(rec.delta);
  if (rec.delta2) out.delta2 = col(rec.delta2);
  if (rec.sigma2) out.sigma2 = col(rec.sigma2);
  if (rec.stopped) out.stopped = rec.stopped;
  return out;
}

/** Compute a scene state's run for `steps` (default: the state's own) and return it as a thinned run file. */
export function computeStoredRun(state: string, steps?: number): RunFile {
  const cfg = configFromState(state);
  const full = cfg.steps;
  if (steps !== undefined) cfg.steps = Math.min(steps, full);
  const r = new Runner(cfg);
  r.advance(cfg.steps);
  const file = runToJson(r);
  const stride = strideFor(full);
  for (const [id, rec] of Object.entries(file.flows)) if (rec) file.flows[id as keyof RunFile['flows']] = thinRecord(rec, stride);
  // The clock's end is the state's budget even when a test recomputes a prefix.
  file.steps = cfg.steps;
  return file;
}
