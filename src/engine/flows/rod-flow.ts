/**
 * Rod Flow (Regis & Chewi; docs/equations.md): two consecutive GD iterates are the ends w̄ ± δ of a rod, and
 * GD's exact one-step identities are promoted to ODEs for the centre w̄ and either Σ = δδᵀ (dim ≤ 8) or the
 * sign-flipped vector r. Starts from GD's first pair. The numerical choices (Σ's two rods, tiny rods, the
 * onset seed, the exponential integrator and where the work goes) are in docs/numerics-flows.md.
 */
import { InputError, type Flow, type FlowOptions, type FlowSample, type FlowSpec, type OptionSpec, type Problem, type Vec } from '../types.ts';
import { symeig } from '../linalg/symeig.ts';
import { FlowBase, readOptions } from './base.ts';
import { describeFailure, Dopri5, Rk4, stepBoundFor, type Integrator } from './ode.ts';
import { LawsonDopri5, type LinearPart } from './lawson.ts';
import { Spectrum } from './spectrum.ts';
import { eig2 } from '../linalg/eigs.ts';
import { FLOAT64_ROUNDOFF, floorTolerance, roundoffOf } from './precision.ts';

/** form 'auto' uses the Σ form up to this dimension. */
export const SIGMA_MAX_DIM = 8;
/** Σ's second eigenvalue below RANK_TOL·s₁ is round-off: the Σ form then carries a single rod. */
const RANK_TOL = 1e-14;
/**
 * Vector form: below ‖r‖∞ ≤ LINEAR_REL·‖w̄‖∞ the difference g₊ − g₋ is taken as 2H(w̄)r (no cancellation).
 * 1e-6 is for float64; the crossover balances the difference's cancellation error (∝ u/|r|) against the
 * linearisation's (∝ |r|²), so it scales as u^(1/3): ×812 for a float32 problem (u = 2⁻²⁴), i.e. 8e-4.
 */
const LINEAR_REL = 1e-6;
/** Eigenpairs of H(w̄) in the exponential integrator's linear part (from the sample's solve: see advanceOnce). */
const LIN_K = 2;
/**
 * The exponential integrator's error control on the rod block (LawsonDopri5's looseFactor, RodLinear.tightPart),
 * while the last tracked pair is below the edge (then every mode off span(u) decays, at 2 − ηλ > 0):
 *  - the rod's part on span(u), where a rod above the edge grows, at rtol relative to that part itself
 *    (a fresh rod is GD's half step, and its top mode can be 1e-4 of it: relative to the whole rod, the
 *    mode that becomes GD's oscillation was resolved to ~6e-5 only);
 *  - the rest at ROD_RTOL_FACTOR × rtol relative to the whole rod: an error in a decaying mode decays with
 *    it (it is not amplified later) and reaches the ends w̄ ± r as ≤ ROD_RTOL_FACTOR·rtol·‖r‖ ≤ rtol·‖w̄‖
 *    while ‖r‖ ≤ ‖w̄‖/ROD_RTOL_FACTOR.
 * The centre keeps rtol. What it buys: a fresh rod decays over a continuum of modes at rates 2 − ηλ ∈ (0.5, 2]
 * that L leaves to the stages, and relative accuracy 1e-8 of that decaying mixture held h at 0.4–0.8.
 * Measured in docs/numerics-flows.md.
 */
export const ROD_RTOL_FACTOR = 100;

const OPTIONS: OptionSpec[] = [
  {
    key: 'form',
    label: 'representation',
    type: 'choice',
    default: 'auto',
    choices: [
      { value: 'auto', label: `auto (Σ up to dim ${SIGMA_MAX_DIM})` },
      { value: 'sigma', label: 'Σ = δδᵀ (outer product)' },
      { value: 'vector', label: 'vector r (sign-flipped δ)' },
    ],
    help: 'How the rod’s half-difference is carried: the full outer product Σ or the vector r.',
  },
  { key: 'backwardError', label: 'backward-error term', type: 'boolean', default: true, help: 'Adds −(η²/8)(H₊+H₋)(g₊+g₋) to the centre’s velocity.' },
  {
    key: 'seed',
    label: 'seed at onset',
    type: 'choice',
    default: 'roundoff',
    choices: [
      { value: 'roundoff', label: 'GD’s round-off, ε‖w̄‖' },
      { value: 'step', label: 'GD’s step along u, (η/2)|⟨g,u⟩|' },
      { value: 'off', label: 'off' },
    ],
    help: 'Once λ₁ > 2/η, floor the rod’s component along the top eigenvector u (a rod that decayed to nothing cannot grow again).',
  },
  {
    key: 'integrator',
    label: 'integrator',
    type: 'choice',
    default: 'auto',
    choices: [
      { value: 'auto', label: 'auto (exponential for the vector form)' },
      { value: 'adaptive', label: 'adaptive Dormand–Prince (h ≤ 0.5)' },
      { value: 'rk4', label: 'RK4, h = 0.5' },
      { value: 'exponential', label: 'exponential (Lawson) Dormand–Prince' },
    ],
  },
  { key: 'rtol', label: 'relative tolerance', type: 'number', default: 1e-8, min: 1e-13, max: 1e-2, help: 'Adaptive and exponential integrators (the exponential one holds the rod’s decaying modes to 100× this).' },
];

export class RodFlow extends FlowBase implements Flow {
  readonly id = 'rod-flow' as const;
  /** 'sigma' or 'vector', after resolving 'auto'. */
  readonly form: 'sigma' | 'vector';
  readonly backwardError: boolean;
  readonly seedMode: 'step' | 'roundoff' | 'off';
  /** The problem's unit round-off (the 'roundoff' seed) and the tiny-rod crossover scaled to it. */
  private readonly roundoff: number;
  private readonly linearRel: number;
  /** How many times the onset seed was applied. */
  seeds = 0;
  private readonly y: Float64Array;
  private readonly yPrev: Float64Array;
  private readonly wbar: Vec;
  private readonly rest: Float64Array;
  private readonly ode: Integrator & { evals: number };
  /** The exponential integrator's linear part (null with the other integrators). */
  private readonly lin: RodLinear | null;
  // Scratch
  private readonly p: Vec;
  private readonly m: Vec;
  private readonly gp: Vec;
  private readonly gm: Vec;
  private readonly s: Vec;
  private readonly hp: Vec;
  private readonly hm: Vec;
  private readonly da: Vec;
  private readonly db: Vec;
  private readonly dShow: Vec;
  private readonly e2v = new Float64Array(2);
  private readonly e2u = new Float64Array(4);
  private lossW: number;
  /** Cached predicted loss at the current state (NaN: not computed yet). */
  private lossEnds = NaN;

  constructor(problem: Problem, eta: number, w0: Vec, options?: FlowOptions) {
    const opts = readOptions('rod-flow', OPTIONS, options);
    const L0 = problem.loss(w0);
    super(problem, eta, w0, opts, L0);
    const n = this.dim;
    const form = opts.form as string;
    this.form = form === 'auto' ? (n <= SIGMA_MAX_DIM ? 'sigma' : 'vector') : (form as 'sigma' | 'vector');
    this.backwardError = opts.backwardError as boolean;
    this.seedMode = opts.seed as 'step' | 'roundoff' | 'off';
    this.roundoff = roundoffOf(problem);
    this.linearRel = LINEAR_REL * Math.cbrt(this.roundoff / FLOAT64_ROUNDOFF);
    const size = this.form === 'sigma' ? n + n * n : 2 * n;
    this.y = new Float64Array(size);
    this.yPrev = new Float64Array(size);
    this.wbar = this.y.subarray(0, n);
    this.rest = this.y.subarray(n);
    this.p = new Float64Array(n);
    this.m = new Float64Array(n);
    this.gp = new Float64Array(n);
    this.gm = new Float64Array(n);
    this.s = new Float64Array(n);
    this.hp = new Float64Array(n);
    this.hm = new Float64Array(n);
    this.da = new Float64Array(n);
    this.db = new Float64Array(n);
    this.dShow = new Float64Array(n);

    // Initial condition: the first GD pair.
    const g0 = problem.grad(w0, new Float64Array(n));
    const delta0 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      delta0[i] = -0.5 * eta * g0[i];
      this.wbar[i] = w0[i] + delta0[i];
    }
    if (this.form === 'vector') this.rest.set(delta0);
    else for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) this.rest[i * n + j] = delta0[i] * delta0[j];
    this.dShow.set(delta0);
    const rhs = (y: Float64Array, dy: Float64Array): void => this.rhs(y, dy);
    const chosen = opts.integrator as string;
    const integ = chosen === 'auto' ? (this.form === 'vector' ? 'exponential' : 'adaptive') : chosen;
    const tol = { rtol: floorTolerance(opts.rtol as number, problem), atol: (opts.rtol as number) * 1e-6, blocks: [n, size], maxSteps: stepBoundFor(n) };
    if (integ === 'exponential') {
      if (this.form !== 'vector') throw new InputError('Rod Flow’s exponential integrator needs the vector form (representation: vector).');
      this.lin = new RodLinear(n, eta, this.backwardError);
      this.ode = new LawsonDopri5(size, rhs, this.lin, { ...tol, looseFactor: [1, ROD_RTOL_FACTOR], hmax: 1 });
    } else {
      this.lin = null;
      this.ode = integ === 'rk4' ? new Rk4(size, rhs, 0.5) : new Dopri5(size, rhs, { ...tol, hmax: 0.5 });
    }
    this.lossW = problem.loss(this.wbar);
    // The centre moves smoothly (it does not flip like GD's iterates): its one Lanczos solve per step
    // (the sample's sharpness, the seed's test λ₁ > 2/η and the exponential integrator's L, all at w̄(t))
    // warm-starts from the extrapolated eigenvectors at the samples' tolerance (base.ts, SAMPLE_TOL).
    this.spectrum.warmMode = 'extrapolate';
  }

  /** Right-hand-side evaluations so far (each costs 2 gradients, + 2 HVPs with the backward-error term, per rod). */
  get evals(): number {
    return this.ode.evals;
  }

  /**
   * The rod(s) carried by the state, into da (and db). Vector form: one rod, δ = r. Σ form: with Σ's
   * top two eigenpairs (s₁, v₁), (s₂, v₂) (negative round-off clamped to 0), one rod √s₁v₁ when
   * s₂ ≤ RANK_TOL·s₁, else the two rods √s₁v₁ ± √s₂v₂, each with weight ½ (see the module comment).
   * Returns the number of rods.
   */
  private rods(y: Float64Array): 1 | 2 {
    // Reads the rod part of a full state y = [w̄ | r or Σ] at offset n (no subarray: no allocation).
    const n = this.dim;
    const { da, db } = this;
    if (this.form === 'vector') {
      for (let i = 0; i < n; i++) da[i] = y[n + i];
      return 1;
    }
    let s1: number;
    let s2: number;
    if (n === 1) {
      da[0] = Math.sqrt(Math.max(0, y[n]));
      return 1;
    } else if (n === 2) {
      eig2(y[n], 0.5 * (y[n + 1] + y[n + 2]), y[n + 3], this.e2v, this.e2u);
      s1 = Math.sqrt(Math.max(0, this.e2v[0]));
      s2 = Math.max(0, this.e2v[1]);
      for (let i = 0; i < 2; i++) {
        da[i] = s1 * this.e2u[i];
        db[i] = this.e2u[2 + i];
      }
      if (!(s2 > RANK_TOL * this.e2v[0])) return 1;
    } else {
      const e = symeig(y.subarray(n), n);
      s1 = Math.sqrt(Math.max(0, e.values[0]));
      s2 = Math.max(0, e.values[1]);
      for (let i = 0; i < n; i++) {
        da[i] = s1 * e.vectors[0][i];
        db[i] = e.vectors[1][i];
      }
      if (!(s2 > RANK_TOL * e.values[0])) return 1;
    }
    const r2 = Math.sqrt(s2);
    for (let i = 0; i < n; i++) {
      const a = da[i];
      const b = r2 * db[i];
      da[i] = a + b;
      db[i] = a - b;
    }
    return 2;
  }

  /** The right-hand side on a flat state y = [w̄ | r or Σ]. */
  rhs(y: Float64Array, dy: Float64Array): void {
    const n = this.dim;
    dy.fill(0);
    const count = this.rods(y);
    this.addRod(y, this.da, 1 / count, dy);
    if (count === 2) this.addRod(y, this.db, 0.5, dy);
    const size = this.form === 'vector' ? n : n * n;
    for (let i = 0; i < size; i++) dy[n + i] -= 2 * y[n + i];
  }

  /** Adds weight × (one rod's contribution) to dy: centre velocity and the source of r or Σ. */
  private addRod(y: Float64Array, d: Vec, weight: number, dy: Float64Array): void {
    const n = this.dim;
    const eta = this.eta;
    const { p, m, gp, gm, s } = this;
    let wMax = 0;
    let dMax = 0;
    for (let i = 0; i < n; i++) {
      p[i] = y[i] + d[i];
      m[i] = y[i] - d[i];
      wMax = Math.max(wMax, Math.abs(y[i]));
      dMax = Math.max(dMax, Math.abs(d[i]));
    }
    if (this.form === 'vector' && dMax <= this.linearRel * wMax) {
      this.addTinyRod(y, d, weight, dy);
      return;
    }
    this.problem.grad(p, gp);
    this.problem.grad(m, gm);
    for (let i = 0; i < n; i++) {
      s[i] = gp[i] + gm[i];
      dy[i] -= weight * 0.5 * eta * s[i];
    }
    if (this.backwardError) {
      this.problem.hvp(p, s, this.hp);
      this.problem.hvp(m, s, this.hm);
      const c = weight * 0.125 * eta * eta;
      for (let i = 0; i < n; i++) dy[i] -= c * (this.hp[i] + this.hm[i]);
    }
    if (this.form === 'vector') {
      for (let i = 0; i < n; i++) dy[n + i] += weight * 0.5 * eta * (gp[i] - gm[i]);
    } else {
      const c = weight * 0.25 * eta * eta;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dy[n + i * n + j] += c * (gp[i] * gp[j] + gm[i] * gm[j]);
    }
  }

  /**
   * Vector form, rod below the resolution of w̄ ± r (‖r‖∞ ≤ LINEAR_REL·‖w̄‖∞): every term is taken at w̄.
   *  - rod: g₊ − g₋ = 2H(w̄)r + O(|r|³): w̄ ± r has lost r to cancellation, so this is the only accurate form;
   *  - centre: g₊ + g₋ = 2g(w̄) + ∇³L[r, r] + O(|r|⁴) and (H₊ + H₋)s = 2H(w̄)s + O(|r|²): relative
   *    changes of order ‖r‖² ≤ 1e-12‖w̄‖∞², below the integrator's rtol (1e-8 by default).
   * Cost 1 gradient + 2 HVPs instead of 2 gradients + 3 HVPs; during a long sharpening phase (the rod
   * decayed to round-off, e.g. mlp-teacher steps 0–500) this is most right-hand sides.
   */
  private addTinyRod(y: Float64Array, d: Vec, weight: number, dy: Float64Array): void {
    const n = this.dim;
    const eta = this.eta;
    const { m, s } = this;
    for (let i = 0; i < n; i++) m[i] = y[i];
    const g = this.problem.grad(m, this.gp);
    for (let i = 0; i < n; i++) {
      s[i] = 2 * g[i];
      dy[i] -= weight * 0.5 * eta * s[i];
    }
    if (this.backwardError) {
      const hs = this.problem.hvp(m, s, this.hp);
      const c = weight * 0.25 * eta * eta;
      for (let i = 0; i < n; i++) dy[i] -= c * hs[i];
    }
    const hr = this.problem.hvp(m, d, this.hm);
    for (let i = 0; i < n; i++) dy[n + i] += weight * eta * hr[i];
  }

  /** The RHS at a rod (w̄, δ) given explicitly: [dw̄/dt | dr/dt or dΣ/dt (row-major)]. For tests. */
  rhsAt(wbar: Vec, delta: Vec): Float64Array {
    const n = this.dim;
    const y = new Float64Array(this.y.length);
    y.set(wbar);
    if (this.form === 'vector') y.set(delta, n);
    else for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[n + i * n + j] = delta[i] * delta[j];
    const dy = new Float64Array(y.length);
    this.rhs(y, dy);
    return dy;
  }

  /** A copy of the flat state [w̄ | r or Σ]. */
  state(): Float64Array {
    return Float64Array.from(this.y);
  }

  /** Floors the rod along the top eigenvector once λ₁ > 2/η (see the module comment). */
  private applySeed(sp: Spectrum): void {
    const lam = sp.values[0];
    if (!(lam > 2 / this.eta)) return;
    const u = sp.vectors[0];
    const n = this.dim;
    let floor: number;
    if (this.seedMode === 'step') {
      const g = this.problem.grad(this.wbar, this.s);
      let gu = 0;
      for (let i = 0; i < n; i++) gu += g[i] * u[i];
      floor = 0.5 * this.eta * Math.abs(gu);
    } else {
      let w2 = 0;
      for (let i = 0; i < n; i++) w2 += this.wbar[i] * this.wbar[i];
      floor = this.roundoff * Math.sqrt(w2);
    }
    if (!(floor > 0)) return;
    if (this.form === 'vector') {
      let c = 0;
      for (let i = 0; i < n; i++) c += this.rest[i] * u[i];
      if (Math.abs(c) >= floor) return;
      const add = (c >= 0 ? floor : -floor) - c;
      for (let i = 0; i < n; i++) this.rest[i] += add * u[i];
    } else {
      let c2 = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c2 += u[i] * this.rest[i * n + j] * u[j];
      if (c2 >= floor * floor) return;
      const add = floor * floor - c2;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) this.rest[i * n + j] += add * u[i] * u[j];
    }
    this.seeds++;
    this.ode.reset();
    this.lossEnds = NaN;
  }

  advance(): void {
    this.guarded(() => this.advanceOnce(), () => {
      this.y.set(this.yPrev);
      this.ode.reset();
      this.lossEnds = NaN;
    }, () => this.wbar);
  }

  private advanceOnce(): void {
    if (this.stopped) return;
    let sp: Spectrum | null = null;
    if (this.lin) {
      // One solve at w̄(t) serves the sample at t (taken before this step: the Runner samples every step),
      // the linear part and the seed. Any L gives the same ODE: eigenpairs at the samples' tolerance do.
      const k = Math.min(Math.max(LIN_K, this.eigK), this.dim);
      sp = this.spectrumAt(this.wbar, k);
      this.lin.set(sp.values, sp.vectors, Math.min(sp.count, LIN_K));
    }
    if (this.seedMode !== 'off') this.applySeed(sp ?? this.spectrumAt(this.wbar, 1));
    this.yPrev.set(this.y);
    const ok = this.ode.integrate(this.y, 1);
    const L = ok ? this.problem.loss(this.wbar) : NaN;
    // The ends can run away while the centre sits still (a quadratic above 2/η): check them too. A rod
    // below the resolution of w̄ ± r has ends at w̄ (their mean loss is L + O(|r|²)): no extra losses.
    const Lends = ok && !this.badLoss(L) ? (this.isTiny() ? L : this.endsLoss()) : NaN;
    if (!ok || this.badLoss(L) || this.badLoss(Lends)) {
      this.y.set(this.yPrev);
      this.ode.reset();
      const what = !ok ? describeFailure(this.ode.failure, stepBoundFor(this.dim)) : this.badLoss(L) ? this.describeLoss(L) : `the rod’s ${this.describeLoss(Lends)}`;
      this.stop(this.t + 1, what, this.wbar);
      return;
    }
    this.lossW = L;
    this.lossEnds = Lends;
    this.t++;
  }

  /** Vector form: the rod is below the resolution of w̄ ± r (see LINEAR_REL). */
  private isTiny(): boolean {
    if (this.form !== 'vector') return false;
    const n = this.dim;
    let wMax = 0;
    let dMax = 0;
    for (let i = 0; i < n; i++) {
      wMax = Math.max(wMax, Math.abs(this.y[i]));
      dMax = Math.max(dMax, Math.abs(this.y[n + i]));
    }
    return dMax <= this.linearRel * wMax;
  }

  /** Mean loss over the rods' ends, (L(w̄+δ) + L(w̄−δ))/2 averaged over the rods (the predicted loss). */
  private endsLoss(): number {
    const n = this.dim;
    const count = this.rods(this.y);
    const { da, db, p, m, wbar } = this;
    let pl = 0;
    for (let r = 0; r < count; r++) {
      const d = r === 0 ? da : db;
      for (let i = 0; i < n; i++) {
        p[i] = wbar[i] + d[i];
        m[i] = wbar[i] - d[i];
      }
      pl += (0.5 * (this.problem.loss(p) + this.problem.loss(m))) / count;
    }
    return pl;
  }

  sample(): FlowSample {
    const n = this.dim;
    // The solve the next step reuses (advanceOnce): as many pairs as its linear part needs.
    if (this.lin) this.spectrumAt(this.wbar, Math.min(Math.max(LIN_K, this.eigK), n));
    if (Number.isNaN(this.lossEnds)) this.lossEnds = this.endsLoss();
    const pl = this.lossEnds;
    const count = this.rods(this.y);
    const { da, db, wbar } = this;
    let osc = 0;
    if (this.form === 'vector') {
      this.dShow.set(da);
      for (let i = 0; i < n; i++) osc += da[i] * da[i];
    } else {
      // Displayed δ: the top direction √s₁v₁ = (da + db)/2 (or da with one rod), sign kept continuous.
      let c = 0;
      for (let i = 0; i < n; i++) {
        const v = count === 2 ? 0.5 * (da[i] + db[i]) : da[i];
        this.hm[i] = v;
        c += v * this.dShow[i];
      }
      const sg = c < 0 ? -1 : 1;
      for (let i = 0; i < n; i++) this.dShow[i] = sg * this.hm[i];
      for (let i = 0; i < n; i++) osc += this.rest[i * n + i];
    }
    return {
      w: wbar,
      centre: wbar,
      delta: this.dShow,
      loss: this.lossW,
      predictedLoss: pl,
      sharpness: this.sharpnessSample(wbar),
      osc,
    };
  }
}

/**
 * The linear part L of the vector form for the exponential integrator, from the top eigenpairs
 * (λ_k, u_k) of H(w̄) at the start of the step (P = Σ u_k u_kᵀ):
 *   rod:    L_r = −2I + η Σ λ_k u_k u_kᵀ      (the rod's linearisation (ηH − 2) on span(u), −2 elsewhere)
 *   centre: L_c = −Σ a_k u_k u_kᵀ, a_k = ηλ_k(1 + ηλ_k/2) (ηλ_k without the backward-error term)
 * Any L gives the same ODE; this one removes the stiff part of both blocks. See docs/numerics-flows.md.
 */
/** τφ₁(τρ) = (e^{τρ} − 1)/ρ, by its series where ρτ is small (no cancellation). */
function tauPhi1(rho: number, tau: number): number {
  const z = rho * tau;
  if (Math.abs(z) < 1e-3) return tau * (1 + z / 2 + (z * z) / 6 + (z * z * z) / 24);
  return Math.expm1(z) / rho;
}

export class RodLinear implements LinearPart {
  private readonly n: number;
  private readonly eta: number;
  private readonly be: boolean;
  private U: Vec[] = [];
  private lam: number[] = [];
  private readonly cc: number[] = [];
  private readonly cr: number[] = [];
  /**
   * The rod's rate off span(u). −2 (not a rate between −2 and the untracked modes' ηλ − 2): the modes
   * with λ ≈ 0 carry most of a fresh rod (GD's half step), and a shift towards ηλ₃ − 2 made the first
   * steps from GD's step-300 iterate on mlp-teacher cost 11.4 and 14.0 RHS per step (shift ¼, ½) against 9.5.
   */
  private readonly off = -2;

  constructor(n: number, eta: number, backwardError: boolean) {
    this.n = n;
    this.eta = eta;
    this.be = backwardError;
  }

  /** Takes the first k pairs with λ > 0 (copies the vectors). */
  set(values: ArrayLike<number>, vectors: Vec[], k: number): void {
    this.U = [];
    this.lam = [];
    for (let i = 0; i < k; i++) {
      const l = values[i];
      if (!(l > 0) || !Number.isFinite(l)) continue;
      this.U.push(Float64Array.from(vectors[i]));
      this.lam.push(l);
    }
  }

  private dots(x: Float64Array): void {
    const n = this.n;
    for (let k = 0; k < this.U.length; k++) {
      const u = this.U[k];
      let c = 0;
      let r = 0;
      for (let i = 0; i < n; i++) {
        c += u[i] * x[i];
        r += u[i] * x[n + i];
      }
      this.cc[k] = c;
      this.cr[k] = r;
    }
  }

  private rate(k: number): number {
    const el = this.eta * this.lam[k];
    return this.be ? el * (1 + 0.5 * el) : el;
  }

  /**
   * The rod's component on span(u) (the modes L holds, where a rod above the edge grows; the centre's part
   * is 0). The rest of the rod decays when the last tracked pair is below the edge (every untracked λ is
   * at most that one, so ηλ − 2 < 0 there, up to a crossing Lanczos has not seen yet): false otherwise.
   */
  tightPart(x: Float64Array, out: Float64Array): boolean {
    const n = this.n;
    const K = this.U.length;
    if (K === 0 || !(this.eta * this.lam[K - 1] < 2)) return false;
    this.dots(x);
    out.fill(0);
    for (let k = 0; k < K; k++) {
      const u = this.U[k];
      const c = this.cr[k];
      for (let i = 0; i < n; i++) out[n + i] += c * u[i];
    }
    return true;
  }

  apply(x: Float64Array, out: Float64Array): void {
    const n = this.n;
    this.dots(x);
    for (let i = 0; i < n; i++) {
      out[i] = 0;
      out[n + i] = this.off * x[n + i];
    }
    for (let k = 0; k < this.U.length; k++) {
      const u = this.U[k];
      const a = -this.rate(k) * this.cc[k];
      const b = (this.eta * this.lam[k] - 2 - this.off) * this.cr[k];
      for (let i = 0; i < n; i++) {
        out[i] += a * u[i];
        out[n + i] += b * u[i];
      }
    }
  }

  phi1(x: Float64Array, tau: number, out: Float64Array): void {
    const n = this.n;
    this.dots(x);
    const p2 = tauPhi1(this.off, tau);
    for (let i = 0; i < n; i++) {
      out[i] = tau * x[i];
      out[n + i] = p2 * x[n + i];
    }
    for (let k = 0; k < this.U.length; k++) {
      const u = this.U[k];
      const a = (tauPhi1(-this.rate(k), tau) - tau) * this.cc[k];
      const b = (tauPhi1(this.eta * this.lam[k] - 2, tau) - p2) * this.cr[k];
      for (let i = 0; i < n; i++) {
        out[i] += a * u[i];
        out[n + i] += b * u[i];
      }
    }
  }

  exp(x: Float64Array, tau: number, out: Float64Array): void {
    const n = this.n;
    this.dots(x);
    const e2 = Math.exp(this.off * tau);
    for (let i = 0; i < n; i++) {
      out[i] = x[i];
      out[n + i] = e2 * x[n + i];
    }
    for (let k = 0; k < this.U.length; k++) {
      const u = this.U[k];
      const a = (Math.exp(-this.rate(k) * tau) - 1) * this.cc[k];
      const b = (Math.exp((this.eta * this.lam[k] - 2) * tau) - e2) * this.cr[k];
      for (let i = 0; i < n; i++) {
        out[i] += a * u[i];
        out[n + i] += b * u[i];
      }
    }
  }
}

export const ROD_FLOW_SPEC: FlowSpec = {
  id: 'rod-flow',
  name: 'Rod flow',
  // Okabe–Ito vermillion.
  color: '#D55E00',
  description: 'GD’s consecutive pair as a rod (centre w̄, half-difference δ) evolved by the ODE promotion of GD’s exact one-step identities.',
  options: OPTIONS,
  create: (problem, eta, w0, options) => new RodFlow(problem, eta, w0, options),
};
