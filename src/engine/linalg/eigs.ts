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
import { eig2, symeig } from './symeig.ts';

export { eig2 };

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
const H_SCRATCH = new Float64Array(4);

export function topEigs(problem: Problem, w: Vec, k: number, opts: TopEigsOptions = {}): TopEigs {
  const n = problem.dim;
  const kk = Math.max(1, Math.min(Math.floor(k), n));
  let res: TopEigs;
  if (problem.hessian && n <= DENSE_MAX_DIM) {
    // Toys are 1-D/2-D and this runs every substep: reuse one scratch for their Hessian.
    const H = n <= 2 ? problem.hessian(w, H_SCRATCH) : problem.hessian(w);
    // symeig answers n = 1, 2 in closed form and larger n by Jacobi.
    res = symeig(H, n);
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
