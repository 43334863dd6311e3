/** Strided access to Series samples (zero-copy views of Trace rows). */
import type { Series } from './types.ts';

export function sx(s: Series, i: number): number {
  return s.x[i * (s.xStride ?? 1) + (s.xOffset ?? 0)];
}

export function sy(s: Series, i: number): number {
  return s.y[i * (s.yStride ?? 1) + (s.yOffset ?? 0)];
}

/** Number of samples actually readable (guards a `length` larger than the arrays). */
export function usableLength(s: Series): number {
  const xs = s.xStride ?? 1;
  const ys = s.yStride ?? 1;
  const nx = Math.floor((s.x.length - (s.xOffset ?? 0) + xs - 1) / xs);
  const ny = Math.floor((s.y.length - (s.yOffset ?? 0) + ys - 1) / ys);
  return Math.max(0, Math.min(s.length, nx, ny));
}
