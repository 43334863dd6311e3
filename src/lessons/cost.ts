/**
 * Lesson 8's live cost count: each flow run alone on a fresh instance of the scene's problem (so the
 * problem's own evaluation counters count that flow only), from GD's iterate at step `from`, for `steps`
 * steps. Cost in gradient units: gradient 1, loss ½, Hessian-vector product 2, third-derivative vector 4,
 * dense Hessian (toys) dim/… is reported apart. Engine only (runs in a worker, in Node and in tests).
 */
import { createProblem } from '../engine/problems/registry.ts';
import { getFlowSpec } from '../engine/flows/registry.ts';
import type { EvalCounters, FlowId } from '../engine/types.ts';
import { configFromState } from './stored-build.ts';

export interface FlowCost {
  flow: FlowId;
  steps: number;
  counts: EvalCounters;
  /** Gradient units per GD step. */
  units: number;
  ms: number;
}

export const UNIT_WEIGHTS = { grad: 1, loss: 0.5, hvp: 2, third: 4 } as const;

export function unitsOf(c: EvalCounters): number {
  return c.grad * UNIT_WEIGHTS.grad + c.loss * UNIT_WEIGHTS.loss + c.hvp * UNIT_WEIGHTS.hvp + c.third * UNIT_WEIGHTS.third;
}

/** GD's iterate after `from` steps (plain GD: one gradient per step). */
export function gdIterate(state: string, from: number): Float64Array {
  const cfg = configFromState(state);
  const inst = createProblem(cfg.problem);
  const w = Float64Array.from(cfg.start ?? inst.start);
  const g = new Float64Array(w.length);
  for (let k = 0; k < from; k++) {
    inst.problem.grad(w, g);
    for (let i = 0; i < w.length; i++) w[i] -= cfg.eta * g[i];
  }
  return w;
}

/**
 * Counts over two windows: the first `warm` steps from w0 (a fresh rod or a fresh eigen-tracker settles
 * in), then the next `steps` (the steady cost per step).
 */
export function measureFlowCost(state: string, flow: FlowId, w0: Float64Array, warm: number, steps: number): { first: FlowCost; steady: FlowCost } {
  const cfg = configFromState(state);
  const inst = createProblem(cfg.problem);
  const c = inst.problem.counters;
  if (!c) throw new Error(`${cfg.problem.id} has no evaluation counters`);
  const f = getFlowSpec(flow).create(inst.problem, cfg.eta, Float64Array.from(w0), { ...(cfg.flowOptions?.[flow] ?? {}) });
  const window = (n: number): FlowCost => {
    const before = { ...c };
    const t0 = performance.now();
    for (let k = 0; k < n && !f.stopped; k++) f.advance();
    const ms = performance.now() - t0;
    const counts: EvalCounters = { loss: c.loss - before.loss, grad: c.grad - before.grad, hvp: c.hvp - before.hvp, third: c.third - before.third };
    if (c.hessian !== undefined) counts.hessian = c.hessian - (before.hessian ?? 0);
    return { flow, steps: n, counts, units: unitsOf(counts) / Math.max(1, n), ms };
  };
  const first = window(warm);
  return { first, steady: window(steps) };
}
