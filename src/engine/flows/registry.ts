/**
 * The flow registry: the UI, the worker and the CLI list flows from here, so adding a flow touches no
 * component. Each flow's presentation lives in its spec too: colour (set by the flow's module), and, set here,
 * its display name, dash, short name and the labels of its series (FlowLook); src/ui/palette.ts and
 * src/ui/series.ts derive from them.
 * Colours are from the Okabe–Ito colour-blind-safe palette, one hue per flow:
 * GD black #000000 (the ground truth), gradient flow sky blue #56B4E9, Central Flow bluish green #009E73,
 * Rod Flow vermillion #D55E00. (Orange #E69F00, blue #0072B2, yellow #F0E442 and reddish purple
 * #CC79A7 are left for overlays such as ghosts, 2/η lines and GD's smoothed loss.) Colour is never the only
 * cue: gradient flow, the flow that does not see EoS, is also dashed.
 */
import { InputError, type FlowId, type FlowLook, type FlowSpec } from '../types.ts';
import { GD_SPEC } from './gd.ts';
import { GRADIENT_FLOW_SPEC } from './gradient-flow.ts';
import { CENTRAL_FLOW_SPEC } from './central-flow.ts';
import { ROD_FLOW_SPEC } from './rod-flow.ts';

/** Names as the page and the papers write them ("Central Flow", "Rod Flow": proper names of the models). */
const PRESENTATION: Record<FlowId, { name: string; look: FlowLook }> = {
  gd: {
    name: 'Gradient descent',
    look: {
      short: 'GD',
      reference: true,
      osc: 'GD |δ|² (actual rod)',
      centre: 'GD pair centre',
      overlay: { kind: 'rod', label: 'GD rod (w_k, w_k+1)', width: 2.5 },
    },
  },
  'gradient-flow': {
    name: 'Gradient flow',
    look: { short: 'GF', dash: '9 4' },
  },
  'central-flow': {
    name: 'Central Flow',
    look: {
      short: 'CF',
      osc: 'Central Flow σ² = tr Σ',
      predictedLoss: 'Central Flow predicted avg. loss',
      overlay: { kind: 'segment', label: 'Central Flow ±σ', width: 2.5, dash: '5 3' },
    },
  },
  'rod-flow': {
    name: 'Rod Flow',
    look: {
      short: 'RF',
      osc: 'Rod Flow |δ|²',
      predictedLoss: 'Rod Flow predicted avg. loss',
      centre: 'Rod Flow w̄',
      pathSuffix: ' (centre w̄)',
      overlay: { kind: 'rod', label: 'Rod Flow rod (w̄ ± δ)', width: 4 },
    },
  },
};

export type RegisteredFlow = FlowSpec & { look: FlowLook };

export const FLOWS: RegisteredFlow[] = [GD_SPEC, GRADIENT_FLOW_SPEC, CENTRAL_FLOW_SPEC, ROD_FLOW_SPEC].map((s) => ({
  ...s,
  ...PRESENTATION[s.id],
}));

export function getFlowSpec(id: FlowId | string): RegisteredFlow {
  const spec = FLOWS.find((f) => f.id === id);
  if (!spec) throw new InputError(`Unknown flow '${id}' (known: ${FLOWS.map((f) => f.id).join(', ')}).`);
  return spec;
}
