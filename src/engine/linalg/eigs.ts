/**
 * Top-k eigenpairs of a problem's Hessian at w, by the cheapest exact route:
 *  dim 1 and 2: closed forms from the dense Hessian (this sits on the flows' hot path);
 *  dim ≤ 64 with a dense Hessian: Jacobi (symeig);
 *  otherwise: warm-started Lanczos on exact Hessian-vector products.
 * When warm vectors are given, each returned vector's sign is flipped to agree with its warm
 * counterpart, so eigenvectors tracked over time do not flip sign from call to call.
 */
import type { Problem, Vec } from '../types.ts';
import { lanczosTopK } from './lanczos.ts';
import { symeig } from './symeig.ts';

export interface TopEigsOptions {
  warm?: Vec[];
  tol?: number;
  maxIter?: number;
}

export interface TopEigs {
  /** Descending. */
  values: number[];
  /** Unit vectors (fresh arrays, owned by the caller). */
  vectors: Vec[];
}

const DENSE_MAX_DIM = 64;

/** Eigen-decomposition of the symmetric 2×2 [[a, b], [b, c]] in closed form (values descending). */
export function eig2(a: number, b: number, c: number): TopEigs {
  const m = 0.5 * (a + c);
  const r = Math.hypot(0.5 * (a - c), b);
  // Angle of the top eigenvector: tan 2φ = 2b/(a − c). atan2 handles b = 0 and a = c without branches.
  const phi = 0.5 * Math.atan2(2 * b, a - c);
  const cs = Math.cos(phi);
  const sn = Math.sin(phi);
  return {
    values: [m + r, m - r],
    vectors: [Float64Array.of(cs, sn), Float64Array.of(-sn, cs)],
  };
}

export function topEigs(problem: Problem, w: Vec, k: number, opts: TopEigsOptions = {}): TopEigs {
  const n = problem.dim;
  const kk = Math.max(1, Math.min(Math.floor(k), n));
  let res: TopEigs;
  if (problem.hessian && n <= DENSE_MAX_DIM) {
    const H = problem.hessian(w);
    if (n === 1) {
      res = { values: [H[0]], vectors: [Float64Array.of(1)] };
    } else if (n === 2) {
      res = eig2(H[0], 0.5 * (H[1] + H[2]), H[3]);
    } else {
      res = symeig(H, n);
    }
    if (res.values.length > kk) res = { values: res.values.slice(0, kk), vectors: res.vectors.slice(0, kk) };
  } else {
    const hvp = (v: Vec, out: Vec): Vec => problem.hvp(w, v, out);
    const r = lanczosTopK(hvp, n, kk, opts);
    res = { values: r.values, vectors: r.vectors };
  }
  if (opts.warm) alignSigns(res.vectors, opts.warm);
  return res;
}

function alignSigns(vectors: Vec[], warm: Vec[]): void {
  for (let i = 0; i < vectors.length && i < warm.length; i++) {
    const v = vectors[i];
    const u = warm[i];
    if (!u || u.length !== v.length) continue;
    let d = 0;
    for (let j = 0; j < v.length; j++) d += v[j] * u[j];
    if (d < 0) for (let j = 0; j < v.length; j++) v[j] = -v[j];
  }
}
