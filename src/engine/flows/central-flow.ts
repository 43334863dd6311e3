/**
 * Central flow (Cohen, Damian, Talwalkar, Kolter, Lee 2025; docs/equations.md §3):
 *
 *     dw/dt = −η[g + ½∇⟨Σ, H(w)⟩],  Σ = U X Uᵀ ⪰ 0 on the eigenspace of H at 2/η.
 *
 * Discretisation as in the authors' code: explicit Euler with `substeps` (default 4) substeps per GD
 * step, dt = 1/substeps. At each substep:
 *  1. eigenpairs of H(w): those above 1.5/η are tracked (Lanczos warm-starts from them on large
 *     problems) and are the QP's candidates (at most maxK; see TRACK for why not 1.95/η), U = their
 *     eigenvectors; the QP leaves X = 0 on those that are not pressing against 2/η;
 *  2. D_ij = ∇(u_iᵀHu_j) = third(w, u_i, u_j), α_ij = ⟨D_ij, g⟩, 𝔅[X]_ij = Σ_kl⟨D_ij, D_kl⟩X_kl;
 *  3. X solves min_{X⪰0} ¼⟨X,𝔅[X]⟩ + ⟨α',X⟩ (qp.ts) with the look-ahead drift correction
 *     α'_ii = α_ii − (λ_i − 2/η)/(η·dt).
 *     Why: after one Euler substep the active block of H becomes, to first order,
 *     diag(λ) − η·dt·(α + ½𝔅[X]); asking it to be ⪯ (2/η)I with complementarity gives exactly the QP
 *     with α' (for k = 1 this is the spec's σ² = max(0, [2⟨−g,∇S⟩ + 2(S−2/η)/(η·dt)]/‖∇S‖²)). It pins
 *     S to 2/η instead of letting Euler's error drift it away, and leaves eigenvalues in (1.5/η, 2/η)
 *     with X = 0 unless the substep would carry them across 2/η.
 *     A start well above 2/η (e.g. the quartic at ηS = 2.5 from x = 0.01, where ∇S is tiny) makes the
 *     linearised look-ahead overshoot wildly; such substeps are backtracked (see BACKTRACK_BAND).
 *  4. w ← w − η·dt·(g + ½Σ_ij X_ij D_ij) (off-diagonal pairs twice).
 * With no eigenvalue pressing on 2/η this is gradient flow by Euler, accurate while ηS < 2. A quadratic
 * (third derivative 0) has no central flow above 2/η: 𝔅 = 0 and the flow stays gradient flow.
 *
 * Samples: Σ's eigenpairs (eig of X rotated by U), osc = tr Σ, predictedLoss = L + tr Σ/η,
 * predictedGradSq = ‖g‖² + 4 tr Σ/η². The X reported at time t is the one the next substep uses.
 */
import type { Flow, FlowOptions, FlowSample, FlowSpec, OptionSpec, Problem, Vec } from '../types.ts';
import { symeig } from '../linalg/symeig.ts';
import { FlowBase, readOptions } from './base.ts';
import { allFinite } from './ode.ts';
import { solvePsdQp, svecSize } from './qp.ts';

/**
 * Eigenvalues above TRACK/η are tracked and enter the look-ahead QP as candidates (up to maxK).
 * The authors' code treats only those above 1.95/η as active; we measured that with 4 Euler substeps a
 * gradient-flow substep can carry an eigenvalue from below 1.95/η far past 2/η (soft well, η = 1.5:
 * S jumps 1.14 → 1.8 > 1.33 = 2/η, and the scheme then locks into a period-4 cycle of substeps around
 * x ≈ 0.45 instead of settling at S = 2/η). With every tracked eigenvalue in the QP, the look-ahead
 * sees such a crossing before it happens; an eigenvalue that would not cross gets X_ii = 0 by
 * complementarity (its α'_ii = α_ii + (2/η − λ_i)/(η·dt) is large and positive), so including it
 * changes nothing else. ACTIVE is kept for reference (eigenvalues "at the edge" in reports).
 */
export const TRACK = 1.5;
export const ACTIVE = 1.95;
/**
 * When the top active eigenvalue is further than this fraction of 2/η from 2/η, a substep is checked
 * (one extra eigenvalue solve) and its drift correction halved until the substep removes at least half
 * of the excess |λ₁ − 2/η| (the best of 20 halvings otherwise). The halvings also end once
 * STALL_BACKTRACKS of them in a row did not improve on the best: shorter substeps then only approach
 * the excess the substep started from, and each try costs two eigen-solves (far past the edge, e.g. the
 * teacher net at η = 1 or 2.5, all 20 ran on every substep: ~4 s a step). Once the
 * flow is pinned at the edge (|λ₁ − 2/η| ~ 1e-6·2/η) the check never runs.
 */
export const BACKTRACK_BAND = 0.01;
const MAX_BACKTRACKS = 20;
const STALL_BACKTRACKS = 3;
/** Lanczos tolerance of the central flow's eigen solves (see the constructor for the error it allows). */
export const SPECTRUM_TOL = 1e-6;

const OPTIONS: OptionSpec[] = [
  { key: 'substeps', label: 'Euler substeps per step', type: 'number', default: 4, min: 1, max: 256, help: 'Explicit Euler substeps per GD step (the authors use 4).' },
  { key: 'maxK', label: 'max eigenvalues at the edge', type: 'number', default: 3, min: 1, max: 8, help: 'Largest number of eigenvalues held at 2/η at once.' },
  {
    key: 'igr',
    label: 'implicit regularization off the edge',
    type: 'boolean',
    default: false,
    help: 'Not in the paper: drifts along g + (η/2)P⊥Hg, GD’s first-order backward error, on the directions below 1.5/η (P⊥ removes the tracked eigenvectors).',
  },
];

/** The correction at one point (see `CentralFlow.correctionAt`). */
export interface CentralCorrection {
  /** Number of eigenvalues in the QP (tracked candidates; X may vanish on some). */
  k: number;
  /** Their eigenvalues, descending. */
  lambdas: number[];
  /** X (k×k row-major). */
  X: Float64Array;
  /** tr X = tr Σ. */
  trace: number;
  /** g + ½Σ X_ij D_ij (the flow moves along −η times this). Owned by the flow. */
  direction: Vec;
  /** KKT residual of the QP (0 for k ≤ 1, which is solved in closed form). */
  kkt: number;
}

export class CentralFlow extends FlowBase implements Flow {
  readonly id = 'central-flow' as const;
  private readonly w: Vec;
  private readonly wPrev: Vec;
  private readonly wSub: Vec;
  /** How many times a substep's drift correction was halved (diagnostics). */
  backtracks = 0;
  private readonly g: Vec;
  /** The drift the QP corrects: g, or g + (η/2)P⊥Hg with the `igr` option. */
  private readonly drift: Vec;
  private readonly hg: Vec;
  private readonly igr: boolean;
  private readonly dir: Vec;
  private readonly substeps: number;
  private readonly maxK: number;
  private readonly U: Vec[];
  private readonly D: Vec[];
  private readonly G: Float64Array;
  private readonly a: Float64Array;
  private readonly lam: number[];
  private x: Float64Array;
  private k = 0;
  private kkt = 0;
  private trX = 0;
  private tracked = 1;
  private prepared = false;
  private lossW: number;

  constructor(problem: Problem, eta: number, w0: Vec, options?: FlowOptions) {
    const opts = readOptions('central-flow', OPTIONS, options);
    const L0 = problem.loss(w0);
    super(problem, eta, w0, opts, L0);
    const n = this.dim;
    this.substeps = Math.round(opts.substeps as number);
    this.maxK = Math.min(n, Math.round(opts.maxK as number));
    const mMax = svecSize(this.maxK);
    this.w = Float64Array.from(w0);
    this.wPrev = new Float64Array(n);
    this.wSub = new Float64Array(n);
    this.g = new Float64Array(n);
    this.igr = opts.igr === true;
    this.hg = this.igr ? new Float64Array(n) : this.g;
    this.drift = this.igr ? new Float64Array(n) : this.g;
    this.dir = new Float64Array(n);
    this.U = Array.from({ length: this.maxK }, () => new Float64Array(n));
    this.D = Array.from({ length: mMax }, () => new Float64Array(n));
    this.G = new Float64Array(mMax * mMax);
    this.a = new Float64Array(mMax);
    this.x = new Float64Array(mMax);
    this.lam = [];
    this.lossW = L0;
    // Lanczos path (networks): the substeps move w smoothly, so eigenvectors are extrapolated from the
    // last two solves (spectrum.ts), and solved to a relative residual of 1e-6 instead of 1e-8: the
    // eigenvalue error is then ≲ (1e-6‖H‖)²/gap (≈ 3e-10 on mlp-teacher, ‖H‖ = 20, gap 1.6), far below the
    // look-ahead's pin of S to 2/η, and the eigenvector error ≲ 1e-6‖H‖/gap ≈ 1e-5 enters D = ∇(uᵀHu)
    // and σ² at that relative size. Measured on mlp-teacher, steps 0–400: w moves by 1.4e-8 (GD is
    // 0.33 away) and HVPs per step fall from 76 to 18.
    this.spectrum.warmMode = 'extrapolate';
    this.spectrum.tol = SPECTRUM_TOL;
  }

  /**
   * Computes g, the active eigenpairs, D, α, 𝔅 and X at w with substep dt (Infinity: no drift
   * correction, the pure central flow), and the direction g + ½ΣX_ij D_ij.
   */
  correctionAt(w: Vec, dt: number): CentralCorrection {
    this.compute(w, dt);
    return this.result();
  }

  /** correctionAt without building the result object (the hot path reads this.dir / this.x / this.trX). */
  private compute(w: Vec, dt: number): void {
    const p = this.problem;
    const eta = this.eta;
    const n = this.dim;
    const thr = 2 / eta;
    p.grad(w, this.g);
    // 1. Spectrum: enough pairs to see every eigenvalue above TRACK/η (up to maxK + 1 on the Lanczos path).
    const sp = this.spectrum;
    if (sp.isDense) {
      sp.top(w, n);
    } else {
      const cap = Math.min(n, this.maxK + 1);
      let kr = Math.min(cap, Math.max(2, this.tracked + 1));
      sp.top(w, kr);
      while (kr < cap && sp.values[kr - 1] > (TRACK / eta)) {
        kr++;
        sp.top(w, kr);
      }
    }
    let tracked = 0;
    let k = 0;
    this.lam.length = 0;
    for (let i = 0; i < sp.count; i++) {
      const l = sp.values[i];
      if (l > TRACK / eta) tracked++;
      if (l > TRACK / eta && k < this.maxK) {
        this.U[k].set(sp.vectors[i]);
        this.lam.push(l);
        k++;
      }
    }
    this.tracked = tracked;
    this.k = k;
    this.kkt = 0;
    if (this.igr) this.driftWithIgr(w, sp);
    const dir = this.dir;
    dir.set(this.drift);
    if (k === 0) {
      this.trX = 0;
      return;
    }
    // 2. D in svec order, scaled to E_p = s_p·D_ij (s = √2 off the diagonal); a = svec(α').
    const m = svecSize(k);
    let q = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) {
        const Dq = this.D[q];
        p.third(w, this.U[i], this.U[j], Dq);
        if (i !== j) for (let c = 0; c < n; c++) Dq[c] *= Math.SQRT2;
        let s = 0;
        for (let c = 0; c < n; c++) s += Dq[c] * this.drift[c];
        if (i === j && Number.isFinite(dt)) s -= (this.lam[i] - thr) / (eta * dt);
        this.a[q] = s;
        q++;
      }
    }
    for (let r = 0; r < m; r++) {
      for (let s = r; s < m; s++) {
        let v = 0;
        const Dr = this.D[r];
        const Ds = this.D[s];
        for (let c = 0; c < n; c++) v += Dr[c] * Ds[c];
        this.G[r * m + s] = v;
        this.G[s * m + r] = v;
      }
    }
    // 3. The QP (closed form for k = 1, without allocating).
    if (k === 1) {
      const G0 = this.G[0];
      this.x[0] = G0 > 0 ? Math.max(0, (-2 * this.a[0]) / G0) : 0;
    } else {
      const res = solvePsdQp(k, this.G.subarray(0, m * m), this.a.subarray(0, m));
      this.x.set(res.x);
      this.kkt = res.kkt.max;
    }
    // 4. direction = g + ½Σ_p x_p E_p (equals g + ½Σ_ij X_ij D_ij in svec coordinates).
    let tr = 0;
    q = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) {
        const xq = this.x[q];
        if (i === j) tr += xq;
        if (xq !== 0) {
          const Dq = this.D[q];
          for (let c = 0; c < n; c++) dir[c] += 0.5 * xq * Dq[c];
        }
        q++;
      }
    }
    this.trX = tr;
  }

  /**
   * drift = g + (η/2)P⊥Hg: the first-order term of GD's modified equation (dw/dt = −η∇(L + (η/4)‖g‖²),
   * Barrett & Dherin 2021), which is what moves GD away from gradient flow *before* the edge. Along an
   * eigenvector with ηλ near 2 that expansion is wrong (GD's factor per step there is 1 − ηλ ≈ −1, an
   * oscillation, which is Σ's job), so the term is kept only off the eigenvectors above TRACK/η:
   * P⊥Hg = Hg − Σ_i λ_i⟨u_i, g⟩u_i over the tracked pairs. Costs one HVP per substep.
   */
  private driftWithIgr(w: Vec, sp: { count: number; values: ArrayLike<number>; vectors: Vec[] }): void {
    const n = this.dim;
    const eta = this.eta;
    this.problem.hvp(w, this.g, this.hg);
    for (let i = 0; i < sp.count; i++) {
      const l = sp.values[i];
      if (!(l > TRACK / eta)) continue;
      const u = sp.vectors[i];
      let ug = 0;
      for (let c = 0; c < n; c++) ug += u[c] * this.g[c];
      for (let c = 0; c < n; c++) this.hg[c] -= l * ug * u[c];
    }
    // Euler with s substeps (step η/s) already carries (η/(2s))Hg as its own backward error.
    const coef = 0.5 * eta * (1 - 1 / this.substeps);
    for (let c = 0; c < n; c++) this.drift[c] = this.g[c] + coef * this.hg[c];
  }

  private result(): CentralCorrection {
    const k = this.k;
    const X = new Float64Array(k * k);
    let q = 0;
    for (let i = 0; i < k; i++)
      for (let j = i; j < k; j++) {
        const v = i === j ? this.x[q] : this.x[q] / Math.SQRT2;
        X[i * k + j] = v;
        X[j * k + i] = v;
        q++;
      }
    return { k, lambdas: this.lam.slice(), X, trace: this.trX, direction: this.dir, kkt: this.kkt };
  }

  /** Fills the substep data at the current state (cached until the state moves). */
  private prepare(): void {
    if (this.prepared) return;
    this.compute(this.w, 1 / this.substeps);
    this.prepared = true;
  }

  advance(): void {
    this.guarded(() => this.advanceOnce(), () => {
      this.w.set(this.wPrev);
      this.prepared = false;
      this.specAt = NaN;
    }, () => this.wPrev);
  }

  private advanceOnce(): void {
    if (this.stopped) return;
    const eta = this.eta;
    const dt = 1 / this.substeps;
    this.wPrev.set(this.w);
    let ok = true;
    for (let s = 0; s < this.substeps; s++) {
      this.prepare();
      if (!allFinite(this.dir)) {
        ok = false;
        break;
      }
      if (s === 0) this.noteSharpness(this.t, this.spectrum.values[0]);
      // Only a substep that is removing an excess above the edge is checked.
      const excess = this.k > 0 && this.trX > 0 ? this.lam[0] - 2 / eta : 0;
      this.wSub.set(this.w);
      for (let c = 0; c < this.dim; c++) this.w[c] -= eta * dt * this.dir[c];
      // Trust check on the look-ahead (see BACKTRACK_BAND): far from the edge, the linearised drift
      // correction can overshoot wildly (e.g. a start well above 2/η where ∇S is small). Then halve
      // the drift term until the excess |λ₁ − 2/η| does not grow.
      // Watchdog: a substep that already blew the loss up is divergence, not a look-ahead to refine (each
      // backtrack costs an eigen-solve; at η = 1000 on mlp-teacher they took 1572 HVPs in one step).
      if (excess > BACKTRACK_BAND * (2 / eta) && this.badLoss(this.problem.loss(this.w))) {
        ok = false;
        break;
      }
      if (excess > BACKTRACK_BAND * (2 / eta)) {
        let theta = 1;
        let bestTheta = 1;
        let best = Infinity;
        let stalled = 0;
        for (let tries = 0; tries < MAX_BACKTRACKS; tries++) {
          this.spectrum.top(this.w, 1);
          const e2 = Math.abs(this.spectrum.values[0] - 2 / eta);
          if (e2 < best) {
            best = e2;
            bestTheta = theta;
            stalled = 0;
          } else if (++stalled >= STALL_BACKTRACKS) break;
          // Armijo-like: the substep must at least halve the excess it was asked to remove.
          if (e2 <= 0.5 * Math.abs(excess)) break;
          theta *= 0.5;
          this.backtracks++;
          this.compute(this.wSub, dt / theta);
          for (let c = 0; c < this.dim; c++) this.w[c] = this.wSub[c] - eta * dt * this.dir[c];
        }
        if (best > 0.5 * Math.abs(excess) && bestTheta !== theta) {
          this.compute(this.wSub, dt / bestTheta);
          for (let c = 0; c < this.dim; c++) this.w[c] = this.wSub[c] - eta * dt * this.dir[c];
        }
      }
      this.prepared = false;
      this.specAt = NaN;
    }
    const L = allFinite(this.w) ? this.problem.loss(this.w) : NaN;
    if (!ok || this.badLoss(L)) {
      this.w.set(this.wPrev);
      this.prepared = false;
      this.stop(this.t + 1, ok || this.badLoss(L) ? this.describeLoss(L) : 'the correction became non-finite', this.wPrev);
      return;
    }
    this.lossW = L;
    this.t++;
  }

  sample(): FlowSample {
    this.prepare();
    // The spectrum was just filled at w (by prepare, or earlier for this same t).
    this.specAt = this.t;
    this.noteSharpness(this.t, this.spectrum.values[0]);
    const sharpness = this.sharpnessSample(this.w);
    const k = this.k;
    let values: number[];
    let vectors: Vec[];
    if (k === 0) {
      values = [];
      vectors = [];
    } else if (k === 1) {
      values = [this.x[0]];
      vectors = [Float64Array.from(this.U[0])];
    } else {
      const X = this.result().X;
      const e = symeig(X, k);
      values = e.values;
      vectors = e.vectors.map((v) => {
        const out = new Float64Array(this.dim);
        for (let i = 0; i < k; i++) for (let c = 0; c < this.dim; c++) out[c] += v[i] * this.U[i][c];
        return out;
      });
    }
    let gg = 0;
    for (let c = 0; c < this.dim; c++) gg += this.g[c] * this.g[c];
    const tr = this.trX;
    return {
      w: this.w,
      loss: this.lossW,
      predictedLoss: this.lossW + tr / this.eta,
      predictedGradSq: gg + (4 * tr) / (this.eta * this.eta),
      sharpness,
      osc: tr,
      sigma: { values, vectors },
    };
  }
}

export const CENTRAL_FLOW_SPEC: FlowSpec = {
  id: 'central-flow',
  name: 'Central flow',
  // Okabe–Ito bluish green.
  color: '#009E73',
  description: 'GD’s time-averaged path: gradient flow projected so that no Hessian eigenvalue exceeds 2/η; predicts GD’s oscillation Σ.',
  options: OPTIONS,
  create: (problem, eta, w0, options) => new CentralFlow(problem, eta, w0, options),
};
