/**
 * Gradient descent, the ground truth: w_{k+1} = w_k − η∇L(w_k).
 *
 * At time t = k the flow holds the pair (w_k, w_{k+1}) so that a sample can report GD's rod: centre
 * (w_k + w_{k+1})/2 and half-difference δ_k = (w_{k+1} − w_k)/2 = −(η/2)g(w_k) (docs/equations.md §1).
 * advance() computes w_{k+2}; if it (or its loss) is bad the flow stops at step k+2 and keeps the last
 * pair whose both ends are finite.
 */
import type { Flow, FlowOptions, FlowSample, FlowSpec, OptionSpec, Problem, Vec } from '../types.ts';
import { FlowBase, readOptions } from './base.ts';
import { allFinite } from './ode.ts';

const OPTIONS: OptionSpec[] = [];

export class GdFlow extends FlowBase implements Flow {
  readonly id = 'gd' as const;
  private w: Vec;
  private wNext: Vec;
  private wNN: Vec;
  private readonly g: Vec;
  private readonly centre: Vec;
  private readonly delta: Vec;
  private lossW: number;
  private lossNext: number;

  constructor(problem: Problem, eta: number, w0: Vec, options?: FlowOptions) {
    const opts = readOptions('gd', OPTIONS, options);
    const L0 = problem.loss(w0);
    super(problem, eta, w0, opts, L0);
    const n = this.dim;
    this.w = Float64Array.from(w0);
    this.wNext = new Float64Array(n);
    this.wNN = new Float64Array(n);
    this.g = new Float64Array(n);
    this.centre = new Float64Array(n);
    this.delta = new Float64Array(n);
    this.lossW = L0;
    this.lossNext = this.step(this.w, this.wNext);
    if (!allFinite(this.wNext) || this.badLoss(this.lossNext)) {
      this.stop(this.t + 1, this.describeLoss(this.lossNext), this.w);
    }
  }

  /** out = w − η g(w); returns L(out). */
  private step(w: Vec, out: Vec): number {
    const g = this.problem.grad(w, this.g);
    const eta = this.eta;
    for (let i = 0; i < out.length; i++) out[i] = w[i] - eta * g[i];
    return this.problem.loss(out);
  }

  advance(): void {
    this.guarded(() => this.advanceOnce(), () => {
      /* GD writes its new iterate only after it checked it */
    }, () => this.w);
  }

  private advanceOnce(): void {
    if (this.stopped) return;
    const L = this.step(this.wNext, this.wNN);
    if (!allFinite(this.wNN) || this.badLoss(L)) {
      this.stop(this.t + 2, this.describeLoss(L), this.wNext);
      return;
    }
    const old = this.w;
    this.w = this.wNext;
    this.wNext = this.wNN;
    this.wNN = old;
    this.lossW = this.lossNext;
    this.lossNext = L;
    this.t++;
  }

  sample(): FlowSample {
    const { w, wNext, centre, delta } = this;
    let osc = 0;
    for (let i = 0; i < w.length; i++) {
      centre[i] = 0.5 * (w[i] + wNext[i]);
      const d = 0.5 * (wNext[i] - w[i]);
      delta[i] = d;
      osc += d * d;
    }
    return {
      w,
      centre,
      delta,
      loss: this.lossW,
      predictedLoss: 0.5 * (this.lossW + this.lossNext),
      sharpness: this.sharpnessSample(w),
      osc,
    };
  }
}

export const GD_SPEC: FlowSpec = {
  id: 'gd',
  name: 'Gradient descent',
  // Okabe–Ito black: the ground truth every model is compared with.
  color: '#000000',
  description: 'The real iterates w_{k+1} = w_k − η∇L(w_k); its rod is the pair (w_k, w_{k+1}).',
  options: OPTIONS,
  create: (problem, eta, w0, options) => new GdFlow(problem, eta, w0, options),
};
