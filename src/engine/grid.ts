/**
 * What the page's plots need computed over a window rather than along a trajectory: the loss on a grid
 * (2-D contour) or along a line (1-D curve), the Hessian's eigenvalues at the start (η ticks at 2/λ),
 * and the top Hessian eigenvector at a point (the direction of the central flow's ±σ oscillation).
 * Pure float64, no DOM: it runs in the worker because the UI does no math.
 */
import { InputError, type Problem, type Vec } from './types.ts';

export interface LossGrid {
  dim: 1 | 2;
  x: [number, number];
  y: [number, number];
  nx: number;
  ny: number;
  /** values[j*nx + i] = L(x_i, y_j); x_i = x0 + i·(x1−x0)/(nx−1). 1-D: ny = 1, values[i] = L(x_i). */
  values: Float64Array;
  /** Finite min / max of the values (NaN when none is finite). */
  min: number;
  max: number;
}

/**
 * Loss over the window. For 1-D problems `window.y` (the loss range) is returned as `y` unchanged
 * when given, else the finite range of the curve.
 */
export function lossGrid(problem: Problem, window: { x: [number, number]; y?: [number, number] }, n: number): LossGrid {
  if (problem.dim !== 1 && problem.dim !== 2) throw new InputError(`A loss grid needs a 1-D or 2-D problem (this one has ${problem.dim} dimensions).`);
  if (!(n >= 2 && n <= 1024 && Number.isInteger(n))) throw new InputError(`Grid size must be an integer in [2, 1024] (got ${n}).`);
  const [x0, x1] = window.x;
  const dim = problem.dim as 1 | 2;
  const nx = n;
  const ny = dim === 2 ? n : 1;
  const [y0, y1] = dim === 2 ? (window.y ?? window.x) : [0, 0];
  const values = new Float64Array(nx * ny);
  const w = new Float64Array(dim);
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < ny; j++) {
    if (dim === 2) w[1] = y0 + (j * (y1 - y0)) / (ny - 1);
    for (let i = 0; i < nx; i++) {
      w[0] = x0 + (i * (x1 - x0)) / (nx - 1);
      const v = problem.loss(w);
      values[j * nx + i] = v;
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  if (min > max) min = max = NaN;
  const y: [number, number] = dim === 2 ? [y0, y1] : (window.y ?? [min, max]);
  return { dim, x: [x0, x1], y, nx, ny, values, min, max };
}

/** Dense Hessian of a low-dimensional problem, from `hessian` when present, else from d Hessian-vector products. */
export function denseHessian(problem: Problem, w: Vec): Float64Array {
  const d = problem.dim;
  if (problem.hessian) return problem.hessian(w, new Float64Array(d * d));
  const h = new Float64Array(d * d);
  const e = new Float64Array(d);
  const col = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    e[j] = 1;
    problem.hvp(w, e, col);
    for (let i = 0; i < d; i++) h[i * d + j] = col[i];
  }
  // Symmetrize: round-off in the products must not create complex eigenvalues.
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) h[i * d + j] = h[j * d + i] = (h[i * d + j] + h[j * d + i]) / 2;
  return h;
}

/** Eigen-decomposition of a symmetric 2×2 [[a, b], [b, c]]: values descending, unit vectors. */
export function eig2(a: number, b: number, c: number): { values: [number, number]; vectors: [[number, number], [number, number]] } {
  const m = (a + c) / 2;
  const r = Math.hypot((a - c) / 2, b);
  const l1 = m + r;
  const l2 = m - r;
  // Eigenvector of l1: (b, l1 − a) or (l1 − c, b), whichever is better conditioned.
  let vx: number;
  let vy: number;
  if (r === 0) {
    vx = 1;
    vy = 0;
  } else if (Math.abs(l1 - a) > Math.abs(l1 - c)) {
    vx = b;
    vy = l1 - a;
  } else {
    vx = l1 - c;
    vy = b;
  }
  const nv = Math.hypot(vx, vy);
  vx /= nv;
  vy /= nv;
  return { values: [l1, l2], vectors: [[vx, vy], [-vy, vx]] };
}

/** Top eigenvalues (descending) and the top unit eigenvector of H(w) for 1-D/2-D problems. */
export function smallEigs(problem: Problem, w: Vec): { values: number[]; top: number[] } {
  const h = denseHessian(problem, w);
  if (problem.dim === 1) return { values: [h[0]], top: [1] };
  if (problem.dim === 2) {
    const e = eig2(h[0], h[1], h[3]);
    return { values: [...e.values], top: [...e.vectors[0]] };
  }
  throw new InputError(`smallEigs handles 1-D/2-D problems (this one has ${problem.dim} dimensions).`);
}
