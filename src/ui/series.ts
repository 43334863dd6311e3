/**
 * Turns traces into the plots' Series (zero-copy views of the trace columns). No model arithmetic: the
 * only computation is the unit of the time axis (steps or η·steps) and picking the sample at the playhead.
 */
import { FLOW_IDS, type FlowId, type FlowLook } from '../engine/types.ts';
import { FLOWS } from '../engine/flows/registry.ts';
import { FLOW_COLORS, FLOW_DASH } from './palette.ts';
import type { Series, Segment, VMark } from './plots/types.ts';
import type { Overlay } from '../state/store.ts';
import type { ViewTrace } from '../state/trace-buffer.ts';

export type Traces = Partial<Record<FlowId, ViewTrace>>;

export function flowName(id: FlowId): string {
  return FLOWS.find((f) => f.id === id)?.name ?? id;
}

/** The flow's presentation from the registry (a bare one for an unknown id). */
function look(id: FlowId): FlowLook {
  return FLOWS.find((f) => f.id === id)?.look ?? { short: id };
}

/** x values of a trace on the chosen time axis. */
/**
 * ηt of an overlay's samples (its trace never changes), kept per trace and η: the same array on every
 * refresh keeps the overlay's signature, and so its cached layer (static-layer.ts).
 */
const etaTimes = new WeakMap<ArrayLike<number>, { eta: number; length: number; out: Float64Array }>();

function timeOf(tr: ViewTrace, eta: number, axis: 'steps' | 'eta', overlay: boolean): ArrayLike<number> {
  if (axis === 'steps') return tr.t;
  const hit = overlay ? etaTimes.get(tr.t) : undefined;
  if (hit && hit.eta === eta && hit.length === tr.length) return hit.out;
  const out = new Float64Array(tr.length);
  for (let i = 0; i < tr.length; i++) out[i] = tr.t[i] * eta;
  if (overlay) etaTimes.set(tr.t, { eta, length: tr.length, out });
  return out;
}

export interface Layer {
  traces: Traces;
  eta: number;
  /** '' for the live run; otherwise the overlay's key and name. */
  key: string;
  name: string;
  kind: 'live' | Overlay['kind'];
}

function style(layer: Layer): Partial<Series> {
  if (layer.kind === 'ghost') return { opacity: 0.28, noLegend: true, noReadout: true, width: 1.5, overlay: true };
  if (layer.kind === 'saved' || layer.kind === 'imported') return { opacity: 0.75, dash: '3 3', width: 1.5, overlay: true };
  return {};
}

function sid(layer: Layer, id: string): string {
  return layer.key ? `${layer.key}:${id}` : id;
}

function lab(layer: Layer, label: string): string {
  return layer.key ? `${layer.name} · ${label}` : label;
}

type Pick = (tr: ViewTrace, id: FlowId) => { y: ArrayLike<number>; yStride?: number; yOffset?: number; label: string; dash?: string; sub: string }[];

/** One Series per (layer, flow, picked column). */
export function timeSeries(layers: Layer[], axis: 'steps' | 'eta', pick: Pick, flows?: readonly FlowId[]): Series[] {
  const out: Series[] = [];
  for (const layer of layers) {
    let legend = false;
    for (const id of FLOW_IDS) {
      if (flows && !flows.includes(id)) continue;
      const tr = layer.traces[id];
      if (!tr || tr.length === 0) continue;
      const x = timeOf(tr, layer.eta, axis, layer.kind !== 'live');
      for (const p of pick(tr, id)) {
        const st = style(layer);
        // A saved run gets one legend entry (its series keep their flow colours, dotted) and full readouts.
        const overlay = layer.kind === 'saved' || layer.kind === 'imported';
        const legendHere = overlay && !legend;
        if (legendHere) legend = true;
        out.push({
          id: sid(layer, `${id}:${p.sub}`),
          label: legendHere ? `${layer.name} (dotted)` : lab(layer, p.label),
          color: FLOW_COLORS[id],
          x,
          y: p.y,
          yStride: p.yStride,
          yOffset: p.yOffset,
          length: tr.length,
          ...st,
          noLegend: st.noLegend || (overlay && !legendHere),
          dash: p.dash ?? st.dash ?? look(id).dash,
        });
      }
    }
  }
  return out;
}

export const pickSharpness: Pick = (tr, id) => {
  const out = [{ y: tr.sharpness, yStride: tr.eigK, yOffset: 0, label: `${flowName(id)} λ₁`, sub: 'l1' }];
  // The reference flow (GD) also shows λ₂.
  if (tr.eigK > 1 && look(id).reference) out.push({ y: tr.sharpness, yStride: tr.eigK, yOffset: 1, label: `${flowName(id)} λ₂`, sub: 'l2', dash: FLOW_DASH.tertiary } as (typeof out)[0]);
  return out;
};

export const pickLoss: Pick = (tr, id) => {
  const lk = look(id);
  if (lk.reference) {
    return [
      { y: tr.loss, label: `${lk.short} loss (raw)`, sub: 'raw' },
      { y: tr.predictedLoss, label: `${lk.short} loss (pair mean, smoothed)`, sub: 'smooth', dash: FLOW_DASH.secondary },
    ];
  }
  const out = [{ y: tr.loss, label: `${flowName(id)} L(w)`, sub: 'own' } as { y: ArrayLike<number>; label: string; sub: string; dash?: string }];
  if (lk.predictedLoss) out.push({ y: tr.predictedLoss, label: lk.predictedLoss, sub: 'pred', dash: FLOW_DASH.secondary });
  return out;
};

export const pickOsc: Pick = (tr, id) => {
  const label = look(id).osc;
  return label ? [{ y: tr.osc, label, sub: 'osc' }] : [];
};

export function pickCentre(names: string[]): Pick {
  return (tr, id) => {
    const src = tr.centre ?? tr.w;
    const out = [];
    for (let j = 0; j < Math.min(tr.wDim, 2); j++) {
      const what = look(id).centre ?? flowName(id);
      out.push({ y: src, yStride: tr.wDim, yOffset: j, label: `${what} ${names[j]}`, sub: `c${j}`, dash: j === 1 ? FLOW_DASH.secondary : undefined });
    }
    return out;
  };
}

export const pickDist: Pick = (tr, id) => (look(id).reference ? [] : [{ y: tr.dist, label: `${flowName(id)} ‖w − w̄_GD‖`, sub: 'dist' }]);

/** Paths in the plane (2-D: x,y = w rows) or on the line (1-D: x = w, y = loss). */
export function planePaths(layers: Layer[], dim: number): Series[] {
  const out: Series[] = [];
  for (const layer of layers) {
    let legend = false;
    for (const id of FLOW_IDS) {
      const tr = layer.traces[id];
      if (!tr || tr.length === 0) continue;
      const st = style(layer);
      const ref = !!look(id).reference;
      const base: Series = {
        id: sid(layer, `${id}:path`),
        label: lab(layer, flowName(id) + (look(id).pathSuffix ?? '')),
        color: FLOW_COLORS[id],
        x: tr.w,
        xStride: tr.wDim,
        y: dim === 1 ? tr.loss : tr.w,
        yStride: dim === 1 ? 1 : tr.wDim,
        yOffset: dim === 1 ? 0 : 1,
        length: tr.length,
        t: tr.t,
        // The reference's (GD's) dots show the zig-zag; past a few hundred iterates they only cost drawing time.
        kind: ref && tr.length <= 400 ? 'line+points' : 'line',
        width: ref ? 1 : 2.5,
        pointRadius: ref ? 2 : undefined,
        dash: look(id).dash,
        ...st,
      };
      if (ref && layer.kind === 'live') base.width = 0.8;
      if (layer.kind === 'saved' || layer.kind === 'imported') {
        if (legend) base.noLegend = true;
        else base.label = `${layer.name} (dotted)`;
        legend = true;
      }
      out.push(base);
    }
  }
  return out;
}

/** Row of the last visible sample (the playhead). */
function lastRow(a: Float64Array | undefined, tr: ViewTrace): number[] | null {
  if (!a || tr.length === 0) return null;
  const i = tr.length - 1;
  return Array.from(a.subarray(i * tr.wDim, (i + 1) * tr.wDim));
}

/** Each flow's overlay at the playhead (its `look.overlay`): rods (GD, Rod Flow) and ±σ segments (Central Flow). */
export function rodSegments(traces: Traces, dim: number): { rods: Segment[]; segments: Segment[] } {
  const rods: Segment[] = [];
  const segments: Segment[] = [];
  for (const id of FLOW_IDS) {
    const ov = look(id).overlay;
    const tr = traces[id];
    if (!ov || !tr) continue;
    const lo = lastRow(tr.lo, tr);
    const hi = lastRow(tr.hi, tr);
    if (!lo || !hi || lo.some((v) => !Number.isFinite(v)) || hi.some((v) => !Number.isFinite(v))) continue;
    const seg: Segment = { x1: lo[0], y1: dim === 1 ? NaN : lo[1], x2: hi[0], y2: dim === 1 ? NaN : hi[1], color: FLOW_COLORS[id], label: ov.label, width: ov.width, dash: ov.dash };
    (ov.kind === 'rod' ? rods : segments).push(seg);
  }
  return { rods, segments };
}

export function onsetMarks(onset: Partial<Record<FlowId, number>>, eta: number, axis: 'steps' | 'eta', flows: FlowId[]): VMark[] {
  const out: VMark[] = [];
  for (const id of flows) {
    const t = onset[id];
    if (t === undefined || !Number.isFinite(t)) continue;
    const x = axis === 'eta' ? t * eta : t;
    const at = axis === 'eta' ? `t = ${Number(x.toPrecision(4))}` : `step ${t}`;
    const short = look(id).short;
    out.push({ x, label: `onset ${short}`, short, title: `${flowName(id)}: edge-of-stability onset (λ₁ first above 2/η) at ${at}`, color: FLOW_COLORS[id], dash: '2 3' });
  }
  return out;
}
