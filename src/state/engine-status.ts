/**
 * What runs a network's flows: the worker's engine reports (badge, fallback notice; an engine that
 * stopped mid-run leaves its recorded steps under Runs before the float64 restart), the engine memory
 * ('auto' remembers its calibration per device in localStorage, which a worker lacks: the page hands
 * the worker its entries and stores what it reports), and the WebGPU probe.
 */
import type { FromWorker } from '../worker/protocol.ts';
import { get, set } from './commit.ts';
import { keepRecorded } from './overlays.ts';
import { fmtEta } from './selectors.ts';
import { post, workerMessages } from './worker-link.ts';

const MEMORY_KEY = 'rodflow.engine-memory';

export function readMemory(): Record<string, string> {
  try {
    const raw = localStorage.getItem(MEMORY_KEY);
    const obj: unknown = raw ? JSON.parse(raw) : {};
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return {};
    return Object.fromEntries(Object.entries(obj).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {}; // storage blocked or corrupt: 'auto' calibrates again
  }
}

export function remember(key: string, value: string): void {
  try {
    localStorage.setItem(MEMORY_KEY, JSON.stringify({ ...readMemory(), [key]: value }));
  } catch {
    /* storage blocked: the choice lasts for this page only */
  }
}

function onMessage(m: FromWorker): void {
  if (m.type === 'memory') {
    remember(m.key, m.value);
    return;
  }
  if (m.type !== 'engine') return;
  const st = get();
  if (m.runId !== st.run.runId) return;
  const patch: Partial<typeof st> = { engine: { ...m.status, runId: m.runId } };
  // An engine that ends up on float64 although a tfjs backend was asked for says why (once per run).
  const info = m.status.phase === 'running' ? m.status.info : null;
  const stoppedAt = m.status.phase === 'running' ? m.status.stoppedAt : undefined;
  if (info && stoppedAt !== undefined) {
    // It failed mid-run (a lost GPU device or context): the worker restarts the run from its start on
    // float64, and the samples recorded so far are kept aside before the restart replaces them.
    const f = info.failed[0];
    const o = keepRecorded(`engine-stopped-${m.runId}-${Date.now()}`, `η = ${fmtEta(st.run.eta)}, on ${f.name} before it stopped`);
    const kept = o ? ` The ${stoppedAt} steps computed on ${f.name} are kept under Runs as “${o.name}”.` : '';
    patch.notices = [...get().notices, `The engine '${f.name}' stopped after ${stoppedAt} steps (${f.reason}). The run started again from its start on CPU float64, the reference.${kept}`];
  } else if (info && info.name === 'float64' && info.requested !== 'float64' && info.requested !== 'auto') {
    const why = info.failed.map((f) => `${f.name}: ${f.reason}`).join('; ');
    patch.notices = [...st.notices, `The engine '${info.requested}' could not start${why ? ` (${why})` : ''}; the network runs on CPU float64 instead.`];
  }
  set(patch);
}

/** Hand the worker the remembered entries and follow its engine reports (boot.ts). */
export function startEngineStatus(): () => void {
  post({ type: 'memory', entries: readMemory() });
  return workerMessages.on(onMessage);
}

export async function checkWebGpu(): Promise<void> {
  try {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    set({ webgpu: adapter ? 'available' : 'unavailable' });
  } catch {
    set({ webgpu: 'unavailable' });
  }
}
