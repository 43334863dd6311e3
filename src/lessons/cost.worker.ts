/** Runs lesson 8's cost count (cost.ts) off the main thread: { state, from, warm, steps } → each flow's first and steady cost. */
import { FLOW_IDS } from '../engine/types.ts';
import { loadMathjs } from '../engine/problems/mathjs-lazy.ts';
import { gdIterate, measureFlowCost, type FlowCost } from './cost.ts';

export type CostRequest = { state: string; from: number; warm: number; steps: number };
export type CostReply = { type: 'flow'; cost: { first: FlowCost; steady: FlowCost } } | { type: 'done' } | { type: 'error'; message: string };

self.onmessage = async (ev: MessageEvent<CostRequest>) => {
  const { state, from, warm, steps } = ev.data;
  try {
    // A custom expression needs mathjs, which workers load on demand (engine/problems/mathjs-lazy.ts).
    if (/(^|&)problem=custom(&|$)/.test(state)) await loadMathjs();
    const w = gdIterate(state, from);
    for (const flow of FLOW_IDS) (self as unknown as Worker).postMessage({ type: 'flow', cost: measureFlowCost(state, flow, w, warm, steps) } satisfies CostReply);
    (self as unknown as Worker).postMessage({ type: 'done' } satisfies CostReply);
  } catch (e) {
    (self as unknown as Worker).postMessage({ type: 'error', message: (e as Error).message } satisfies CostReply);
  }
};
