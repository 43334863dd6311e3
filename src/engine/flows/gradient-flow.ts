/**
 * Gradient flow dw/dt = −η∇L(w) on the GD clock (docs/equations.md §2): the "stable flow" that GD would be
 * if it never oscillated. It keeps sharpening through 2/η, which is the point of plotting it.
 *
 * Integrator: adaptive Dormand–Prince 5(4) (ode.ts), steps ≤ 1. The flow becomes stiff once ηS ≫ 2;
 * the error controller then shrinks the step to what both accuracy and stability need (tested
 * against x₀e^{−ηλt} at ηλ = 50). Tolerance per component: rtol·|w_i| + atol.
 */
import type { Flow, FlowOptions, FlowSample, FlowSpec, OptionSpec, Problem, Vec } from '../types.ts';
import { FlowBase, readOptions } from './base.ts';
import { describeFailure, Dopri5, stepBoundFor } from './ode.ts';
import { floorTolerance } from './precision.ts';

const OPTIONS: OptionSpec[] = [
  { key: 'rtol', label: 'relative tolerance', type: 'number', default: 1e-8, min: 1e-13, max: 1e-2, help: 'Local error tolerance of the adaptive integrator, relative to |w|.' },
  { key: 'atol', label: 'absolute tolerance', type: 'number', default: 1e-12, min: 0, max: 1e-2, help: 'Absolute floor of the error tolerance (0: purely relative).' },
];

export class GradientFlow extends FlowBase implements Flow {
  readonly id = 'gradient-flow' as const;
  private readonly w: Vec;
  private readonly wPrev: Vec;
  private readonly ode: Dopri5;
  private lossW: number;

  constructor(problem: Problem, eta: number, w0: Vec, options?: FlowOptions) {
    const opts = readOptions('gradient-flow', OPTIONS, options);
    const L0 = problem.loss(w0);
    super(problem, eta, w0, opts, L0);
    this.w = Float64Array.from(w0);
    this.wPrev = new Float64Array(this.dim);
    this.lossW = L0;
    const p = this.problem;
    this.ode = new Dopri5(
      this.dim,
      (y, dy) => {
        p.grad(y, dy);
        for (let i = 0; i < dy.length; i++) dy[i] *= -eta;
      },
      { rtol: floorTolerance(opts.rtol as number, problem), atol: opts.atol as number, hmax: 1, maxSteps: stepBoundFor(this.dim) },
    );
  }

  /** Integrator statistics (for tests and benchmarks). */
  get stats(): { evals: number; accepted: number; rejected: number } {
    return { evals: this.ode.evals, accepted: this.ode.accepted, rejected: this.ode.rejected };
  }

  advance(): void {
    this.guarded(() => this.advanceOnce(), () => {
      this.w.set(this.wPrev);
      this.ode.reset();
    }, () => this.wPrev);
  }

  private advanceOnce(): void {
    if (this.stopped) return;
    this.wPrev.set(this.w);
    const ok = this.ode.integrate(this.w, 1);
    const L = ok ? this.problem.loss(this.w) : NaN;
    if (!ok || this.badLoss(L)) {
      this.w.set(this.wPrev);
      this.ode.reset();
      this.stop(this.t + 1, ok ? this.describeLoss(L) : describeFailure(this.ode.failure, stepBoundFor(this.dim)), this.wPrev);
      return;
    }
    this.lossW = L;
    this.t++;
  }

  sample(): FlowSample {
    return {
      w: this.w,
      loss: this.lossW,
      predictedLoss: this.lossW,
      sharpness: this.sharpnessSample(this.w),
      osc: 0,
    };
  }
}

export const GRADIENT_FLOW_SPEC: FlowSpec = {
  id: 'gradient-flow',
  name: 'Gradient flow',
  // Okabe–Ito orange.
  color: '#56B4E9',
  description: 'dw/dt = −η∇L(w): GD without oscillation. It keeps sharpening past 2/η, blind to the edge of stability.',
  options: OPTIONS,
  create: (problem, eta, w0, options) => new GradientFlow(problem, eta, w0, options),
};
