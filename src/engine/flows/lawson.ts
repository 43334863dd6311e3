/**
 * Adaptive Dormand–Prince 5(4) in Lawson (integrating-factor) form for y' = Ly + N(y), where the caller
 * supplies a linear part L whose exponential is cheap, and the full right-hand side f = Ly + N.
 * The stages are those of ode.ts's Dopri5 applied to v = e^{−tL}y; L's own dynamics (decay, and the
 * stiff modes it holds) are then integrated exactly and only N limits the step. Why and what it buys
 * for Rod Flow: docs/numerics-flows.md.
 *
 * L may change between `integrate` calls (it is read at the start of each one); the FSAL derivative is
 * kept as the full f, so a new L costs nothing extra.
 */
import { allFinite, growAfterAccept, MAX_STEPS_PER_SPAN, shrinkAfterReject, type Integrator, type IntegratorFailure, type Rhs } from './ode.ts';

/** A linear operator with a cheap exponential. */
export interface LinearPart {
  /** out = L x (out ≠ x). */
  apply(x: Float64Array, out: Float64Array): void;
  /** out = e^{τL} x (out may be x). */
  exp(x: Float64Array, tau: number, out: Float64Array): void;
  /** out = τ·φ₁(τL) x = ∫₀^τ e^{sL} x ds (out may be x). */
  phi1(x: Float64Array, tau: number, out: Float64Array): void;
  /**
   * Optional: out = the part of x (a state or an error) on the modes that may grow (for Rod Flow, the rod on
   * the modes L holds). Where `looseFactor` is set, the error there is held to the tolerance relative to that
   * part of the state, the rest of the error (on modes known to decay) to looseFactor × the block's
   * tolerance. Returns false (out undefined) when no part is known to decay: plain blockwise control then.
   */
  tightPart?(x: Float64Array, out: Float64Array): boolean;
}

export interface LawsonOptions {
  rtol: number;
  atol: number;
  hmax: number;
  /** Block ends for normwise error control, as in Dopri5Options.blocks. */
  blocks?: number[];
  /** Per-block factor on the tolerance of the error off LinearPart.tightPart's part (default 1: plain control). */
  looseFactor?: number[];
  /** Most step attempts in one `integrate` call before it gives up (returns false), default MAX_STEPS_PER_SPAN. */
  maxSteps?: number;
}

// Dormand–Prince nodes, coefficients and error weights (Hairer–Nørsett–Wanner, §II.5).
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A: number[][] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

export class LawsonDopri5 implements Integrator {
  evals = 0;
  failure: IntegratorFailure | null = null;
  accepted = 0;
  rejected = 0;
  /** Last proposed step (diagnostics). */
  h = 0;
  /** Scaled error of the last trial step (diagnostics: ≤ 1 accepts). */
  lastErr = 0;
  private readonly f: Rhs;
  private readonly lin: LinearPart;
  private readonly o: LawsonOptions;
  /** M_j = f(Y_j) − L·Y_j − N₀ of the 7 stages (M_1 = 0). */
  private readonly N: Float64Array[];
  private readonly f1: Float64Array;
  private readonly n0: Float64Array;
  private readonly fs: Float64Array;
  private readonly yt: Float64Array;
  private readonly tmp: Float64Array;
  private readonly acc: Float64Array;
  private readonly sc: Float64Array;
  private readonly tight: Float64Array;
  private readonly tmax: Float64Array;
  private f1Valid = false;

  constructor(n: number, f: Rhs, lin: LinearPart, o: LawsonOptions) {
    this.f = f;
    this.lin = lin;
    this.o = o;
    this.N = Array.from({ length: 7 }, () => new Float64Array(n));
    this.f1 = new Float64Array(n);
    this.n0 = new Float64Array(n);
    this.fs = new Float64Array(n);
    this.yt = new Float64Array(n);
    this.tmp = new Float64Array(n);
    this.acc = new Float64Array(n);
    this.sc = new Float64Array(n);
    this.tight = new Float64Array(n);
    this.tmax = new Float64Array((o.blocks ?? [n]).length);
  }

  reset(): void {
    this.f1Valid = false;
  }

  private scales(y: Float64Array, yn: Float64Array): void {
    const { rtol, atol, blocks } = this.o;
    const sc = this.sc;
    const ends = blocks ?? [y.length];
    let a = 0;
    for (const b of ends) {
      let m = 0;
      for (let i = a; i < b; i++) m = Math.max(m, Math.abs(y[i]), Math.abs(yn[i]));
      const v = atol + rtol * m;
      for (let i = a; i < b; i++) sc[i] = v;
      a = b;
    }
  }

  /** Per block, the max-norm of the tight part of y and yn (into this.tmax; acc is scratch). */
  private tightMax(y: Float64Array, yn: Float64Array, ends: number[]): Float64Array {
    const out = this.tmax;
    out.fill(0);
    for (let pass = 0; pass < 2; pass++) {
      this.lin.tightPart!(pass === 0 ? y : yn, this.acc);
      let a = 0;
      for (let bi = 0; bi < ends.length; bi++) {
        for (let i = a; i < ends[bi]; i++) out[bi] = Math.max(out[bi], Math.abs(this.acc[i]));
        a = ends[bi];
      }
    }
    return out;
  }

  /** N = fy − L·y into out. */
  private nonlinear(y: Float64Array, fy: Float64Array, out: Float64Array): void {
    this.lin.apply(y, this.tmp);
    for (let i = 0; i < y.length; i++) out[i] = fy[i] - this.tmp[i];
  }

  integrate(y: Float64Array, span: number): boolean {
    const n = y.length;
    const { hmax } = this.o;
    const maxSteps = this.o.maxSteps ?? MAX_STEPS_PER_SPAN;
    const { N, yt, tmp, acc, f, lin } = this;
    this.failure = null;
    if (!this.f1Valid) {
      f(y, this.f1);
      this.evals++;
      if (!allFinite(this.f1)) return this.fail('non-finite');
      this.f1Valid = true;
    }
    if (!(this.h > 0)) {
      // Hairer's first guess 0.01·‖y‖/‖y'‖, with only the part of y' that L does not carry exactly.
      this.scales(y, y);
      this.nonlinear(y, this.f1, this.n0);
      let d0 = 0;
      let d1 = 0;
      for (let i = 0; i < n; i++) {
        d0 += (y[i] / this.sc[i]) ** 2;
        d1 += (this.n0[i] / this.sc[i]) ** 2;
      }
      this.h = Math.min(d0 < 1e-10 || d1 < 1e-10 ? 1e-3 : 0.01 * Math.sqrt(d0 / d1), hmax, span);
    }
    let t = 0;
    let attempts = 0;
    while (t < span) {
      if (++attempts > maxSteps) return this.fail('too-stiff');
      let h = Math.min(this.h, hmax);
      let last = false;
      if (t + h >= span * (1 - 1e-12) || t + 1.1 * h > span) {
        h = span - t;
        last = true;
      }
      // N₀ = f(y) − Ly, frozen over the step: ψ(τ) = e^{τL}y + τφ₁(τL)N₀ solves y' = Ly + N₀ exactly.
      // The stages integrate the deviation z = y − ψ (z' = Lz + M, M = N(ψ + z) − N₀, z(0) = 0) in
      // Lawson form, so that a stiff mode with a steady forcing costs nothing.
      this.nonlinear(y, this.f1, this.n0);
      N[0].fill(0);
      // Stage i: Y_i = ψ(c_i h) + h Σ_j a_ij e^{(c_i − c_j) hL} M_j.
      for (let s = 1; s < 7; s++) {
        lin.exp(y, C[s] * h, yt);
        lin.phi1(this.n0, C[s] * h, acc);
        for (let i = 0; i < n; i++) yt[i] += acc[i];
        for (let j = 1; j < s; j++) {
          const a = A[s][j];
          if (a === 0) continue;
          lin.exp(N[j], (C[s] - C[j]) * h, acc);
          for (let i = 0; i < n; i++) yt[i] += h * a * acc[i];
        }
        f(yt, this.fs);
        this.nonlinear(yt, this.fs, N[s]);
        for (let i = 0; i < n; i++) N[s][i] -= this.n0[i];
        if (s < 6) continue;
        // Y_7 is the new state (a_7j = b_j, c_7 = 1); its f is the next step's first (FSAL).
      }
      this.evals += 6;
      // Error: h Σ_j E_j e^{(1 − c_j) hL} N_j.
      tmp.fill(0);
      for (let j = 1; j < 7; j++) {
        if (E[j] === 0) continue;
        lin.exp(N[j], (1 - C[j]) * h, acc);
        for (let i = 0; i < n; i++) tmp[i] += h * E[j] * acc[i];
      }
      this.scales(y, yt);
      let err = 0;
      let finite = true;
      for (let i = 0; i < n; i++) if (!Number.isFinite(yt[i]) || !Number.isFinite(this.fs[i])) finite = false;
      if (this.o.looseFactor && lin.tightPart?.(tmp, this.tight)) {
        // Blocks with a loose factor f: the error's tight part against the tolerance relative to the tight
        // part of the state itself (a growing mode must be resolved while it is still a small fraction of
        // its block), the rest against f × the block's tolerance (see LinearPart.tightPart).
        const ends = this.o.blocks ?? [n];
        const tmax = this.tightMax(y, yt, ends);
        let a = 0;
        for (let bi = 0; bi < ends.length; bi++) {
          const b = ends[bi];
          const f = this.o.looseFactor[bi] ?? 1;
          const st = this.o.atol + this.o.rtol * tmax[bi];
          for (let i = a; i < b; i++) {
            if (f === 1) {
              const q = tmp[i] / this.sc[i];
              err += q * q;
              continue;
            }
            const q = this.tight[i] / Math.min(this.sc[i], st);
            const r = (tmp[i] - this.tight[i]) / (f * this.sc[i]);
            err += q * q + r * r;
          }
          a = b;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const q = tmp[i] / this.sc[i];
          err += q * q;
        }
      }
      err = Math.sqrt(err / n);
      this.lastErr = err;
      if (!finite || !(err <= 1)) {
        this.rejected++;
        const fac = shrinkAfterReject(err, finite);
        this.h = h * fac;
        if (this.h < 1e-14 * Math.max(1, span)) return this.fail(finite ? 'step-collapsed' : 'non-finite');
        continue;
      }
      this.accepted++;
      t = last ? span : t + h;
      y.set(yt);
      this.f1.set(this.fs);
      const fac = growAfterAccept(err);
      if (!last || h >= this.h) this.h = Math.min(hmax, h * fac);
    }
    return allFinite(y) || this.fail('non-finite');
  }

  private fail(why: IntegratorFailure): false {
    this.failure = why;
    this.f1Valid = false;
    this.h = 0;
    return false;
  }
}
