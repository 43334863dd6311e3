/**
 * The simulation workers: one lead worker, which gets every message as the single worker did, and for a
 * network run on the float64 reference, more workers that each compute some of its flows, so that the
 * run takes as long as its slowest flow, not the sum (docs/architecture.md, "Workers"). To the page the
 * pool is one WorkerLike: worker-link.ts and the state modules above it do not know it is there.
 *
 * A pooled run: the lead holds GD (and the flows the split gives it) and answers for the whole run
 * (info, forks, export). Each follower computes its flows against its own shadow of GD for their
 * distance-to-GD column (engine/part.ts), so no weight vector crosses threads. The pool keeps a copy
 * of every flow's recorded samples (2-D rows, as the page does) and hands the page only the samples
 * every worker has reached: the page sees the flows advance together, exactly as from one worker.
 */
import { getProblemSpec } from '../engine/problems/registry.ts';
import { GEOMETRY_COLUMNS, TRACE_COLUMNS, widthOf } from '../engine/trace.ts';
import type { FlowId, RunConfig, StopInfo, Trace } from '../engine/types.ts';
import type { FromWorker, RunMode, ToWorker, TraceChunk } from '../worker/protocol.ts';
import { applyChunk, countUpTo, type ViewTrace } from './trace-buffer.ts';
import type { WorkerLike } from './worker-link.ts';

/**
 * Relative cost per step of each flow on a network, for the split of a problem's first pooled run
 * (later runs of the problem use the costs measured in the earlier ones: see `learned`). Measured in
 * Chromium on the teacher preset's first 40 steps (npm run bench -- browser): GD 0.3 s (its sharpness
 * samples included), gradient flow 0.6 s, Central Flow 1.8 s, Rod Flow 0.9 s. Rod Flow's cost moves
 * with its integrator (docs/numerics-flows.md), which is why the pool measures.
 */
export const FLOW_COST: Record<FlowId, number> = { gd: 1, 'gradient-flow': 2, 'central-flow': 6, 'rod-flow': 3 };

/**
 * The run's flows over at most `k` workers: GD on the lead (worker 0), the others largest first onto the
 * least loaded worker (the longest-processing-time rule). Empty parts are left out; each part keeps the
 * run's flow order.
 */
export function assignFlows(flows: FlowId[], k: number, cost: Record<FlowId, number> = FLOW_COST): FlowId[][] {
  const n = Math.max(1, Math.min(k, flows.length));
  const parts: FlowId[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  if (flows.includes('gd')) {
    parts[0].push('gd');
    load[0] = cost.gd;
  }
  const rest = flows.filter((f) => f !== 'gd').sort((a, b) => cost[b] - cost[a]);
  for (const f of rest) {
    let j = 0;
    for (let i = 1; i < n; i++) if (load[i] < load[j]) j = i;
    parts[j].push(f);
    load[j] += cost[f];
  }
  return parts.filter((p) => p.length > 0).map((p) => flows.filter((f) => p.includes(f)));
}

/**
 * What the model predicts: the wall time of a run split by assignFlows over `k` workers (one core each)
 * is the largest part's cost: its flows', plus `shadow` (GD's shadow, engine/part.ts) for a part with a
 * flow other than GD when the run is split.
 */
export function predictedWall(flows: FlowId[], k: number, cost: Partial<Record<FlowId, number>>, shadow = 0): number {
  const c = { ...FLOW_COST, ...cost } as Record<FlowId, number>;
  const parts = assignFlows(flows, k, c);
  const extra = (p: FlowId[]) => (parts.length > 1 && flows.includes('gd') && p.some((f) => f !== 'gd') ? shadow : 0);
  return Math.max(...parts.map((p) => p.reduce((s, f) => s + c[f], 0) + extra(p)));
}

const COLS = [...TRACE_COLUMNS, ...GEOMETRY_COLUMNS];

/** A pooled run as the pool follows it. */
interface Pooled {
  runId: number;
  problem: string;
  mode: RunMode;
  parts: FlowId[][];
  /** The run's start time (known once the run's config is: at once for a run, on 'forked' for a fork). */
  t0: number;
  /** Each worker's last report: its step and whether it is done (`heard` false: none yet). */
  ws: { step: number; done: boolean; heard: boolean; started: boolean }[];
  /** Every flow's samples as its worker sent them. */
  mirror: Partial<Record<FlowId, ViewTrace>>;
  /** Samples of each mirror handed to the page (0 after the mirror was replaced: thinning). */
  sent: Partial<Record<FlowId, number>>;
  /** The time at which each flow's worker first reported it stopped. */
  stopAt: Partial<Record<FlowId, number>>;
  /** Whether the page was shown each flow's stop. */
  stopShown: Partial<Record<FlowId, boolean>>;
  onset: Partial<Record<FlowId, number>>;
  /** The lead posted the run's info (samples wait for it, as they follow it from one worker). */
  info: boolean;
  /** An error was passed on (the others' errors about the same run are not). */
  error: boolean;
  /** Play/pause/step messages so far, for followers started later (a fork's, on 'forked'). */
  transport: { playing: boolean; stepsPerSlice: number; quota: number };
  /** What the page was last told. */
  shown: { step: number; done: boolean };
  /** The lead's first chunk's worker time since the request (perf). */
  sinceRequest?: number;
  /** Each worker's compute time so far (its flows', its GD shadow's), ms. */
  cost: ({ flowMs: Partial<Record<FlowId, number>>; shadowMs: number } | undefined)[];
}

export interface WorkerPool extends WorkerLike {
  /** Workers started so far (the lead included). */
  readonly started: number;
  /** The split of the current run when it is pooled (lead first), else null. */
  readonly parts: FlowId[][] | null;
  /** The current pooled run's compute time per flow and per worker's GD shadow so far, ms (the bench's cost model). */
  readonly cost: { flowMs: Partial<Record<FlowId, number>>; shadowMs: number[] } | null;
}

/**
 * A pool of up to `size` workers made by `make` (the lead at once, the others on the first pooled run).
 * size ≤ 1: the lead alone, which is the single worker of before.
 */
export function createWorkerPool(make: () => WorkerLike, size: number): WorkerPool {
  const lead = make();
  const followers: WorkerLike[] = [];
  let cur: Pooled | null = null;
  /** Per problem: each flow's compute time per step measured in its latest pooled run (ms). */
  const learned = new Map<string, Partial<Record<FlowId, number>>>();
  /** A fork of the pooled run waits for the lead's 'forked' with its config. */
  let awaitingFork: Pooled | null = null;

  const pool: WorkerPool = {
    onmessage: null,
    onerror: null,
    get started() {
      return 1 + followers.length;
    },
    get parts() {
      return cur ? cur.parts.map((p) => p.slice()) : null;
    },
    get cost() {
      if (!cur) return null;
      const flowMs: Partial<Record<FlowId, number>> = {};
      for (const c of cur.cost) Object.assign(flowMs, c?.flowMs ?? {});
      return { flowMs, shadowMs: cur.cost.map((c) => c?.shadowMs ?? 0) };
    },
    postMessage,
    terminate() {
      for (const w of [lead, ...followers]) {
        w.onmessage = null;
        w.onerror = null;
        w.terminate?.();
      }
      cur = null;
      awaitingFork = null;
    },
  };

  const deliver = (m: FromWorker) => pool.onmessage?.({ data: m } as MessageEvent<FromWorker>);
  const failed = (e: ErrorEvent) => pool.onerror?.(e);
  lead.onmessage = (ev) => fromWorker(0, ev.data);
  lead.onerror = failed;

  function follower(i: number): WorkerLike {
    while (followers.length < i) {
      const w = make();
      const idx = followers.length + 1;
      w.onmessage = (ev) => fromWorker(idx, ev.data);
      w.onerror = failed;
      followers.push(w);
    }
    return followers[i - 1];
  }

  function poolable(m: Extract<ToWorker, { type: 'run' }>): boolean {
    return (
      size > 1 &&
      m.mode === 'stream' &&
      (m.engine ?? 'float64') === 'float64' &&
      m.config.flows.includes('gd') &&
      m.config.flows.length > 1 &&
      getProblemSpec(m.config.problem.id)?.kind === 'network'
    );
  }

  function newPooled(runId: number, mode: RunMode, parts: FlowId[][], t0: number, problem: string): Pooled {
    return {
      runId, mode, parts, t0, problem,
      ws: parts.map(() => ({ step: 0, done: false, heard: false, started: false })),
      mirror: {}, sent: {}, stopAt: {}, stopShown: {}, onset: {},
      info: false, error: false,
      transport: { playing: false, stepsPerSlice: 1, quota: 0 },
      shown: { step: -1, done: false },
      cost: parts.map(() => undefined),
    };
  }

  /** The followers forget their run (the next one is not theirs, or a fork's parts start later). */
  function dropFollowers(): void {
    for (const w of followers) w.postMessage({ type: 'drop' });
  }

  /** Start the followers' parts of `p` with the run's config, and replay the transport so far. */
  function startFollowers(p: Pooled, config: RunConfig): void {
    for (let i = 1; i < p.parts.length; i++) {
      const w = follower(i);
      w.postMessage({ type: 'run', runId: p.runId, config, mode: p.mode, part: { flows: p.parts[i], follower: true } });
      p.ws[i].started = true;
      const tp = p.transport;
      if (tp.quota > 0) w.postMessage({ type: 'step', runId: p.runId, n: tp.quota });
      if (tp.playing) w.postMessage({ type: 'play', runId: p.runId, stepsPerSlice: tp.stepsPerSlice });
    }
  }

  function postMessage(msg: ToWorker, transfer: Transferable[] = []): void {
    switch (msg.type) {
      case 'run': {
        awaitingFork = null;
        if (!poolable(msg)) {
          if (cur) dropFollowers();
          cur = null;
          lead.postMessage(msg, transfer);
          return;
        }
        const parts = assignFlows(msg.config.flows, size, { ...FLOW_COST, ...learned.get(msg.config.problem.id) });
        const p = newPooled(msg.runId, msg.mode, parts, msg.config.t0 ?? 0, msg.config.problem.id);
        if (cur && parts.length < cur.parts.length) dropFollowers();
        cur = p;
        p.ws[0].started = true;
        lead.postMessage({ ...msg, part: { flows: parts[0], follower: false } }, transfer);
        startFollowers(p, msg.config);
        return;
      }
      case 'fork': {
        if (cur && msg.fromRunId === cur.runId) {
          // The lead computes the fork's start (its GD checkpoints) and says it in 'forked'.
          const p = newPooled(msg.runId, cur.mode, cur.parts, 0, cur.problem);
          p.ws[0].started = true;
          dropFollowers();
          cur = p;
          awaitingFork = p;
        } else {
          if (cur) dropFollowers();
          cur = null;
          awaitingFork = null;
        }
        lead.postMessage(msg, transfer);
        return;
      }
      case 'play':
      case 'pause':
      case 'step': {
        lead.postMessage(msg, transfer);
        const p = cur;
        if (!p || p.runId !== msg.runId) return;
        const tp = p.transport;
        if (msg.type === 'play') {
          tp.playing = true;
          tp.stepsPerSlice = msg.stepsPerSlice;
        } else if (msg.type === 'pause') tp.playing = false;
        else tp.quota += msg.n;
        for (let i = 1; i < p.parts.length; i++) if (p.ws[i].started) follower(i).postMessage(msg);
        return;
      }
      case 'export': {
        const p = cur;
        if (p && p.runId === msg.runId) {
          // The other workers' flows from the pool's copy, all cut where every flow has been.
          const flows: Trace[] = [];
          for (let i = 1; i < p.parts.length; i++) for (const f of p.parts[i]) if (p.mirror[f]) flows.push(p.mirror[f]!);
          const T = frontier(p);
          const ts = T === -Infinity ? T : sampleTime(p, T);
          lead.postMessage({ ...msg, flows, ...(Number.isFinite(ts) ? { upTo: ts } : {}) }, transfer);
          return;
        }
        lead.postMessage(msg, transfer);
        return;
      }
      default:
        lead.postMessage(msg, transfer);
    }
  }

  function fromWorker(i: number, m: FromWorker): void {
    const p = cur;
    switch (m.type) {
      case 'forked':
        if (i === 0 && awaitingFork && awaitingFork.runId === m.runId && p === awaitingFork) {
          awaitingFork = null;
          p.t0 = m.config.t0 ?? 0;
          startFollowers(p, m.config);
        }
        return;
      case 'info':
        if (i !== 0) return;
        deliver(m);
        if (p && p.runId === m.info.runId) {
          p.info = true;
          release(p, 0);
        }
        return;
      case 'chunk':
        if (p && p.runId === m.runId) return take(p, i, m);
        if (i === 0) deliver(m);
        return;
      case 'error':
        if (p && m.runId !== undefined && m.runId === p.runId) {
          if (p.error) return;
          p.error = true;
          deliver(m);
          return;
        }
        if (i === 0) deliver(m);
        return;
      default:
        // Followers' readiness, engine and memory reports are the lead's to give.
        if (i === 0) deliver(m);
    }
  }

  function take(p: Pooled, i: number, m: Extract<FromWorker, { type: 'chunk' }>): void {
    const w = p.ws[i];
    w.step = m.step;
    w.done = m.done;
    w.heard = true;
    if (m.cost) {
      p.cost[i] = m.cost;
      // Costs per step, once there are enough steps to say (the first steps include the start-up).
      if (m.step >= 8) {
        const per = { ...learned.get(p.problem) };
        for (const [f, ms] of Object.entries(m.cost.flowMs) as [FlowId, number][]) per[f] = ms / m.step;
        learned.set(p.problem, per);
      }
    }
    if (i === 0 && m.sinceRequest !== undefined && p.sinceRequest === undefined) p.sinceRequest = m.sinceRequest;
    for (const c of m.chunks) {
      const prev = p.mirror[c.flow];
      const fresh = c.from === 0 || !prev;
      p.mirror[c.flow] = applyChunk(fresh ? undefined : prev, c);
      if (fresh) p.sent[c.flow] = 0;
      if (c.stopped && p.stopAt[c.flow] === undefined) p.stopAt[c.flow] = p.t0 + m.step;
    }
    for (const [f, t] of Object.entries(m.onset) as [FlowId, number][]) if (p.onset[f] === undefined) p.onset[f] = t;
    release(p, m.ms);
  }

  /** The time every worker of `p` has reached (Infinity when all are done; -Infinity before all reported). */
  function frontier(p: Pooled): number {
    let T = Infinity;
    for (const w of p.ws) {
      if (!w.heard) return -Infinity;
      if (!w.done) T = Math.min(T, p.t0 + w.step);
    }
    return T;
  }

  /**
   * The last time up to which the page may have every flow's samples: the latest sample time ≤ T (what
   * every worker reached) that every flow still running has. One runner records all its flows at the
   * same steps, so its flows always end at the same time; workers thin at the same step counts, but not
   * at the same moment, so a thinned flow may lack the samples another still has.
   */
  function sampleTime(p: Pooled, T: number): number {
    let ts = T;
    for (const f of p.parts.flat()) {
      const tr = p.mirror[f];
      if (!tr) return -Infinity;
      if (p.stopAt[f] !== undefined && p.stopAt[f]! <= T) continue;
      const n = countUpTo(tr, T);
      if (n === 0) return -Infinity;
      ts = Math.min(ts, tr.t[n - 1]);
    }
    return ts;
  }

  /** Hand the page the samples every worker has reached, as one chunk message of the run. */
  function release(p: Pooled, ms: number): void {
    if (!p.info) return;
    const T = frontier(p);
    if (T === -Infinity) return;
    const ts = sampleTime(p, T);
    const allDone = p.ws.every((w) => w.done);
    let step = allDone ? 0 : Infinity;
    for (const w of p.ws) step = allDone ? Math.max(step, w.step) : w.done ? step : Math.min(step, w.step);
    const chunks: TraceChunk[] = [];
    for (const f of p.parts.flat()) {
      const tr = p.mirror[f];
      if (!tr) continue;
      const from = p.sent[f] ?? 0;
      const n = ts === -Infinity ? 0 : countUpTo(tr, ts);
      const stopVisible = p.stopAt[f] !== undefined && p.stopAt[f]! <= T;
      const stopNews = stopVisible && !p.stopShown[f];
      if (n > from || (from === 0 && n > 0) || (stopNews && from > 0)) {
        chunks.push(sliceChunk(tr, from, Math.max(n, from), stopVisible ? tr.stopped : null));
        p.sent[f] = Math.max(n, from);
        if (stopVisible) p.stopShown[f] = true;
      }
    }
    if (!chunks.length && step === p.shown.step && allDone === p.shown.done) return;
    p.shown = { step, done: allDone };
    const onset: Partial<Record<FlowId, number>> = {};
    for (const [f, t] of Object.entries(p.onset) as [FlowId, number][]) if (t <= ts) onset[f] = t;
    const sinceRequest = p.sinceRequest;
    p.sinceRequest = undefined;
    deliver({
      type: 'chunk', runId: p.runId, generation: 0, reset: false, step, done: allDone, ms, chunks, onset,
      ...(sinceRequest !== undefined ? { sinceRequest } : {}),
    });
  }

  return pool;
}

/** Samples [a, b) of a trace as a chunk (b = the chunk's `length`, see TraceChunk). */
function sliceChunk(tr: ViewTrace, a: number, b: number, stopped: StopInfo | null): TraceChunk {
  const c = { flow: tr.flow, from: a, length: b, stride: tr.stride, wDim: tr.wDim, projected: tr.projected, eigK: tr.eigK, stopped } as TraceChunk;
  const cols = c as unknown as Record<string, Float64Array>;
  for (const { key, width } of COLS) {
    const src = tr[key];
    if (!src) continue;
    const w = widthOf(tr, width);
    cols[key] = src.slice(a * w, b * w);
  }
  return c;
}
