/**
 * The central flow's small PSD-constrained QP (docs/equations.md §3):
 *
 *     min_{X ⪰ 0}  f(X) = ¼⟨X, 𝔅[X]⟩ + ⟨α, X⟩,     X symmetric k×k (k = eigenvalues at the edge).
 *
 * Coordinates: svec, x_p = X_ii on the diagonal and √2·X_ij (i < j) off it, ordered (0,0),(0,1),…,
 * (0,k−1),(1,1),…; then ⟨A, X⟩ = svec(A)·svec(X) and f = ¼xᵀGx + aᵀx with G = Gram matrix of
 * E_p = D_ii (diagonal) or √2·D_ij (off-diagonal), a = svec(α). The gradient is ½Gx + a = svec(Z),
 * Z = α + ½𝔅[X]; optimality (KKT) is X ⪰ 0, Z ⪰ 0, ⟨X, Z⟩ = 0.
 *
 * Solver: k = 1 in closed form, X = max(0, −2a/G). For k ≥ 2, accelerated projected gradient (FISTA
 * with O'Donoghue–Candès gradient restart) on the PSD cone, the projection being an eigen-decomposition
 * with negative eigenvalues clipped; then a "polish" step that fixes the range V of the iterate and
 * solves the reduced problem X = V Y Vᵀ exactly (a linear system, pseudo-inverse for singular G),
 * accepted only when it is PSD and has smaller KKT residuals. The answer is certified by its KKT
 * residuals (returned), which for a convex problem prove optimality.
 *
 * 𝔅 can be singular (D_ij linearly dependent, e.g. k(k+1)/2 > dim). The accelerated iteration then
 * uses a tiny Tikhonov term ε‖X‖²/4, ε = 1e-12·tr(G)/m, to stay strongly convex; the polish solves the
 * unregularised reduced problem with a pseudo-inverse (least-norm minimiser on the face). If 𝔅 is
 * singular AND α' is negative along a PSD null direction (constraints that no first-order move can
 * satisfy) the QP is unbounded: the answer is then large and its KKT residual says so (`kkt.max`).
 */
import { symeig } from '../linalg/symeig.ts';

export function svecSize(k: number): number {
  return (k * (k + 1)) / 2;
}

/** svec index of (i, j), i ≤ j. */
export function svecIndex(k: number, i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  return i * k - (i * (i - 1)) / 2 + (j - i);
}

/** Symmetric k×k (row-major) → svec. */
export function svec(k: number, X: ArrayLike<number>, out: Float64Array = new Float64Array(svecSize(k))): Float64Array {
  let p = 0;
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) out[p++] = i === j ? X[i * k + i] : Math.SQRT2 * 0.5 * (X[i * k + j] + X[j * k + i]);
  return out;
}

/** svec → symmetric k×k (row-major). */
export function smat(k: number, x: ArrayLike<number>, out: Float64Array = new Float64Array(k * k)): Float64Array {
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const v = i === j ? x[p] : x[p] / Math.SQRT2;
      out[i * k + j] = v;
      out[j * k + i] = v;
      p++;
    }
  }
  return out;
}

/** Euclidean projection of svec x onto the PSD cone (in place). Returns the smallest eigenvalue before clipping. */
export function projectPsd(k: number, x: Float64Array): number {
  if (k === 1) {
    const v = x[0];
    if (v < 0) x[0] = 0;
    return v;
  }
  const e = symeig(smat(k, x), k);
  const X = new Float64Array(k * k);
  for (let q = 0; q < k; q++) {
    const l = e.values[q];
    if (l <= 0) continue;
    const u = e.vectors[q];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) X[i * k + j] += l * u[i] * u[j];
  }
  svec(k, X, x);
  return e.values[k - 1];
}

export interface KktResiduals {
  /** max(0, −λ_min(X)) relative to ‖X‖. */
  primal: number;
  /** max(0, −λ_min(Z)) relative to the scale of Z's terms. */
  dual: number;
  /** |⟨X, Z⟩| relative to ‖X‖·scale(Z). */
  complementarity: number;
  /** ‖X − Π(X − Z)‖ relative (the natural residual: zero exactly at the optimum). */
  natural: number;
  /** Largest of the four. */
  max: number;
}

export interface PsdQpResult {
  /** The minimiser, symmetric k×k row-major. */
  X: Float64Array;
  /** The minimiser in svec coordinates. */
  x: Float64Array;
  /** Objective value ¼xᵀGx + aᵀx. */
  value: number;
  iterations: number;
  kkt: KktResiduals;
}

export interface PsdQpOptions {
  /** Target natural residual (relative). Default 1e-12. */
  tol?: number;
  maxIter?: number;
  /** Warm start (svec). */
  x0?: Float64Array;
}

function gradInto(m: number, G: Float64Array, a: Float64Array, x: Float64Array, out: Float64Array, eps: number): void {
  for (let p = 0; p < m; p++) {
    let s = a[p] + 0.5 * eps * x[p];
    for (let q = 0; q < m; q++) s += 0.5 * G[p * m + q] * x[q];
    out[p] = s;
  }
}

export function objective(m: number, G: Float64Array, a: Float64Array, x: ArrayLike<number>): number {
  let f = 0;
  for (let p = 0; p < m; p++) {
    let s = 0;
    for (let q = 0; q < m; q++) s += G[p * m + q] * x[q];
    f += 0.25 * x[p] * s + a[p] * x[p];
  }
  return f;
}

function nrm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** KKT residuals of a candidate x (svec) for the QP (G, a). */
export function kktResiduals(k: number, G: Float64Array, a: Float64Array, x: Float64Array): KktResiduals {
  const m = svecSize(k);
  const z = new Float64Array(m);
  gradInto(m, G, a, x, z, 0);
  let gx = 0;
  for (let p = 0; p < m; p++) gx += (z[p] - a[p]) ** 2;
  const zScale = nrm(a) + Math.sqrt(gx) + 1e-300;
  const xn = nrm(x) + 1e-300;
  const ex = k === 1 ? [x[0]] : symeig(smat(k, x), k).values;
  const ez = k === 1 ? [z[0]] : symeig(smat(k, z), k).values;
  const primal = Math.max(0, -ex[ex.length - 1]) / xn;
  const dual = Math.max(0, -ez[ez.length - 1]) / zScale;
  let xz = 0;
  for (let p = 0; p < m; p++) xz += x[p] * z[p];
  const complementarity = Math.abs(xz) / (xn * zScale);
  const y = new Float64Array(m);
  for (let p = 0; p < m; p++) y[p] = x[p] - z[p];
  projectPsd(k, y);
  let nat = 0;
  for (let p = 0; p < m; p++) nat += (x[p] - y[p]) ** 2;
  const natural = Math.sqrt(nat) / (xn + zScale);
  return { primal, dual, complementarity, natural, max: Math.max(primal, dual, complementarity, natural) };
}

/** Solve min_{X⪰0} ¼xᵀGx + aᵀx (svec coordinates, G m×m PSD row-major, m = k(k+1)/2). */
export function solvePsdQp(k: number, G: Float64Array, a: Float64Array, opts: PsdQpOptions = {}): PsdQpResult {
  const m = svecSize(k);
  if (G.length < m * m || a.length < m) throw new RangeError(`solvePsdQp: k = ${k} needs G of ${m * m} and a of ${m} entries`);
  let tr = 0;
  for (let p = 0; p < m; p++) tr += G[p * m + p];
  const finish = (x: Float64Array, iterations: number): PsdQpResult => ({
    X: smat(k, x),
    x,
    value: objective(m, G, a, x),
    iterations,
    kkt: kktResiduals(k, G, a, x),
  });
  if (!(tr > 0)) {
    // No curvature information at all (every D_ij = 0): no correction is possible.
    return finish(new Float64Array(m), 0);
  }
  const eps = 1e-12 * (tr / m);
  if (k === 1) {
    const x = new Float64Array(1);
    x[0] = Math.max(0, (-2 * a[0]) / G[0]);
    return finish(x, 0);
  }

  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 20000;
  const Lip = 0.5 * (symeig(G, m).values[0] + eps);
  const x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(m);
  projectPsd(k, x);
  const y = Float64Array.from(x);
  const xn = new Float64Array(m);
  const gr = new Float64Array(m);
  const nat = new Float64Array(m);
  let theta = 1;
  let it = 0;
  const aNorm = nrm(a);
  for (; it < maxIter; it++) {
    gradInto(m, G, a, y, gr, eps);
    for (let p = 0; p < m; p++) xn[p] = y[p] - gr[p] / Lip;
    projectPsd(k, xn);
    // Gradient restart: drop the momentum when it points uphill.
    let dir = 0;
    for (let p = 0; p < m; p++) dir += (y[p] - xn[p]) * (xn[p] - x[p]);
    if (dir > 0) {
      theta = 1;
      y.set(xn);
    } else {
      const tn = 0.5 * (1 + Math.sqrt(1 + 4 * theta * theta));
      const beta = (theta - 1) / tn;
      for (let p = 0; p < m; p++) y[p] = xn[p] + beta * (xn[p] - x[p]);
      theta = tn;
    }
    x.set(xn);
    if (it % 10 === 9) {
      // Natural residual with the step 1/L: ‖x − Π(x − ∇f/L)‖·L, relative.
      gradInto(m, G, a, x, gr, eps);
      for (let p = 0; p < m; p++) nat[p] = x[p] - gr[p] / Lip;
      projectPsd(k, nat);
      let r = 0;
      for (let p = 0; p < m; p++) r += (x[p] - nat[p]) ** 2;
      const gscale = aNorm + Lip * nrm(x) + 1e-300;
      if ((Math.sqrt(r) * Lip) / gscale < tol) break;
    }
  }
  const best = polish(k, G, a, x);
  return finish(best, it + 1);
}

/**
 * Fix the range of x (eigenvalues above a relative threshold) and minimise exactly over X = V Y Vᵀ.
 * Returns the better (by KKT residual) of x and the polished candidate.
 */
function polish(k: number, G: Float64Array, a: Float64Array, x: Float64Array): Float64Array {
  const m = svecSize(k);
  const e = symeig(smat(k, x), k);
  const top = Math.max(e.values[0], 0);
  const V = e.vectors.filter((_, q) => e.values[q] > 1e-7 * top && top > 0);
  const r = V.length;
  let cand: Float64Array;
  if (r === 0) {
    cand = new Float64Array(m);
  } else {
    const mr = svecSize(r);
    // Columns of P: svec(V E_q Vᵀ) for the svec basis E_q of r×r symmetric matrices.
    const P = new Float64Array(m * mr);
    const Er = new Float64Array(mr);
    const M = new Float64Array(k * k);
    const col = new Float64Array(m);
    for (let q = 0; q < mr; q++) {
      Er.fill(0);
      Er[q] = 1;
      const Y = smat(r, Er);
      M.fill(0);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let u = 0; u < r; u++) for (let v = 0; v < r; v++) s += V[u][i] * Y[u * r + v] * V[v][j];
          M[i * k + j] = s;
        }
      svec(k, M, col);
      for (let p = 0; p < m; p++) P[p * mr + q] = col[p];
    }
    // Reduced problem, unregularised: min ¼yᵀ(PᵀGP)y + (Pᵀa)ᵀy → y = −2(PᵀGP)⁺Pᵀa (least norm if singular).
    const Gr = new Float64Array(mr * mr);
    const ar = new Float64Array(mr);
    for (let q = 0; q < mr; q++) {
      for (let p = 0; p < m; p++) ar[q] += P[p * mr + q] * a[p];
      for (let s = 0; s < mr; s++) {
        let v = 0;
        for (let p = 0; p < m; p++) {
          let gp = 0;
          for (let p2 = 0; p2 < m; p2++) gp += G[p * m + p2] * P[p2 * mr + s];
          v += P[p * mr + q] * gp;
        }
        Gr[q * mr + s] = v;
      }
    }
    const eg = symeig(Gr, mr);
    const cut = 1e-14 * Math.max(eg.values[0], 1e-300);
    const yv = new Float64Array(mr);
    for (let t = 0; t < mr; t++) {
      const l = eg.values[t];
      if (!(l > cut)) continue;
      const u = eg.vectors[t];
      let c = 0;
      for (let q = 0; q < mr; q++) c += u[q] * ar[q];
      for (let q = 0; q < mr; q++) yv[q] += (-2 * c * u[q]) / l;
    }
    const ey = r === 1 ? [yv[0]] : symeig(smat(r, yv), r).values;
    if (ey[ey.length - 1] < -1e-12 * Math.abs(ey[0])) return x;
    cand = new Float64Array(m);
    for (let p = 0; p < m; p++) {
      let s = 0;
      for (let q = 0; q < mr; q++) s += P[p * mr + q] * yv[q];
      cand[p] = s;
    }
    projectPsd(k, cand); // removes round-off negativity only
  }
  return kktResiduals(k, G, a, cand).max <= kktResiduals(k, G, a, x).max ? cand : x;
}
