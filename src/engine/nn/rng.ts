/**
 * Seeded pseudo-random numbers for datasets and initial weights: every network problem is a pure
 * function of its settings (same seed, same bits, in Node and in every browser). Math.random is never used.
 */
import { mulberry32 } from '../rng.ts';

/** mulberry32: a 32-bit state generator, uniform in [0, 1). Small, fast and good enough for data. */
export function uniform(seed: number): () => number {
  return mulberry32((seed >>> 0) ^ 0x85ebca6b);
}

/** Standard normal samples by Box–Muller (both outputs used). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    let a = u();
    while (a <= 0) a = u();
    const b = u();
    const r = Math.sqrt(-2 * Math.log(a));
    spare = r * Math.sin(2 * Math.PI * b);
    return r * Math.cos(2 * Math.PI * b);
  };
}
