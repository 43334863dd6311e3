/// <reference lib="webworker" />
/**
 * The simulation worker's entry: the page's messages go to the dispatch in host.ts (one session, time
 * slices, chunk encoding). All numbers are float64 on the CPU unless a network run asks for another
 * engine (engine/session.ts loads the tfjs path on demand).
 */
import { createWorkerHost } from './host.ts';
import type { ToWorker } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const host = createWorkerHost((msg, transfer = []) => self.postMessage(msg, transfer));
self.onmessage = (ev: MessageEvent<ToWorker>) => host.onMessage(ev.data);
self.postMessage({ type: 'ready' });
