/**
 * Backend selection in Node (only wasm and cpu exist here; the browser backends are exercised in
 * test/browser/gpu-browser.test.ts): explicit choices, the fallback order, and 'auto' calibration
 * remembered per device in injected storage.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  STORAGE_PREFIX,
  deviceKey,
  environmentBackends,
  mapStorage,
  mlpCalibration,
  selectBackend,
} from '../src/engine/gpu/backend.ts';
import type { GpuBackendName } from '../src/engine/gpu/types.ts';
import { teacherData } from '../src/engine/nn/datasets.ts';
import { initWeights } from '../src/engine/nn/init.ts';

describe('tfjs backend selection (Node)', () => {
  it('Node offers wasm and cpu only', () => {
    expect(environmentBackends()).toEqual(['wasm', 'cpu']);
  });

  it('explicit cpu and wasm become active', async () => {
    for (const name of ['wasm', 'cpu', 'wasm'] as const) {
      const info = await selectBackend(name);
      expect(info).toEqual({ name, requested: name, failed: [] });
      expect(tf.getBackend()).toBe(name);
    }
  });

  it('webgpu / webgl fall back in order to wasm, with the reasons', async () => {
    const info = await selectBackend('webgpu');
    expect(info.name).toBe('wasm');
    expect(info.failed.map((f) => f.name)).toEqual(['webgpu']);
    expect(info.failed[0].reason).toMatch(/not available in Node/);
    const gl = await selectBackend('webgl');
    expect(gl.name).toBe('wasm');
    expect(gl.failed[0].reason).toMatch(/WebGL is not available/);
    await expect(selectBackend('metal' as never)).rejects.toThrow(/unknown backend/);
  });

  it("'auto' picks the fastest calibration and remembers it per device", async () => {
    const storage = mapStorage();
    const calls: GpuBackendName[] = [];
    const fake: Record<string, number> = { wasm: 5, cpu: 1 };
    const calibrate = async (name: GpuBackendName) => {
      expect(tf.getBackend()).toBe(name); // the calibration runs on the backend being timed
      calls.push(name);
      return fake[name];
    };
    const first = await selectBackend('auto', { storage, calibrate, keySuffix: 'p=433' });
    expect(first.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(calls).toEqual(['wasm', 'cpu']);
    expect(first.calibration).toMatchObject({ ms: { wasm: 5, cpu: 1 }, fromStorage: false });
    expect(first.calibration!.key).toBe(`${STORAGE_PREFIX}${await deviceKey()} | p=433`);
    expect((await deviceKey()).startsWith('node v')).toBe(true);

    await selectBackend('wasm');
    const again = await selectBackend('auto', { storage, calibrate, keySuffix: 'p=433' });
    expect(again.name).toBe('cpu');
    expect(again.calibration!.fromStorage).toBe(true);
    expect(calls.length).toBe(2); // no new calibration
    expect(tf.getBackend()).toBe('cpu');

    // Another net size is another key: calibrates again. A corrupt record is ignored, not fatal.
    storage.setItem(`${STORAGE_PREFIX}${await deviceKey()} | p=999`, '{oops');
    fake.wasm = 0.5;
    const other = await selectBackend('auto', { storage, calibrate, keySuffix: 'p=999' });
    expect(other.name).toBe('wasm');
    expect(calls.length).toBe(4);
  });

  it("'auto' with the real network calibration times both backends", async () => {
    const arch = { sizes: [8, 16, 16, 1], activation: 'tanh' as const };
    const info = await selectBackend('auto', {
      calibrate: mlpCalibration(arch, teacherData(1), initWeights(arch, 2)),
    });
    const ms = info.calibration!.ms;
    console.log(`[gpu-backend] auto calibration (ms per grad+HVP): ${JSON.stringify(ms)} → ${info.name}`);
    expect(ms.cpu).toBeGreaterThan(0);
    expect(ms.wasm).toBeGreaterThan(0);
    expect(info.name).toBe(ms.cpu! <= ms.wasm! ? 'cpu' : 'wasm');
    expect(tf.getBackend()).toBe(info.name);
  });
});
