/**
 * Contour level choice, d3-contour grid ↔ data mapping, equal-aspect windows. Pure:
 * test/plots-contour.test.ts.
 */
import { widenToAspect } from '../../engine/grid.ts';
import type { NumArray } from './types.ts';

/**
 * `count` contour levels for the finite values of a grid.
 * Losses often have a huge range (a quartic far from its minimum): evenly spaced levels would all crowd the
 * walls and leave the valley — where the dynamics happen — empty. When the lower quartile sits in the
 * lowest tenth of the range (r⁴ on a square: 2.5 %; a quadratic bowl: 16 %, kept even), levels are spaced
 * geometrically in the offset `v − min` (from 1e-4·range up), which
 * is log spacing for losses with min ≈ 0 and still works for losses that go negative.
 */
export function contourLevels(values: NumArray, count = 14): { levels: number[]; log: boolean } {
  const fin: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) fin.push(v);
  }
  if (fin.length === 0 || count < 1) return { levels: [], log: false };
  fin.sort((a, b) => a - b);
  const min = fin[0];
  const max = fin[fin.length - 1];
  if (max === min) return { levels: [], log: false };
  const q25 = fin[fin.length >> 2];
  const span = max - min;
  const skewed = q25 - min < 0.1 * span;
  const levels: number[] = [];
  if (skewed) {
    // Offsets from q0·span to span·0.9, geometric; q0 chosen from the 2nd percentile so the lowest level
    // still encloses the valley floor rather than a single grid cell.
    const p2 = fin[Math.floor(fin.length * 0.02)];
    const q0 = Math.max(1e-6, Math.min(1e-2, (p2 - min) / span || 1e-4));
    const q1 = 0.9;
    for (let k = 0; k < count; k++) {
      const q = q0 * (q1 / q0) ** (k / Math.max(1, count - 1));
      levels.push(min + q * span);
    }
  } else {
    for (let k = 1; k <= count; k++) levels.push(min + (span * k) / (count + 1));
  }
  return { levels, log: skewed };
}

/**
 * d3-contour puts sample i of an n-wide grid at coordinate i + 0.5 (it treats samples as unit pixels).
 * Our grids sample the window inclusive of its ends, so data = lo + (g − 0.5)·(hi − lo)/(n − 1).
 */
export function gridToData(g: number, n: number, lo: number, hi: number): number {
  return lo + ((g - 0.5) * (hi - lo)) / Math.max(1, n - 1);
}

/**
 * Widen one axis of `win` so that one data unit spans the same number of pixels on both axes in a
 * `width`×`height` frame; the original window stays centred and fully visible.
 */
export function equalAspectWindow(
  win: { x: [number, number]; y: [number, number] },
  width: number,
  height: number,
): { x: [number, number]; y: [number, number] } {
  return width > 0 && height > 0 ? widenToAspect(win, width / height) : win;
}

/**
 * Bilinear interpolation of a window-inclusive grid (see ContourPlotProps.grid) at (x, y), for the hover
 * readout "L ≈ …"; NaN outside the window. Exact for functions of the form a + bx + cy + dxy.
 */
export function bilinear(
  grid: { nx: number; ny: number; values: NumArray },
  win: { x: [number, number]; y: [number, number] },
  x: number,
  y: number,
): number {
  const { nx, ny, values } = grid;
  if (nx < 2 || ny < 2 || values.length < nx * ny) return NaN;
  const fx = ((x - win.x[0]) / (win.x[1] - win.x[0])) * (nx - 1);
  const fy = ((y - win.y[0]) / (win.y[1] - win.y[0])) * (ny - 1);
  if (!(fx >= 0 && fx <= nx - 1 && fy >= 0 && fy <= ny - 1)) return NaN;
  const i = Math.min(nx - 2, Math.floor(fx));
  const j = Math.min(ny - 2, Math.floor(fy));
  const a = fx - i;
  const b = fy - j;
  const v00 = values[j * nx + i];
  const v10 = values[j * nx + i + 1];
  const v01 = values[(j + 1) * nx + i];
  const v11 = values[(j + 1) * nx + i + 1];
  return (1 - b) * ((1 - a) * v00 + a * v10) + b * ((1 - a) * v01 + a * v11);
}
