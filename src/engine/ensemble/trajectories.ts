/**
 * One trajectory of each flow on a 1-D/2-D field, in float64, written as the GPU kernels
 * (wgsl/kernels.ts) are: same steps, same branches, same record layout. This is the CPU fallback's
 * engine and the oracle the sampled GPU check compares with. Each function is tested against the
 * engine's own flow (flows/*.ts) in test/ensemble-trajectories.test.ts:
 *  - GD: exactly the engine's iterates;
 *  - Rod Flow: the engine's Σ form with fixed-step RK4 (h = 0.5), backward-error term on, round-off seed;
 *  - Central Flow: the engine's Euler scheme (4 substeps, look-ahead drift correction, backtracking),
 *    with the k = 2 QP solved in closed form by cases (qp2 below) instead of qp.ts's iterative solver;
 *  - gradient flow: RK4 with m = max(2, ⌈4η·max|λ|⌉) substeps per unit time (the engine adapts
 *    Dormand–Prince; both are far below the tolerance the views use).
 * Divergence is the engine's rule (flows/base.ts): the loss non-finite or |L| > 1e6·(|L₀| + 1).
 */
import type { ScalarField } from '../problems/field.ts';
import { eig2 } from '../flows/spectrum.ts';
import { BACKTRACK_BAND, TRACK } from '../flows/central-flow.ts';
import { FLOAT64_ROUNDOFF } from '../flows/precision.ts';

/** GD's recorded iterates at the end of a run (its attractor in the views). */
export const REC = 64;
/** GD: floats per trajectory. [status, divStep, ΣS (sum over the window), nS, x, y, lossLimit, 0, rec x/y × REC]. */
export const GD_STRIDE = 8 + 2 * REC;
/** Rod / Central / gradient flow: [status, divStep, x, y, Σxx, Σxy, Σyy, lossLimit]. */
export const FLOW_STRIDE = 8;
/** Σ's second eigenvalue below RANK_TOL·s₁ is round-off (float64; float32 kernels use 1e-5). */
export const RANK_TOL_F64 = 1e-14;
export const RANK_TOL_F32 = 1e-5;
/** Steps of GD's time-averaged sharpness: the last min(SHARP_WINDOW, T/2) steps. */
export const SHARP_WINDOW = 256;

/** GD's exact-cycle detector looks back up to CYCLE iterates (periods 1, 2, 4, …, CYCLE). */
const CYCLE = 8;
const CYCLE_MASK = CYCLE - 1;

export type EnsembleFlow = 'gd' | 'rod-flow' | 'central-flow' | 'gradient-flow';

export function strideOf(flow: EnsembleFlow): number {
  return flow === 'gd' ? GD_STRIDE : FLOW_STRIDE;
}

/** Steps over which GD averages its sharpness, for a horizon of T steps. */
export function sharpWindow(T: number): number {
  return Math.max(1, Math.min(SHARP_WINDOW, Math.floor(T / 2)));
}

/** Bitwise equality of two doubles (−0 ≠ +0; NaN never equal): an exact fixed point, not a near one. */
const same = (a: number, b: number) => a === b && (a !== 0 || 1 / a === 1 / b);

const lossLimit = (L0: number) => 1e6 * (Math.abs(L0) + 1);
const bad = (L: number, lim: number) => !(Math.abs(L) <= lim);

/** Float64 scratch shared by the integrators of one thread. */
export class Trajectories {
  private readonly dim: 1 | 2;
  private readonly f: ScalarField;
  private readonly g = new Float64Array(2);
  private readonly h = new Float64Array(3);
  private readonly t = new Float64Array(4);
  private readonly ev = new Float64Array(2);
  private readonly eu = new Float64Array(4);

  constructor(field: ScalarField) {
    this.f = field;
    this.dim = field.dim;
  }

  private loss(x: number, y: number): number {
    return this.f.f(x, this.dim === 2 ? y : 0);
  }
  private grad(x: number, y: number): Float64Array {
    this.f.g(x, this.dim === 2 ? y : 0, this.g);
    if (this.dim === 1) this.g[1] = 0;
    return this.g;
  }
  private hess(x: number, y: number): Float64Array {
    this.f.h(x, this.dim === 2 ? y : 0, this.h);
    if (this.dim === 1) {
      this.h[1] = 0;
      this.h[2] = 0;
    }
    return this.h;
  }
  private third(x: number, y: number): Float64Array {
    this.f.t(x, this.dim === 2 ? y : 0, this.t);
    if (this.dim === 1) this.t[1] = this.t[2] = this.t[3] = 0;
    return this.t;
  }
  /** Top eigenpair of H(x, y) into ev[0], eu[0..1] (1-D: λ = h_xx, u = (1, 0)); ev[1], eu[2..3] the other. */
  private eig(x: number, y: number): void {
    const h = this.hess(x, y);
    if (this.dim === 1) {
      this.ev[0] = h[0];
      this.ev[1] = -Infinity;
      this.eu[0] = 1;
      this.eu[1] = 0;
      return;
    }
    eig2(h[0], h[1], h[2], this.ev, this.eu);
  }

  /**
   * λ₁ at (x, y): eig2's top eigenvalue by its own formula (m + r, the same operations in the same order,
   * so the same bits) without the eigenvectors, which GD's window average does not need.
   */
  sharpness(x: number, y: number): number {
    const h = this.hess(x, y);
    if (this.dim === 1) return h[0];
    const a = h[0];
    const b = h[1];
    const c = h[2];
    const m = 0.5 * (a + c);
    const d = 0.5 * (a - c);
    let r = Math.sqrt(d * d + b * b);
    if (r === Infinity || (r === 0 && (d !== 0 || b !== 0)) || r < 1e-150) r = Math.hypot(d, b);
    return m + r;
  }

  // -------------------------------------------------------------------------------------------
  // GD

  /**
   * GD from (x0, y0) for T + 1 steps (so that the pair centre at time T exists). Records
   * w_{T+2−REC} … w_{T+1} and the mean of λ₁(w_k) over the last sharpWindow(T) steps k ≤ T.
   */
  gd(eta: number, x0: number, y0: number, T: number, out: Float64Array, o = 0): void {
    let x = x0;
    let y = this.dim === 2 ? y0 : 0;
    const lim = lossLimit(this.loss(x, y));
    const A = sharpWindow(T);
    const recFrom = T + 2 - REC;
    let sumS = 0;
    let nS = 0;
    let status = 0;
    let divStep = T + 1;
    out.fill(0, o, o + GD_STRIDE);
    // The last CYCLE iterates (ring buffer): once w_k equals w_{k−p} bit for bit, GD is exactly periodic
    // from there on (each step is a deterministic function of the state), so the rest of the run is
    // replayed from the ring instead of recomputed: the same numbers, added in the same order.
    const hx = this.ringX;
    const hy = this.ringY;
    for (let k = 0; k <= T; k++) {
      // Checked every CYCLE steps (a cycle is found at most CYCLE − 1 steps late; the check is cheap then).
      if ((k & CYCLE_MASK) === 0 && k > 0) {
        const p = this.periodOf(x, y, k);
        if (p > 0) {
          x = this.replay(p, k, T, A, recFrom, sumS, nS, out, o);
          y = this.replayY;
          sumS = this.replaySum;
          nS = this.replayN;
          break;
        }
      }
      hx[k & CYCLE_MASK] = x;
      hy[k & CYCLE_MASK] = y;
      // w_k is (x, y); average its sharpness inside the window; record it when in range.
      if (k > T - A) {
        sumS += this.sharpness(x, y);
        nS++;
      }
      if (k >= recFrom) {
        out[o + 8 + 2 * (k - recFrom)] = x;
        out[o + 9 + 2 * (k - recFrom)] = y;
      }
      const g = this.grad(x, y);
      const nx = x - eta * g[0];
      const ny = y - eta * g[1];
      if (bad(this.loss(nx, ny), lim)) {
        status = 1;
        divStep = k + 1;
        break;
      }
      x = nx;
      y = ny;
    }
    if (status === 0) {
      out[o + 8 + 2 * (REC - 1)] = x;
      out[o + 9 + 2 * (REC - 1)] = y;
    }
    out[o] = status;
    out[o + 1] = divStep;
    out[o + 2] = sumS;
    out[o + 3] = nS;
    out[o + 4] = x;
    out[o + 5] = y;
    out[o + 6] = lim;
  }

  private readonly ringX = new Float64Array(CYCLE);
  private readonly ringY = new Float64Array(CYCLE);
  private readonly ringS = new Float64Array(CYCLE);
  private replayY = 0;
  private replaySum = 0;
  private replayN = 0;

  /** Smallest p in {1, 2, 4, …, CYCLE} with w_k = w_{k−p} exactly (−0 ≠ +0), else 0. */
  private periodOf(x: number, y: number, k: number): number {
    const hx = this.ringX;
    const hy = this.ringY;
    for (let p = 1; p <= CYCLE && p <= k; p *= 2) {
      const j = (k - p) & CYCLE_MASK;
      if (hx[j] === x && hy[j] === y && (x !== 0 || 1 / hx[j] === 1 / x) && (y !== 0 || 1 / hy[j] === 1 / y)) return p;
    }
    return 0;
  }

  /**
   * GD from step k to T when w_k = w_{k−p}: w_{k+i} = w_{k−p+(i mod p)}, all of which passed the
   * divergence check already. Does the loop's window sums and records; returns w_{T+1}'s x
   * (y, ΣS and nS in replayY/Sum/N).
   */
  private replay(p: number, k: number, T: number, A: number, recFrom: number, sumS: number, nS: number, out: Float64Array, o: number): number {
    const hx = this.ringX;
    const hy = this.ringY;
    const hs = this.ringS;
    // λ₁ of each state of the cycle, once (the same value the loop would compute at each visit).
    for (let i = 0; i < p; i++) {
      const j = (k - p + i) & CYCLE_MASK;
      hs[j] = this.sharpness(hx[j], hy[j]);
    }
    for (let kk = k; kk <= T; kk++) {
      const j = (k - p + ((kk - k) % p)) & CYCLE_MASK;
      if (kk > T - A) {
        sumS += hs[j];
        nS++;
      }
      if (kk >= recFrom) {
        out[o + 8 + 2 * (kk - recFrom)] = hx[j];
        out[o + 9 + 2 * (kk - recFrom)] = hy[j];
      }
    }
    const j = (k - p + ((T + 1 - k) % p)) & CYCLE_MASK;
    this.replayY = hy[j];
    this.replaySum = sumS;
    this.replayN = nS;
    return hx[j];
  }

  // -------------------------------------------------------------------------------------------
  // Rod Flow, Σ form, RK4 h = 0.5

  private readonly ry = new Float64Array(5);
  private readonly rk = [new Float64Array(5), new Float64Array(5), new Float64Array(5), new Float64Array(5)];
  private readonly da = new Float64Array(2);
  private readonly rodStart = new Float64Array(5);
  private readonly db = new Float64Array(2);

  /** dy for y = [w̄x, w̄y, Σxx, Σxy, Σyy]. */
  rodRhs(eta: number, y: Float64Array, dy: Float64Array): void {
    const { da, db } = this;
    let count = 1;
    if (this.dim === 1) {
      da[0] = Math.sqrt(Math.max(0, y[2]));
      da[1] = 0;
    } else {
      eig2(y[2], y[3], y[4], this.ev, this.eu);
      const s1 = Math.sqrt(Math.max(0, this.ev[0]));
      const s2 = Math.max(0, this.ev[1]);
      da[0] = s1 * this.eu[0];
      da[1] = s1 * this.eu[1];
      if (s2 > RANK_TOL_F64 * this.ev[0]) {
        const r2 = Math.sqrt(s2);
        const bx = r2 * this.eu[2];
        const by = r2 * this.eu[3];
        db[0] = da[0] - bx;
        db[1] = da[1] - by;
        da[0] += bx;
        da[1] += by;
        count = 2;
      }
    }
    dy.fill(0);
    this.addRod(eta, y, da, 1 / count, dy);
    if (count === 2) this.addRod(eta, y, db, 0.5, dy);
    dy[2] -= 2 * y[2];
    dy[3] -= 2 * y[3];
    dy[4] -= 2 * y[4];
  }

  private addRod(eta: number, y: Float64Array, d: Float64Array, wt: number, dy: Float64Array): void {
    const px = y[0] + d[0];
    const py = y[1] + d[1];
    const mx = y[0] - d[0];
    const my = y[1] - d[1];
    let g = this.grad(px, py);
    const gpx = g[0];
    const gpy = g[1];
    g = this.grad(mx, my);
    const gmx = g[0];
    const gmy = g[1];
    const sx = gpx + gmx;
    const sy = gpy + gmy;
    dy[0] -= wt * 0.5 * eta * sx;
    dy[1] -= wt * 0.5 * eta * sy;
    // Backward-error term −(η²/8)(H₊ + H₋)s.
    let h = this.hess(px, py);
    let hx = h[0] * sx + h[1] * sy;
    let hy = h[1] * sx + h[2] * sy;
    h = this.hess(mx, my);
    hx += h[0] * sx + h[1] * sy;
    hy += h[1] * sx + h[2] * sy;
    const c = wt * 0.125 * eta * eta;
    dy[0] -= c * hx;
    dy[1] -= c * hy;
    const cs = wt * 0.25 * eta * eta;
    dy[2] += cs * (gpx * gpx + gmx * gmx);
    dy[3] += cs * (gpx * gpy + gmx * gmy);
    dy[4] += cs * (gpy * gpy + gmy * gmy);
  }

  /** Mean loss at the rod ends (the engine's predicted loss; its divergence check). */
  private rodEndsLoss(y: Float64Array): number {
    const { da } = this;
    if (this.dim === 1) {
      const d = Math.sqrt(Math.max(0, y[2]));
      return 0.5 * (this.loss(y[0] + d, 0) + this.loss(y[0] - d, 0));
    }
    eig2(y[2], y[3], y[4], this.ev, this.eu);
    const s1 = Math.sqrt(Math.max(0, this.ev[0]));
    const s2 = Math.max(0, this.ev[1]);
    da[0] = s1 * this.eu[0];
    da[1] = s1 * this.eu[1];
    if (!(s2 > RANK_TOL_F64 * this.ev[0])) {
      return 0.5 * (this.loss(y[0] + da[0], y[1] + da[1]) + this.loss(y[0] - da[0], y[1] - da[1]));
    }
    const r2 = Math.sqrt(s2);
    let pl = 0;
    for (const sg of [1, -1]) {
      const dx = da[0] + sg * r2 * this.eu[2];
      const dyv = da[1] + sg * r2 * this.eu[3];
      pl += 0.25 * (this.loss(y[0] + dx, y[1] + dyv) + this.loss(y[0] - dx, y[1] - dyv));
    }
    return pl;
  }

  rod(eta: number, x0: number, y0: number, T: number, out: Float64Array, o = 0, roundoff = FLOAT64_ROUNDOFF): void {
    const y = this.ry;
    const w0y = this.dim === 2 ? y0 : 0;
    const lim = lossLimit(this.loss(x0, w0y));
    const g = this.grad(x0, w0y);
    const dx = -0.5 * eta * g[0];
    const dyv = -0.5 * eta * g[1];
    y[0] = x0 + dx;
    y[1] = w0y + dyv;
    y[2] = dx * dx;
    y[3] = dx * dyv;
    y[4] = dyv * dyv;
    let status = 0;
    let divStep = T;
    const [k1, k2, k3, k4] = this.rk;
    const yt = new Float64Array(5);
    const prev = new Float64Array(5);
    const atStart = this.rodStart;
    for (let step = 0; step < T; step++) {
      atStart.set(y);
      // Seed (roundoff): once λ₁(w̄) > 2/η, floor uᵀΣu at (ε‖w̄‖)².
      this.eig(y[0], y[1]);
      if (this.ev[0] > 2 / eta) {
        const ux = this.eu[0];
        const uy = this.eu[1];
        const fl = roundoff * Math.sqrt(y[0] * y[0] + y[1] * y[1]);
        const c2 = ux * ux * y[2] + 2 * ux * uy * y[3] + uy * uy * y[4];
        if (fl > 0 && c2 < fl * fl) {
          const add = fl * fl - c2;
          y[2] += add * ux * ux;
          y[3] += add * ux * uy;
          y[4] += add * uy * uy;
        }
      }
      prev.set(y);
      let ok = true;
      for (let s = 0; s < 2 && ok; s++) {
        const hh = 0.5;
        this.rodRhs(eta, y, k1);
        for (let i = 0; i < 5; i++) yt[i] = y[i] + 0.5 * hh * k1[i];
        this.rodRhs(eta, yt, k2);
        for (let i = 0; i < 5; i++) yt[i] = y[i] + 0.5 * hh * k2[i];
        this.rodRhs(eta, yt, k3);
        for (let i = 0; i < 5; i++) yt[i] = y[i] + hh * k3[i];
        this.rodRhs(eta, yt, k4);
        for (let i = 0; i < 5; i++) y[i] += (hh / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        for (let i = 0; i < 5; i++) if (!Number.isFinite(y[i])) ok = false;
      }
      const L = ok ? this.loss(y[0], y[1]) : NaN;
      if (!ok || bad(L, lim) || bad(this.rodEndsLoss(y), lim)) {
        y.set(prev);
        status = 1;
        divStep = step + 1;
        break;
      }
      // A step is a deterministic map of the state: an exact fixed point stays put for every later step.
      if (same(y[0], atStart[0]) && same(y[1], atStart[1]) && same(y[2], atStart[2]) && same(y[3], atStart[3]) && same(y[4], atStart[4])) break;
    }
    out[o] = status;
    out[o + 1] = divStep;
    out[o + 2] = y[0];
    out[o + 3] = y[1];
    out[o + 4] = y[2];
    out[o + 5] = y[3];
    out[o + 6] = y[4];
    out[o + 7] = lim;
  }

  // -------------------------------------------------------------------------------------------
  // Central Flow (≤ 2-D), Euler with 4 substeps

  /** Result of `cfCompute`: direction, Σ = U X Uᵀ (xx, xy, yy), tr X, k, λ₁. */
  readonly cf = { dx: 0, dy: 0, sxx: 0, sxy: 0, syy: 0, tr: 0, k: 0, lam1: 0 };

  /** The central flow's correction at (x, y) with substep dt (flows/central-flow.ts `compute`). */
  cfCompute(eta: number, x: number, y: number, dt: number): void {
    const cf = this.cf;
    const thr = 2 / eta;
    const g = this.grad(x, y);
    const gx = g[0];
    const gy = g[1];
    this.eig(x, y);
    const l1 = this.ev[0];
    const l2 = this.ev[1];
    const u1x = this.eu[0];
    const u1y = this.eu[1];
    const u2x = this.eu[2];
    const u2y = this.eu[3];
    cf.lam1 = l1;
    let k = 0;
    if (l1 > TRACK / eta) k = 1;
    if (k === 1 && this.dim === 2 && l2 > TRACK / eta) k = 2;
    cf.k = k;
    cf.dx = gx;
    cf.dy = gy;
    cf.sxx = cf.sxy = cf.syy = cf.tr = 0;
    if (k === 0) return;
    const t = this.third(x, y);
    // D_ij = T[u_i, u_j] (a vector), E = (D11, √2 D12, D22); α' = ⟨E, g⟩ − (λ − 2/η)/(η dt) on the diagonal.
    const tuu = (ax: number, ay: number, bx: number, by: number, out: Float64Array) => {
      const p00 = ax * bx;
      const pm = ax * by + ay * bx;
      const p11 = ay * by;
      out[0] = t[0] * p00 + t[1] * pm + t[2] * p11;
      out[1] = t[1] * p00 + t[2] * pm + t[3] * p11;
    };
    const E = this.cfE;
    tuu(u1x, u1y, u1x, u1y, E[0]);
    const drift = (i: number) => (Number.isFinite(dt) ? ((i === 0 ? l1 : l2) - thr) / (eta * dt) : 0);
    if (k === 1) {
      const a = E[0][0] * gx + E[0][1] * gy - drift(0);
      const G = E[0][0] * E[0][0] + E[0][1] * E[0][1];
      const xs = G > 0 ? Math.max(0, (-2 * a) / G) : 0;
      cf.dx += 0.5 * xs * E[0][0];
      cf.dy += 0.5 * xs * E[0][1];
      cf.sxx = xs * u1x * u1x;
      cf.sxy = xs * u1x * u1y;
      cf.syy = xs * u1y * u1y;
      cf.tr = xs;
      return;
    }
    tuu(u1x, u1y, u2x, u2y, E[1]);
    E[1][0] *= Math.SQRT2;
    E[1][1] *= Math.SQRT2;
    tuu(u2x, u2y, u2x, u2y, E[2]);
    const a = this.cfA;
    const G = this.cfG;
    for (let p = 0; p < 3; p++) {
      a[p] = E[p][0] * gx + E[p][1] * gy;
      for (let q = 0; q < 3; q++) G[p * 3 + q] = E[p][0] * E[q][0] + E[p][1] * E[q][1];
    }
    a[0] -= drift(0);
    a[2] -= drift(1);
    const X = this.cfX;
    qp2(G, a, X);
    cf.dx += 0.5 * (X[0] * E[0][0] + X[1] * E[1][0] + X[2] * E[2][0]);
    cf.dy += 0.5 * (X[0] * E[0][1] + X[1] * E[1][1] + X[2] * E[2][1]);
    // Σ = U X Uᵀ with X = [[x0, x1/√2], [x1/√2, x2]].
    const x01 = X[1] / Math.SQRT2;
    cf.sxx = X[0] * u1x * u1x + 2 * x01 * u1x * u2x + X[2] * u2x * u2x;
    cf.sxy = X[0] * u1x * u1y + x01 * (u1x * u2y + u2x * u1y) + X[2] * u2x * u2y;
    cf.syy = X[0] * u1y * u1y + 2 * x01 * u1y * u2y + X[2] * u2y * u2y;
    cf.tr = X[0] + X[2];
  }
  private readonly cfE = [new Float64Array(2), new Float64Array(2), new Float64Array(2)];
  private readonly cfA = new Float64Array(3);
  private readonly cfG = new Float64Array(9);
  private readonly cfX = new Float64Array(3);

  central(eta: number, x0: number, y0: number, T: number, out: Float64Array, o = 0, substeps = 4): void {
    let x = x0;
    let y = this.dim === 2 ? y0 : 0;
    const lim = lossLimit(this.loss(x, y));
    const dt = 1 / substeps;
    const cf = this.cf;
    let status = 0;
    let divStep = T;
    const edge = 2 / eta;
    for (let step = 0; step < T && status === 0; step++) {
      const px = x;
      const py = y;
      let ok = true;
      for (let s = 0; s < substeps; s++) {
        this.cfCompute(eta, x, y, dt);
        if (!Number.isFinite(cf.dx) || !Number.isFinite(cf.dy)) {
          ok = false;
          break;
        }
        const excess = cf.k > 0 && cf.tr > 0 ? cf.lam1 - edge : 0;
        const sx = x;
        const sy = y;
        x = sx - eta * dt * cf.dx;
        y = sy - eta * dt * cf.dy;
        if (excess > BACKTRACK_BAND * edge) {
          let theta = 1;
          let bestTheta = 1;
          let best = Infinity;
          for (let tries = 0; tries < 20; tries++) {
            const e2 = Math.abs(this.sharpness(x, y) - edge);
            if (e2 < best) {
              best = e2;
              bestTheta = theta;
            }
            if (e2 <= 0.5 * Math.abs(excess)) break;
            theta *= 0.5;
            this.cfCompute(eta, sx, sy, dt / theta);
            x = sx - eta * dt * cf.dx;
            y = sy - eta * dt * cf.dy;
          }
          if (best > 0.5 * Math.abs(excess) && bestTheta !== theta) {
            this.cfCompute(eta, sx, sy, dt / bestTheta);
            x = sx - eta * dt * cf.dx;
            y = sy - eta * dt * cf.dy;
          }
        }
      }
      const L = ok && Number.isFinite(x) && Number.isFinite(y) ? this.loss(x, y) : NaN;
      if (bad(L, lim)) {
        x = px;
        y = py;
        status = 1;
        divStep = step + 1;
      } else if (same(x, px) && same(y, py)) break; // an exact fixed point (see rod)
    }
    // Σ at the final state (what the engine samples at time T).
    this.cfCompute(eta, x, y, dt);
    out[o] = status;
    out[o + 1] = divStep;
    out[o + 2] = x;
    out[o + 3] = y;
    out[o + 4] = cf.sxx;
    out[o + 5] = cf.sxy;
    out[o + 6] = cf.syy;
    out[o + 7] = lim;
  }

  // -------------------------------------------------------------------------------------------
  // Gradient flow, RK4 with ⌈4η·max|λ|⌉ substeps

  gradientFlow(eta: number, x0: number, y0: number, T: number, out: Float64Array, o = 0): void {
    let x = x0;
    let y = this.dim === 2 ? y0 : 0;
    const lim = lossLimit(this.loss(x, y));
    let status = 0;
    let divStep = T;
    for (let step = 0; step < T; step++) {
      this.eig(x, y);
      const rho = Math.max(Math.abs(this.ev[0]), this.dim === 2 ? Math.abs(this.ev[1]) : 0);
      const m = Math.min(4096, Math.max(2, Math.ceil(4 * eta * rho)));
      const h = 1 / m;
      const px = x;
      const py = y;
      for (let s = 0; s < m; s++) {
        let g = this.grad(x, y);
        const k1x = -eta * g[0];
        const k1y = -eta * g[1];
        g = this.grad(x + 0.5 * h * k1x, y + 0.5 * h * k1y);
        const k2x = -eta * g[0];
        const k2y = -eta * g[1];
        g = this.grad(x + 0.5 * h * k2x, y + 0.5 * h * k2y);
        const k3x = -eta * g[0];
        const k3y = -eta * g[1];
        g = this.grad(x + h * k3x, y + h * k3y);
        const k4x = -eta * g[0];
        const k4y = -eta * g[1];
        x += (h / 6) * (k1x + 2 * k2x + 2 * k3x + k4x);
        y += (h / 6) * (k1y + 2 * k2y + 2 * k3y + k4y);
      }
      const L = Number.isFinite(x) && Number.isFinite(y) ? this.loss(x, y) : NaN;
      if (bad(L, lim)) {
        x = px;
        y = py;
        status = 1;
        divStep = step + 1;
        break;
      }
      if (same(x, px) && same(y, py)) break; // an exact fixed point (see rod)
    }
    out.fill(0, o, o + FLOW_STRIDE);
    out[o] = status;
    out[o + 1] = divStep;
    out[o + 2] = x;
    out[o + 3] = y;
    out[o + 7] = lim;
  }

  /** Runs `flow` for trajectory inputs (η, x0, y0) into out at offset o. */
  run(flow: EnsembleFlow, eta: number, x0: number, y0: number, T: number, out: Float64Array, o: number): void {
    if (flow === 'gd') this.gd(eta, x0, y0, T, out, o);
    else if (flow === 'rod-flow') this.rod(eta, x0, y0, T, out, o);
    else if (flow === 'central-flow') this.central(eta, x0, y0, T, out, o);
    else this.gradientFlow(eta, x0, y0, T, out, o);
  }
}

/**
 * min_{X ⪰ 0} ¼xᵀGx + aᵀx over 2×2 symmetric X in svec coordinates x = (X₁₁, √2X₁₂, X₂₂), G 3×3 PSD.
 * Convex, so the minimiser is (i) the unconstrained stationary point x = −2G⁻¹a when that X is PSD,
 * else on the cone's boundary: (ii) rank one X = s·vvᵀ, v = (cos φ, sin φ), where for fixed φ the
 * best s is max(0, −2aᵀe/eᵀGe), e = svec(vvᵀ), leaving a 1-D problem in φ (a 64-point scan of
 * [0, π) then 30 golden-section steps around the best), or (iii) X = 0. The kernels do the same.
 */
export function qp2(G: Float64Array, a: Float64Array, out: Float64Array): void {
  // (i) interior: G x = −2a by Cramer's rule when G is well conditioned.
  const [g00, g01, g02, , g11, g12, , , g22] = [G[0], G[1], G[2], G[3], G[4], G[5], G[6], G[7], G[8]];
  const c00 = g11 * g22 - g12 * g12;
  const c01 = g02 * g12 - g01 * g22;
  const c02 = g01 * g12 - g02 * g11;
  const det = g00 * c00 + g01 * c01 + g02 * c02;
  const trG = g00 + g11 + g22;
  if (Math.abs(det) > 1e-10 * trG * trG * trG) {
    const c11 = g00 * g22 - g02 * g02;
    const c12 = g01 * g02 - g00 * g12;
    const c22 = g00 * g11 - g01 * g01;
    const b0 = -2 * a[0];
    const b1 = -2 * a[1];
    const b2 = -2 * a[2];
    const x0 = (c00 * b0 + c01 * b1 + c02 * b2) / det;
    const x1 = (c01 * b0 + c11 * b1 + c12 * b2) / det;
    const x2 = (c02 * b0 + c12 * b1 + c22 * b2) / det;
    // X PSD ⟺ X₁₁ ≥ 0, X₂₂ ≥ 0, X₁₁X₂₂ ≥ X₁₂² (x1²/2).
    if (x0 >= 0 && x2 >= 0 && x0 * x2 >= 0.5 * x1 * x1) {
      out[0] = x0;
      out[1] = x1;
      out[2] = x2;
      return;
    }
  }
  // (ii) rank one, value(φ) = −max(0, −aᵀe)² / eᵀGe.
  const value = (phi: number): number => {
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    const e0 = c * c;
    const e1 = Math.SQRT2 * c * s;
    const e2 = s * s;
    const ae = a[0] * e0 + a[1] * e1 + a[2] * e2;
    const q = e0 * (g00 * e0 + 2 * g01 * e1 + 2 * g02 * e2) + e1 * (g11 * e1 + 2 * g12 * e2) + g22 * e2 * e2;
    if (!(ae < 0) || !(q > 0)) return 0;
    return -(ae * ae) / q;
  };
  const N = 64;
  let best = 0;
  let bi = -1;
  for (let i = 0; i < N; i++) {
    const v = value((Math.PI * i) / N);
    if (v < best) {
      best = v;
      bi = i;
    }
  }
  out[0] = out[1] = out[2] = 0;
  if (bi < 0) return; // (iii)
  let lo = (Math.PI * (bi - 1)) / N;
  let hi = (Math.PI * (bi + 1)) / N;
  const r = 0.6180339887498949;
  let p = hi - r * (hi - lo);
  let q = lo + r * (hi - lo);
  let fp = value(p);
  let fq = value(q);
  for (let it = 0; it < 30; it++) {
    if (fp < fq) {
      hi = q;
      q = p;
      fq = fp;
      p = hi - r * (hi - lo);
      fp = value(p);
    } else {
      lo = p;
      p = q;
      fp = fq;
      q = lo + r * (hi - lo);
      fq = value(q);
    }
  }
  const phi = 0.5 * (lo + hi);
  const c = Math.cos(phi);
  const s = Math.sin(phi);
  const e0 = c * c;
  const e1 = Math.SQRT2 * c * s;
  const e2 = s * s;
  const ae = a[0] * e0 + a[1] * e1 + a[2] * e2;
  const qq = e0 * (g00 * e0 + 2 * g01 * e1 + 2 * g02 * e2) + e1 * (g11 * e1 + 2 * g12 * e2) + g22 * e2 * e2;
  const sc = qq > 0 ? Math.max(0, (-2 * ae) / qq) : 0;
  out[0] = sc * e0;
  out[1] = sc * e1;
  out[2] = sc * e2;
}
