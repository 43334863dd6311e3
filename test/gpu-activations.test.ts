/**
 * σ, σ′, σ″, σ‴ of every activation on tfjs (float32) against float64: σ..σ″ from the float64 network
 * code (src/engine/nn/activations.ts, written independently), σ‴ from a central difference of its σ″.
 * These are the only nonlinear pieces of the GPU path, so exact-looking network derivatives rest on them.
 *
 * Tolerance: |err| ≤ 2e-6 · max(1, |ref|). Each derivative is a short chain (≤ ~12 ops) of float32
 * operations on O(1)–O(10) numbers, so the error is a few ulps, u = 6e-8: 2e-6 is ~30 u. Any wrong
 * coefficient or sign errs by ≥ 1e-2.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { activationDerivs } from '../src/engine/gpu/activations.ts';
import { selectBackend } from '../src/engine/gpu/backend.ts';
import { ACTIVATIONS } from '../src/engine/nn/activations.ts';
import type { Activation } from '../src/engine/nn/mlp-spec.ts';

const ACTS: Activation[] = ['tanh', 'gelu', 'softplus'];
const Z = Float64Array.from({ length: 97 }, (_, i) => -8 + (16 * i) / 96).map((z) => Math.fround(z));

function ref64(act: Activation, z: Float64Array): Float64Array[] {
  const n = z.length;
  const out = [0, 1, 2].map(() => new Float64Array(n));
  ACTIVATIONS[act](z, out[0], out[1], out[2], n);
  const h = 1e-4;
  const up = [0, 1, 2].map(() => new Float64Array(n));
  const dn = [0, 1, 2].map(() => new Float64Array(n));
  ACTIVATIONS[act](z.map((x) => x + h), up[0], up[1], up[2], n);
  ACTIVATIONS[act](z.map((x) => x - h), dn[0], dn[1], dn[2], n);
  out.push(up[2].map((u, i) => (u - dn[2][i]) / (2 * h)));
  return out;
}

describe.each(['cpu', 'wasm'] as const)('activation derivatives on tfjs-%s', (backend) => {
  it.each(ACTS)('%s: σ..σ‴ match float64 within 2e-6·max(1,|ref|)', async (act) => {
    expect((await selectBackend(backend)).name).toBe(backend);
    const ref = ref64(act, Z);
    const ds = tf.tidy(() => activationDerivs(act, tf.tensor1d(Float32Array.from(Z)), 3));
    let worst = 0;
    for (let k = 0; k <= 3; k++) {
      const got = await ds[k].data();
      for (let i = 0; i < Z.length; i++) {
        const err = Math.abs(got[i] - ref[k][i]) / Math.max(1, Math.abs(ref[k][i]));
        worst = Math.max(worst, err);
        if (!(err <= 2e-6)) expect.fail(`${act} σ^(${k})(${Z[i]}): ${got[i]} vs ${ref[k][i]}`);
      }
    }
    ds.forEach((t) => t.dispose());
    console.log(`[gpu-activations] ${backend} ${act}: worst scaled error ${worst.toExponential(1)}`);
  });

  it('a lower order returns only the requested derivatives', () => {
    const ds = tf.tidy(() => activationDerivs('tanh', tf.tensor1d([0.5]), 1));
    expect(ds.length).toBe(2);
    ds.forEach((t) => t.dispose());
    expect(() => activationDerivs('tanh', tf.scalar(0), 4)).toThrow(/order/);
  });
});

afterAll(() => {
  tf.disposeVariables();
});
