/**
 * The frame both plot kinds share: the figure, its header (title on one line, an optional note, the
 * x readout slot, SVG/PNG export), the subtitle and the legend. The plot itself (canvas + SVG layers and
 * their pointer handling) is the child. The export (export.ts) reads title, subtitle and legend from here.
 */
import type { ReactNode, Ref, RefObject } from 'react';
import type { PlotHandle } from './types.ts';
import { usePlotHandle } from './use-plot-handle.ts';
import { Legend, type LegendEntry } from './Legend.tsx';
import type { MutableRefObject } from 'react';

export interface PlotFrameProps {
  id: string;
  title: string;
  subtitle?: string;
  className?: string;
  showExport?: boolean;
  /** The plot's `ref` prop (export handle). */
  handleRef?: Ref<PlotHandle>;
  rootRef: RefObject<HTMLElement | null>;
  /** A short note in the header (e.g. 'levels log-spaced'). */
  headNote?: string;
  /** Slot for the hover readout of x in the header (time series). */
  xReadRef?: RefObject<HTMLSpanElement | null>;
  legend: LegendEntry[];
  valueRefs: MutableRefObject<Map<string, HTMLSpanElement>>;
  onToggle?: (id: string) => void;
  /** Reserve room for hover values in the legend (time series). */
  readouts?: boolean;
  children: ReactNode;
}

export function PlotFrame(p: PlotFrameProps) {
  const { id, title, showExport = true } = p;
  const handle = usePlotHandle(p.handleRef, p.rootRef, id);
  return (
    <figure ref={p.rootRef} id={id} className={`rfp-plot ${p.className ?? ''}`} data-plot-title={title} data-plot-subtitle={p.subtitle || undefined}>
      <div className="rfp-head">
        <h3 className="rfp-title" title={title}>{title}</h3>
        {p.headNote && <span className="rfp-note-head">{p.headNote}</span>}
        {p.xReadRef && <span className="rfp-readout-x" ref={p.xReadRef} aria-live="off" />}
        {showExport && (
          <span className="rfp-tools">
            <button type="button" onClick={() => handle.exportSvg()} title="Download SVG">SVG</button>
            <button type="button" onClick={() => void handle.exportPng()} title="Download PNG">PNG</button>
          </span>
        )}
      </div>
      {p.subtitle && <p className="rfp-subtitle">{p.subtitle}</p>}
      <Legend entries={p.legend} valueRefs={p.valueRefs} onToggle={p.onToggle} readouts={p.readouts ?? true} />
      {p.children}
    </figure>
  );
}
