/**
 * The worker's message dispatch: one session at a time (engine/session.ts), advanced in time slices,
 * its samples sent as chunks (encoder.ts). It takes a `post` function instead of touching the worker
 * global, so the same dispatch runs inside the Web Worker (sim.worker.ts) and in Node tests.
 * See protocol.ts for the messages and the two modes. A network run may come with a `part` (the page's
 * pool, state/worker-pool.ts, split it): this worker then computes only those flows; as the lead it
 * still answers for the whole run (info, forks: then 'forked' with the fork's config, export).
 */
import { createProblem } from '../engine/problems/registry.ts';
import { landscapeWindow, lossGrid } from '../engine/grid.ts';
import { flowsToTraces, parseRunFile, runFileForks, runFileTraces, runToJson, runFileToCsv, type RunFile } from '../engine/run-file.ts';
import { sliceColumns, thinToAtMost } from '../engine/trace.ts';
import { FLOW_IDS, type FlowId, type FlowOptions, type Trace } from '../engine/types.ts';
import { EngineCache, float64Fallback, needsEngine, openSession, type RunPart, type Session } from '../engine/session.ts';
import type { RunLike } from '../engine/run-file.ts';
import { PartRunner } from '../engine/part.ts';
import { InputError } from '../engine/types.ts';
import type { EngineChoice } from '../engine/gpu/engine-backend.ts';
import type { KeyValueStore } from '../engine/gpu/backend.ts';
import { addGeometry, encodeChunks, encoderState, type EncoderState } from './encoder.ts';
import type { FromWorker, ImportedRestore, RunMode, ToWorker, TraceChunk } from './protocol.ts';

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
/** An imported run keeps at most this many samples per flow (the plots show no more; the runner's default capacity). */
export const IMPORT_MAX_SAMPLES = 4096;

/** Stream mode: the lead flow's state is kept every this many steps at first (see Checkpoints). */
const CHECKPOINT_EVERY = 16;
/** At most this many checkpoints per run; past it every other one goes and the spacing doubles. */
const MAX_CHECKPOINTS = 64;

type RunMsg = Extract<ToWorker, { type: 'run' }>;
type ToWorkerRunConfig = RunMsg['config'];

/**
 * Stream mode: the lead flow's full state at some past times (a network's trace records only a 2-D
 * projection), so that a fork at a step the page scrubbed back to can be served. With GD as the lead
 * flow, the state at any step is the nearest earlier checkpoint advanced by GD's own update
 * (w ← w − η∇L(w), the same arithmetic as flows/gd.ts, so the same bits); another lead flow forks at
 * the nearest earlier checkpoint. Memory: at most MAX_CHECKPOINTS × the parameter count doubles.
 */
interface Checkpoints {
  t: number[];
  w: Float64Array[];
  every: number;
  gd: boolean;
}
type Transport = { playing: boolean; stepsPerSlice: number; stepQuota: number };

interface Current extends Transport {
  runId: number;
  session: Session;
  /** The engine asked for (a fork keeps it; a failure mid-run restarts on float64). */
  engine: EngineChoice;
  /** What actually runs (a tfjs backend's name, or 'float64'): the mid-run failure notice names it. */
  engineName: string;
  mode: RunMode;
  enc: EncoderState;
  /** When the last chunk was posted (worker clock). */
  lastSent: number;
  /** Stream mode: past states for forks behind the current step. */
  ckpt: Checkpoints | null;
  /** A pooled network run: the flows this worker computes (see RunPart); `config` is then the whole run's. */
  part?: RunPart;
  config: ToWorkerRunConfig;
}

export type Post = (msg: FromWorker, transfer?: Transferable[]) => void;

export function errorOf(e: unknown): { message: string; position?: number; input: boolean } {
  if (e instanceof InputError || (e instanceof Error && e.name === 'InputError')) {
    return { message: e.message, position: (e as InputError).position, input: true };
  }
  return { message: e instanceof Error ? e.message : String(e), input: false };
}

export interface WorkerHost {
  onMessage(msg: ToWorker): void;
  /** Stop: drop the session and close the scheduling channel (tests; a Web Worker is terminated instead). */
  close(): void;
}

/** Chunks of an imported set of traces, each flow thinned to IMPORT_MAX_SAMPLES, with the drawing geometry; its buffers join `transfer`. */
function importChunks(traces: Partial<Record<FlowId, Trace>>, count: { samples: number; kept: number }, transfer: ArrayBuffer[]): TraceChunk[] {
  const chunks: TraceChunk[] = [];
  for (const id of FLOW_IDS) {
    const full = traces[id];
    if (!full) continue;
    const tr = thinToAtMost(full, IMPORT_MAX_SAMPLES);
    count.samples += full.length;
    count.kept += tr.length;
    const cols = sliceColumns(tr, 0, tr.length);
    const c = { flow: id, from: 0, length: tr.length, stride: tr.stride, wDim: tr.wDim, projected: tr.projected, eigK: tr.eigK, stopped: tr.stopped, ...cols } as TraceChunk;
    addGeometry(c);
    chunks.push(c);
    for (const a of [...Object.values(cols), c.centre, c.lo, c.hi]) if (a) transfer.push(a.buffer as ArrayBuffer);
  }
  return chunks;
}

/** The settings a schema-2 file's run was computed with, and its fork history (the page rebuilds the run from them). */
function restoreOf(file: RunFile): ImportedRestore {
  const p = file.problem;
  const forks = runFileForks(file);
  return {
    problem: { id: p.id, params: { ...p.params }, ...(p.choices ? { choices: { ...p.choices } } : {}), ...(p.expr !== undefined ? { expr: p.expr } : {}) },
    ...(file.history?.start ? { start: file.history.start } : {}),
    end: file.history?.end ?? (file.t0 ?? 0) + file.steps,
    flows: FLOW_IDS.filter((f) => file.flows[f]),
    flowOptions: (file.flowOptions ?? {}) as Partial<Record<FlowId, FlowOptions>>,
    ...(forks ? { forks } : {}),
  };
}

/**
 * What an export writes: the session's run; for a pooled run's lead also the other workers' flows
 * (`extra`), every trace cut at `upTo`, the time all of them have reached.
 */
function exportedRun(cur: Current, extra: Trace[] | undefined, upTo: number | undefined): RunLike {
  const r = cur.session.runner;
  if (!cur.part) return r;
  const traces: Partial<Record<FlowId, Trace>> = { ...r.traces };
  for (const tr of extra ?? []) if (cur.config.flows.includes(tr.flow) && !traces[tr.flow]) traces[tr.flow] = tr;
  const t0 = cur.config.t0 ?? 0;
  const end = upTo === undefined ? Infinity : upTo;
  for (const id of FLOW_IDS) {
    const tr = traces[id];
    if (!tr) continue;
    let n = 0;
    while (n < tr.length && tr.t[n] <= end) n++;
    if (n < tr.length) traces[id] = { ...tr, length: n };
  }
  return { config: { ...r.config, flows: cur.config.flows.slice() }, instance: r.instance, traces, step: Math.min(r.step, end - t0) };
}

export function createWorkerHost(post: Post): WorkerHost {
  let current: Current | null = null;
  /** A run waiting for its engine to start (calibration), with the transport messages it got meanwhile. */
  let starting: (Transport & { msg: RunMsg }) | null = null;
  let pendingRun: RunMsg | null = null;
  /** When the pending request arrived (worker clock). */
  let pendingSince = 0;
  let runSince = 0;

  /** The engine choices remembered on this device; the page persists them (see protocol.ts). */
  const memory = new Map<string, string>();
  const storage: KeyValueStore = {
    getItem: (k) => memory.get(k) ?? null,
    setItem: (k, v) => {
      memory.set(k, v);
      post({ type: 'memory', key: k, value: v });
    },
  };
  const engines = new EngineCache(storage);

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
    if (!needsEngine(msg.config, msg.mode, engine)) {
      engines.release();
      const err = begin(msg, 'float64');
      if (err) post({ type: 'error', runId: msg.runId, ...err });
      return;
    }
    // The engine starts asynchronously; the run begins when it is ready, with the transport messages
    // it received in the meantime.
    let inst;
    try {
      inst = createProblem(msg.config.problem);
    } catch (e) {
      post({ type: 'error', runId: msg.runId, ...errorOf(e) });
      return;
    }
    const wait = { msg, playing: false, stepsPerSlice: 1, stepQuota: 0 };
    starting = wait;
    post({ type: 'engine', runId: msg.runId, status: { phase: 'calibrating', requested: engine } });
    engines.get(msg.config, inst, engine).then(
      (eng) => {
        if (starting !== wait) return; // superseded by a newer run while the engine started
        starting = null;
        const err = begin(msg, engine, { ...inst, problem: eng.problem }, wait, eng.info.name);
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

  /**
   * The engine failed (to start, or mid-run on `midRun.name` after `midRun.step` recorded steps): run on
   * the float64 reference instead, from the run's start, and say why.
   */
  function fallBack(msg: RunMsg, engine: EngineChoice, reason: string, transport: Transport, midRun?: { name: string; step: number }): void {
    engines.release();
    const info = float64Fallback(engine, reason, midRun?.name);
    post({ type: 'engine', runId: msg.runId, status: { phase: 'running', info, fellBack: true, ...(midRun ? { stoppedAt: midRun.step } : {}) } });
    const err = begin({ ...msg, engine: 'float64' }, 'float64', undefined, transport);
    if (err) post({ type: 'error', runId: msg.runId, ...err });
  }

  /**
   * Open the session (on `inst` when given: the engine's twin of the problem), post the run's info and
   * start pumping. Returns the error when the run could not be built (nothing was posted).
   */
  function begin(msg: RunMsg, engine: EngineChoice, inst?: Parameters<typeof openSession>[2], transport?: Transport, engineName = 'float64'): ReturnType<typeof errorOf> | null {
    let session: Session;
    try {
      session = openSession(msg.config, msg.mode, inst, msg.part);
    } catch (e) {
      return errorOf(e);
    }
    const cfg = session.config;
    current = {
      runId: msg.runId,
      session,
      engine,
      engineName,
      mode: msg.mode,
      ...(msg.part ? { part: msg.part } : {}),
      config: msg.config,
      enc: encoderState(session.runner),
      playing: transport?.playing ?? false,
      stepsPerSlice: transport?.stepsPerSlice ?? 1,
      stepQuota: transport?.stepQuota ?? 0,
      lastSent: 0,
      ckpt:
        msg.mode === 'stream' && !msg.part?.follower
          ? { t: [cfg.t0 ?? 0], w: [Float64Array.from(cfg.start ?? session.runner.instance.start)], every: CHECKPOINT_EVERY, gd: cfg.flows.includes('gd') }
          : null,
    };
    // The run's info (a pooled run's lead speaks for all its flows; a follower's info is not used).
    post({
      type: 'info',
      info: { runId: msg.runId, ...session.info, flows: msg.config.flows.slice(), t0: cfg.t0 ?? 0, steps: cfg.steps, mode: msg.mode, flowOptions: cfg.flowOptions ?? {} },
    });
    if (transport) schedule();
    return null;
  }

  function sendChunk(cur: Current, ms: number): void {
    const r = cur.session.runner;
    const { reset, chunks, transfer, onset } = encodeChunks(r, cur.session.config.eta, cur.enc);
    post(
      {
        type: 'chunk', runId: cur.runId, generation: r.generation, reset, step: r.step, done: r.done, ms, chunks, onset,
        ...(r instanceof PartRunner ? { cost: { flowMs: { ...r.flowMs }, shadowMs: r.shadowMs } } : {}),
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
    const r = cur.session.runner;
    const t0 = performance.now();
    try {
      if (cur.mode === 'horizon') {
        // The whole horizon at once, but delivered slice by slice: the first samples reach the page
        // within one short slice (a drag redraws at once), the rest follows in the next frames.
        if (r.done && cur.enc.delivered) return;
        const budget = cur.enc.delivered ? HORIZON_SLICE_MS : FIRST_SLICE_MS;
        let n = 1;
        while (!r.done && performance.now() - t0 < budget) {
          r.advance(n);
          n = Math.min(64, n * 2);
        }
        // First slice at once; then at most every HORIZON_CHUNK_MS (each chunk costs the page a redraw).
        const now = performance.now();
        if (!cur.enc.delivered || r.done || now - cur.lastSent >= HORIZON_CHUNK_MS) {
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
        for (let i = 0; i < n && !r.done; i++) advanceStream(cur);
        sendChunk(cur, performance.now() - t0);
      }
      if (cur.playing && !r.done) {
        let done = 0;
        while (done < cur.stepsPerSlice && !r.done && performance.now() - t0 < SLICE_MS) {
          advanceStream(cur);
          done++;
        }
        sendChunk(cur, performance.now() - t0);
        if (!r.done) schedule();
      } else if (!cur.enc.delivered) sendChunk(cur, 0);
    } catch (e) {
      current = null;
      const err = errorOf(e);
      if (cur.engine !== 'float64' && !err.input) {
        // The engine broke mid-run (a lost GPU device, a tfjs error): start over on the float64
        // reference and say why, rather than leaving the page stuck; the page keeps what was recorded.
        const midRun = { name: cur.engineName, step: r.step };
        fallBack({ type: 'run', runId: cur.runId, config: r.config, mode: cur.mode }, cur.engine, err.message, cur, midRun);
        return;
      }
      post({ type: 'error', runId: cur.runId, ...err });
    }
  }

  /** Stream mode: one step, and a checkpoint of the lead flow's state when one is due. */
  function advanceStream(cur: Current): void {
    const r = cur.session.runner;
    r.advance(1);
    const ck = cur.ckpt;
    if (!ck) return;
    const t = (cur.session.config.t0 ?? 0) + r.step;
    if (t - ck.t[ck.t.length - 1] < ck.every || r.done) return;
    ck.t.push(t);
    ck.w.push(r.currentState());
    if (ck.t.length > MAX_CHECKPOINTS) {
      ck.t = ck.t.filter((_, i) => i % 2 === 0);
      ck.w = ck.w.filter((_, i) => i % 2 === 0);
      ck.every *= 2;
    }
  }

  /**
   * Stream mode: the config of a fork at absolute time `t` other than the runner's current time, from
   * the checkpoints (see Checkpoints); null when `t` is the current time (the session forks there).
   */
  function streamForkConfig(cur: Current, t: number, eta: number): ToWorkerRunConfig | null {
    const ck = cur.ckpt;
    const cfg = cur.session.config;
    const r = cur.session.runner;
    const t0 = cfg.t0 ?? 0;
    const end = t0 + cfg.steps;
    const at = Math.max(t0, Math.min(Math.round(t), end));
    if (!ck || at === t0 + r.step) return null;
    let i = ck.t.length - 1;
    while (i > 0 && ck.t[i] > at) i--;
    const w = Float64Array.from(ck.w[i]);
    let tf = ck.t[i];
    if (ck.gd) {
      const p = r.instance.problem;
      const e = cfg.eta;
      let g: Float64Array<ArrayBufferLike> = new Float64Array(w.length);
      for (; tf < at; tf++) {
        g = p.grad(w, g);
        for (let j = 0; j < w.length; j++) w[j] = w[j] - e * g[j];
      }
    }
    const base = cur.session.forkConfig(at, eta, true);
    return { ...base, start: Array.from(w), t0: tf, steps: Math.max(0, end - tf) };
  }

  /** A control message for a run not started yet (it waits in `pendingRun`): start it now. */
  function ensureStarted(runId: number): void {
    if (pendingRun && pendingRun.runId === runId) {
      const msg = pendingRun;
      pendingRun = null;
      startRun(msg);
    }
  }

  /** The transport state a control message for `runId` applies to: the running or the starting run. */
  function transportsOf(runId: number): Transport[] {
    const out: Transport[] = [];
    if (starting && starting.msg.runId === runId) out.push(starting);
    if (current && current.runId === runId) out.push(current);
    return out;
  }

  function onMessage(msg: ToWorker): void {
    if (msg.type === 'play' || msg.type === 'pause' || msg.type === 'step') ensureStarted(msg.runId);
    switch (msg.type) {
      case 'run':
        pendingRun = msg;
        pendingSince = performance.now();
        schedule();
        break;
      case 'fork': {
        // The run to fork may still wait for its turn (posted just before): start it first.
        ensureStarted(msg.fromRunId);
        const cur = current;
        if (!cur || cur.runId !== msg.fromRunId) {
          post({ type: 'error', runId: msg.runId, message: 'The run to fork is no longer in the worker.', input: false });
          break;
        }
        pendingSince = performance.now();
        let config: ToWorkerRunConfig;
        try {
          config = (cur.mode === 'stream' && !msg.sameBase ? streamForkConfig(cur, msg.t, msg.eta) : null) ?? cur.session.forkConfig(msg.t, msg.eta, msg.sameBase);
        } catch (e) {
          post({ type: 'error', runId: msg.runId, ...errorOf(e) });
          break;
        }
        pendingRun = { type: 'run', runId: msg.runId, mode: cur.mode, engine: cur.engine, config, ...(cur.part ? { part: cur.part } : {}) };
        // A pooled run's other workers start their parts of the fork from the same config.
        if (cur.part) post({ type: 'forked', runId: msg.runId, config });
        schedule();
        break;
      }
      case 'drop':
        current = null;
        starting = null;
        pendingRun = null;
        break;
      case 'memory':
        for (const [k, v] of Object.entries(msg.entries)) memory.set(k, v);
        break;
      case 'play':
        for (const tp of transportsOf(msg.runId)) {
          tp.playing = true;
          tp.stepsPerSlice = Math.max(1, Math.floor(msg.stepsPerSlice));
        }
        if (current?.runId === msg.runId) schedule();
        break;
      case 'pause':
        for (const tp of transportsOf(msg.runId)) tp.playing = false;
        break;
      case 'step':
        for (const tp of transportsOf(msg.runId)) tp.stepQuota += Math.max(1, Math.floor(msg.n));
        if (current?.runId === msg.runId) schedule();
        break;
      case 'grid':
        try {
          const inst = createProblem(msg.problem);
          if (!inst.window || inst.problem.dim > 2) {
            post({ type: 'error', reqId: msg.reqId, message: 'This problem has no 2-D plot window.', input: false });
            break;
          }
          const win = inst.window;
          // A 2-D plane widens its window to keep equal aspect: sample all it will draw (docs/architecture.md).
          const sampled = inst.problem.dim === 2 && msg.aspect ? landscapeWindow({ x: win.x, y: win.y ?? win.x }, msg.aspect) : win;
          const g = lossGrid(inst.problem, sampled, msg.n);
          const xs = g.dim === 1 ? Float64Array.from({ length: g.nx }, (_, i) => g.x[0] + (i * (g.x[1] - g.x[0])) / (g.nx - 1)) : undefined;
          post({ type: 'grid', reqId: msg.reqId, grid: { ...g, xs, frame: win } }, xs ? [g.values.buffer, xs.buffer] : [g.values.buffer]);
        } catch (e) {
          post({ type: 'error', reqId: msg.reqId, ...errorOf(e) });
        }
        break;
      case 'import':
        try {
          const text = msg.text ?? new TextDecoder().decode(msg.bytes);
          post({ type: 'importProgress', reqId: msg.reqId, text: `checking ${(text.length / 2 ** 20).toFixed(1)} MB…` });
          const file = parseRunFile(text);
          const count = { samples: 0, kept: 0 };
          const transfer: ArrayBuffer[] = [];
          // Every set of traces (the run, each ghost, each saved run) is thinned alike and transferred.
          const chunksOf = (traces: Partial<Record<FlowId, Trace>>) => importChunks(traces, count, transfer);
          const segments = file.history?.segments.map((g) => ({ t0: g.t0, eta: g.eta, steps: g.steps, traces: g.flows ? chunksOf(flowsToTraces(g.flows)) : [] }));
          const saved = file.saved?.map((o) => ({ name: o.name, eta: o.eta, traces: chunksOf(flowsToTraces(o.flows)) }));
          const traces = chunksOf(runFileTraces(file));
          post(
            {
              type: 'imported', reqId: msg.reqId, label: file.problem.label ?? file.problem.id, eta: file.eta, traces, samples: count.samples, kept: count.kept,
              ...(segments ? { segments, restore: restoreOf(file) } : {}),
              ...(saved ? { saved } : {}),
            },
            transfer,
          );
        } catch (e) {
          post({ type: 'error', reqId: msg.reqId, ...errorOf(e) });
        }
        break;
      case 'export': {
        const cur = current;
        if (!cur || cur.runId !== msg.runId) {
          post({ type: 'error', reqId: msg.reqId, message: 'No run to export yet.', input: false });
          break;
        }
        try {
          // JSON: the whole history the page draws (ghosts, forks, saved runs); CSV: the current run.
          const file = runToJson(exportedRun(cur, msg.flows, msg.upTo), msg.format === 'json' ? { history: msg.history, saved: msg.saved } : undefined);
          const base = `rodflow-${file.problem.id}-eta${file.eta}${file.history ? `-${file.history.segments.length}forks` : ''}`;
          const text = msg.format === 'json' ? JSON.stringify(file) : runFileToCsv(file);
          post({ type: 'export', reqId: msg.reqId, text, filename: `${base}.${msg.format}` });
        } catch (e) {
          post({ type: 'error', reqId: msg.reqId, ...errorOf(e) });
        }
        break;
      }
    }
  }

  return {
    onMessage,
    close() {
      current = null;
      starting = null;
      pendingRun = null;
      engines.release();
      channel.port1.close();
      channel.port2.close();
    },
  };
}
