/**
 * The flow registry: the UI, the worker and the CLI list flows from here, so adding a flow touches no
 * component. Colours are from the Okabe–Ito colour-blind-safe palette, one hue per flow:
 * GD black #000000 (the ground truth), gradient flow sky blue #56B4E9, central flow bluish green #009E73,
 * rod flow vermillion #D55E00. (Orange #E69F00, blue #0072B2, yellow #F0E442 and reddish purple
 * #CC79A7 are left for overlays such as ghosts, 2/η lines and GD's smoothed loss.)
 */
import { InputError, type FlowId, type FlowSpec } from '../types.ts';
import { GD_SPEC } from './gd.ts';
import { GRADIENT_FLOW_SPEC } from './gradient-flow.ts';
import { CENTRAL_FLOW_SPEC } from './central-flow.ts';
import { ROD_FLOW_SPEC } from './rod-flow.ts';

export const FLOWS: FlowSpec[] = [GD_SPEC, GRADIENT_FLOW_SPEC, CENTRAL_FLOW_SPEC, ROD_FLOW_SPEC];

export function getFlowSpec(id: FlowId | string): FlowSpec {
  const spec = FLOWS.find((f) => f.id === id);
  if (!spec) throw new InputError(`Unknown flow '${id}' (known: ${FLOWS.map((f) => f.id).join(', ')}).`);
  return spec;
}
