import { describe, expect, it } from 'vitest';
import { contours } from 'd3';
import { bilinear, contourLevels, equalAspectWindow, gridToData } from '../src/ui/plots/contour-levels.ts';

function sample(nx: number, ny: number, win: { x: [number, number]; y: [number, number] }, f: (x: number, y: number) => number) {
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++)
      values[j * nx + i] = f(win.x[0] + (i * (win.x[1] - win.x[0])) / (nx - 1), win.y[0] + (j * (win.y[1] - win.y[0])) / (ny - 1));
  return values;
}

describe('gridToData matches d3-contour coordinates (oracle: the analytic level set)', () => {
  it('a contour of f = 2x − y at level c lies on the line 2x − y = c', () => {
    const win = { x: [-2, 3] as [number, number], y: [-1, 1.5] as [number, number] };
    const nx = 41, ny = 23;
    const f = (x: number, y: number) => 2 * x - y;
    const values = sample(nx, ny, win, f);
    for (const c of [-1.3, 0, 0.77, 2.5]) {
      const [poly] = contours().size([nx, ny]).thresholds([c])(values as unknown as number[]);
      let interior = 0;
      for (const ring of poly.coordinates.flat())
        for (const [gx, gy] of ring) {
          // Points on the grid border are the ring's closing edges, not the level set.
          if (gx <= 0.5 || gx >= nx - 0.5 || gy <= 0.5 || gy >= ny - 0.5) continue;
          const x = gridToData(gx, nx, win.x[0], win.x[1]);
          const y = gridToData(gy, ny, win.y[0], win.y[1]);
          expect(f(x, y)).toBeCloseTo(c, 9);
          interior++;
        }
      expect(interior).toBeGreaterThan(5);
    }
  });
});

describe('contourLevels', () => {
  it('evenly spaced, strictly inside the range, for a loss without a heavy tail', () => {
    const v = sample(30, 30, { x: [-1, 1], y: [-1, 1] }, (x, y) => x + y);
    const { levels, log } = contourLevels(v, 9);
    expect(log).toBe(false);
    expect(levels.length).toBe(9);
    const d = levels[1] - levels[0];
    for (let i = 1; i < levels.length; i++) expect(levels[i] - levels[i - 1]).toBeCloseTo(d, 12);
    expect(levels[0]).toBeGreaterThan(-2);
    expect(levels[8]).toBeLessThan(2);
  });
  it('geometric in v − min for a wide-range loss (quartic walls): constant ratio, ascending, in range', () => {
    const v = sample(81, 81, { x: [-3, 3], y: [-3, 3] }, (x, y) => (x * x + y * y) ** 2);
    const { levels, log } = contourLevels(v, 12);
    expect(log).toBe(true);
    const min = Math.min(...v);
    const max = Math.max(...v);
    const r = (levels[1] - min) / (levels[0] - min);
    for (let i = 1; i < levels.length; i++) {
      expect(levels[i]).toBeGreaterThan(levels[i - 1]);
      expect((levels[i] - min) / (levels[i - 1] - min)).toBeCloseTo(r, 9);
    }
    expect(levels[0]).toBeGreaterThan(min);
    expect(levels[levels.length - 1]).toBeLessThan(max);
    // Most levels sit in the lower half of the range (where the valley is), unlike even spacing.
    expect(levels.filter((l) => l < min + (max - min) / 10).length).toBeGreaterThan(6);
  });
  it('a quadratic bowl keeps even spacing (its levels are already spread over the plane)', () => {
    const v = sample(81, 81, { x: [-3, 3], y: [-3, 3] }, (x, y) => x * x + y * y);
    expect(contourLevels(v, 12).log).toBe(false);
  });
  it('works for negative losses and ignores non-finite values; flat or empty grids give no levels', () => {
    const v = Float64Array.from([-5, -4.99, -4.98, -4.97, -4.96, 100, NaN, Infinity]);
    const { levels } = contourLevels(v, 5);
    expect(levels.length).toBe(5);
    for (const l of levels) expect(l > -5 && l < 100).toBe(true);
    expect(contourLevels(Float64Array.from([2, 2, 2])).levels).toEqual([]);
    expect(contourLevels(Float64Array.from([NaN])).levels).toEqual([]);
  });
});

describe('bilinear', () => {
  it('is exact for a + bx + cy + dxy and NaN outside the window', () => {
    const win = { x: [-1, 2] as [number, number], y: [0, 4] as [number, number] };
    const f = (x: number, y: number) => 0.3 - 2 * x + 0.7 * y + 1.1 * x * y;
    const grid = { nx: 7, ny: 9, values: sample(7, 9, win, f) };
    for (const [x, y] of [[-1, 0], [2, 4], [0.123, 3.3], [1.77, 0.01]]) expect(bilinear(grid, win, x, y)).toBeCloseTo(f(x, y), 12);
    expect(Number.isNaN(bilinear(grid, win, 2.1, 1))).toBe(true);
  });
});

describe('equalAspectWindow', () => {
  it('equal data units per pixel on both axes, original window kept and centred', () => {
    for (const [w, h] of [[600, 300], [300, 600], [500, 500]]) {
      const win = { x: [-1.6, 1.6] as [number, number], y: [-1.25, 1.25] as [number, number] };
      const out = equalAspectWindow(win, w, h);
      expect((out.x[1] - out.x[0]) / w).toBeCloseTo((out.y[1] - out.y[0]) / h, 12);
      expect(out.x[0]).toBeLessThanOrEqual(win.x[0]);
      expect(out.x[1]).toBeGreaterThanOrEqual(win.x[1]);
      expect(out.y[0]).toBeLessThanOrEqual(win.y[0]);
      expect(out.y[1]).toBeGreaterThanOrEqual(win.y[1]);
      expect(out.x[0] + out.x[1]).toBeCloseTo(0, 12);
    }
  });
});
