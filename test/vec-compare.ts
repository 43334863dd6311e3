/** Shared by the float32-vs-float64 tests: relative 2-norm error and seeded Gaussian vectors. */
import { normal } from '../src/engine/nn/rng.ts';

/** ‖a − b‖ / ‖b‖. */
export const rel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let n = 0;
  let d = 0;
  for (let i = 0; i < b.length; i++) {
    n += (a[i] - b[i]) ** 2;
    d += b[i] ** 2;
  }
  return Math.sqrt(n / d);
};

export const randn = (dim: number, seed: number): Float64Array => {
  const g = normal(seed);
  return Float64Array.from({ length: dim }, () => g());
};
