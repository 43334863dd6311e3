/**
 * The trace's one schema: which columns a recorded flow has, how wide each row is, and how a trace is
 * allocated, thinned and sliced. The runner (recording), the worker's encoder (chunks), the page's
 * trace buffer (appending chunks) and the run file (JSON rows) all walk this table, so a new column is
 * added here once. See docs/architecture.md (data flow).
 */
import type { FlowId, Trace } from './types.ts';

/** Problems above this dimension are recorded as 2-D projections (runner, run files). */
export const MAX_RECORDED_DIM = 64;

/** Row width of a column: one number per sample, one state row (wDim), or the top-k eigenvalues (eigK). */
export type ColumnWidth = 'one' | 'w' | 'k';

/** The Float64Array columns of a Trace. */
export type TraceColumn = 't' | 'w' | 'delta' | 'loss' | 'predictedLoss' | 'sharpness' | 'osc' | 'dist' | 'sigmaDir';

export interface ColumnSpec {
  key: TraceColumn;
  width: ColumnWidth;
  /** Present only for some flows (see `hasColumn`). */
  optional?: true;
}

export const TRACE_COLUMNS: readonly ColumnSpec[] = [
  { key: 't', width: 'one' },
  { key: 'w', width: 'w' },
  /** GD's half-difference of the last pair, the rod's half-length (GD and Rod Flow). */
  { key: 'delta', width: 'w', optional: true },
  { key: 'loss', width: 'one' },
  { key: 'predictedLoss', width: 'one' },
  { key: 'sharpness', width: 'k' },
  /** |δ|² (GD, Rod Flow), tr Σ (Central Flow), 0 (gradient flow). */
  { key: 'osc', width: 'one' },
  { key: 'dist', width: 'one' },
  /** Central Flow, full (unprojected) rows: the unit top eigenvector of Σ, from the flow's own sample. */
  { key: 'sigmaDir', width: 'w', optional: true },
];

/** Columns the page adds for drawing (the worker's encoder computes them; see worker/encoder.ts). */
export type GeometryColumn = 'centre' | 'lo' | 'hi';
export const GEOMETRY_COLUMNS: readonly { key: GeometryColumn; width: 'w' }[] = [
  { key: 'centre', width: 'w' },
  { key: 'lo', width: 'w' },
  { key: 'hi', width: 'w' },
];

/** What the run file calls a flow's `osc` column: |δ|² for the flows with a rod, tr Σ for Central Flow. */
export const OSC_FIELD: Partial<Record<FlowId, 'delta2' | 'sigma2'>> = { gd: 'delta2', 'rod-flow': 'delta2', 'central-flow': 'sigma2' };

export function widthOf(tr: { wDim: number; eigK: number }, width: ColumnWidth): number {
  return width === 'one' ? 1 : width === 'w' ? tr.wDim : tr.eigK;
}

/** An empty trace of `capacity` samples; `optional` names the optional columns this flow records. */
export function allocTrace(flow: FlowId, capacity: number, wDim: number, eigK: number, projected: boolean, optional: TraceColumn[]): Trace {
  const tr = { flow, length: 0, stride: 1, wDim, eigK, projected, stopped: null } as unknown as Trace;
  for (const c of TRACE_COLUMNS) {
    if (c.optional && !optional.includes(c.key)) continue;
    (tr as unknown as Record<TraceColumn, Float64Array>)[c.key] = new Float64Array(capacity * widthOf(tr, c.width));
  }
  return tr;
}

/** Keep the even-indexed samples in place (2:1 thinning); the caller doubles the stride. */
export function thinTrace(tr: Trace): void {
  const keep = (tr.length + 1) >> 1;
  for (const c of TRACE_COLUMNS) {
    const a = tr[c.key];
    if (!a) continue;
    const wd = widthOf(tr, c.width);
    for (let j = 0; j < keep; j++) a.copyWithin(j * wd, 2 * j * wd, (2 * j + 1) * wd);
  }
  tr.length = keep;
}

/** Copies of samples [from, to) of every column the trace has (for a chunk or an export). */
export function sliceColumns(tr: Trace, from: number, to: number): Partial<Record<TraceColumn, Float64Array>> {
  const out: Partial<Record<TraceColumn, Float64Array>> = {};
  for (const c of TRACE_COLUMNS) {
    const a = tr[c.key];
    if (!a) continue;
    const wd = widthOf(tr, c.width);
    out[c.key] = a.slice(from * wd, to * wd);
  }
  return out;
}

/**
 * Capacity that records `steps` steps (steps + 1 samples) at stride 1, with no thinning: the runner
 * needs an even capacity (it thins 2:1), so this rounds up to the next even number.
 */
export function fullCapacity(steps: number): number {
  const n = steps + 2;
  return n % 2 === 0 ? n : n + 1;
}

/**
 * At most `max` samples of a trace (max ≥ 2): every k-th sample from the first, plus the last, with
 * k the smallest power of two that fits (the runner's own thinning, so strides stay powers of two).
 */
export function thinToAtMost(tr: Trace, max: number): Trace {
  let k = 1;
  while (Math.ceil(tr.length / k) + 1 > max && k < tr.length) k *= 2;
  if (k === 1) return tr;
  const idx: number[] = [];
  for (let i = 0; i < tr.length; i += k) idx.push(i);
  if (idx[idx.length - 1] !== tr.length - 1) idx.push(tr.length - 1);
  const out = { ...tr, length: idx.length, stride: tr.stride * k } as Trace;
  for (const c of TRACE_COLUMNS) {
    const a = tr[c.key];
    if (!a) continue;
    const wd = widthOf(tr, c.width);
    const b = new Float64Array(idx.length * wd);
    idx.forEach((i, j) => b.set(a.subarray(i * wd, (i + 1) * wd), j * wd));
    out[c.key] = b;
  }
  return out;
}
