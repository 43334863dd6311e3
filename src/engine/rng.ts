/**
 * mulberry32: a small, fast 32-bit seeded generator, uniform in [0, 1). The engine never uses
 * Math.random: every run, dataset and start vector is a pure function of its seed, in Node and in
 * every browser alike.
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
