/**
 * A part of a network run, for one worker of the page's pool (docs/architecture.md, "Workers"): some
 * of the run's flows, each in its own runner (timed, for the pool's cost model), with a shadow of GD
 * for their distance-to-GD column.
 *
 * Why a shadow and not GD's own samples: the dist column needs GD's pair centre (w_k + w_{k+1})/2 in
 * the full parameter space at every recorded step. Sending it from GD's worker would copy a weight
 * vector per step per flow and make every follower wait on GD; recomputing it costs one gradient and one
 * loss per step (a Central or Rod Flow step costs tens of HVPs). The shadow is GdFlow itself (the same
 * code, so the same bits) with the sharpness read-out off: GD's eigen-solve is the costly part of GD's
 * step, and its worker (the lead) records it.
 *
 * Each flow gets its own runner (over one shared problem instance, as in a runner with several flows),
 * so that runner.currentState() is that flow's state: the dist the runner left NaN (no GD slot) is
 * then written with the runner's arithmetic. Traces, thinning and the final-step record are the
 * runner's own; a flow's columns equal those of a runner holding all the run's flows, except that a
 * flow stopped (diverged) early is not thinned further when the others thin.
 */
import { GdFlow } from './flows/gd.ts';
import { createProblem } from './problems/registry.ts';
import { createRunner, type Runner } from './runner.ts';
import type { FlowId, ProblemInstance, RunConfig, RunnerApi, Trace, Vec } from './types.ts';

/** GD without the sharpness read-out of its samples: the same iterates and pair centre. */
class GdShadow extends GdFlow {
  protected override sharpnessSample(): number[] {
    return [];
  }
}

export class PartRunner implements RunnerApi {
  readonly config: RunConfig;
  readonly instance: ProblemInstance;
  readonly traces: Partial<Record<FlowId, Trace>> = {};
  step = 0;
  /** Compute time of each flow so far, ms (its runner's steps), and of GD's shadow: the pool's cost model. */
  readonly flowMs: Partial<Record<FlowId, number>> = {};
  shadowMs = 0;
  private readonly runners: Runner[];
  private readonly shadow: GdShadow | null;
  /** Each runner's (generation, length of its trace) after its last advance: a change means it recorded. */
  private readonly seen: { gen: number; len: number }[];

  /** `config`: the whole run's (its flows say whether GD runs); `flows`: the ones this part computes. */
  constructor(config: RunConfig, flows: FlowId[], instance?: ProblemInstance) {
    if (flows.length === 0) throw new Error('A run part needs at least one flow.');
    this.instance = instance ?? createProblem(config.problem);
    this.config = { ...config, flows: flows.slice() };
    this.runners = flows.map((f) => createRunner({ ...config, flows: [f] }, this.instance));
    for (let i = 0; i < flows.length; i++) this.traces[flows[i]] = this.runners[i].traces[flows[i]];
    const problem = this.instance.problem;
    const t0 = config.t0 ?? 0;
    const w0 = Float64Array.from(config.start ?? this.instance.start);
    const eigK = Math.min(problem.dim, config.eigK ?? 2);
    // GD's own runner records GD's dist (|δ|); the others need the shadow (the lead holds GD and some
    // other flows: GD then runs twice, once without its eigen-solve).
    this.shadow = config.flows.includes('gd') && flows.some((f) => f !== 'gd') ? new GdShadow(problem, config.eta, w0, { ...(config.flowOptions?.gd ?? {}), t0, eigK }) : null;
    this.seen = this.runners.map(() => ({ gen: -1, len: -1 }));
    // The runners recorded their first sample (step 0) in their constructors; GD's trace was empty
    // then, so a runner with GD would have used its centre even if GD stopped at once.
    this.patch(true);
  }

  get generation(): number {
    let g = 0;
    for (const r of this.runners) g += r.generation;
    return g;
  }

  get done(): boolean {
    return this.step >= this.config.steps || this.runners.every((r) => r.done);
  }

  advance(n: number): void {
    for (let i = 0; i < n && !this.done; i++) {
      // GD first: a runner with GD records every flow after all of them advanced.
      const t0 = performance.now();
      if (this.shadow && !this.shadow.stopped) this.shadow.advance();
      const shadowStep = performance.now() - t0;
      this.step++;
      for (const r of this.runners) {
        if (r.done) continue;
        const t1 = performance.now();
        r.advance(1);
        const f = r.config.flows[0];
        this.flowMs[f] = (this.flowMs[f] ?? 0) + performance.now() - t1;
      }
      const t2 = performance.now();
      this.patch(false);
      // The shadow's step and the dist it writes: what the split costs on top of the flows' own steps.
      this.shadowMs += shadowStep + performance.now() - t2;
    }
  }

  /** GD's iterate when this part holds GD (the lead: checkpoints and forks), else its first flow's state. */
  currentState(): Vec {
    return (this.runners.find((r) => r.config.flows[0] === 'gd') ?? this.runners[0]).currentState();
  }

  /** Write dist for the sample each runner just recorded (see Runner: ‖w − w̄_GD‖, NaN once GD stopped). */
  private patch(first: boolean): void {
    let centre: Vec | null | undefined;
    for (let i = 0; i < this.runners.length; i++) {
      const r = this.runners[i];
      // GD's own runner wrote GD's dist (|δ|) itself.
      if (r.config.flows[0] === 'gd') continue;
      const tr = this.traces[r.config.flows[0]]!;
      const s = this.seen[i];
      if (s.gen === r.generation && s.len === tr.length) continue;
      s.gen = r.generation;
      s.len = tr.length;
      if (centre === undefined) {
        const sh = this.shadow;
        if (sh && (first || !sh.stopped)) {
          const gs = sh.sample();
          centre = gs.centre ?? gs.w;
        } else centre = null;
      }
      if (!centre || tr.length === 0) continue;
      const w = r.currentState();
      let d = 0;
      for (let c = 0; c < w.length; c++) {
        const x = w[c] - centre[c];
        d += x * x;
      }
      tr.dist[tr.length - 1] = Math.sqrt(d);
    }
  }
}
