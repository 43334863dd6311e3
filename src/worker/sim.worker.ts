/// <reference lib="webworker" />
/**
 * The simulation worker: owns the engine, runs the flows, streams typed-array chunks to the page.
 * See protocol.ts for the two modes. All numbers are float64 on the CPU (the reference backend), unless
 * a network run asks for another engine: then the tfjs path (engine-backend.ts) is imported on demand,
 * so a page that never leaves float64 never loads tfjs, and the same runner runs on its float32 twin.
 */
import { createRunner } from '../engine/runner.ts';
import { createProblem, getProblemSpec } from '../engine/problems/registry.ts';
import { lossGrid } from '../engine/grid.ts';
import { topEigs } from '../engine/linalg/eigs.ts';
import { runToJson, runFileToCsv } from '../engine/run-file.ts';
import { FLOW_IDS, InputError, type FlowId, type ProblemInstance, type RunnerApi, type Trace } from '../engine/types.ts';
import type { EngineChoice, EngineInfo, EngineProblem } from '../engine/gpu/engine-backend.ts';
import type { KeyValueStore } from '../engine/gpu/backend.ts';
import type { FromWorker, RunMode, ToWorker, TraceChunk } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

/** Longest a slice of work may hold the worker before it looks at its inbox again, ms. */
const SLICE_MS = 12;
/**
 * Horizon mode works in shorter slices: a drag sends a new request every frame, and a request waits
 * for the slice in progress to end.
 */
const HORIZON_SLICE_MS = 4;
/** The first slice of a new horizon is shorter still, so that a drag shows its new path in the next frame. */
const FIRST_SLICE_MS = 2;
/** Horizon mode: later chunks of one run are posted at most this often. */
const HORIZON_CHUNK_MS = 60;

interface Current {
  runId: number;
  runner: RunnerApi;
  /** The engine asked for (a fork keeps it; a failure mid-run restarts on float64). */
  engine: EngineChoice;
  mode: RunMode;
  eta: number;
  t0: number;
  sent: Partial<Record<FlowId, number>>;
  generation: number;
  playing: boolean;
  stepsPerSlice: number;
  /** Steps still to do for a single-step request (stream mode). */
  stepQuota: number;
  onset: Partial<Record<FlowId, number>>;
  /** A first chunk has been sent (the next ones append). */
  delivered: boolean;
  /** When the last chunk was posted (worker clock). */
  lastSent: number;
}

let current: Current | null = null;
type RunMsg = Extract<ToWorker, { type: 'run' }>;
/** A run waiting for its engine to start (calibration): the transport messages it got meanwhile. */
let starting: { msg: RunMsg; playing: boolean; stepsPerSlice: number; stepQuota: number } | null = null;
let pendingRun: Extract<ToWorker, { type: 'run' }> | null = null;
/** When the pending request arrived (worker clock). */
let pendingSince = 0;
let runSince = 0;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

function errorOf(e: unknown): { message: string; position?: number; input: boolean } {
  if (e instanceof InputError || (e instanceof Error && e.name === 'InputError')) {
    return { message: e.message, position: (e as InputError).position, input: true };
  }
  return { message: e instanceof Error ? e.message : String(e), input: false };
}

// Yield to the inbox without the 4 ms clamp of nested timers.
const channel = new MessageChannel();
let scheduled = false;
channel.port1.onmessage = () => {
  scheduled = false;
  pump();
};
function schedule(): void {
  if (!scheduled) {
    scheduled = true;
    channel.port2.postMessage(0);
  }
}

function startRun(msg: RunMsg): void {
  current = null;
  starting = null;
  runSince = pendingSince;
  const engine = msg.engine ?? 'float64';
  if (engine === 'float64' || msg.mode !== 'stream' || getProblemSpec(msg.config.problem.id)?.kind !== 'network') {
    releaseEngine();
    const err = begin(msg, 'float64');
    if (err) post({ type: 'error', runId: msg.runId, ...err });
    return;
  }
  // The engine starts asynchronously (dynamic import, backend start-up, 'auto' calibration); the run
  // begins when it is ready, with the transport messages it received in the meantime.
  let inst: ProblemInstance;
  try {
    inst = createProblem(msg.config.problem);
  } catch (e) {
    post({ type: 'error', runId: msg.runId, ...errorOf(e) });
    return;
  }
  const wait = { msg, playing: false, stepsPerSlice: 1, stepQuota: 0 };
  starting = wait;
  post({ type: 'engine', runId: msg.runId, status: { phase: 'calibrating', requested: engine } });
  const w0 = msg.config.start ? Float64Array.from(msg.config.start) : inst.start;
  engineFor(JSON.stringify([msg.config.problem, engine]), inst, w0, engine).then(
    (eng) => {
      if (starting !== wait) return; // superseded by a newer run while the engine started
      starting = null;
      const err = begin(msg, engine, { ...inst, problem: eng.problem }, wait);
      if (!err) post({ type: 'engine', runId: msg.runId, status: { phase: 'running', info: eng.info } });
      else if (err.input) post({ type: 'error', runId: msg.runId, ...err });
      else fallBack(msg, engine, err.message, wait);
    },
    (e: unknown) => {
      if (starting !== wait) return;
      starting = null;
      fallBack(msg, engine, errorOf(e).message, wait);
    },
  );
}

/** The engine failed (to start, or mid-run): run on the float64 reference instead and say why. */
function fallBack(msg: RunMsg, engine: EngineChoice, reason: string, transport: Transport): void {
  releaseEngine();
  post({ type: 'engine', runId: msg.runId, status: { phase: 'running', info: float64Fallback(engine, reason), fellBack: true } });
  const err = begin({ ...msg, engine: 'float64' }, 'float64', undefined, transport);
  if (err) post({ type: 'error', runId: msg.runId, ...err });
}

/** The info shown when an engine could not start and the run uses the float64 reference instead. */
function float64Fallback(requested: EngineChoice, reason: string): EngineInfo {
  return { name: 'float64', requested, failed: [{ name: requested, reason }], summary: `CPU float64 (reference) — '${requested}' failed to start` };
}

type Transport = { playing: boolean; stepsPerSlice: number; stepQuota: number };

/**
 * Build the runner (on `inst` when given: the engine's twin of the problem), post the run's info and
 * start pumping. Returns the error when the run could not be built (nothing was posted).
 */
function begin(msg: RunMsg, engine: EngineChoice, inst?: ProblemInstance, transport?: Transport): ReturnType<typeof errorOf> | null {
  const cfg = { ...msg.config };
  // Horizon mode replays every step: keep the whole horizon at stride 1.
  if (msg.mode === 'horizon') cfg.capacity = Math.max(cfg.capacity ?? 4096, cfg.steps + 2);
  let runner: RunnerApi;
  let eigStart: number[] = [];
  try {
    runner = createRunner(cfg, inst);
    const w0 = cfg.start ? Float64Array.from(cfg.start) : runner.instance.start;
    eigStart = topEigs(runner.instance.problem, w0, 2).values.slice();
  } catch (e) {
    return errorOf(e);
  }
  const info = runner.instance;
  current = {
    runId: msg.runId,
    runner,
    engine,
    mode: msg.mode,
    eta: cfg.eta,
    t0: cfg.t0 ?? 0,
    sent: {},
    generation: runner.generation,
    playing: transport?.playing ?? false,
    stepsPerSlice: transport?.stepsPerSlice ?? 1,
    stepQuota: transport?.stepQuota ?? 0,
    onset: {},
    delivered: false,
    lastSent: 0,
  };
  post({
    type: 'info',
    info: {
      runId: msg.runId,
      label: info.label,
      dim: info.problem.dim,
      window: info.window,
      start: info.problem.dim <= 64 ? Array.from(cfg.start ?? info.start) : [],
      eigStart,
      flows: cfg.flows.slice(),
      t0: cfg.t0 ?? 0,
      steps: cfg.steps,
      mode: msg.mode,
      flowOptions: cfg.flowOptions ?? {},
    },
  });
  if (transport) schedule();
  return null;
}

// ------------------------------------------------------------------------------------------------
// Engines: one engine problem at a time (tfjs has one active backend), kept while the problem and the
// choice stay the same (η forks, resets and restarts reuse it without calibrating again), disposed when
// either changes. Starts are chained, so two calibrations never overlap.

let engineKey = '';
let enginePromise: Promise<EngineProblem> | null = null;
/** The engine choices remembered on this device; the page persists them (see protocol.ts). */
const memory = new Map<string, string>();
const storage: KeyValueStore = {
  getItem: (k) => memory.get(k) ?? null,
  setItem: (k, v) => {
    memory.set(k, v);
    post({ type: 'memory', key: k, value: v });
  },
};

function engineFor(key: string, inst: ProblemInstance, w0: Float64Array, choice: EngineChoice): Promise<EngineProblem> {
  if (enginePromise && engineKey === key) return enginePromise;
  const prev = enginePromise;
  engineKey = key;
  enginePromise = (async () => {
    if (prev) await prev.then((p) => p.dispose(), () => undefined);
    const { networkProblemOn } = await import('../engine/gpu/engine-backend.ts');
    return networkProblemOn(inst.problem, w0, choice, { storage });
  })();
  return enginePromise;
}

function releaseEngine(): void {
  const prev = enginePromise;
  enginePromise = null;
  engineKey = '';
  void prev?.then((p) => p.dispose(), () => undefined);
}

/** The direction of Σ's top eigenvector for each new central-flow sample (1-D/2-D only). */
function sigmaDirs(cur: Current, tr: Trace, from: number): Float64Array | undefined {
  const p = cur.runner.instance.problem;
  if (tr.flow !== 'central-flow' || p.dim > 2 || tr.projected) return undefined;
  const d = tr.wDim;
  const out = new Float64Array((tr.length - from) * d);
  for (let i = from; i < tr.length; i++) {
    const w = tr.w.subarray(i * d, (i + 1) * d);
    const top = topEigs(p, w, 1).vectors[0];
    for (let j = 0; j < d; j++) out[(i - from) * d + j] = top[j];
  }
  return out;
}

/** Centre and the two ends of each sample's rod / oscillation (see TraceChunk). */
function addGeometry(c: TraceChunk): void {
  const m = c.t.length * c.wDim;
  if (c.delta && (c.flow === 'gd' || c.flow === 'rod-flow')) {
    const centre = new Float64Array(m);
    const lo = new Float64Array(m);
    const hi = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const d = c.delta[i];
      const mid = c.flow === 'gd' ? c.w[i] + d : c.w[i];
      centre[i] = mid;
      lo[i] = mid - d;
      hi[i] = mid + d;
    }
    Object.assign(c, { centre, lo, hi });
  } else if (c.sigmaDir) {
    const lo = new Float64Array(m);
    const hi = new Float64Array(m);
    const d = c.wDim;
    for (let i = 0; i < c.t.length; i++) {
      const sigma = Math.sqrt(Math.max(0, c.osc[i]));
      for (let j = 0; j < d; j++) {
        lo[i * d + j] = c.w[i * d + j] - sigma * c.sigmaDir[i * d + j];
        hi[i * d + j] = c.w[i * d + j] + sigma * c.sigmaDir[i * d + j];
      }
    }
    Object.assign(c, { lo, hi });
  }
}

function sendChunk(cur: Current, ms: number): void {
  const r = cur.runner;
  const reset = r.generation !== cur.generation || !cur.delivered;
  cur.generation = r.generation;
  const chunks: TraceChunk[] = [];
  const transfer: Transferable[] = [];
  const thresh = 2 / cur.eta;
  for (const id of FLOW_IDS) {
    const tr = r.traces[id];
    if (!tr) continue;
    const from = reset ? 0 : (cur.sent[id] ?? 0);
    const n = tr.length;
    const d = tr.wDim;
    const k = tr.eigK;
    const c: TraceChunk = {
      flow: id,
      from,
      length: n,
      stride: tr.stride,
      wDim: d,
      projected: tr.projected,
      eigK: k,
      t: tr.t.slice(from, n),
      w: tr.w.slice(from * d, n * d),
      delta: tr.delta ? tr.delta.slice(from * d, n * d) : undefined,
      loss: tr.loss.slice(from, n),
      predictedLoss: tr.predictedLoss.slice(from, n),
      sharpness: tr.sharpness.slice(from * k, n * k),
      osc: tr.osc.slice(from, n),
      dist: tr.dist.slice(from, n),
      sigmaDir: sigmaDirs(cur, tr, from),
      stopped: tr.stopped,
    };
    addGeometry(c);
    if (cur.onset[id] === undefined) {
      for (let i = from; i < n; i++) {
        if (tr.sharpness[i * k] > thresh) {
          cur.onset[id] = tr.t[i];
          break;
        }
      }
    }
    cur.sent[id] = n;
    chunks.push(c);
    for (const a of [c.t, c.w, c.delta, c.loss, c.predictedLoss, c.sharpness, c.osc, c.dist, c.sigmaDir, c.centre, c.lo, c.hi]) if (a) transfer.push(a.buffer);
  }
  cur.delivered = true;
  post(
    {
      type: 'chunk', runId: cur.runId, generation: r.generation, reset, step: r.step, done: r.done, ms, chunks, onset: { ...cur.onset },
      ...(reset && r.generation === 0 ? { sinceRequest: performance.now() - runSince } : {}),
    },
    transfer,
  );
}

function pump(): void {
  if (pendingRun) {
    const msg = pendingRun;
    pendingRun = null;
    startRun(msg);
  }
  const cur = current;
  if (!cur) return;
  const r = cur.runner;
  const t0 = performance.now();
  try {
    if (cur.mode === 'horizon') {
      // The whole horizon at once, but delivered slice by slice: the first samples reach the page
      // within one short slice (a drag redraws at once), the rest follows in the next frames.
      if (r.done && cur.delivered) return;
      const budget = cur.delivered ? HORIZON_SLICE_MS : FIRST_SLICE_MS;
      let n = 1;
      while (!r.done && performance.now() - t0 < budget) {
        r.advance(n);
        n = Math.min(64, n * 2);
      }
      // First slice at once; then at most every HORIZON_CHUNK_MS (each chunk costs the page a redraw).
      const now = performance.now();
      if (!cur.delivered || r.done || now - cur.lastSent >= HORIZON_CHUNK_MS) {
        sendChunk(cur, now - t0);
        cur.lastSent = now;
      }
      if (!r.done) schedule();
      return;
    }
    // Stream mode: single steps first, then play.
    if (cur.stepQuota > 0) {
      const n = cur.stepQuota;
      cur.stepQuota = 0;
      r.advance(n);
      sendChunk(cur, performance.now() - t0);
    }
    if (cur.playing && !r.done) {
      let done = 0;
      while (done < cur.stepsPerSlice && !r.done && performance.now() - t0 < SLICE_MS) {
        r.advance(1);
        done++;
      }
      sendChunk(cur, performance.now() - t0);
      if (!r.done) schedule();
    } else if (!cur.delivered) sendChunk(cur, 0);
  } catch (e) {
    current = null;
    const err = errorOf(e);
    if (cur.engine !== 'float64' && !err.input) {
      // The engine broke mid-run (a lost GPU device, a tfjs error): start over on the float64
      // reference and say why, rather than leaving the page stuck.
      fallBack({ type: 'run', runId: cur.runId, config: cur.runner.config, mode: cur.mode }, cur.engine, err.message, cur);
      return;
    }
    post({ type: 'error', runId: cur.runId, ...err });
  }
}

/** A control message for a run not started yet (it waits in `pendingRun`): start it now. */
function ensureStarted(runId: number): void {
  if (pendingRun && pendingRun.runId === runId) {
    const msg = pendingRun;
    pendingRun = null;
    startRun(msg);
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'play' || msg.type === 'pause' || msg.type === 'step') ensureStarted(msg.runId);
  switch (msg.type) {
    case 'run':
      pendingRun = msg;
      pendingSince = performance.now();
      schedule();
      break;
    case 'fork': {
      const cur = current;
      if (!cur || cur.runId !== msg.fromRunId) {
        post({ type: 'error', runId: msg.runId, message: 'The run to fork is no longer in the worker.', input: false });
        break;
      }
      const base = cur.runner.config;
      const end = (base.t0 ?? 0) + base.steps;
      const t0 = msg.sameBase ? (base.t0 ?? 0) : Math.min(msg.t, end);
      const start = msg.sameBase ? base.start : stateAt(cur, t0);
      pendingSince = performance.now();
      pendingRun = {
        type: 'run',
        runId: msg.runId,
        mode: cur.mode,
        engine: cur.engine,
        config: { ...base, eta: msg.eta, start: start ? Array.from(start) : undefined, t0, steps: Math.max(0, end - t0) },
      };
      schedule();
      break;
    }
    case 'memory':
      for (const [k, v] of Object.entries(msg.entries)) memory.set(k, v);
      break;
    case 'play':
      if (starting && starting.msg.runId === msg.runId) {
        starting.playing = true;
        starting.stepsPerSlice = Math.max(1, Math.floor(msg.stepsPerSlice));
      }
      if (current && current.runId === msg.runId) {
        current.playing = true;
        current.stepsPerSlice = Math.max(1, Math.floor(msg.stepsPerSlice));
        schedule();
      }
      break;
    case 'pause':
      if (starting && starting.msg.runId === msg.runId) starting.playing = false;
      if (current && current.runId === msg.runId) current.playing = false;
      break;
    case 'step':
      if (starting && starting.msg.runId === msg.runId) starting.stepQuota += Math.max(1, Math.floor(msg.n));
      if (current && current.runId === msg.runId) {
        current.stepQuota += Math.max(1, Math.floor(msg.n));
        schedule();
      }
      break;
    case 'grid':
      try {
        const inst = createProblem(msg.problem);
        if (!inst.window || inst.problem.dim > 2) {
          post({ type: 'error', reqId: msg.reqId, message: 'This problem has no 2-D plot window.', input: false });
          break;
        }
        const g = lossGrid(inst.problem, inst.window, msg.n);
        const xs = g.dim === 1 ? Float64Array.from({ length: g.nx }, (_, i) => g.x[0] + (i * (g.x[1] - g.x[0])) / (g.nx - 1)) : undefined;
        post({ type: 'grid', reqId: msg.reqId, grid: { ...g, xs } }, xs ? [g.values.buffer, xs.buffer] : [g.values.buffer]);
      } catch (e) {
        post({ type: 'error', reqId: msg.reqId, ...errorOf(e) });
      }
      break;
    case 'stateAt': {
      const cur = current;
      if (!cur || cur.runId !== msg.runId) {
        post({ type: 'error', reqId: msg.reqId, message: 'That run is no longer in the worker.', input: false });
        break;
      }
      post({ type: 'stateAt', reqId: msg.reqId, w: stateAt(cur, msg.t) });
      break;
    }
    case 'export': {
      const cur = current;
      if (!cur || cur.runId !== msg.runId) {
        post({ type: 'error', reqId: msg.reqId, message: 'No run to export yet.', input: false });
        break;
      }
      try {
        const file = runToJson(cur.runner);
        const base = `rodflow-${file.problem.id}-eta${file.eta}`;
        const text = msg.format === 'json' ? JSON.stringify(file) : runFileToCsv(file);
        post({ type: 'export', reqId: msg.reqId, text, filename: `${base}.${msg.format}` });
      } catch (e) {
        post({ type: 'error', reqId: msg.reqId, ...errorOf(e) });
      }
      break;
    }
  }
};

/** GD's iterate at absolute time t: from the full-resolution trace (horizon mode) or the runner's current state. */
function stateAt(cur: Current, t: number): number[] {
  const r = cur.runner;
  const tr = r.traces.gd ?? r.traces[r.config.flows[0]];
  if (cur.mode === 'horizon' && tr && !tr.projected && tr.length > 0) {
    // Last sample at or before t (the trace is at stride 1 in horizon mode, so this is exact).
    let i = 0;
    while (i + 1 < tr.length && tr.t[i + 1] <= t) i++;
    return Array.from(tr.w.subarray(i * tr.wDim, (i + 1) * tr.wDim));
  }
  return Array.from(r.currentState());
}

post({ type: 'ready' });
