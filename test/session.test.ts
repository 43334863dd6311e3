/**
 * The run session (src/engine/session.ts): capacity for any step count, forks that continue exactly
 * where their run was (the state, its time, and a network's projection plane), Σ's direction from the
 * flow's own sample. Oracle: GD is a deterministic map, so a fork with the same η must reproduce the
 * run it forked from bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { topEigs } from '../src/engine/linalg/eigs.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { createRunner } from '../src/engine/runner.ts';
import { needsEngine, openEngineSession, openSession } from '../src/engine/session.ts';
import { fullCapacity } from '../src/engine/trace.ts';
import type { RunConfig } from '../src/engine/types.ts';

const row = (a: Float64Array, i: number, d: number) => Array.from(a.subarray(i * d, (i + 1) * d));

describe('session', () => {
  it('odd step counts above the default capacity run in horizon mode (issue 12 row 0b)', () => {
    // The bug: the horizon capacity was steps + 2, odd for odd steps, which the runner refuses.
    expect(() => createRunner({ problem: { id: 'valley' }, eta: 0.3, steps: 5001, flows: ['gd'], capacity: 5003 })).toThrow(/even integer/);
    for (const steps of [5001, 4095, 7, 4094]) {
      expect(fullCapacity(steps) % 2).toBe(0);
      const s = openSession({ problem: { id: 'valley' }, eta: 0.3, steps, flows: ['gd'] }, 'horizon');
      s.runner.advance(steps);
      const tr = s.runner.traces.gd!;
      expect(tr.stride).toBe(1);
      expect(tr.length).toBe(steps + 1);
      expect(tr.t[steps]).toBe(steps);
    }
  });

  it('a horizon fork at t starts from the recorded state at t, and with the same η reproduces the run', () => {
    const cfg: RunConfig = { problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps: 80, flows: ['gd'] };
    const a = openSession(cfg, 'horizon');
    a.runner.advance(80);
    const st = a.stateAt(37);
    expect(st.t).toBe(37);
    const fc = a.forkConfig(37, 0.3, false);
    expect(fc.t0).toBe(37);
    expect(fc.steps).toBe(43);
    const b = openSession(fc, 'horizon');
    b.runner.advance(43);
    const ta = a.runner.traces.gd!;
    const tb = b.runner.traces.gd!;
    expect(tb.length).toBe(44);
    for (let i = 0; i < tb.length; i++) {
      expect(tb.t[i]).toBe(ta.t[37 + i]);
      expect(row(tb.w, i, 2)).toEqual(row(ta.w, 37 + i, 2));
    }
    // sameBase: the same start and t0, new η.
    const same = a.forkConfig(50, 0.25, true);
    expect(same.start).toEqual([0.2, 0.2]);
    expect(same.t0 ?? 0).toBe(0);
    expect(same.eta).toBe(0.25);
  });

  it('a stream fork reports the time of the state it starts from (stateAt used to ignore t)', () => {
    // Stream mode keeps only the current state whole. With thinning (capacity 8), the last recorded
    // sample (what the page's playhead shows) is behind the runner's step: the fork must start at the
    // runner's time with its state, not claim the playhead's time for a later state.
    const cfg: RunConfig = { problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps: 60, flows: ['gd'], capacity: 8 };
    const a = openSession(cfg, 'stream');
    a.runner.advance(13);
    const tr = a.runner.traces.gd!;
    const shown = tr.t[tr.length - 1];
    expect(shown).toBeLessThan(13);
    const fc = a.forkConfig(shown, 0.3, false);
    expect(fc.t0).toBe(13);
    expect(fc.steps).toBe(47);
    // Oracle: the same η continues the same GD sequence.
    const ref = createRunner({ ...cfg, capacity: 64 });
    ref.advance(20);
    const b = openSession(fc, 'stream');
    b.runner.advance(7);
    expect(Array.from(b.runner.currentState())).toEqual(Array.from(ref.currentState()));
  });

  it("a network fork keeps its run's projection plane: its path continues where its ghost stopped", () => {
    const cfg: RunConfig = { problem: { id: 'mlp-teacher' }, eta: 0.1, steps: 30, flows: ['gd'] };
    const a = openSession(cfg, 'stream');
    expect(a.runner.traces.gd!.projected).toBe(true);
    a.runner.advance(10);
    const fc = a.forkConfig(10, 0.1, false);
    expect(fc.t0).toBe(10);
    // The bug: without the origin the fork projected relative to its own start, so it began at (0, 0).
    const noOrigin = createRunner({ ...fc, origin: undefined });
    expect(row(noOrigin.traces.gd!.w, 0, 2)).toEqual([0, 0]);
    const b = openSession(fc, 'stream');
    b.runner.advance(5);
    a.runner.advance(5);
    const ta = a.runner.traces.gd!;
    const tb = b.runner.traces.gd!;
    expect(row(tb.w, 0, 2)).toEqual(row(ta.w, 10, 2));
    expect(row(tb.w, 5, 2)).toEqual(row(ta.w, 15, 2));
    expect(row(tb.w, 0, 2)).not.toEqual([0, 0]);
  });

  it("records Central Flow's Σ direction from its own sample: a unit vector along H's top eigenvector", () => {
    const s = openSession({ problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps: 300, flows: ['central-flow'] }, 'horizon');
    s.runner.advance(300);
    const tr = s.runner.traces['central-flow']!;
    expect(tr.sigmaDir).toBeDefined();
    const { problem } = createProblem({ id: 'valley' });
    let checked = 0;
    for (let i = 0; i < tr.length; i += 7) {
      if (!(tr.osc[i] > 1e-10)) continue;
      const u = row(tr.sigmaDir!, i, 2);
      expect(Math.hypot(u[0], u[1])).toBeCloseTo(1, 12);
      const v = topEigs(problem, tr.w.subarray(2 * i, 2 * i + 2), 1).vectors[0];
      expect(Math.abs(u[0] * v[0] + u[1] * v[1])).toBeCloseTo(1, 6);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('engine choice: only networks in stream mode start an engine; float64 opens at once', async () => {
    const cfg: RunConfig = { problem: { id: 'valley' }, eta: 0.3, steps: 5, flows: ['gd'] };
    expect(needsEngine(cfg, 'horizon', 'auto')).toBe(false);
    expect(needsEngine({ ...cfg, problem: { id: 'mlp-teacher' } }, 'stream', 'float64')).toBe(false);
    expect(needsEngine({ ...cfg, problem: { id: 'mlp-teacher' } }, 'stream', 'wasm')).toBe(true);
    const e = await openEngineSession(cfg, { mode: 'horizon', engine: 'auto' });
    expect(e.engine.name).toBe('float64');
    expect(e.fellBack).toBe(false);
    expect(e.session.info.eigStart.length).toBe(2);
    await expect(openEngineSession({ ...cfg, eta: -1 }, { mode: 'horizon' })).rejects.toThrow(/positive/);
  });
});
