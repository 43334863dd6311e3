/** Public surface of the plot components. */
export { TimeSeriesPlot, lastDrawMs, drawCount } from './TimeSeriesPlot.tsx';
export { ContourPlot } from './ContourPlot.tsx';
export { exportSvg, exportPng, plotSvgString, plotPngBlob } from './export.ts';
export { formatNumber } from './scales.ts';
export type * from './types.ts';
