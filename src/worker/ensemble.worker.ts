/// <reference lib="webworker" />
/**
 * One worker of the ensemble CPU pool (ui/ensemble/cpu-pool.ts): runs float64 trajectories
 * (engine/ensemble/trajectories.ts) for a slice of an ensemble and posts the records back.
 */
import { toyField } from '../engine/ensemble/toy-field.ts';
import { loadMathjs } from '../engine/problems/mathjs-lazy.ts';
import { Trajectories, strideOf, type EnsembleFlow } from '../engine/ensemble/trajectories.ts';
import type { ScalarField } from '../engine/problems/field.ts';
import { InputError, type ProblemSettings } from '../engine/types.ts';

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

let cached: { key: string; tr: Trajectories } | null = null;

/**
 * Only the float64 field: toys need neither mathjs nor WGSL, so a worker for a toy starts in a fraction
 * of the time (custom expressions load their compiler on first use).
 */
async function fieldOf(problem: ProblemSettings): Promise<ScalarField> {
  if (problem.id === 'custom') {
    await loadMathjs();
    return (await import('../engine/ensemble/custom-field.ts')).customField(problem).field;
  }
  const toy = toyField(problem);
  if (!toy) throw new InputError(`Ensembles run on the 1-D/2-D problems only ('${problem.id}' is not one).`);
  return toy.field;
}

self.onmessage = async (ev: MessageEvent<EnsembleTask>) => {
  const t = ev.data;
  try {
    const key = JSON.stringify(t.problem);
    if (!cached || cached.key !== key) cached = { key, tr: new Trajectories(await fieldOf(t.problem)) };
    const n = t.inputs.length / 3;
    const stride = strideOf(t.flow);
    const data = new Float64Array(n * stride);
    for (let i = 0; i < n; i++) cached.tr.run(t.flow, t.inputs[3 * i], t.inputs[3 * i + 1], t.inputs[3 * i + 2], t.steps, data, i * stride);
    self.postMessage({ id: t.id, data } satisfies EnsembleReply, [data.buffer]);
  } catch (e) {
    self.postMessage({ id: t.id, error: (e as Error).message } satisfies EnsembleReply);
  }
};
