/**
 * The CPU fallback: a pool of navigator.hardwareConcurrency workers (at most 8) running the float64
 * trajectories (worker/ensemble.worker.ts). Work is handed out in small tasks; a cancelled run stops
 * handing out new ones, so it ends within one task per worker.
 */
import type { EnsembleTask, EnsembleReply } from '../../worker/ensemble.worker.ts';
import type { EnsembleFlow } from '../../engine/ensemble/trajectories.ts';
import type { ProblemSettings } from '../../engine/types.ts';

type Pending = { resolve: (d: Float64Array) => void; reject: (e: Error) => void };

export class CpuPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(size = Math.max(1, Math.min(8, navigator.hardwareConcurrency || 2))) {
    this.size = size;
  }

  private spawn(): Worker {
    const w = new Worker(new URL('../../worker/ensemble.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (ev: MessageEvent<EnsembleReply>) => {
      const r = ev.data;
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      this.release(w);
      if (!p) return;
      if ('error' in r) p.reject(new Error(r.error));
      else p.resolve(r.data);
    };
    w.onerror = (e) => {
      for (const [id, p] of this.pending) {
        p.reject(new Error(`An ensemble worker failed: ${e.message}`));
        this.pending.delete(id);
      }
    };
    this.workers.push(w);
    return w;
  }

  private release(w: Worker): void {
    this.idle.push(w);
    const next = this.waiting.shift();
    if (next) next();
  }

  private async acquire(): Promise<Worker> {
    if (this.idle.length) return this.idle.pop()!;
    if (this.workers.length < this.size) return this.spawn();
    await new Promise<void>((ok) => this.waiting.push(ok));
    return this.idle.pop()!;
  }

  /** Start every worker now (each loads the engine, seconds on a busy machine), so the first run does not wait. */
  warm(): void {
    while (this.workers.length < this.size) this.idle.push(this.spawn());
  }

  /** Runs one task on the next free worker. */
  async run(problem: ProblemSettings, flow: EnsembleFlow, inputs: Float32Array, steps: number): Promise<Float64Array> {
    const w = await this.acquire();
    const id = this.nextId++;
    return new Promise<Float64Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, problem, flow, inputs, steps } satisfies EnsembleTask);
    });
  }

  dispose(): void {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
    this.idle.length = 0;
  }
}

let shared: CpuPool | null = null;
export function cpuPool(): CpuPool {
  return (shared ??= new CpuPool());
}
