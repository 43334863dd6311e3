/**
 * The page's copy of a run's traces, grown from the worker's chunks. Arrays grow by doubling so that a
 * long streamed run appends in amortized O(1); a chunk with `from = 0` replaces the trace (thinning).
 */
import { GEOMETRY_COLUMNS, TRACE_COLUMNS, widthOf, type ColumnWidth, type GeometryColumn, type TraceColumn } from '../engine/trace.ts';
import type { Trace } from '../engine/types.ts';
import type { TraceChunk } from '../worker/protocol.ts';

/** A Trace plus the drawing geometry the worker adds (see TraceChunk). */
export interface ViewTrace extends Trace {
  centre?: Float64Array;
  lo?: Float64Array;
  hi?: Float64Array;
}

/** Every column a chunk may carry: the trace's (engine/trace.ts) and the drawing geometry. */
const COLS: readonly { key: TraceColumn | GeometryColumn; width: ColumnWidth }[] = [...TRACE_COLUMNS, ...GEOMETRY_COLUMNS];

function grow(a: Float64Array | undefined, used: number, need: number): Float64Array {
  if (a && a.length >= need) return a;
  const b = new Float64Array(Math.max(need, (a?.length ?? 0) * 2, 64));
  if (a) b.set(a.subarray(0, used));
  return b;
}

/** Returns a NEW trace object (so React sees a change) sharing grown buffers with `prev` when appending. */
export function applyChunk(prev: ViewTrace | undefined, c: TraceChunk): ViewTrace {
  const append = prev !== undefined && c.from > 0 && c.from === prev.length && prev.wDim === c.wDim && prev.eigK === c.eigK;
  const base = append ? prev! : undefined;
  // A non-contiguous chunk cannot be placed: it becomes the whole trace (its own samples only).
  const n = base ? c.length : c.t.length;
  const out: ViewTrace = {
    flow: c.flow,
    length: n,
    stride: c.stride,
    wDim: c.wDim,
    projected: c.projected,
    eigK: c.eigK,
    stopped: c.stopped,
    t: new Float64Array(0),
    w: new Float64Array(0),
    loss: new Float64Array(0),
    predictedLoss: new Float64Array(0),
    sharpness: new Float64Array(0),
    osc: new Float64Array(0),
    dist: new Float64Array(0),
  };
  for (const { key, width } of COLS) {
    const src = c[key];
    if (!src) continue;
    const wdt = widthOf(c, width);
    if (!base) {
      out[key] = src;
      continue;
    }
    const old = base[key];
    const used = c.from * wdt;
    const buf = grow(old, used, n * wdt);
    buf.set(src, used);
    out[key] = buf;
  }
  return out;
}

/** Number of samples with t ≤ time (t is increasing). */
export function countUpTo(tr: Trace, time: number): number {
  let lo = 0;
  let hi = tr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tr.t[mid] <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A view of the first samples up to `time` (shares the arrays). */
export function upTo(tr: ViewTrace, time: number): ViewTrace {
  const n = countUpTo(tr, time);
  return n === tr.length ? tr : { ...tr, length: n };
}
