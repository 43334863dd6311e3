/**
 * How the state modules read and write the store: `set` and `get`, through the drag hold.
 *
 * The drag hold: a drag move's state changes (the start, the new run) are held back until the move's
 * first chunk arrives, then committed together with it, so the page renders once per move, not twice,
 * and the render of the settings alone no longer delays the frame while the worker computes. The
 * modules read through the hold (get), so their logic sees the same state as without it.
 */
import { store, type AppState } from './store.ts';

let held: Partial<AppState> | null = null;
let heldTimer: ReturnType<typeof setTimeout> | undefined;
/** A move whose first chunk is late (a slow problem) shows its settings anyway after this long, ms. */
const HOLD_MAX_MS = 40;
/** Status lines fade after this long; errors stay until dismissed. */
const TOAST_MS = 5000;

let toastTimer: ReturnType<typeof setTimeout> | undefined;

export function set(p: Partial<AppState>): void {
  // zustand merges top-level keys: merging into the hold and committing it later is the same state.
  if (held) Object.assign(held, p);
  else store.setState(p);
  if (p.toast && !p.toast.error) {
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => set({ toast: null }), TOAST_MS);
  }
}

export function get(): AppState {
  return held ? { ...store.getState(), ...held } : store.getState();
}

/** Hold the state changes that follow (a drag move) until releaseHeld or HOLD_MAX_MS. */
export function holdUpdates(): void {
  if (held) return;
  held = {};
  heldTimer = setTimeout(releaseHeld, HOLD_MAX_MS);
}

/** Commit what was held (one store update, one render). */
export function releaseHeld(): void {
  if (!held) return;
  const p = held;
  held = null;
  clearTimeout(heldTimer);
  store.setState(p);
}
