/**
 * The page's state (zustand). Settings are what a person set (and what the URL carries); the rest is
 * what the worker computed and where the replay stands. Actions with side effects live in controller.ts.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { FlowId } from '../engine/types.ts';
import type { EngineStatus, GridResult, RunInfo, RunMode } from '../worker/protocol.ts';
import { defaultSettings, type Settings } from './settings.ts';
import type { ViewTrace } from './trace-buffer.ts';

export interface RunError {
  message: string;
  position?: number;
  input: boolean;
}

export interface RunView {
  runId: number;
  mode: RunMode;
  info: RunInfo | null;
  traces: Partial<Record<FlowId, ViewTrace>>;
  /** Steps the worker has done (relative to t0). */
  step: number;
  done: boolean;
  computing: boolean;
  onset: Partial<Record<FlowId, number>>;
  error: RunError | null;
  eta: number;
  t0: number;
  /** Worker time of the last chunk, ms. */
  computeMs: number;
  /** Absolute time of the last computed sample. */
  frontier: number;
  /**
   * A stored run shown in place of the live run of the same settings (src/lessons/stored.ts): the live
   * samples replace it only once they are complete, so a complete picture never turns partial.
   */
  stored?: boolean;
}

export interface Overlay {
  key: string;
  name: string;
  kind: 'ghost' | 'saved' | 'imported';
  eta: number;
  traces: Partial<Record<FlowId, ViewTrace>>;
  visible: boolean;
}

export interface AppState {
  settings: Settings;
  /** What was ignored in the link, and other notices (dismissable). */
  notices: string[];
  playing: boolean;
  /** Absolute time (GD steps) the plots show. */
  playhead: number;
  run: RunView;
  /** Eigenvalues at the start of the last restarted (not forked) run: the η ticks. */
  eigStart: number[];
  /** The start of the last restarted (not forked) run, as the worker used it (default or typed). */
  startUsed: number[];
  ghosts: Overlay[];
  saved: Overlay[];
  grid: GridResult | null;
  /** Shared hover cursor, absolute time in steps. */
  cursorT: number | null;
  /** True while the start point is being dragged: the plots show the whole horizon. */
  dragging: boolean;
  /** The run whose replay reached its divergence (the banner stays up for it, also after a rewind). */
  frozeRun: number;
  webgpu: 'checking' | 'available' | 'unavailable';
  /**
   * What runs the current network run when its engine is not the float64 reference (the worker's last
   * `engine` report for it); null = float64 on the CPU.
   */
  engine: (EngineStatus & { runId: number }) | null;
  /** A short status line (export done, import failed, link copied). */
  toast: { text: string; error: boolean } | null;
}

export function emptyRun(runId: number, mode: RunMode, eta: number, t0: number): RunView {
  return { runId, mode, info: null, traces: {}, step: 0, done: false, computing: true, onset: {}, error: null, eta, t0, computeMs: 0, frontier: t0 };
}

export const store = createStore<AppState>(() => ({
  settings: defaultSettings(),
  notices: [],
  playing: false,
  playhead: 0,
  run: emptyRun(0, 'horizon', defaultSettings().eta, 0),
  eigStart: [],
  startUsed: [],
  ghosts: [],
  saved: [],
  grid: null,
  cursorT: null,
  dragging: false,
  frozeRun: -1,
  webgpu: 'checking',
  engine: null,
  toast: null,
}));

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(store, selector);
}
