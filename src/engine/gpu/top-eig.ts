/**
 * Largest (algebraic) eigenpair of a symmetric operator known only through an *asynchronous* product,
 * e.g. HVPs computed on a GPU. Lanczos with full reorthogonalisation, in float64 on the host: the
 * vectors are tiny next to the device work of one HVP, and float64 orthogonalisation keeps the float32
 * noise of the products from compounding. Warm-started from a previous eigenvector it stops after one
 * product when that vector is still an eigenvector to tolerance.
 */
import { jacobiEig } from '../linalg/lanczos.ts';
import type { Vec } from '../types.ts';
import type { TopEig } from './types.ts';

export interface TopEigOptions {
  /** Stop when ‖Hx − θx‖ ≤ tol·|θ|. Default 1e-4: float32 HVPs carry ~1e-6 relative noise. */
  tol?: number;
  /** Maximum number of products (default min(dim, 60)). */
  maxIter?: number;
  seed?: number;
}

function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function randomUnit(dim: number, seed: number): Vec {
  let s = seed >>> 0 || 0x9e3779b9;
  const v = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    v[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  const n = Math.sqrt(dot(v, v));
  for (let i = 0; i < dim; i++) v[i] /= n;
  return v;
}

export async function topEigAsync(
  matvec: (v: Vec) => Promise<Vec>,
  dim: number,
  warm?: Vec | null,
  opts: TopEigOptions = {},
): Promise<TopEig> {
  const tol = opts.tol ?? 1e-4;
  const maxIter = Math.max(1, Math.min(opts.maxIter ?? 60, dim));
  let q: Vec;
  const wn = warm && warm.length === dim ? Math.sqrt(dot(warm, warm)) : 0;
  if (warm && wn > 0 && Number.isFinite(wn)) q = warm.map((x) => x / wn);
  else q = randomUnit(dim, opts.seed ?? 1);

  const Q: Vec[] = [q];
  const alpha: number[] = [];
  const beta: number[] = [];
  let theta = NaN;
  let s: Float64Array = new Float64Array(1);
  let converged = false;
  for (let j = 0; j < maxIter; j++) {
    const r = Float64Array.from(await matvec(Q[j]));
    for (const x of r) if (!Number.isFinite(x)) throw new Error('top eigenvalue: Hessian-vector product is not finite');
    alpha.push(dot(Q[j], r));
    // Full reorthogonalisation, twice ("twice is enough"), against every Lanczos vector.
    for (let pass = 0; pass < 2; pass++)
      for (const qi of Q) {
        const c = dot(qi, r);
        for (let i = 0; i < dim; i++) r[i] -= c * qi[i];
      }
    const m = j + 1;
    const T = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      T[i * m + i] = alpha[i];
      if (i + 1 < m) T[i * m + i + 1] = T[(i + 1) * m + i] = beta[i];
    }
    const { values, vecs } = jacobiEig(T, m);
    theta = values[0];
    s = new Float64Array(m);
    for (let i = 0; i < m; i++) s[i] = vecs[i * m]; // first column: top Ritz vector in the Q basis
    const b = Math.sqrt(dot(r, r));
    const resid = b * Math.abs(s[m - 1]);
    if (resid <= tol * Math.abs(theta) || b <= 1e-12 * Math.abs(theta) || m === dim) {
      converged = true;
      break;
    }
    if (j + 1 === maxIter) break;
    beta.push(b);
    Q.push(r.map((x) => x / b));
  }
  const vector = new Float64Array(dim);
  for (let i = 0; i < s.length; i++) for (let k = 0; k < dim; k++) vector[k] += s[i] * Q[i][k];
  const vn = Math.sqrt(dot(vector, vector));
  for (let k = 0; k < dim; k++) vector[k] /= vn;
  return { value: theta, vector, hvps: alpha.length, converged };
}
