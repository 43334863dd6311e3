import { describe, expect, it } from 'vitest';
import { EXTRA_SERIES_COLORS, FLOW_COLORS, FLOW_LINE_DASH, OKABE_ITO, REF_COLORS } from '../src/ui/palette.ts';
import { FLOW_IDS } from '../src/engine/types.ts';
import { FLOWS } from '../src/engine/flows/registry.ts';

// sRGB → linear → (optional colour-vision-deficiency simulation, Machado et al. 2009, severity 1) → CIELAB.
const MACHADO = {
  protan: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deutan: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritan: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};
const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
function lab(hex: string, sim?: number[][]): [number, number, number] {
  let rgb = [1, 3, 5].map((i) => lin(parseInt(hex.slice(i, i + 2), 16) / 255));
  if (sim) rgb = sim.map((row) => Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2])));
  const [r, g, b] = rgb;
  const X = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const Z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}
const dE = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe('flow palette', () => {
  it('covers every flow with a distinct valid hex colour', () => {
    expect(Object.keys(FLOW_COLORS).sort()).toEqual([...FLOW_IDS].sort());
    const cs = Object.values(FLOW_COLORS);
    for (const c of cs) expect(c).toMatch(/^#[0-9A-Fa-f]{6}$/);
    expect(new Set(cs).size).toBe(cs.length);
  });
  it('flow colours are Okabe–Ito colours', () => {
    const oi = new Set(Object.values(OKABE_ITO).map((c) => c.toLowerCase()));
    for (const id of FLOW_IDS) expect(oi.has(FLOW_COLORS[id].toLowerCase()), id).toBe(true);
  });
  it('flows drawn with the same dash stay distinguishable by colour (ΔE76 > 20) for normal, protan and deutan vision', () => {
    // Tritanopia (~1 in 10⁴) is not covered by Okabe–Ito for four hues; dashes and the legend carry it.
    for (const sim of [undefined, MACHADO.protan, MACHADO.deutan])
      for (const a of FLOW_IDS)
        for (const b of FLOW_IDS) {
          if (a >= b || FLOW_LINE_DASH[a] !== FLOW_LINE_DASH[b]) continue;
          expect(dE(lab(FLOW_COLORS[a], sim), lab(FLOW_COLORS[b], sim)), `${a} vs ${b}`).toBeGreaterThan(20);
        }
  });
  it('the simulation keeps greys and collapses a classic red/green pair (more than halves its ΔE)', () => {
    for (const m of Object.values(MACHADO)) for (const row of m) expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 3);
    const normal = dE(lab('#E41A1C'), lab('#4DAF4A'));
    for (const m of [MACHADO.protan, MACHADO.deutan]) expect(dE(lab('#E41A1C', m), lab('#4DAF4A', m))).toBeLessThan(normal / 2);
  });
  it('overlay colours are not flow colours', () => {
    const flows = new Set(Object.values(FLOW_COLORS).map((c) => c.toLowerCase()));
    for (const c of [...EXTRA_SERIES_COLORS, REF_COLORS.edge, REF_COLORS.start, REF_COLORS.onset]) expect(flows.has(c.toLowerCase()), c).toBe(false);
  });
  it('the 2/η line colour differs from every flow colour', () => {
    for (const c of Object.values(FLOW_COLORS)) expect(dE(lab(REF_COLORS.edge), lab(c))).toBeGreaterThan(20);
  });
  it('is the flow registry\'s FlowSpec.color for every flow', () => {
    expect(FLOWS.length).toBe(FLOW_IDS.length);
    for (const f of FLOWS) expect(FLOW_COLORS[f.id], f.id).toBe(f.color);
  });
});
