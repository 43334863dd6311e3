/**
 * What every flow shares: the clock, option parsing, the sharpness read-out for samples, and the
 * divergence rule with its human explanation.
 *
 * Divergence (docs/numerics.md: "a lesson, not a crash"): a flow stops when its state or loss
 * becomes non-finite, or when |loss| exceeds 1e6·(|L₀| + 1) (L₀ the loss at the start). |·| because
 * some toys are unbounded below (the quartic): running off to −∞ is divergence too. The reason names
 * the step where λ₁ first passed 2/η (as far as the flow has looked at λ₁: every sample and the last
 * finite state) and the step where the loss went bad.
 */
import { formatNumber } from '../format.ts';
import { InputError, isEngineLost, type FlowId, type FlowOptions, type OptionSpec, type Problem, type StopInfo, type Vec } from '../types.ts';
import { checkEta } from '../eta.ts';
import { Spectrum } from './spectrum.ts';
import { pastEdge, stabilityEdge } from '../metrics.ts';

/** Options every flow reads but the UI does not show: set by the runner. */
export const COMMON_HIDDEN_OPTIONS = ['t0', 'eigK'] as const;

/** Numbers in the flows' messages: 3 digits, "1.23e+5" outside [1e-3, 1e5) (engine/format.ts). */
export function fmtNum(v: number): string {
  return formatNumber(v, { sig: 3, trim: 'plain', expPlus: true });
}

/** Reads and checks the options against their specs (unknown keys are an error, hidden ones allowed). */
export function readOptions(flow: FlowId, specs: OptionSpec[], given: FlowOptions | undefined): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const s of specs) out[s.key] = s.default;
  out.t0 = 0;
  for (const [key, v] of Object.entries(given ?? {})) {
    if (key === 't0' || key === 'eigK') {
      if (typeof v !== 'number' || !Number.isFinite(v) || (key === 'eigK' && (!Number.isInteger(v) || v < 1)) || (key === 't0' && !Number.isInteger(v))) {
        throw new InputError(`Option '${key}' of flow '${flow}' must be ${key === 'eigK' ? 'a positive integer' : 'an integer'} (got ${String(v)}).`);
      }
      out[key] = v;
      continue;
    }
    const s = specs.find((o) => o.key === key);
    if (!s) throw new InputError(`Flow '${flow}' has no option '${key}' (it has: ${specs.map((o) => o.key).join(', ') || 'none'}).`);
    if (s.type === 'boolean') {
      if (typeof v !== 'boolean') throw new InputError(`Option '${key}' of flow '${flow}' must be true or false (got ${String(v)}).`);
    } else if (s.type === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`Option '${key}' of flow '${flow}' must be a finite number (got ${String(v)}).`);
      if ((s.min !== undefined && v < s.min) || (s.max !== undefined && v > s.max)) {
        throw new InputError(`Option '${key}' of flow '${flow}' is ${v}, outside [${s.min}, ${s.max}].`);
      }
    } else if (!s.choices?.some((c) => c.value === v)) {
      throw new InputError(`Option '${key}' of flow '${flow}' must be one of ${s.choices?.map((c) => `'${c.value}'`).join(', ')} (got ${String(v)}).`);
    }
    out[key] = v;
  }
  return out;
}

export function checkCommon(problem: Problem, eta: number, w0: Vec): void {
  checkEta(eta);
  if (w0.length !== problem.dim) throw new InputError(`Start point has ${w0.length} coordinates but the problem has dimension ${problem.dim}.`);
  for (let i = 0; i < w0.length; i++) {
    if (!Number.isFinite(w0[i])) throw new InputError(`Start point coordinate ${i + 1} is not a finite number (${w0[i]}).`);
  }
}

/** Lanczos tolerance of the sharpness samples (relative residual; see the constructor; Central Flow keeps its own). */
export const SAMPLE_TOL = 1e-4;

export abstract class FlowBase {
  abstract readonly id: FlowId;
  t: number;
  stopped: StopInfo | null = null;
  protected readonly problem: Problem;
  protected readonly eta: number;
  protected readonly dim: number;
  protected readonly spectrum: Spectrum;
  protected readonly eigK: number;
  /** |loss| above this is divergence. */
  protected readonly lossLimit: number;
  /** First sampled time at which λ₁ > 2/η, with the value seen then. */
  protected crossing: { step: number; value: number } | null = null;
  /** Time at which `spectrum` was last filled for the current state (NaN: stale). */
  protected specAt = NaN;
  protected readonly sharp: number[];

  constructor(problem: Problem, eta: number, w0: Vec, opts: Record<string, number | boolean | string>, loss0: number) {
    checkCommon(problem, eta, w0);
    this.problem = problem;
    this.eta = eta;
    this.dim = problem.dim;
    this.t = opts.t0 as number;
    this.spectrum = new Spectrum(problem);
    // Samples are one Lanczos solve per integer time along a path that moves smoothly (GD's samples
    // included: measured on mlp-teacher, top-2 over 600 steps, HVPs per step with 'last' warm starts at
    // tol 1e-8: GD 17.9, gradient flow 17.5; with 'extrapolate' at 1e-6: 9.3 and 7.1, at SAMPLE_TOL = 1e-4:
    // 4.6 and 3.6, the recorded λ₁, λ₂ within 7e-8 (relative) of 1e-6's). A sample is read off a plot
    // ~1000 px tall (relative 1e-4 is invisible) and by the onset rule λ > 2/η; the eigenvalue error at a
    // residual τ‖H‖ is ≤ τ‖H‖ and ≲ (τ‖H‖)²/gap, ≈ 3e-6 (1.5e-7 relative) on mlp-teacher at τ = 1e-4.
    this.spectrum.warmMode = 'extrapolate';
    this.spectrum.tol = SAMPLE_TOL;
    this.eigK = Math.min(problem.dim, (opts.eigK as number | undefined) ?? 2);
    this.sharp = new Array<number>(this.eigK).fill(NaN);
    if (!Number.isFinite(loss0)) throw new InputError(`The loss is not finite at the start point (L = ${loss0}).`);
    this.lossLimit = 1e6 * (Math.abs(loss0) + 1);
  }

  /** Top eigenpairs at w for time t (cached per integer time); records the first crossing of 2/η. */
  protected spectrumAt(w: Vec, k = this.eigK): Spectrum {
    if (this.specAt !== this.t || this.spectrum.count < Math.min(k, this.dim)) {
      this.spectrum.top(w, k);
      this.specAt = this.t;
      this.noteSharpness(this.t, this.spectrum.values[0]);
    }
    return this.spectrum;
  }

  protected noteSharpness(step: number, lambda1: number): void {
    if (!this.crossing && pastEdge(lambda1, this.eta)) this.crossing = { step, value: lambda1 };
  }

  /** The sharpness array for a sample (reused; copy to keep). */
  protected sharpnessSample(w: Vec): number[] {
    const s = this.spectrumAt(w);
    for (let i = 0; i < this.eigK; i++) this.sharp[i] = i < s.count ? s.values[i] : NaN;
    return this.sharp;
  }

  /** True when the loss value counts as divergence. */
  protected badLoss(L: number): boolean {
    return !Number.isFinite(L) || Math.abs(L) > this.lossLimit;
  }

  /**
   * Stop at `step` because of `what` ("loss became non-finite", ...). `wLast` is the last finite
   * state, used to report λ₁ when no crossing was seen in the samples.
   */
  protected stop(step: number, what: string, wLast: Vec): void {
    const thr = stabilityEdge(this.eta);
    let lam: string;
    if (this.crossing) {
      lam = `λ₁ = ${fmtNum(this.crossing.value)} passed 2/η = ${fmtNum(thr)} at step ${this.crossing.step}`;
    } else {
      let l1 = NaN;
      try {
        this.spectrum.top(wLast, 1);
        l1 = this.spectrum.values[0];
      } catch {
        /* keep NaN */
      }
      this.specAt = NaN;
      const last = step - 1;
      if (pastEdge(l1, this.eta)) lam = `λ₁ = ${fmtNum(l1)} was above 2/η = ${fmtNum(thr)} at step ${last}`;
      else if (Number.isFinite(l1)) lam = `λ₁ = ${fmtNum(l1)} stayed below 2/η = ${fmtNum(thr)} (step ${last})`;
      else lam = `λ₁ could not be computed at step ${last}`;
    }
    this.stopped = { step, reason: `${lam}; ${what} at step ${step}` };
  }

  /**
   * The watchdog around one step: anything the step throws (a derivative or solver that met a non-finite
   * number, a problem that cannot be evaluated there) stops the flow at the next step with the error's
   * message instead of escaping to the runner. `restore` puts the last finite state back first. A lost
   * device (EngineLostError) does escape: the run restarts on float64 (worker/host.ts).
   */
  protected guarded(body: () => void, restore: () => void, wLast: () => Vec): void {
    if (this.stopped) return;
    try {
      body();
    } catch (e) {
      if (isEngineLost(e)) throw e; // the device is gone, not the flow: the worker restarts the run elsewhere
      restore();
      const msg = e instanceof Error ? e.message : String(e);
      this.stop(this.t + 1, `the step could not be computed (${msg.replace(/\.$/, '')})`, wLast());
    }
  }

  /** Names what went wrong with a loss value. */
  protected describeLoss(L: number): string {
    if (!Number.isFinite(L)) return 'loss became non-finite';
    return `loss blew up to ${fmtNum(L)} (limit ±${fmtNum(this.lossLimit)})`;
  }
}
