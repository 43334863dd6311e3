/**
 * Explicit ODE integrators on a flat float64 state, allocation-free after construction.
 *
 * Dopri5: the Dormand–Prince 5(4) embedded pair (Hairer–Nørsett–Wanner, Solving ODEs I, §II.5) with
 * the standard step-size controller. Why this pair: its 5th-order solution is what is propagated, its
 * embedded 4th-order one gives the error estimate for free, and its real-axis stability limit (≈ 3.3)
 * beats RK4's (≈ 2.8). On a stiff flow (ηS ≫ 2) the controller shrinks h until both the local error and
 * stability are satisfied, so the flow stays accurate rather than blowing up.
 *
 * Rk4: classical fixed-step RK4 with h = (t1 − t0)/⌈(t1 − t0)/hmax⌉ (docs/numerics.md, Rod Flow: step ≤ 0.5 GD steps).
 */

/**
 * Step-size control of the embedded 5(4) pairs here and in lawson.ts: error exponent −1/5, safety 0.9,
 * the factor kept in [0.2, 5]; a non-finite trial shrinks the step tenfold.
 */
export function shrinkAfterReject(err: number, finite: boolean): number {
  return finite && Number.isFinite(err) ? Math.max(0.2, 0.9 * Math.pow(err, -0.2)) : 0.1;
}

export function growAfterAccept(err: number): number {
  return err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -0.2)));
}

export type Rhs = (y: Float64Array, dy: Float64Array) => void;

/** Why `integrate` returned false. */
export type IntegratorFailure = 'non-finite' | 'too-stiff' | 'step-collapsed';

/** Default bound on step attempts in one `integrate` call (the watchdog: see docs/numerics-flows.md). */
export const MAX_STEPS_PER_SPAN = 200;

/**
 * The step bound a flow passes its integrator: MAX_STEPS_PER_SPAN on networks, where one right-hand side
 * costs milliseconds, and 100× more on the 1-D/2-D problems, whose right-hand sides cost nanoseconds and
 * where a strict tolerance on a stiff toy legitimately needs thousands of steps (gradient flow at ηλ = 50
 * with a purely relative tolerance).
 */
export function stepBoundFor(dim: number): number {
  return dim <= 2 ? 100 * MAX_STEPS_PER_SPAN : MAX_STEPS_PER_SPAN;
}

/** Human words for a failure, for a flow's stop reason. */
export function describeFailure(f: IntegratorFailure | null, steps: number): string {
  if (f === 'too-stiff') return `the integrator needed more than ${steps} steps for one GD step (the flow is too stiff here, or blows up)`;
  if (f === 'step-collapsed') return 'the integrator’s step size collapsed (no progress)';
  return 'state became non-finite';
}

export interface Integrator {
  /**
   * Integrate the autonomous ODE y' = f(y) over `span` in place. False (y then undefined) when the state
   * became non-finite, the step size collapsed, or more than the step bound was needed; `failure` says which.
   */
  integrate(y: Float64Array, span: number): boolean;
  /** Why the last `integrate` returned false (null after a success). */
  failure: IntegratorFailure | null;
  /** Forget cached derivatives (call after changing y between integrate calls). */
  reset(): void;
  /** Right-hand-side evaluations so far. */
  evals: number;
}

const A21 = 1 / 5;
const A31 = 3 / 40,
  A32 = 9 / 40;
const A41 = 44 / 45,
  A42 = -56 / 15,
  A43 = 32 / 9;
const A51 = 19372 / 6561,
  A52 = -25360 / 2187,
  A53 = 64448 / 6561,
  A54 = -212 / 729;
const A61 = 9017 / 3168,
  A62 = -355 / 33,
  A63 = 46732 / 5247,
  A64 = 49 / 176,
  A65 = -5103 / 18656;
const A71 = 35 / 384,
  A73 = 500 / 1113,
  A74 = 125 / 192,
  A75 = -2187 / 6784,
  A76 = 11 / 84;
// Error coefficients: 5th-order weights minus the embedded 4th-order ones.
const E1 = 71 / 57600,
  E3 = -71 / 16695,
  E4 = 71 / 1920,
  E5 = -17253 / 339200,
  E6 = 22 / 525,
  E7 = -1 / 40;

export interface Dopri5Options {
  /** Relative tolerance per component. */
  rtol: number;
  /** Absolute tolerance per component (0 = purely relative). */
  atol: number;
  /** Largest step. */
  hmax: number;
  /** Most step attempts (accepted or rejected) in one `integrate` call, default MAX_STEPS_PER_SPAN. */
  maxSteps?: number;
  /**
   * Optional block ends (increasing, the last = state length). When given, the error of every
   * component is measured against its block's max-norm, atol + rtol·max(‖y_B‖∞, ‖y_new,B‖∞), instead
   * of its own size (normwise relative error per block). Why: a state made of vectors (the rod flow's
   * centre and rod) only needs each vector accurate relative to its own size; componentwise control
   * demands full relative accuracy of every tiny, fast-decaying entry (e.g. biases that start at 0 or
   * rod modes decaying at rate 2 − ηλ), which forced h ≈ 0.06 on a 20k-parameter net.
   */
  blocks?: number[];
}

export class Dopri5 implements Integrator {
  evals = 0;
  failure: IntegratorFailure | null = null;
  /** Accepted and rejected steps so far. */
  accepted = 0;
  rejected = 0;
  private readonly f: Rhs;
  private readonly o: Dopri5Options;
  private readonly k1: Float64Array;
  private readonly k2: Float64Array;
  private readonly k3: Float64Array;
  private readonly k4: Float64Array;
  private readonly k5: Float64Array;
  private readonly k6: Float64Array;
  private readonly k7: Float64Array;
  private readonly yt: Float64Array;
  private readonly yn: Float64Array;
  private h = 0;
  private k1Valid = false;
  /** Per-component scale (atol + rtol·size), refreshed every trial step. */
  private readonly sc: Float64Array;

  constructor(n: number, f: Rhs, o: Dopri5Options) {
    this.f = f;
    this.o = o;
    this.k1 = new Float64Array(n);
    this.k2 = new Float64Array(n);
    this.k3 = new Float64Array(n);
    this.k4 = new Float64Array(n);
    this.k5 = new Float64Array(n);
    this.k6 = new Float64Array(n);
    this.k7 = new Float64Array(n);
    this.yt = new Float64Array(n);
    this.yn = new Float64Array(n);
    this.sc = new Float64Array(n);
    if (o.blocks) {
      let prev = 0;
      for (const b of o.blocks) {
        if (!(Number.isInteger(b) && b > prev && b <= n)) throw new Error(`Dopri5: block ends must increase within (0, ${n}] (got ${o.blocks.join(', ')}).`);
        prev = b;
      }
      if (prev !== n) throw new Error(`Dopri5: the last block must end at ${n} (got ${prev}).`);
    }
  }

  /** Fills sc with the error scale of every component at the step y → yn (see Dopri5Options.blocks). */
  private scales(y: Float64Array, yn: Float64Array): void {
    const { rtol, atol, blocks } = this.o;
    const sc = this.sc;
    if (!blocks) {
      for (let i = 0; i < y.length; i++) sc[i] = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(yn[i]));
      return;
    }
    let a = 0;
    for (const b of blocks) {
      let m = 0;
      for (let i = a; i < b; i++) m = Math.max(m, Math.abs(y[i]), Math.abs(yn[i]));
      const v = atol + rtol * m;
      for (let i = a; i < b; i++) sc[i] = v;
      a = b;
    }
  }

  reset(): void {
    this.k1Valid = false;
  }

  integrate(y: Float64Array, span: number): boolean {
    const n = y.length;
    const { hmax } = this.o;
    const { k1, k2, k3, k4, k5, k6, k7, yt, yn, f } = this;
    const maxSteps = this.o.maxSteps ?? MAX_STEPS_PER_SPAN;
    this.failure = null;
    if (!this.k1Valid) {
      f(y, k1);
      this.evals++;
      if (!allFinite(k1)) return this.fail('non-finite');
      this.k1Valid = true;
    }
    if (!(this.h > 0)) {
      this.scales(y, y);
      this.h = initialStep(y, k1, this.sc, hmax, span);
    }
    let t = 0;
    let guard = 0;
    while (t < span) {
      if (++guard > maxSteps) return this.fail('too-stiff');
      let h = Math.min(this.h, hmax);
      let last = false;
      // Land exactly on the end of the span (and avoid a sliver of a last step).
      if (t + h >= span * (1 - 1e-12) || t + 1.1 * h > span) {
        h = span - t;
        last = true;
      }
      for (let i = 0; i < n; i++) yt[i] = y[i] + h * A21 * k1[i];
      f(yt, k2);
      for (let i = 0; i < n; i++) yt[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
      f(yt, k3);
      for (let i = 0; i < n; i++) yt[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
      f(yt, k4);
      for (let i = 0; i < n; i++) yt[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
      f(yt, k5);
      for (let i = 0; i < n; i++)
        yt[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
      f(yt, k6);
      for (let i = 0; i < n; i++)
        yn[i] = y[i] + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
      f(yn, k7);
      this.evals += 6;
      let err = 0;
      let finite = true;
      this.scales(y, yn);
      const sc = this.sc;
      for (let i = 0; i < n; i++) {
        const e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
        const q = e / sc[i];
        err += q * q;
        if (!Number.isFinite(yn[i]) || !Number.isFinite(k7[i])) finite = false;
      }
      err = Math.sqrt(err / n);
      if (!finite || !(err <= 1)) {
        // Reject: shrink (non-finite trial states are treated as a huge error, not as divergence,
        // until the step is so small that the state itself must be blowing up).
        this.rejected++;
        const fac = shrinkAfterReject(err, finite);
        this.h = h * fac;
        if (this.h < 1e-14 * Math.max(1, span)) return this.fail(finite ? 'step-collapsed' : 'non-finite');
        continue;
      }
      this.accepted++;
      t = last ? span : t + h;
      y.set(yn);
      k1.set(k7); // FSAL: the last stage is the next step's first
      const fac = growAfterAccept(err);
      // Do not let the forced short last step shrink the next proposal.
      if (!last || h >= this.h) this.h = Math.min(hmax, h * fac);
    }
    return allFinite(y) || this.fail('non-finite');
  }

  /** Records why integrate gives up; the next call starts afresh (new first stage and step size). */
  private fail(why: IntegratorFailure): false {
    this.failure = why;
    this.k1Valid = false;
    this.h = 0;
    return false;
  }
}

function initialStep(y: Float64Array, f0: Float64Array, scale: Float64Array, hmax: number, span: number): number {
  // Hairer's heuristic, first part: h = 0.01·‖y‖/‖f‖ in the scaled norm.
  let d0 = 0;
  let d1 = 0;
  for (let i = 0; i < y.length; i++) {
    const sc = scale[i] || 1e-300;
    d0 += (y[i] / sc) ** 2;
    d1 += (f0[i] / sc) ** 2;
  }
  const h = d0 < 1e-10 || d1 < 1e-10 ? 1e-6 : 0.01 * Math.sqrt(d0 / d1);
  return Math.min(h, hmax, span);
}

export class Rk4 implements Integrator {
  evals = 0;
  failure: IntegratorFailure | null = null;
  private readonly f: Rhs;
  private readonly hmax: number;
  private readonly k1: Float64Array;
  private readonly k2: Float64Array;
  private readonly k3: Float64Array;
  private readonly k4: Float64Array;
  private readonly yt: Float64Array;

  constructor(n: number, f: Rhs, hmax: number) {
    this.f = f;
    this.hmax = hmax;
    this.k1 = new Float64Array(n);
    this.k2 = new Float64Array(n);
    this.k3 = new Float64Array(n);
    this.k4 = new Float64Array(n);
    this.yt = new Float64Array(n);
  }

  reset(): void {}

  integrate(y: Float64Array, span: number): boolean {
    const n = y.length;
    const m = Math.max(1, Math.ceil(span / this.hmax - 1e-12));
    const h = span / m;
    const { k1, k2, k3, k4, yt, f } = this;
    for (let s = 0; s < m; s++) {
      f(y, k1);
      for (let i = 0; i < n; i++) yt[i] = y[i] + 0.5 * h * k1[i];
      f(yt, k2);
      for (let i = 0; i < n; i++) yt[i] = y[i] + 0.5 * h * k2[i];
      f(yt, k3);
      for (let i = 0; i < n; i++) yt[i] = y[i] + h * k3[i];
      f(yt, k4);
      for (let i = 0; i < n; i++) y[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      this.evals += 4;
      if (!allFinite(y)) {
        this.failure = 'non-finite';
        return false;
      }
    }
    this.failure = null;
    return true;
  }
}

export function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
