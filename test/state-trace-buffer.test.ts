/** The page's copy of a trace grown from worker chunks (src/state/trace-buffer.ts). */
import { describe, expect, it } from 'vitest';
import { applyChunk, countUpTo, upTo } from '../src/state/trace-buffer.ts';
import type { TraceChunk } from '../src/worker/protocol.ts';

function chunk(from: number, to: number, wDim = 2): TraceChunk {
  const n = to - from;
  const col = (f: (i: number) => number, w = 1) => Float64Array.from({ length: n * w }, (_, k) => f(from + Math.floor(k / w)) + (k % w) / 10);
  return {
    flow: 'gd', from, length: to, stride: 1, wDim, projected: false, eigK: 2,
    t: col((i) => i), w: col((i) => 100 + i, wDim), delta: col((i) => -i, wDim), loss: col((i) => 1 / (1 + i)),
    predictedLoss: col((i) => 2 * i), sharpness: col((i) => 3 * i, 2), osc: col((i) => i * i), dist: col((i) => 0.5 * i), stopped: null,
  };
}

describe('trace buffer', () => {
  it('appending chunks equals one chunk of the whole range (values, rows, length)', () => {
    let tr = applyChunk(undefined, chunk(0, 3));
    for (const [a, b] of [[3, 70], [70, 71], [71, 200]]) tr = applyChunk(tr, chunk(a, b));
    const whole = applyChunk(undefined, chunk(0, 200));
    expect(tr.length).toBe(200);
    for (const k of ['t', 'w', 'delta', 'loss', 'predictedLoss', 'sharpness', 'osc', 'dist'] as const) {
      const per = k === 'w' || k === 'delta' || k === 'sharpness' ? 2 : 1;
      expect(Array.from(tr[k]!.subarray(0, 200 * per))).toEqual(Array.from(whole[k]!.subarray(0, 200 * per)));
    }
  });

  it('a chunk from 0 replaces the trace (thinning), and a gap is treated as a reset', () => {
    const a = applyChunk(undefined, chunk(0, 10));
    const b = applyChunk(a, chunk(0, 4));
    expect(b.length).toBe(4);
    const c = applyChunk(b, chunk(6, 9)); // not contiguous: its own 3 samples become the whole trace
    expect(c.length).toBe(3);
    expect(Array.from(c.t)).toEqual([6, 7, 8]);
  });

  it('countUpTo / upTo cut at the playhead', () => {
    const tr = applyChunk(undefined, chunk(0, 50));
    expect(countUpTo(tr, -1)).toBe(0);
    expect(countUpTo(tr, 0)).toBe(1);
    expect(countUpTo(tr, 17.5)).toBe(18);
    expect(countUpTo(tr, 1e9)).toBe(50);
    expect(upTo(tr, 9).length).toBe(10);
    expect(upTo(tr, 1e9)).toBe(tr);
  });
});
