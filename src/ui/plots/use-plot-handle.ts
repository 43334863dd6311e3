import { useImperativeHandle, useMemo, type Ref, type RefObject } from 'react';
import { exportPng, exportSvg, plotSvgString } from './export.ts';
import type { PlotHandle } from './types.ts';

/**
 * The export handle of a plot (SVG/PNG of the whole plot, canvas layers included): exposed through the
 * plot's `ref` prop and returned for its own SVG/PNG buttons.
 */
export function usePlotHandle(ref: Ref<PlotHandle> | undefined, rootRef: RefObject<HTMLElement | null>, id: string): PlotHandle {
  const handle = useMemo(
    (): PlotHandle => ({
      exportSvg: (f) => rootRef.current && exportSvg(rootRef.current, f ?? id),
      exportPng: async (f, scale) => {
        if (rootRef.current) await exportPng(rootRef.current, f ?? id, scale);
      },
      svgString: () => (rootRef.current ? plotSvgString(rootRef.current) : ''),
      element: () => rootRef.current,
    }),
    [id, rootRef],
  );
  useImperativeHandle(ref, () => handle, [handle]);
  return handle;
}
