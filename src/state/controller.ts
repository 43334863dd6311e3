/**
 * The page's actions, as the UI imports them. The work is done by small modules whose imports only
 * point down (docs/architecture.md):
 *
 *   boot ─┬─ drag ── apply ─┬─ forks ── runs ── chunks ── commit, perf, selectors, worker-link
 *         ├─ transport ─────┤                      └── (runCommitted, runStarted: signals upward)
 *         ├─ overlays, engine-status, grid, url-sync
 *
 * Feedback from lower modules (samples committed → fork rebuild, stream stop) goes through signals
 * (signal.ts) that the higher modules subscribe to.
 */
import { get } from './commit.ts';
import * as sel from './selectors.ts';
import type { AppState } from './store.ts';

export { initController, fromLocation, recoverWorker } from './boot.ts';
export { apply, etaBelowEdge, selectProblem, setEngine, setEta, setSettings } from './apply.ts';
export { setStart } from './drag.ts';
export { pause, play, reset, rewind, scrub, seek, setPlayhead, stepOnce, togglePlay } from './transport.ts';
export { clearGhosts, copyText, deleteOverlay, dismissNotice, exportRun, importRunFile, importRunText, linkFor, renameOverlay, saveRun, setCursor, toggleOverlay } from './overlays.ts';
export { perf } from './perf.ts';
export { setPlaneAspect } from './grid.ts';
export { configOf, engineOf, etaJustBelow, fmtEta, freezeTime, leadFlow, modeFor, problemSettingsOf, runEnd } from './selectors.ts';

/** λ₁ of gradient flow's last recorded state (where the stable flow sharpens to), if it ran. */
export function gfEndSharpness(st: AppState = get()): number | null {
  return sel.gfEndSharpness(st);
}

/** The λ that "just below 2/λ" refers to (see selectors.ts). */
export function edgeLambda(st: AppState = get()): ReturnType<typeof sel.edgeLambda> {
  return sel.edgeLambda(st);
}
