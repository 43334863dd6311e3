/**
 * Rod Flow (Regis & Chewi; dynamics.md §4). Two consecutive GD iterates are the two ends of a rod,
 * centre w̄ and half-difference δ; the exact one-step identities of GD are promoted to ODEs in t.
 * With g± = g(w̄ ± δ), H± = H(w̄ ± δ):
 *
 *   centre   dw̄/dt = −(η/2)(g₊ + g₋) − (η²/8)(H₊ + H₋)(g₊ + g₋)      (2nd term: option backwardError)
 *   Σ form   dΣ/dt = (η²/4)(g₊g₊ᵀ + g₋g₋ᵀ) − 2Σ                       (full dim×dim matrix)
 *   vector   dr/dt = (η/2)(g(w̄ + r) − g(w̄ − r)) − 2r                 (r = (−1)^k δ_k, Σ = rrᵀ)
 *
 * Initial condition: the first GD pair, w̄(0) = (w₀ + w₁)/2, δ(0) = r(0) = (w₁ − w₀)/2, Σ(0) = δδᵀ.
 *
 * Design choices (documented because the paper's own text was not available to us):
 *  - form 'auto' picks Σ for dim ≤ 8 (exact outer product; cheap there) and the vector form above.
 *  - Ends from Σ. Under GD, Σ_k = δ_kδ_kᵀ is exactly rank one at integer k, but the ODE's Σ is
 *    sign-blind: when δ has a steady part (the centre's own motion, which does not flip) and an
 *    alternating part (the EoS oscillation, which does), their cross term averages out and Σ becomes
 *    rank two. Its source (η²/8)(ssᵀ + ddᵀ), s = g₊+g₋, d = g₊−g₋, is rank ≤ 2 and −2Σ kills the
 *    rest, so Σ is rank ≤ 2 up to decaying transients. With Σ's top eigenpairs (s₁,v₁), (s₂,v₂) we
 *    take the two rods δ± = √s₁v₁ ± √s₂v₂ (each of outer product Σ up to the cross term, which
 *    cancels in their mean) and average the right-hand side over them; when s₂ ≤ 1e-14·s₁ (rank one,
 *    e.g. at every GD 2-cycle) this is the single rod √s₁v₁ and costs half. Why not the top
 *    eigenvector alone: on the self-stabilization toy it is the steady direction (y), the
 *    oscillation lives in s₂ (x), and a single-rod Σ form never enters EoS (S ran to 440 vs 2/η = 200).
 *  - The Σ form differs from the vector form below EoS: its source keeps Σ ≈ (η²/4)ggᵀ, GD's own half
 *    step (not only the alternating part), whereas r decays (see `seed`).
 *  - Vector form, tiny rods: once ‖r‖∞ ≤ 1e-6‖w̄‖∞, w̄ ± r no longer resolves r (cancellation; r at
 *    the ulp of w̄ is lost entirely and dr/dt = −2r then kills it), so g₊ − g₋ is evaluated as
 *    2H(w̄)r (exact up to O(|r|³)). Without this the rod collapses to exactly 0 and never comes back.
 *  - Integrator: adaptive Dormand–Prince 5(4) with steps ≤ 0.5 (default), or fixed RK4 with h = 0.5
 *    (dynamics.md: RK4 at ≤ 0.5 reproduced the fine-step solution; 1.0 broke it). The adaptive error
 *    is normwise per block (centre, rod): each is kept accurate relative to its own size, not every
 *    entry relative to itself. Componentwise control spent its effort on entries that do not matter
 *    (biases starting at 0, rod modes decaying at rate 2 − ηλ) and needed h ≈ 0.06 in the first steps
 *    of a 20k-parameter net (89 right-hand sides per step; 43 with blocks, same trajectory to 1e-9).
 *  - seed: a rod that decayed far below GD's own oscillation grows back far too late, so the vector
 *    form misses the onset of EoS after a long sharpening phase. At every integer time, if
 *    λ₁(w̄) > 2/η, the rod's component along the top eigenvector u is floored (vector form: |⟨r,u⟩|;
 *    Σ form: uᵀΣu ≥ floor²). Below 2/η nothing is touched; at EoS the rod is far above the floor.
 *      'roundoff' (default): floor = ε‖w̄‖ (ε = the problem's unit round-off: 2⁻⁵³ in float64, 2⁻²⁴ on a
 *        float32 twin), the size of the rounding GD commits on its own iterate every step: that, in a
 *        smooth deterministic problem, is what re-seeds GD's alternating component after it has
 *        decayed during sharpening (float32 GD leaves the edge's fixed point ~1e9× sooner, and so must
 *        the rod that models it).
 *      'step': floor = (η/2)|⟨g(w̄),u⟩|, GD's half step along u (dynamics.md's suggestion; the Σ form
 *        carries this seed by construction).
 *    Measured on self-stab (η = 0.01, start (0, 12); GD crosses 2/η at step 716 and catapults, |δ|²
 *    > 1e-4, at step 1022 with max S = 227.8): vector+roundoff catapults at 976 (max S 223.6),
 *    vector+step at 919 (218.7), Σ form at 895 (216.7), vector with no seed at 1396 (262.2); before
 *    the tiny-rod fix above, no seed meant never (S ran to 440). See test/flows-rod.test.ts.
 *    On the network mlp-chebyshev (η = 0.2, vector form): GD crosses 2/η at 325 and peaks at S = 14.27
 *    at step 437; roundoff seed peaks at 13.42 (step 421), step seed 11.91 (384), no seed 20.24 (560).
 *  - Divergence: besides the centre's loss, the mean loss at the rod's ends is checked (on a quadratic
 *    above 2/η the centre sits at the minimum while the ends run away).
 *  - Cost per right-hand side: 2 gradients (+ 2 HVPs with the backward-error term) per rod; a vector
 *    rod below the resolution of w̄ ± r costs 1 gradient + 2 HVPs (all at w̄, see addTinyRod); the Σ form
 *    uses two rods only while Σ is genuinely rank two (early transients, EoS onset). At h = hmax = 0.5
 *    that is 12 right-hand sides per GD step (2 Dopri steps, FSAL), i.e. 72 gradient units (HVP = 2),
 *    60 with a tiny rod; Central Flow on mlp-teacher costs ≈ 89 (bench/networks.ts). The cost on a
 *    wide net's first steps is the adaptive control, not stiffness or the backward-error term: on
 *    moons 2→40→40→1 at η = 1/λ_max(w₀) the first 5 steps take 53 RHS per step with or without that
 *    term and no rejected step (the rod, GD's first half-step, decays at rates 2 − ηλ ∈ [1, 2] and
 *    rtol = 1e-8 relative to its own size asks h ≈ 0.13); by step 20, h = hmax and 12 RHS per step.
 */
import type { Flow, FlowOptions, FlowSample, FlowSpec, OptionSpec, Problem, Vec } from '../types.ts';
import { symeig } from '../linalg/symeig.ts';
import { FlowBase, readOptions } from './base.ts';
import { Dopri5, Rk4, type Integrator } from './ode.ts';
import { eig2 } from './spectrum.ts';
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
    default: 'adaptive',
    choices: [
      { value: 'adaptive', label: 'adaptive Dormand–Prince (h ≤ 0.5)' },
      { value: 'rk4', label: 'RK4, h = 0.5' },
    ],
  },
  { key: 'rtol', label: 'relative tolerance', type: 'number', default: 1e-8, min: 1e-13, max: 1e-2, help: 'Adaptive integrator only.' },
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
    this.ode =
      opts.integrator === 'rk4'
        ? new Rk4(size, rhs, 0.5)
        : new Dopri5(size, rhs, { rtol: floorTolerance(opts.rtol as number, problem), atol: (opts.rtol as number) * 1e-6, hmax: 0.5, blocks: [n, size] });
    this.lossW = problem.loss(this.wbar);
    // The centre moves smoothly (it does not flip like GD's iterates), so its Lanczos solves (seed and
    // recorded sharpness, one per step) warm-start from the extrapolated eigenvectors and stop at a
    // relative residual of 1e-6: the eigenvalue error is ≲ (1e-6‖H‖)²/gap (≈ 3e-10 on mlp-teacher),
    // far below anything the seed's test λ₁ > 2/η or the plots can see. On mlp-teacher, steps 300–400,
    // this took the flow's Lanczos cost from ≈ 22 to ≈ 5 HVPs per step (see bench/networks.ts).
    this.spectrum.warmMode = 'extrapolate';
    this.spectrum.tol = 1e-6;
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
  private applySeed(): void {
    const sp = this.spectrumAt(this.wbar, 1);
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
    if (this.stopped) return;
    if (this.seedMode !== 'off') this.applySeed();
    this.yPrev.set(this.y);
    const ok = this.ode.integrate(this.y, 1);
    const L = ok ? this.problem.loss(this.wbar) : NaN;
    // The ends can run away while the centre sits still (a quadratic above 2/η): check them too.
    const Lends = ok && !this.badLoss(L) ? this.endsLoss() : NaN;
    if (!ok || this.badLoss(L) || this.badLoss(Lends)) {
      this.y.set(this.yPrev);
      this.ode.reset();
      const what = !ok ? 'state became non-finite' : this.badLoss(L) ? this.describeLoss(L) : `the rod’s ${this.describeLoss(Lends)}`;
      this.stop(this.t + 1, what, this.wbar);
      return;
    }
    this.lossW = L;
    this.lossEnds = Lends;
    this.t++;
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

export const ROD_FLOW_SPEC: FlowSpec = {
  id: 'rod-flow',
  name: 'Rod flow',
  // Okabe–Ito vermillion.
  color: '#D55E00',
  description: 'GD’s consecutive pair as a rod (centre w̄, half-difference δ) evolved by the ODE promotion of GD’s exact one-step identities.',
  options: OPTIONS,
  create: (problem, eta, w0, options) => new RodFlow(problem, eta, w0, options),
};
