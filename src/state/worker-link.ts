/**
 * The page's end of the worker: posting messages, requests with replies (grid, export, import), and
 * the worker's other messages as a signal the state modules subscribe to. The worker itself is
 * connected by boot.ts (a Web Worker) or by a test (the same dispatch in-process).
 */
import type { FromWorker, ToWorker } from '../worker/protocol.ts';
import { createSignal } from './signal.ts';

/** What the page needs of a worker (a Web Worker satisfies it). */
export interface WorkerLike {
  postMessage(msg: ToWorker, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
  terminate?(): void;
}

let worker: WorkerLike | null = null;
let reqCounter = 0;
const pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();

/** When the last run was posted, and when the worker last said anything (performance.now(), ms). */
let runPostedAt = 0;
let heardAt = 0;

/**
 * The worker has said nothing for `ms` since a run was posted to it: it is stuck in one long synchronous
 * piece of work (compiling a large expression, one slow network step), and a new input should replace
 * it rather than queue behind it.
 */
export function workerSilentFor(ms: number, now = performance.now()): boolean {
  return worker !== null && runPostedAt > heardAt && now - runPostedAt > ms;
}

/** The page asks for a fresh worker (boot.ts replaces it): the busy one is terminated. */
export const workerReplace = createSignal<void>();

/** The worker's messages that are not replies to a request. */
export const workerMessages = createSignal<FromWorker>();
/** The worker died (an uncaught error, or it was killed): the reason. */
export const workerFailed = createSignal<string>();

export function connectWorker(w: WorkerLike): void {
  worker = w;
  w.onmessage = (ev) => receive(ev.data);
  w.onerror = (e) => {
    e.preventDefault?.();
    failPending(`The simulation worker failed: ${e.message || 'it stopped'}`);
    workerFailed.emit(e.message || 'it stopped');
  };
}

/** Drop the worker (it is being replaced): requests in flight fail with `why`. */
export function disconnectWorker(why: string): void {
  const w = worker;
  worker = null;
  if (w) {
    w.onmessage = null;
    w.onerror = null;
    w.terminate?.();
  }
  failPending(why);
}

function failPending(why: string): void {
  for (const p of pending.values()) p.reject(new Error(why));
  pending.clear();
}

/** A message from the worker: a reply settles its request; anything else goes to the subscribers. */
export function receive(m: FromWorker): void {
  heardAt = performance.now();
  // Progress notes go to the subscribers; the reply settles the request.
  if ('reqId' in m && m.reqId !== undefined && m.type !== 'importProgress' && pending.has(m.reqId)) {
    const p = pending.get(m.reqId)!;
    pending.delete(m.reqId);
    if (m.type === 'error') p.reject(new Error(m.message));
    else p.resolve(m);
    return;
  }
  workerMessages.emit(m);
}

export function post(msg: ToWorker, transfer: Transferable[] = []): void {
  if (msg.type === 'run' || msg.type === 'fork') runPostedAt = performance.now();
  worker?.postMessage(msg, transfer);
}

export function nextReqId(): number {
  return ++reqCounter;
}

/** Post a request and wait for its reply (an 'error' reply rejects). */
export function request<T extends FromWorker['type']>(msg: ToWorker & { reqId: number }, transfer: Transferable[] = []): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((resolve, reject) => {
    if (!worker) return reject(new Error('The simulation worker is not running.'));
    pending.set(msg.reqId, { resolve: resolve as (m: FromWorker) => void, reject });
    post(msg, transfer);
  });
}
