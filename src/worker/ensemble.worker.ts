/// <reference lib="webworker" />
/**
 * One worker of the ensemble CPU pool (ui/ensemble/cpu-pool.ts): runs float64 trajectories
 * (engine/ensemble/trajectories.ts) for a slice of an ensemble and posts the records back.
 */
import { ensembleProblem, type EnsembleProblem } from '../engine/ensemble/problem.ts';
import { Trajectories, strideOf, type EnsembleFlow } from '../engine/ensemble/trajectories.ts';
import type { ProblemSettings } from '../engine/types.ts';

declare const self: DedicatedWorkerGlobalScope;

export interface EnsembleTask {
  id: number;
  problem: ProblemSettings;
  flow: EnsembleFlow;
  /** (η, x0, y0) per trajectory. */
  inputs: Float32Array;
  steps: number;
}
export type EnsembleReply = { id: number; data: Float64Array } | { id: number; error: string };

let cached: { key: string; p: EnsembleProblem; tr: Trajectories } | null = null;

self.onmessage = (ev: MessageEvent<EnsembleTask>) => {
  const t = ev.data;
  try {
    const key = JSON.stringify(t.problem);
    if (!cached || cached.key !== key) {
      const p = ensembleProblem(t.problem);
      cached = { key, p, tr: new Trajectories(p.field) };
    }
    const n = t.inputs.length / 3;
    const stride = strideOf(t.flow);
    const data = new Float64Array(n * stride);
    for (let i = 0; i < n; i++) cached.tr.run(t.flow, t.inputs[3 * i], t.inputs[3 * i + 1], t.inputs[3 * i + 2], t.steps, data, i * stride);
    self.postMessage({ id: t.id, data } satisfies EnsembleReply, [data.buffer]);
  } catch (e) {
    self.postMessage({ id: t.id, error: (e as Error).message } satisfies EnsembleReply);
  }
};
