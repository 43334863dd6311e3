/**
 * The page's selectors (src/state/selectors.ts): the one λ behind "η just below 2/λ₁" (issue 9 item 5),
 * and the replay clock's freeze point.
 */
import { describe, expect, it } from 'vitest';
import { createRunner } from '../src/engine/runner.ts';
import { onsetStep } from '../src/engine/metrics.ts';
import { edgeLambda, etaJustBelow, freezeTime } from '../src/state/selectors.ts';
import { defaultSettings } from '../src/state/settings.ts';
import { emptyRun, type AppState } from '../src/state/store.ts';
import type { ViewTrace } from '../src/state/trace-buffer.ts';

function stateWith(eigStart: number[], traces: AppState['run']['traces']): AppState {
  const run = { ...emptyRun(1, 'horizon', 0.3, 0), traces, done: true };
  return { settings: defaultSettings(), eigStart, run } as unknown as AppState;
}

describe('selectors', () => {
  it('"η just below 2/λ₁" uses the larger of λ₁ at the start and along gradient flow, and gradient flow stays below that edge', () => {
    const cfg = { problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps: 600, flows: ['gd', 'gradient-flow'] as ('gd' | 'gradient-flow')[] };
    const r = createRunner(cfg);
    r.advance(600);
    expect(Number.isFinite(onsetStep(r.traces.gd!, 0.3))).toBe(true); // the valley sharpens: GD reaches the edge at η = 0.3
    const gf = r.traces['gradient-flow']! as ViewTrace;
    // λ₁ at the start is below 2/0.3 (here even negative): it cannot say where GD meets the edge.
    const l0 = gf.sharpness[0];
    expect(l0).toBeLessThan(2 / 0.3);
    for (const start of [[l0], [3]]) {
      const e = edgeLambda(stateWith(start, { 'gradient-flow': gf }))!;
      expect(e.where).toBe('gf-end');
      expect(e.lambda).toBeGreaterThan(2 / 0.3);
    }
    const e = edgeLambda(stateWith([3], { 'gradient-flow': gf }))!;
    // The η offered is just below 2/λ of gradient flow's sharpest point: gradient flow (GD's small-η limit)
    // stays below that edge over the whole run. (GD's own transients may still reach it: at this start
    // GD's third step lands where λ₁ ≈ 9.4.)
    const eta = etaJustBelow(e.lambda);
    expect(eta).toBeCloseTo(0.2599, 4);
    for (let i = 0; i < gf.length; i++) expect(gf.sharpness[i * gf.eigK]).toBeLessThan(2 / eta);
    // Without gradient flow: λ₁ at the start; without either: nothing to offer.
    expect(edgeLambda(stateWith([2.5], {}))).toEqual({ lambda: 2.5, where: 'start' });
    expect(edgeLambda(stateWith([-1], {}))).toBeNull();
  });

  it('the replay freezes at the lead flow’s divergence, else at the last computed sample', () => {
    const r = createRunner({ problem: { id: 'quadratic', params: { lambda: 1 } }, eta: 2.5, steps: 200, flows: ['gd'] });
    r.advance(200);
    const tr = r.traces.gd! as ViewTrace;
    const run = { ...emptyRun(1, 'horizon', 2.5, 0), traces: { gd: tr }, frontier: tr.t[tr.length - 1] };
    expect(tr.stopped).not.toBeNull();
    expect(freezeTime(run)).toBe(Math.min(tr.stopped!.step, run.frontier));
  });
});
