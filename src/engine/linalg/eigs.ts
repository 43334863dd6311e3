/**
 * The engine's one eigen-solver module: the 2×2 closed form and Jacobi (symeig.ts), Lanczos (lanczos.ts),
 * the dense/Lanczos choice (usesDenseEigs) and topEigs. Top-k eigenpairs by the cheapest exact route:
 *  dim 1 and 2: closed forms from the dense Hessian (this sits on the flows' hot path);
 *  dim ≤ DENSE_MAX_DIM with a dense Hessian: Jacobi (symeig);
 *  otherwise: warm-started Lanczos on exact Hessian-vector products.
 * When warm vectors are given, each returned vector's sign is flipped to agree with its warm
 * counterpart, so eigenvectors tracked over time do not flip sign from call to call.
 */
import type { Problem, Vec } from '../types.ts';
import { lanczosTopK } from './lanczos.ts';
import { eig2, jacobiEig, symeig, symeigJacobi } from './symeig.ts';

// The engine's eigen-solvers, from one place: the 2×2 closed form, Jacobi (dense), Lanczos (matrix-free).
export { eig2, jacobiEig, lanczosTopK, symeig, symeigJacobi };

/** Largest dimension whose dense Hessian is diagonalised (Jacobi) instead of running Lanczos on HVPs. */
export const DENSE_MAX_DIM = 64;

/** The dense/Lanczos choice, made here only: a problem with a dense Hessian and dim ≤ DENSE_MAX_DIM. */
export function usesDenseEigs(problem: Pick<Problem, 'dim' | 'hessian'>): boolean {
  return typeof problem.hessian === 'function' && problem.dim <= DENSE_MAX_DIM;
}

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

const H_SCRATCH = new Float64Array(4);

export function topEigs(problem: Problem, w: Vec, k: number, opts: TopEigsOptions = {}): TopEigs {
  const n = problem.dim;
  const kk = Math.max(1, Math.min(Math.floor(k), n));
  let res: TopEigs;
  if (usesDenseEigs(problem)) {
    // Toys are 1-D/2-D and this runs every substep: reuse one scratch for their Hessian.
    const H = n <= 2 ? problem.hessian!(w, H_SCRATCH) : problem.hessian!(w);
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
