/**
 * Seeded pseudo-random numbers for datasets and initial weights: every network problem is a pure
 * function of its settings (same seed, same bits, in Node and in every browser). Math.random is never used.
 */

/** mulberry32: a 32-bit state generator, uniform in [0, 1). Small, fast and good enough for data. */
export function uniform(seed: number): () => number {
  let s = (seed >>> 0) ^ 0x85ebca6b;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
