/**
 * Colour-blind-safe palette (Okabe & Ito, 2008, "Color Universal Design") and the colour of each flow.
 *
 * The flow colours are the single source for the UI; src/engine/flows/registry.ts (FlowSpec.color) must
 * use the same values (test/plots-palette.test.ts checks it once the registry exists). Chosen so that the
 * two models compared most often (central vs rod) are the pair with the largest contrast in every kind of
 * colour-vision deficiency (vermillion vs blue), and GD, the ground truth, is near-black.
 */
import type { FlowId } from '../engine/types.ts';

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

/** GD is drawn in near-black (pure black reads as "axis" on a projector). */
export const FLOW_COLORS: Readonly<Record<FlowId, string>> = {
  gd: '#222222',
  'gradient-flow': OKABE_ITO.bluishGreen,
  'central-flow': OKABE_ITO.vermillion,
  'rod-flow': OKABE_ITO.blue,
};

/** Secondary series of a flow (e.g. GD smoothed loss, second eigenvalue): same hue, told apart by dash. */
export const FLOW_DASH = {
  primary: undefined,
  secondary: '7 4',
  tertiary: '2 3',
} as const;

/** Reference lines (2/η) and annotations. */
export const REF_COLORS = {
  edge: OKABE_ITO.reddishPurple,
  onset: OKABE_ITO.orange,
  start: OKABE_ITO.orange,
  cursor: '#555555',
  grid: '#e4e4e4',
  axis: '#333333',
  text: '#222222',
  muted: '#666666',
} as const;

/** Extra colours for overlays of saved runs, in order (skipping the flow colours). */
export const EXTRA_SERIES_COLORS: readonly string[] = [
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.yellow,
];

export function flowColor(id: FlowId): string {
  return FLOW_COLORS[id];
}

/** Pale sequential ramp for contour fills: low loss white, high loss light slate; paths stay legible. */
export const CONTOUR_FILL: readonly [string, string] = ['#ffffff', '#c9d1da'];
export const CONTOUR_LINE = '#98a3ae';
