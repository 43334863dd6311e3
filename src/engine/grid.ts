/**
 * What the page's plots need computed over a window rather than along a trajectory: the loss on a grid
 * (2-D contour) or along a line (1-D curve). Pure float64, no DOM: it runs in the worker because the
 * UI does no math. (Eigenvalues at the start and Σ's direction come from linalg/eigs.ts `topEigs`.)
 */
import { InputError, type Problem } from './types.ts';

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

type Window2 = { x: [number, number]; y: [number, number] };

/**
 * `win` with one axis widened about its centre so that its width/height equals `aspect` (the plot
 * frame's pixel aspect: equal data units per pixel on both axes); the original window stays inside.
 */
export function widenToAspect(win: Window2, aspect: number): Window2 {
  const dx = win.x[1] - win.x[0];
  const dy = win.y[1] - win.y[0];
  if (!(dx > 0 && dy > 0 && aspect > 0 && Number.isFinite(aspect))) return win;
  if (dx / dy > aspect) {
    const cy = (win.y[0] + win.y[1]) / 2;
    const h = dx / aspect / 2;
    return { x: [win.x[0], win.x[1]], y: [cy - h, cy + h] };
  }
  const cx = (win.x[0] + win.x[1]) / 2;
  const w = (dy * aspect) / 2;
  return { x: [cx - w, cx + w], y: [win.y[0], win.y[1]] };
}

/**
 * The window a 2-D plane's landscape is sampled on: the problem's window widened to the frame's aspect
 * (what the plot will draw) plus `pad` of each span on every side, so that the frame's rounding never
 * leaves an unsampled band at its edge.
 */
export function landscapeWindow(win: Window2, aspect: number, pad = 0.03): Window2 {
  const w = widenToAspect(win, aspect);
  const px = (w.x[1] - w.x[0]) * pad;
  const py = (w.y[1] - w.y[0]) * pad;
  return { x: [w.x[0] - px, w.x[1] + px], y: [w.y[0] - py, w.y[1] + py] };
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
