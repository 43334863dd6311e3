/**
 * Colour-blind-safe palette (Okabe & Ito, 2008, "Color Universal Design") and the style of each flow.
 *
 * Flow colours and dashes are derived from the flow registry (src/engine/flows/registry.ts: FlowSpec.color
 * and FlowSpec.look.dash), so adding a flow touches no component. Colour is never the only cue: gradient
 * flow — the flow that does not see EoS — is also dashed. Gradient flow is sky blue rather than orange
 * because orange and Rod Flow's vermillion were the closest pair for deuteranopes (ΔE ≈ 18;
 * test/plots-palette.test.ts).
 */
import type { FlowId } from '../engine/types.ts';
import { FLOWS } from '../engine/flows/registry.ts';

export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

export const FLOW_COLORS: Readonly<Record<FlowId, string>> = Object.fromEntries(FLOWS.map((f) => [f.id, f.color])) as Record<FlowId, string>;

/** Default line dash per flow (canvas/SVG dash string; undefined = solid). */
export const FLOW_LINE_DASH: Readonly<Record<FlowId, string | undefined>> = Object.fromEntries(
  FLOWS.map((f) => [f.id, f.look.dash]),
) as Record<FlowId, string | undefined>;

/** Two-letter name per flow (onset labels). */
export const FLOW_SHORT: Readonly<Record<FlowId, string>> = Object.fromEntries(FLOWS.map((f) => [f.id, f.look.short])) as Record<FlowId, string>;

/** Secondary series of a flow (e.g. GD smoothed loss, second eigenvalue): same hue, told apart by dash. */
export const FLOW_DASH = {
  primary: undefined,
  secondary: '7 4',
  tertiary: '2 3',
} as const;

/** Reference lines (2/η) and annotations. */
export const REF_COLORS = {
  edge: OKABE_ITO.reddishPurple,
  onset: OKABE_ITO.blue,
  start: OKABE_ITO.blue,
  cursor: '#555555',
  grid: '#e4e4e4',
  axis: '#333333',
  text: '#222222',
  muted: '#666666',
} as const;

/** Extra colours for overlays of saved runs, in order (skipping the flow colours). */
export const EXTRA_SERIES_COLORS: readonly string[] = [
  OKABE_ITO.orange,
  OKABE_ITO.blue,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.yellow,
];

export function flowColor(id: FlowId): string {
  return FLOW_COLORS[id];
}

/**
 * Pale sequential ramp for contour fills: low loss palest, high loss light slate; paths stay legible. The
 * lowest band is tinted, not white: a white valley floor read as a gap in the shading (self-stab's strip
 * along x = 0).
 */
export const CONTOUR_FILL: readonly [string, string] = ['#eef2f6', '#c3ccd6'];
export const CONTOUR_LINE = '#98a3ae';
