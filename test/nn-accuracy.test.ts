import { describe, expect, it } from 'vitest';
import { Runner } from '../src/engine/runner.ts';
import type { Trace } from '../src/engine/types.ts';

// Acceptance on a network (dynamics.md §7; scripts/accuracy.ts prints the full 1500-step table): once GD
// has entered the edge of stability, Central Flow and Rod Flow stay far closer to GD than gradient flow
// does, and Rod Flow enters EoS within a few steps of GD (it must not miss the onset after the long
// sharpening phase). The window starts 150 steps after GD's onset: GD first overshoots to λ ≈ 1.36·2/η
// and catapults around step 440 while Central Flow pins λ = 2/η at once, the disagreement that
// dynamics.md §3 calls the model, not a bug (measured: Central Flow is 0.29 from GD at step 425, back
// to 0.08–0.2 after the catapult; gradient flow goes 0.46 → 1.3).
const onset = (tr: Trace, eta: number) => {
  for (let i = 0; i < tr.length; i++) if (tr.sharpness[i * tr.eigK] >= 0.999 * (2 / eta)) return tr.t[i];
  return -1;
};
const meanFrom = (x: Float64Array, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i];
  return s / (to - from);
};

describe('flows on the Chebyshev network preset', () => {
  it('rod flow and central flow track GD through the EoS onset; gradient flow does not', () => {
    const eta = 0.2;
    const steps = 650;
    const r = new Runner({
      problem: { id: 'mlp-chebyshev' },
      eta,
      steps,
      flows: ['gd', 'gradient-flow', 'central-flow', 'rod-flow'],
      capacity: 2 * Math.ceil((steps + 2) / 2),
      eigK: 1,
    });
    while (!r.done) r.advance(100);
    const T = r.traces;
    const gdOn = onset(T.gd!, eta);
    expect(gdOn).toBeGreaterThan(250);
    expect(Math.abs(onset(T['rod-flow']!, eta) - gdOn)).toBeLessThanOrEqual(5);
    expect(Math.abs(onset(T['central-flow']!, eta) - gdOn)).toBeLessThanOrEqual(10);
    const len = T.gd!.length;
    const from = gdOn + 150;
    const gf = meanFrom(T['gradient-flow']!.dist, from, len);
    for (const f of ['central-flow', 'rod-flow'] as const) {
      expect(T[f]!.stopped).toBeNull();
      expect(meanFrom(T[f]!.dist, from, len), f).toBeLessThan(0.3 * gf);
    }
  });
});

// The teacher preset's known split (scripts/accuracy.ts prints it over 1500 steps; README "Accuracy"):
// before the edge Central Flow is gradient flow by definition, while GD drifts with its implicit
// regularization, so at GD's onset the paper's Central Flow is already most of gradient flow's distance
// from GD (measured 0.220 vs 0.286); with the `igr` option it carries GD's backward error and arrives
// with GD (measured 0.009) at GD's own onset step.
describe('flows on the teacher network preset, up to the EoS onset', () => {
  it("Central Flow with igr reaches GD's onset with GD; the paper's form arrives where gradient flow does", () => {
    const eta = 0.1;
    const steps = 300;
    const run = (igr: boolean) => {
      const r = new Runner({
        problem: { id: 'mlp-teacher' },
        eta,
        steps,
        flows: ['gd', 'gradient-flow', 'central-flow'],
        flowOptions: { 'central-flow': { igr } },
        capacity: steps + 4,
        eigK: 1,
      });
      while (!r.done) r.advance(100);
      return r.traces;
    };
    const plain = run(false);
    const igr = run(true);
    const gdOn = onset(plain.gd!, eta);
    expect(gdOn).toBeGreaterThan(250);
    expect(gdOn).toBeLessThan(steps);
    const gfAt = plain['gradient-flow']!.dist[gdOn];
    expect(Math.abs(onset(igr['central-flow']!, eta) - gdOn)).toBeLessThanOrEqual(5);
    expect(igr['central-flow']!.dist[gdOn]).toBeLessThan(0.1 * gfAt);
    expect(plain['central-flow']!.dist[gdOn]).toBeGreaterThan(0.5 * gfAt);
  });
});
