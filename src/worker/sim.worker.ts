/// <reference lib="webworker" />
/**
 * The simulation worker's entry: the page's messages go to the dispatch in host.ts (one session, time
 * slices, chunk encoding). All numbers are float64 on the CPU unless a network run asks for another
 * engine (engine/session.ts loads the tfjs path on demand). mathjs is loaded on the first message that
 * may need it (a custom expression, an imported file); messages wait behind that load in order.
 */
import { loadMathjs, mathjsReady } from '../engine/problems/mathjs-lazy.ts';
import { createWorkerHost } from './host.ts';
import { needsMathjs } from './needs-mathjs.ts';
import type { ToWorker } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const host = createWorkerHost((msg, transfer = []) => self.postMessage(msg, transfer));
/** Messages that arrived while mathjs was loading, in arrival order. */
let waiting: ToWorker[] | null = null;

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (waiting) {
    waiting.push(m);
    return;
  }
  if (!mathjsReady() && needsMathjs(m)) {
    waiting = [m];
    const flush = () => {
      const q = waiting ?? [];
      waiting = null;
      for (const x of q) host.onMessage(x);
    };
    // A failed load leaves mathjs() throwing one clear line, which the host reports as the run's error.
    loadMathjs().then(flush, flush);
    return;
  }
  host.onMessage(m);
};
self.postMessage({ type: 'ready' });
