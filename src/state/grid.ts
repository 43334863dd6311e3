/** The loss landscape under the 1-D/2-D plots: requested from the worker when the problem changes. */
import { getProblemSpec } from '../engine/problems/registry.ts';
import { get, set } from './commit.ts';
import { problemSettingsOf } from './selectors.ts';
import type { Settings } from './settings.ts';
import { nextReqId, request } from './worker-link.ts';

const GRID_N = 120;
let gridKey = '';
/**
 * The 2-D plane's frame aspect (width/height px), in steps of 2 %: the landscape is sampled over the
 * window the frame draws (engine/grid.ts landscapeWindow), so no band of it is left blank.
 */
let aspect: number | undefined;

/** The plane's frame changed shape: a landscape for it (only when the rounded aspect changes). */
export function setPlaneAspect(a: number): void {
  if (!(a > 0 && Number.isFinite(a))) return;
  const r = Math.exp(Math.round(Math.log(a) / Math.log(1.02)) * Math.log(1.02));
  if (aspect !== undefined && Math.abs(r / aspect - 1) < 1e-9) return;
  aspect = r;
  requestGrid(get().settings);
}
/** The problem whose loss grid is shown: a failed grid request for it (invalid input) keeps that grid. */
let gridProblem = '';

export function requestGrid(s: Settings, force = false): void {
  const spec = getProblemSpec(s.problem);
  const key = JSON.stringify([problemSettingsOf(s), spec?.kind === 'network' ? null : aspect ?? null]);
  if (key === gridKey && !force) return;
  gridKey = key;
  if (!spec || spec.kind === 'network') {
    set({ grid: null });
    return;
  }
  request<'grid'>({ type: 'grid', reqId: nextReqId(), problem: problemSettingsOf(s), n: GRID_N, ...(aspect ? { aspect } : {}) })
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
