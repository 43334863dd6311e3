/**
 * The worker's chunk encoder: the new samples of each recorded trace since the last chunk, as
 * transferable typed-array columns (engine/trace.ts), plus the ready-to-draw geometry (rod ends,
 * Central Flow's ±σ) and each flow's EoS onset (engine/metrics.ts), so that the page does no arithmetic.
 */
import { onsetStep } from '../engine/metrics.ts';
import { sliceColumns } from '../engine/trace.ts';
import { FLOW_IDS, type FlowId, type RunnerApi } from '../engine/types.ts';
import type { TraceChunk } from './protocol.ts';

/** What the encoder remembers between chunks of one run. */
export interface EncoderState {
  /** Samples of each flow already sent. */
  sent: Partial<Record<FlowId, number>>;
  /** The runner's thinning generation at the last chunk. */
  generation: number;
  /** A first chunk was sent (the next ones append). */
  delivered: boolean;
  /** First time each flow's sharpness exceeded 2/η (kept once found: thinning may drop that sample). */
  onset: Partial<Record<FlowId, number>>;
}

export function encoderState(runner: RunnerApi): EncoderState {
  return { sent: {}, generation: runner.generation, delivered: false, onset: {} };
}

/** Centre and the two ends of each sample's rod / oscillation (see TraceChunk). */
export function addGeometry(c: TraceChunk): void {
  const m = c.t.length * c.wDim;
  if (c.delta) {
    // GD: w_k and w_{k+1} = w_k + 2δ around the pair centre; a rod: w̄ ∓ δ.
    const pair = c.flow === 'gd';
    const centre = new Float64Array(m);
    const lo = new Float64Array(m);
    const hi = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const d = c.delta[i];
      const mid = pair ? c.w[i] + d : c.w[i];
      centre[i] = mid;
      lo[i] = mid - d;
      hi[i] = mid + d;
    }
    Object.assign(c, { centre, lo, hi });
  } else if (c.sigmaDir) {
    const lo = new Float64Array(m);
    const hi = new Float64Array(m);
    const d = c.wDim;
    for (let i = 0; i < c.t.length; i++) {
      const sigma = Math.sqrt(Math.max(0, c.osc[i]));
      for (let j = 0; j < d; j++) {
        lo[i * d + j] = c.w[i * d + j] - sigma * c.sigmaDir[i * d + j];
        hi[i * d + j] = c.w[i * d + j] + sigma * c.sigmaDir[i * d + j];
      }
    }
    Object.assign(c, { lo, hi });
  }
}

/**
 * The chunks since the last call (all samples after a thinning or for the first chunk: `reset`), and
 * the buffers to transfer. Updates `st`.
 */
export function encodeChunks(runner: RunnerApi, eta: number, st: EncoderState): { reset: boolean; chunks: TraceChunk[]; transfer: ArrayBuffer[]; onset: Partial<Record<FlowId, number>> } {
  const reset = runner.generation !== st.generation || !st.delivered;
  st.generation = runner.generation;
  const chunks: TraceChunk[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const id of FLOW_IDS) {
    const tr = runner.traces[id];
    if (!tr) continue;
    const from = reset ? 0 : (st.sent[id] ?? 0);
    const n = tr.length;
    const cols = sliceColumns(tr, from, n);
    const c = { flow: id, from, length: n, stride: tr.stride, wDim: tr.wDim, projected: tr.projected, eigK: tr.eigK, stopped: tr.stopped, ...cols } as TraceChunk;
    addGeometry(c);
    if (st.onset[id] === undefined) {
      const t = onsetStep(tr, eta);
      if (Number.isFinite(t)) st.onset[id] = t;
    }
    st.sent[id] = n;
    chunks.push(c);
    for (const a of [...Object.values(cols), c.centre, c.lo, c.hi]) if (a) transfer.push(a.buffer as ArrayBuffer);
  }
  st.delivered = true;
  return { reset, chunks, transfer, onset: { ...st.onset } };
}
