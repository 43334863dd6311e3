/**
 * topEigAsync (Lanczos on an asynchronous product) against operators whose spectrum is known by
 * construction (diagonal), including a large negative eigenvalue that power iteration would pick.
 */
import { describe, expect, it } from 'vitest';
import { topEigAsync } from '../src/engine/gpu/top-eig.ts';

const diagOp = (d: number[]) => async (v: Float64Array) => v.map((x, i) => d[i] * x);

describe('topEigAsync', () => {
  it('finds the largest algebraic eigenvalue, not the largest in magnitude', async () => {
    const d = Array.from({ length: 50 }, (_, i) => (i === 7 ? -10 : i === 3 ? 5 : i === 9 ? 4.9 : Math.sin(i)));
    const r = await topEigAsync(diagOp(d), 50, null, { tol: 1e-10 });
    expect(r.converged).toBe(true);
    expect(r.value).toBeCloseTo(5, 10);
    expect(Math.abs(r.vector[3])).toBeCloseTo(1, 8);
  });

  it('a warm start at the eigenvector costs one product; a budget too small reports converged=false', async () => {
    const d = Array.from({ length: 30 }, (_, i) => 1 + i / 10);
    const e = new Float64Array(30);
    e[29] = 2;
    const warm = await topEigAsync(diagOp(d), 30, e);
    expect(warm.hvps).toBe(1);
    expect(warm.value).toBeCloseTo(3.9, 12);
    const short = await topEigAsync(diagOp(d), 30, null, { maxIter: 2, tol: 1e-12 });
    expect(short.converged).toBe(false);
    expect(short.value).toBeLessThan(3.9);
  });

  it('a non-finite product is an error, not a NaN eigenvalue', async () => {
    await expect(topEigAsync(async (v) => v.map(() => NaN), 4)).rejects.toThrow(/not finite/);
  });
});
