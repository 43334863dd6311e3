/**
 * A worker for the page's state modules in Node: the real dispatch (src/worker/host.ts) in-process,
 * messages passed asynchronously and structured-cloned as postMessage would. Records what the page posted
 * and what the workers sent; `isSilent()` true makes a worker swallow what it is sent (one stuck in a
 * long synchronous job says nothing).
 */
import { createWorkerHost } from '../src/worker/host.ts';
import type { FromWorker, ToWorker } from '../src/worker/protocol.ts';

export function inProcessWorkers(isSilent: () => boolean = () => false) {
  const hosts: { close(): void }[] = [];
  const posted: ToWorker[] = [];
  const received: FromWorker[] = [];
  function make() {
    const w = {
      onmessage: null as ((ev: MessageEvent<FromWorker>) => void) | null,
      onerror: null as ((ev: ErrorEvent) => void) | null,
      dead: false,
      postMessage(m: ToWorker) {
        posted.push(m);
        if (isSilent()) return;
        if (!w.dead) setTimeout(() => !w.dead && host.onMessage(structuredClone(m)), 0);
      },
      terminate() {
        w.dead = true;
        host.close();
      },
    };
    const host = createWorkerHost((m) => {
      received.push(m);
      setTimeout(() => !w.dead && w.onmessage?.({ data: m } as MessageEvent<FromWorker>), 0);
    });
    hosts.push(host);
    return w;
  }
  return { make, hosts, posted, received };
}
