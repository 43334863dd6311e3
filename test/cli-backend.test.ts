/**
 * Engines for network problems (src/engine/gpu/engine-backend.ts) and the CLI's `--backend`:
 * float64 untouched, explicit tfjs choices with their fallbacks, 'auto' calibrating float64 against the
 * tfjs backends and remembering the winner, the CLI's file store, and `rodflow run --backend`.
 * Node has only tfjs wasm and cpu; webgpu/webgl are exercised in Chromium (see the report for the WebGPU
 * measurement behind WEBGPU_SYNC).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { engineStorage, main } from '../src/cli/main.ts';
import { mapStorage } from '../src/engine/gpu/backend.ts';
import { ENGINE_CHOICES, ENGINE_LABELS, ENGINE_STORAGE_PREFIX, WEBGPU_SYNC, WEBGPU_SYNC_NOTE, networkProblemOn } from '../src/engine/gpu/engine-backend.ts';
import { TfSyncProblem } from '../src/engine/gpu/sync-problem.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { parseRunFile } from '../src/engine/run-file.ts';
import { InputError } from '../src/engine/types.ts';

const teacher = () => createProblem({ id: 'mlp-teacher' });

describe('networkProblemOn', () => {
  it('lists the choices in the contract order with labels', () => {
    expect(ENGINE_CHOICES).toEqual(['float64', 'auto', 'webgpu', 'webgl', 'wasm', 'cpu']);
    for (const c of ENGINE_CHOICES) expect(ENGINE_LABELS[c].length).toBeGreaterThan(3);
  });

  it("'float64' returns the problem unchanged, for any problem", async () => {
    for (const inst of [teacher(), createProblem({ id: 'valley' })]) {
      const e = await networkProblemOn(inst.problem, inst.start, 'float64');
      expect(e.problem).toBe(inst.problem);
      expect(e.info).toEqual({ name: 'float64', requested: 'float64', failed: [], summary: ENGINE_LABELS.float64 });
      e.dispose();
    }
  });

  it('bad input: toy problems, unknown choices and wrong start lengths are InputErrors', async () => {
    const v = createProblem({ id: 'valley' });
    await expect(networkProblemOn(v.problem, v.start, 'wasm')).rejects.toThrow(InputError);
    await expect(networkProblemOn(v.problem, v.start, 'auto')).rejects.toThrow(/network problems only/);
    const t = teacher();
    await expect(networkProblemOn(t.problem, t.start, 'metal' as never)).rejects.toThrow(/Unknown engine 'metal'/);
    await expect(networkProblemOn(t.problem, new Float64Array(3), 'cpu')).rejects.toThrow(/length 433/);
  });

  it('an explicit tfjs backend gives a float32 twin that agrees with float64 to 1e-5', async () => {
    const t = teacher();
    const e = await networkProblemOn(t.problem, t.start, 'cpu');
    try {
      expect(e.info).toMatchObject({ name: 'cpu', requested: 'cpu', failed: [] });
      expect(e.info.summary).toBe('tfjs-cpu float32');
      expect(e.problem).toBeInstanceOf(TfSyncProblem);
      expect(tf.getBackend()).toBe('cpu');
      const g32 = e.problem.grad(t.start);
      const g64 = t.problem.grad(t.start);
      let n = 0;
      let d = 0;
      for (let i = 0; i < g64.length; i++) {
        n += (g32[i] - g64[i]) ** 2;
        d += g64[i] ** 2;
      }
      expect(Math.sqrt(n / d)).toBeLessThan(1e-5);
    } finally {
      e.dispose();
    }
  });

  it("'webgpu' falls back along BACKEND_ORDER with the reasons (wasm in Node)", async () => {
    const t = teacher();
    const e = await networkProblemOn(t.problem, t.start, 'webgpu');
    try {
      expect(e.info.name).toBe('wasm');
      expect(e.info.failed.map((f) => f.name)).toEqual(['webgpu']);
      expect(e.info.failed[0].reason).toBe(WEBGPU_SYNC ? 'WebGPU is not available in Node' : WEBGPU_SYNC_NOTE);
      expect(e.info.summary).toBe('tfjs-wasm float32 (fell back from webgpu)');
      const gl = await networkProblemOn(t.problem, t.start, 'webgl');
      expect(gl.info.name).toBe('wasm');
      expect(gl.info.failed[0].reason).toMatch(/WebGL is not available in Node/);
      gl.dispose();
    } finally {
      e.dispose();
    }
  });

  it("'auto' times float64 and every tfjs candidate, keeps the fastest, remembers it per device and net", async () => {
    const t = teacher();
    const map = new Map<string, string>();
    const storage = mapStorage(map);
    const before = { ...t.problem.counters! };
    const first = await networkProblemOn(t.problem, t.start, 'auto', { storage });
    const ms = first.info.calibrationMs!;
    console.log(`[auto] ${first.info.summary}`);
    expect(Object.keys(ms).sort()).toEqual(['cpu', 'float64', 'wasm']);
    const fastest = Object.entries(ms).sort((p, q) => p[1] - q[1])[0][0];
    expect(first.info.name).toBe(fastest);
    expect(first.info.fromStorage).toBe(false);
    expect(t.problem.counters).toEqual(before); // timing used its own float64 twin
    if (first.info.name === 'float64') expect(first.problem).toBe(t.problem);
    expect(first.info.summary).toMatch(/auto: float64 [\d.]+ ms, wasm [\d.]+ ms, cpu [\d.]+ ms per grad\+HVP/);
    first.dispose();
    const keys = [...map.keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0].startsWith(ENGINE_STORAGE_PREFIX)).toBe(true);
    expect(keys[0]).toContain('8-16-16-1 tanh n=128');

    const second = await networkProblemOn(t.problem, t.start, 'auto', { storage });
    expect(second.info).toMatchObject({ name: first.info.name, fromStorage: true, calibrationMs: ms });
    expect(second.info.summary).toContain('auto, remembered');
    second.dispose();

    // A remembered tfjs winner is used as is; an unreadable record means calibrating again.
    map.set(keys[0], JSON.stringify({ name: 'cpu', ms: { float64: 9, cpu: 1 } }));
    const third = await networkProblemOn(t.problem, t.start, 'auto', { storage });
    expect(third.info).toMatchObject({ name: 'cpu', fromStorage: true });
    expect(third.problem).toBeInstanceOf(TfSyncProblem);
    third.dispose();
    map.set(keys[0], '{not json');
    const fourth = await networkProblemOn(t.problem, t.start, 'auto', { storage, candidates: ['cpu'], reps: 1 });
    expect(fourth.info.fromStorage).toBe(false);
    expect(Object.keys(fourth.info.calibrationMs!).sort()).toEqual(['cpu', 'float64']);
    fourth.dispose();
  }, 120_000);
});

describe('CLI engine store and --backend (in-process)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the file store round-trips, and an unwritable place is harmless', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rodflow-cache-'));
    const s = engineStorage(join(dir, 'sub'));
    expect(s.getItem('k')).toBeNull();
    s.setItem('k', 'v1');
    s.setItem('j', 'v2');
    expect(engineStorage(join(dir, 'sub')).getItem('k')).toBe('v1');
    expect(JSON.parse(readFileSync(join(dir, 'sub', 'engine.json'), 'utf8'))).toEqual({ k: 'v1', j: 'v2' });
    writeFileSync(join(dir, 'file'), 'x');
    const bad = engineStorage(join(dir, 'file', 'below')); // a directory under a plain file: cannot exist
    expect(() => bad.setItem('k', 'v')).not.toThrow();
    expect(bad.getItem('k')).toBeNull();
  });

  it('a toy problem with a tfjs backend exits 2 with one line', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    expect(await main(['run', '--problem', 'valley', '--steps', '5', '--backend', 'wasm'])).toBe(2);
    expect(await main(['run', '--problem', 'mlp-teacher', '--steps', '5', '--backend', 'gpu'])).toBe(2);
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(/^rodflow: --backend wasm runs network problems only; 'valley' is a toy problem/);
    expect(err[1]).toMatch(/^rodflow: --backend must be float64, auto, webgpu, webgl, wasm, cpu/);
    for (const e of err) expect(e.trim().split('\n')).toHaveLength(1);
  });

  it('--backend wasm runs the flows on tfjs and records the engine in the JSON run file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rodflow-cli-'));
    const out = join(dir, 'run.json');
    expect(await main(['run', '--problem', 'mlp-teacher', '--steps', '5', '--flows', 'gd', '--backend', 'wasm', '--out', out])).toBe(0);
    const file = parseRunFile(readFileSync(out, 'utf8'));
    expect(file.engine).toEqual({ name: 'wasm', requested: 'wasm', summary: 'tfjs-wasm float32' });
    const ref = join(dir, 'ref.json');
    expect(await main(['run', '--problem', 'mlp-teacher', '--steps', '5', '--flows', 'gd', '--out', ref])).toBe(0);
    const f64 = parseRunFile(readFileSync(ref, 'utf8'));
    expect(f64.engine).toEqual({ name: 'float64', requested: 'float64', summary: ENGINE_LABELS.float64 });
    // Same run, float32 vs float64: 5 GD steps agree to float32 round-off (see gpu-sync-problem.test.ts).
    for (let i = 0; i <= 5; i++) expect(Math.abs(file.flows.gd!.loss[i]! - f64.flows.gd!.loss[i]!) / f64.flows.gd!.loss[i]!).toBeLessThan(1e-6);
  }, 60_000);
});

describe('rodflow run --backend auto (spawned)', () => {
  it('prints the engine in the table and remembers the choice in the cache dir', () => {
    const cache = mkdtempSync(join(tmpdir(), 'rodflow-cache-'));
    const bin = join(import.meta.dirname, '..', 'bin', 'rodflow.mjs');
    const r = spawnSync(process.execPath, [bin, 'run', '--problem', 'mlp-teacher', '--steps', '10', '--flows', 'gd', '--backend', 'auto', '--format', 'table'], {
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, RODFLOW_CACHE_DIR: cache },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^engine: (float64 CPU|tfjs-(wasm|cpu) float32) \(auto: float64 [\d.]+ ms, wasm [\d.]+ ms, cpu [\d.]+ ms per grad\+HVP\)$/m);
    const file = join(cache, 'engine.json');
    expect(existsSync(file)).toBe(true);
    const rec = Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
    expect(rec).toHaveLength(1);
    expect(Object.keys(JSON.parse(rec[0]).ms).sort()).toEqual(['cpu', 'float64', 'wasm']);
  }, 120_000);
});
