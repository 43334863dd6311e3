import { createProblem } from '../src/engine/problems/registry.ts';

/**
 * GD's float64 iterate of a registry problem after `k` steps from its default start: the plain loop
 * w ← w − η∇L(w), which the Runner's GD is bit for bit (test/flows-gd.test.ts). Tests and benches start
 * flows from it (just before the edge of stability) instead of integrating the whole sharpening phase.
 */
export function gdIterate(id: string, eta: number, k: number): Float64Array {
  const { problem, start } = createProblem({ id });
  const w = Float64Array.from(start);
  const g = new Float64Array(w.length);
  for (let i = 0; i < k; i++) {
    problem.grad(w, g);
    for (let j = 0; j < w.length; j++) w[j] -= eta * g[j];
  }
  return w;
}
