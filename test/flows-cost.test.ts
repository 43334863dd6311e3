/**
 * Rod Flow's cost against Central Flow's (issue 9: Rod Flow ≤ 0.5× Central Flow per step), counted, not timed:
 * the problem's evaluation counters are deterministic, so this is a behaviour test. Both flows run as the
 * page and the CLI run them (the Runner's eigK = 2, a sample after every step) on the teacher preset from
 * GD's step-300 iterate, the protocol where Rod Flow pays for its fresh rod's transient (bench/networks.ts
 * prints the same protocol over 40 steps and a run's steps 300–400). Gradient units: gradient 1, loss 0.5,
 * HVP 2, third-derivative vector 4 (docs/numerics-flows.md). Measured over these 40 steps: Rod Flow 44.0,
 * Central Flow 97.0 (0.45×); before issue 9's changes Rod Flow took 66.3 (0.68×: this test fails there).
 * The saving must not cost accuracy: 20 steps against a run at rtol 1e-11, where before the changes the
 * centre was 1.25e-9 and the rod 3.57e-6 off (relative), now 1.24e-9 and 7.7e-7.
 */
import { describe, expect, it } from 'vitest';
import { createProblem } from '../src/engine/problems/registry.ts';
import { RodFlow } from '../src/engine/flows/rod-flow.ts';
import { CentralFlow } from '../src/engine/flows/central-flow.ts';
import type { EvalCounters, Flow, FlowOptions, Problem, Vec } from '../src/engine/types.ts';
import { gdIterate } from './gd-iterate.ts';

const ETA = 0.1;
const STEPS = 40;
/** The accuracy check's window: the fresh rod's transient and the settled rod after it. */
const ACC_STEPS = 20;

const units = (c: EvalCounters) => c.grad + 0.5 * c.loss + 2 * c.hvp + 4 * c.third;

/** Gradient units per step of STEPS recorded steps (the first sample included, as the Runner takes it). */
function costOf(make: (p: Problem, w: Vec) => Flow, w0: Vec): { perStep: number; flow: Flow } {
  const { problem } = createProblem({ id: 'mlp-teacher' });
  const flow = make(problem, w0);
  const before = units(problem.counters!);
  flow.sample();
  for (let k = 0; k < STEPS; k++) {
    flow.advance();
    flow.sample();
  }
  expect(flow.stopped).toBeNull();
  return { perStep: (units(problem.counters!) - before) / STEPS, flow };
}

describe('Rod Flow costs at most half of Central Flow per step (teacher, from GD’s step-300 iterate)', () => {
  const w300 = gdIterate('mlp-teacher', ETA, 300);
  const opts: FlowOptions = { eigK: 2 };

  it('gradient units per recorded step: Rod Flow ≤ 0.5 × Central Flow', () => {
    const rod = costOf((p, w) => new RodFlow(p, ETA, w, opts), w300);
    const central = costOf((p, w) => new CentralFlow(p, ETA, w, opts), w300);
    console.log(`[cost] gradient units/step over ${STEPS} steps: Rod Flow ${rod.perStep.toFixed(1)}, Central Flow ${central.perStep.toFixed(1)}`);
    expect(rod.perStep).toBeLessThanOrEqual(0.5 * central.perStep);
  });

  it('at the accuracy it had: within 1e-8 of ‖w̄‖ and 1e-5 of the rod of a run at rtol 1e-11', () => {
    const n = w300.length;
    const run = (rtol: number) => {
      const { problem } = createProblem({ id: 'mlp-teacher' });
      const f = new RodFlow(problem, ETA, w300, { ...opts, rtol });
      for (let k = 0; k < ACC_STEPS; k++) {
        f.advance();
        f.sample();
      }
      return f.state();
    };
    const a = run(1e-8);
    const ref = run(1e-11);
    const norm = (x: ArrayLike<number>, from: number, to: number, y?: ArrayLike<number>) => {
      let s = 0;
      for (let i = from; i < to; i++) s += (x[i] - (y ? y[i] : 0)) ** 2;
      return Math.sqrt(s);
    };
    const dw = norm(a, 0, n, ref) / norm(ref, 0, n);
    const dr = norm(a, n, 2 * n, ref) / norm(ref, n, 2 * n);
    console.log(`[cost] against rtol 1e-11 after ${ACC_STEPS} steps: centre ${dw.toExponential(2)}, rod ${dr.toExponential(2)} (relative)`);
    // Bounds above what the flow achieved before the changes (1.3e-9, 3.6e-6). The rod's bound fails a
    // rod held to ROD_RTOL_FACTOR × rtol relative to the whole rod on every mode (5.7e-5 measured): the
    // mode that grows into GD's oscillation starts as ~1e-4 of a fresh rod and must be resolved on its own.
    expect(dw).toBeLessThan(1e-8);
    expect(dr).toBeLessThan(1e-5);
  });
});
