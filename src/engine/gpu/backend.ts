/**
 * Choosing the tfjs backend for the float32 path: 'webgpu' | 'webgl' | 'wasm' | 'cpu' | 'auto'.
 *
 * - An explicit choice is tried first, then the backends after it in BACKEND_ORDER (webgpu → webgl →
 *   wasm → cpu); each failure is reported with its reason.
 * - 'auto' times a caller-supplied calibration (e.g. a few gradient+HVP evaluations of the actual net,
 *   see mlpCalibration) on every available backend and keeps the fastest. Dispatch overhead dominates
 *   tiny nets, so no backend wins everywhere: measure, never assume (docs/numerics.md). The choice is
 *   remembered per device in an injected key-value store (localStorage in the browser, a Map in Node).
 * - Backends are imported dynamically: Node never loads webgl/webgpu, and the browser bundle splits them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset, MlpArch } from '../nn/mlp-spec.ts';
import type { Vec } from '../types.ts';
import { TfMlp } from './tf-mlp.ts';
import { BACKEND_ORDER, type BackendChoice, type BackendInfo, type GpuBackendName } from './types.ts';

/** The part of the Web Storage API used here; `localStorage` fits, and so does mapStorage(). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function mapStorage(map = new Map<string, string>()): KeyValueStore {
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

export interface SelectOptions {
  /** 'auto': measures one backend (already active) and returns ms; smaller is better. */
  calibrate?: (name: GpuBackendName) => Promise<number>;
  /** 'auto': where the choice is remembered. Without it, every call calibrates. */
  storage?: KeyValueStore;
  /** Appended to the device key, e.g. the parameter count: the best backend depends on the net's size. */
  keySuffix?: string;
  /** Override where tfjs-wasm finds its .wasm files (a URL/path prefix or a file → URL map). */
  wasmPaths?: string | Record<string, string>;
  /** Restrict the candidates (default: every backend this environment can have). */
  candidates?: GpuBackendName[];
}

export const STORAGE_PREFIX = 'rodflow.tfjs-backend:';

type G = {
  process?: { versions?: { node?: string }; version?: string; platform?: string; arch?: string };
  window?: unknown;
  navigator?: { userAgent?: string; gpu?: { requestAdapter(): Promise<unknown> } };
};
const g = globalThis as unknown as G;

export function isNode(): boolean {
  return !!g.process?.versions?.node && typeof g.window === 'undefined';
}

/** Backends worth trying here: Node has only wasm and cpu (no WebGL/WebGPU, and never tfjs-node). */
export function environmentBackends(): GpuBackendName[] {
  if (isNode()) return ['wasm', 'cpu'];
  return BACKEND_ORDER.filter((b) => b !== 'webgpu' || !!g.navigator?.gpu);
}

let wasmConfigured = false;

async function configureWasm(paths?: string | Record<string, string>): Promise<void> {
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  if (paths !== undefined) {
    setWasmPaths(paths as never);
    wasmConfigured = true;
    return;
  }
  if (wasmConfigured) return;
  if (isNode()) {
    // A file-system prefix; `node:module` is imported through a computed name so bundlers leave it alone.
    const mod = 'node:' + 'module';
    const { createRequire } = (await import(/* @vite-ignore */ mod)) as typeof import('node:module');
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(pkg.slice(0, pkg.length - 'package.json'.length) + 'dist/');
  } else {
    const { WASM_URLS } = await import('./wasm-assets.browser.ts');
    setWasmPaths(WASM_URLS as never);
  }
  wasmConfigured = true;
}

async function loadBackend(name: GpuBackendName, opts: SelectOptions): Promise<void> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'wasm':
      await configureWasm(opts.wasmPaths);
      return;
    case 'webgl':
      if (isNode()) throw new Error('WebGL is not available in Node');
      await import('@tensorflow/tfjs-backend-webgl');
      return;
    case 'webgpu': {
      if (isNode()) throw new Error('WebGPU is not available in Node');
      if (!g.navigator?.gpu) throw new Error('navigator.gpu is missing (WebGPU not enabled in this browser)');
      const adapter = await g.navigator.gpu.requestAdapter();
      if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned no adapter');
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    }
  }
}

/** Make `name` the active tfjs backend. Resolves to null on success, else the reason it failed. */
export async function tryBackend(name: GpuBackendName, opts: SelectOptions = {}): Promise<string | null> {
  try {
    await loadBackend(name, opts);
    if (!(await tf.setBackend(name))) return `tfjs could not initialise '${name}'`;
    await tf.ready();
    // tfjs-cpu prints a banner advising tfjs-node on its first use in Node; we never use tfjs-node
    // (docs/numerics.md), so keep the CLI's output clean. `firstUse` is the flag that triggers it.
    if (name === 'cpu' && isNode()) {
      const be = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
      if (be && 'firstUse' in be) be.firstUse = false;
    }
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A key for "this device": adapter info and user agent in a browser, runtime and platform in Node. */
export async function deviceKey(): Promise<string> {
  if (isNode()) {
    const p = g.process!;
    return `node ${p.version ?? ''} ${p.platform ?? ''}-${p.arch ?? ''}`;
  }
  let adapter = '';
  try {
    const a = (await g.navigator?.gpu?.requestAdapter()) as { info?: Record<string, string> } | null | undefined;
    const info = a?.info;
    if (info) adapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join('/');
  } catch {
    /* no adapter: the user agent alone is the key */
  }
  return `${g.navigator?.userAgent ?? 'unknown'} | ${adapter || 'no-webgpu'}`;
}

/** The active backend's name ('' before any selection). */
export function activeBackend(): string {
  return tf.getBackend() ?? '';
}

export async function selectBackend(choice: BackendChoice, opts: SelectOptions = {}): Promise<BackendInfo> {
  const env = opts.candidates ?? environmentBackends();
  const failed: BackendInfo['failed'] = [];
  if (choice !== 'auto') {
    if (!BACKEND_ORDER.includes(choice)) throw new RangeError(`unknown backend '${choice as string}'`);
    const order = [choice, ...BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(choice) + 1).filter((b) => env.includes(b))];
    for (const name of order) {
      const err = await tryBackend(name, opts);
      if (err === null) return { name, requested: choice, failed };
      failed.push({ name, reason: err });
    }
    throw new Error(`no tfjs backend could be initialised: ${failed.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
  }

  const key = STORAGE_PREFIX + (await deviceKey()) + (opts.keySuffix ? ` | ${opts.keySuffix}` : '');
  const stored = opts.storage?.getItem(key);
  if (stored) {
    try {
      const rec = JSON.parse(stored) as { name: GpuBackendName; ms: Partial<Record<GpuBackendName, number>> };
      if (env.includes(rec.name) && (await tryBackend(rec.name, opts)) === null)
        return { name: rec.name, requested: 'auto', failed, calibration: { ms: rec.ms, fromStorage: true, key } };
    } catch {
      /* unreadable record: calibrate again */
    }
  }
  const ms: Partial<Record<GpuBackendName, number>> = {};
  for (const name of env) {
    const err = await tryBackend(name, opts);
    if (err !== null) {
      failed.push({ name, reason: err });
      continue;
    }
    try {
      ms[name] = opts.calibrate ? await opts.calibrate(name) : 0;
    } catch (e) {
      failed.push({ name, reason: `calibration failed: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (!opts.calibrate) break; // nothing to compare: the first backend that starts wins
  }
  const timed = Object.entries(ms) as [GpuBackendName, number][];
  if (timed.length === 0)
    throw new Error(`no tfjs backend could be initialised: ${failed.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
  timed.sort((p, q) => p[1] - q[1]);
  const best = timed[0][0];
  const err = await tryBackend(best, opts);
  if (err !== null) throw new Error(`backend '${best}' won the calibration but failed to restart: ${err}`);
  opts.storage?.setItem(key, JSON.stringify({ name: best, ms }));
  return { name: best, requested: 'auto', failed, calibration: { ms, fromStorage: false, key } };
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * A calibration for selectBackend('auto'): median ms of one gradient + one HVP of the given net at w,
 * after a warm-up (shader compilation, wasm start-up) that is not timed.
 */
export function mlpCalibration(arch: MlpArch, data: Dataset, w: Vec, reps = 3): (name: GpuBackendName) => Promise<number> {
  return async () => {
    const p = new TfMlp(arch, data);
    try {
      const v = new Float64Array(p.dim).fill(1 / Math.sqrt(p.dim));
      await p.grad(w);
      await p.hvp(w, v);
      const times: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = now();
        await p.grad(w);
        await p.hvp(w, v);
        times.push(now() - t0);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)];
    } finally {
      p.dispose();
    }
  };
}
