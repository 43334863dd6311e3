/**
 * The contour plot's background layer: filled contour bands and lines traced by d3-contour from the grid
 * the caller sampled (2-D), or the loss curve (1-D). Canvas only; redrawn when the grid, the window or the
 * size change, never during a drag.
 */
import { contours as d3contours, geoPath, geoTransform, interpolateRgb } from 'd3';
import type { ContourPlotProps, Series } from './types.ts';
import type { Scale } from './scales.ts';
import { gridToData } from './contour-levels.ts';
import { drawSeries } from './dom.ts';
import { CONTOUR_FILL, CONTOUR_LINE } from '../palette.ts';

type Grid = NonNullable<ContourPlotProps['grid']>;

/** Shade for the part of the frame the grid does not cover (only when the window had to be widened). */
export const OUTSIDE_GRID = '#f3f3f3';

export function drawContours(ctx: CanvasRenderingContext2D, grid: Grid, window: ContourPlotProps['window'], levels: number[], x: Scale, y: Scale): void {
  const { nx, ny, values } = grid;
  if (nx < 2 || ny < 2 || values.length < nx * ny) return;
  const wy = window.y ?? window.x;
  const gx0 = x(window.x[0]), gx1 = x(window.x[1]), gy0 = y(wy[1]), gy1 = y(wy[0]);
  ctx.save();
  ctx.fillStyle = OUTSIDE_GRID;
  ctx.fillRect(x.range()[0], y.range()[1], x.range()[1] - x.range()[0], y.range()[0] - y.range()[1]);
  // Inside the grid, clip so the contour rings' closing edges along the grid border (half a cell outside
  // the window) are not stroked.
  ctx.beginPath();
  ctx.rect(gx0, gy0, gx1 - gx0, gy1 - gy0);
  ctx.clip();
  ctx.fillStyle = CONTOUR_FILL[0];
  ctx.fillRect(gx0, gy0, gx1 - gx0, gy1 - gy0);
  if (levels.length > 0) {
    // Non-finite grid values (overflow far from the minimum) would leave holes in every band: they are
    // treated as above the top level, so the top band covers them.
    let finite = true;
    for (let i = 0; i < nx * ny && finite; i++) finite = Number.isFinite(values[i]);
    let vals: ArrayLike<number> = values;
    if (!finite) {
      const top = levels[levels.length - 1];
      const big = Math.abs(top) * 2 + 1;
      const f = new Float64Array(nx * ny);
      for (let i = 0; i < nx * ny; i++) {
        const v = values[i];
        f[i] = Number.isNaN(v) || v === Infinity ? big : v === -Infinity ? -big : v;
      }
      vals = f;
    }
    const polys = d3contours().size([nx, ny]).thresholds(levels)(vals as unknown as number[]);
    const proj = geoTransform({
      point(gx: number, gy: number) {
        this.stream.point(x(gridToData(gx, nx, window.x[0], window.x[1])), y(gridToData(gy, ny, wy[0], wy[1])));
      },
    });
    const path = geoPath(proj, ctx);
    const fill = interpolateRgb(CONTOUR_FILL[0], CONTOUR_FILL[1]);
    // Filled bands: each level's region {v ≥ level} painted darker on top of the previous one.
    polys.forEach((p, k) => {
      ctx.beginPath();
      path(p);
      ctx.fillStyle = fill((k + 1) / polys.length);
      ctx.fill();
    });
    ctx.lineWidth = 1;
    ctx.strokeStyle = CONTOUR_LINE;
    ctx.globalAlpha = 0.75;
    for (const p of polys) {
      ctx.beginPath();
      path(p);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** 1-D: the loss curve L(x) as a grey line. */
export function drawCurve(ctx: CanvasRenderingContext2D, curve: NonNullable<ContourPlotProps['curve']>, x: Scale, y: Scale, logY: boolean, ih: number): void {
  const s: Series = { id: 'curve', label: 'L', color: '#555', x: curve.x, y: curve.y, length: Math.min(curve.x.length, curve.y.length), width: 2.5 };
  drawSeries(ctx, s, x, y, { logY, columns: Infinity, ih, marks: false });
}
