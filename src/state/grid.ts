/** The loss landscape under the 1-D/2-D plots: requested from the worker when the problem changes. */
import { getProblemSpec } from '../engine/problems/registry.ts';
import { set } from './commit.ts';
import { problemSettingsOf } from './selectors.ts';
import type { Settings } from './settings.ts';
import { nextReqId, request } from './worker-link.ts';

const GRID_N = 120;
let gridKey = '';
/** The problem whose loss grid is shown: a failed grid request for it (invalid input) keeps that grid. */
let gridProblem = '';

export function requestGrid(s: Settings, force = false): void {
  const spec = getProblemSpec(s.problem);
  const key = JSON.stringify(problemSettingsOf(s));
  if (key === gridKey && !force) return;
  gridKey = key;
  if (!spec || spec.kind === 'network') {
    set({ grid: null });
    return;
  }
  request<'grid'>({ type: 'grid', reqId: nextReqId(), problem: problemSettingsOf(s), n: GRID_N })
    .then((m) => {
      if (gridKey !== key) return;
      set({ grid: m.grid });
      gridProblem = s.problem;
    })
    .catch(() => {
      // Invalid input for the problem shown: its last landscape stays, under the last valid run.
      if (gridKey === key && gridProblem !== s.problem) set({ grid: null });
    });
}
