/**
 * What the two ensemble views plot, computed from the raw records (the UI only draws):
 *  - η sweep: per η, GD's last REC iterates projected on the start's top eigenvector (x in 1-D), GD's
 *    time-averaged sharpness, Rod Flow's ends w̄ ± δ and Central Flow's centre ± σ (projected);
 *  - start map: per start, GD's outcome class, η·S̄/2, and log₁₀ of each flow's distance to GD's
 *    centre at the end;
 * plus their CSV/JSON export.
 */
import { ensembleProblem } from './problem.ts';
import { flowEnd, gdSummary, mapStart, sweepEta, OUTCOMES, type MapJob, type SweepJob } from './jobs.ts';
import { GD_STRIDE, FLOW_STRIDE, REC, Trajectories, type EnsembleFlow } from './trajectories.ts';
import { eig2 } from '../flows/spectrum.ts';

type Records = Partial<Record<EnsembleFlow, { data: Float64Array; done: number }>>;

/** Unit direction the sweep projects on: the top eigenvector of H at the start (1-D: x). */
export function sweepDirection(job: SweepJob): [number, number] {
  const p = ensembleProblem(job.problem);
  if (p.dim === 1) return [1, 0];
  const h = new Float64Array(3);
  p.field.h(job.start[0], job.start[1] ?? 0, h);
  const v = new Float64Array(2);
  const u = new Float64Array(4);
  eig2(h[0], h[1], h[2], v, u);
  // A fixed sign (first non-zero component positive) so the picture does not flip between problems.
  const s = u[0] < 0 || (u[0] === 0 && u[1] < 0) ? -1 : 1;
  return [s * u[0], s * u[1]];
}

/** λ₁ at a point (the default η range is around 2/λ₁ of the start). */
export function sharpnessAt(problem: SweepJob['problem'], w: number[]): number {
  const p = ensembleProblem(problem);
  return new Trajectories(p.field).sharpness(w[0], w[1] ?? 0);
}

export interface SweepSeries {
  n: number;
  eta: Float64Array;
  /** REC values per η (NaN when not computed or diverged). */
  attractor: Float64Array;
  cls: Int8Array;
  period: Int8Array;
  meanS: Float64Array;
  /** Rod: centre, lower and upper end (projected). Central: centre, centre − σ, centre + σ. */
  rod: { c: Float64Array; lo: Float64Array; hi: Float64Array } | null;
  cf: { c: Float64Array; lo: Float64Array; hi: Float64Array } | null;
  gf: Float64Array | null;
  dir: [number, number];
  /** Trajectories of GD done. */
  done: number;
}

export function sweepSeries(job: SweepJob, rec: Records): SweepSeries {
  const n = job.n;
  const dir = sweepDirection(job);
  const proj = (x: number, y: number) => x * dir[0] + y * dir[1];
  const eta = new Float64Array(n);
  for (let i = 0; i < n; i++) eta[i] = sweepEta(job, i);
  const attractor = new Float64Array(n * REC).fill(NaN);
  const cls = new Int8Array(n).fill(-1);
  const period = new Int8Array(n);
  const meanS = new Float64Array(n).fill(NaN);
  const gd = rec.gd;
  const done = gd?.done ?? 0;
  if (gd) {
    for (let i = 0; i < done; i++) {
      const o = i * GD_STRIDE;
      const s = gdSummary(gd.data, o, eta[i]);
      cls[i] = s.cls;
      period[i] = s.period;
      meanS[i] = s.meanS;
      if (s.cls === 3) continue;
      for (let k = 0; k < REC; k++) attractor[i * REC + k] = proj(gd.data[o + 8 + 2 * k], gd.data[o + 9 + 2 * k]);
    }
  }
  const ends = (flow: EnsembleFlow) => {
    const r = rec[flow];
    if (!r) return null;
    const c = new Float64Array(n).fill(NaN);
    const lo = new Float64Array(n).fill(NaN);
    const hi = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.done; i++) {
      const e = flowEnd(r.data, i * FLOW_STRIDE);
      if (!e.ok) continue;
      const m = proj(e.w[0], e.w[1]);
      const d = Math.abs(Math.sqrt(e.s1) * proj(e.v[0], e.v[1]));
      c[i] = m;
      lo[i] = m - d;
      hi[i] = m + d;
    }
    return { c, lo, hi };
  };
  let gf: Float64Array | null = null;
  if (rec['gradient-flow']) {
    const r = rec['gradient-flow'];
    gf = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.done; i++) if (r.data[i * FLOW_STRIDE] === 0) gf[i] = proj(r.data[i * FLOW_STRIDE + 2], r.data[i * FLOW_STRIDE + 3]);
  }
  return { n, eta, attractor, cls, period, meanS, rod: ends('rod-flow'), cf: ends('central-flow'), gf, dir, done };
}

export const MAP_LAYERS = ['class', 'sharpness', 'rod-flow', 'central-flow', 'gradient-flow'] as const;
export type MapLayer = (typeof MAP_LAYERS)[number];
export const MAP_LAYER_LABELS: Record<MapLayer, string> = {
  class: 'GD outcome',
  sharpness: 'GD: η·S̄/2 at the end',
  'rod-flow': 'Rod Flow: log₁₀ distance to GD’s centre',
  'central-flow': 'Central Flow: log₁₀ distance to GD’s centre',
  'gradient-flow': 'gradient flow: log₁₀ distance to GD’s centre',
};

export interface MapValues {
  nx: number;
  ny: number;
  /** Row-major, row 0 at the bottom (y lo). NaN: not computed / undefined (GD diverged). */
  values: Float64Array;
  cls: Int8Array;
  /** Finite range of values (for the colour scale). */
  range: [number, number];
}

/** GD's per-start summary (class, centre, η·S̄/2), kept per record array and extended as batches land. */
interface GdCells {
  done: number;
  cls: Int8Array;
  centres: Float64Array;
  edge: Float64Array;
}
const gdCells = new WeakMap<Float64Array, GdCells>();

/**
 * The summaries of GD's records [0, done), computed once per trajectory: a view repaints after every
 * batch, and recomputing every finished start each time was most of the page's own work on a map.
 */
function gdCellsOf(job: MapJob, gd: { data: Float64Array; done: number }): GdCells {
  const n = job.nx * job.ny;
  let c = gdCells.get(gd.data);
  if (!c || c.cls.length !== n) {
    c = { done: 0, cls: new Int8Array(n).fill(-1), centres: new Float64Array(2 * n).fill(NaN), edge: new Float64Array(n).fill(NaN) };
    gdCells.set(gd.data, c);
  }
  if (gd.done < c.done) c.done = 0; // records restarted in place
  for (let i = c.done; i < gd.done; i++) {
    const s = gdSummary(gd.data, i * GD_STRIDE, job.eta);
    c.cls[i] = s.cls;
    c.centres[2 * i] = s.centre[0];
    c.centres[2 * i + 1] = s.centre[1];
    c.edge[i] = (job.eta * s.meanS) / 2;
  }
  c.done = gd.done;
  return c;
}

export function mapValues(job: MapJob, rec: Records, layer: MapLayer): MapValues {
  const n = job.nx * job.ny;
  const values = new Float64Array(n).fill(NaN);
  let cls = new Int8Array(n).fill(-1);
  const gd = rec.gd;
  let centres: Float64Array = new Float64Array(2 * n).fill(NaN);
  if (gd) {
    const c = gdCellsOf(job, gd);
    cls = c.cls.slice();
    centres = c.centres;
    if (layer === 'class') for (let i = 0; i < gd.done; i++) values[i] = c.cls[i];
    else if (layer === 'sharpness') for (let i = 0; i < gd.done; i++) values[i] = c.edge[i];
  }
  if (layer !== 'class' && layer !== 'sharpness') {
    const r = rec[layer];
    if (r) {
      for (let i = 0; i < r.done; i++) {
        const o = i * FLOW_STRIDE;
        if (r.data[o] !== 0 || cls[i] === 3 || cls[i] < 0) continue;
        const d = Math.hypot(r.data[o + 2] - centres[2 * i], r.data[o + 3] - centres[2 * i + 1]);
        values[i] = Math.log10(Math.max(d, 1e-12));
      }
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(hi >= lo)) [lo, hi] = [0, 1];
  if (hi === lo) hi = lo + 1;
  return { nx: job.nx, ny: job.ny, values, cls, range: [lo, hi] };
}

// ---------------------------------------------------------------------------------------------
// Export

const num = (v: number) => (Number.isFinite(v) ? String(v) : '');

export function sweepCsv(job: SweepJob, s: SweepSeries): string {
  const head = ['eta', 'gd_class', 'gd_period', 'gd_mean_sharpness', 'rod_centre', 'rod_lo', 'rod_hi', 'cf_centre', 'cf_lo', 'cf_hi', 'gf_end'];
  for (let k = 0; k < REC; k++) head.push(`gd_last_${k}`);
  const lines = [`# eta sweep: ${JSON.stringify(job)}; projection direction (${s.dir.join(', ')})`, head.join(',')];
  for (let i = 0; i < s.n; i++) {
    const row = [
      num(s.eta[i]),
      s.cls[i] < 0 ? '' : OUTCOMES[s.cls[i]],
      String(s.period[i]),
      num(s.meanS[i]),
      num(s.rod?.c[i] ?? NaN),
      num(s.rod?.lo[i] ?? NaN),
      num(s.rod?.hi[i] ?? NaN),
      num(s.cf?.c[i] ?? NaN),
      num(s.cf?.lo[i] ?? NaN),
      num(s.cf?.hi[i] ?? NaN),
      num(s.gf?.[i] ?? NaN),
    ];
    for (let k = 0; k < REC; k++) row.push(num(s.attractor[i * REC + k]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

export function mapCsv(job: MapJob, layers: Partial<Record<MapLayer, MapValues>>): string {
  const keys = Object.keys(layers) as MapLayer[];
  const lines = [`# start map: ${JSON.stringify(job)}`, ['x0', 'y0', ...keys].join(',')];
  const n = job.nx * job.ny;
  for (let i = 0; i < n; i++) {
    const [x, y] = mapStart(job, i);
    lines.push([num(x), num(y), ...keys.map((k) => (k === 'class' ? (layers[k]!.cls[i] < 0 ? '' : OUTCOMES[layers[k]!.cls[i]]) : num(layers[k]!.values[i])))].join(','));
  }
  return lines.join('\n') + '\n';
}

export function ensembleJson(job: SweepJob | MapJob, payload: Record<string, unknown>): string {
  const plain = (v: unknown): unknown =>
    ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null)) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
  return JSON.stringify({ format: 'rodflow-ensemble', version: 1, job, ...(plain(payload) as object) });
}
