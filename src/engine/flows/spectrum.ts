/**
 * Top eigenpairs of the Hessian for the flows, chosen for speed on the hot path:
 *  - dim 1 and 2 with a dense Hessian: closed form, no allocation (the toys and custom problems);
 *  - dim ≤ DENSE_MAX_DIM (linalg/eigs.ts) with a dense Hessian: Jacobi on the full matrix (exact to round-off);
 *  - otherwise: warm-started Lanczos on exact Hessian-vector products.
 * Results live in buffers owned by the Spectrum object (valid until its next call): copy to keep.
 */
import type { Problem, Vec } from '../types.ts';
import { eig2, lanczosTopK, symeig, usesDenseEigs } from '../linalg/eigs.ts';
import { NonFiniteError } from '../linalg/lanczos.ts';
import { floorTolerance } from './precision.ts';

/** The closed-form 2×2 solver lives in linalg/symeig.ts; re-exported for the ensemble kernels' imports. */
export { eig2 };

export class Spectrum {
  readonly dim: number;
  /** Eigenvalues, descending; the first `count` are valid. */
  readonly values: Float64Array;
  /** Unit eigenvectors matching `values`. */
  readonly vectors: Vec[];
  count = 0;
  private readonly problem: Problem;
  private readonly dense: boolean;
  private readonly H: Float64Array;
  private readonly v2 = new Float64Array(4);
  /** Lanczos residual tolerance (relative to ‖H‖; raised to the problem's precision floor, precision.ts); see lanczos.ts. */
  tol = 1e-8;
  /**
   * What warm-starts Lanczos:
   *  'last': the last call's vectors (a point that jumps around, e.g. GD's samples);
   *  'extrapolate': 2u_k − u_{k−1} from the last two calls, pair by pair (sign-matched): for a point
   *    moving smoothly (the central flow's Euler substeps) the eigenvectors drift smoothly too, and the
   *    linear extrapolation is O(dt²) off instead of O(dt). Measured on mlp-teacher, central flow
   *    steps 300–400 at tol 1e-6: 18.4 HVPs per step, against 60.5 with 'last' and 29.6 with the last
   *    two calls' vectors as one warm block (which must multiply all 2k of them).
   */
  warmMode: 'last' | 'extrapolate' = 'last';
  private warm: Vec[] = [];
  private warmPrev: Vec[] = [];
  private readonly hvpFn: (v: Float64Array, out: Float64Array) => Float64Array;
  private at: Vec;

  constructor(problem: Problem) {
    this.problem = problem;
    const n = problem.dim;
    this.dim = n;
    this.dense = usesDenseEigs(problem);
    this.H = new Float64Array(this.dense ? n * n : 0);
    this.values = new Float64Array(n);
    this.vectors = Array.from({ length: n }, () => new Float64Array(n));
    this.at = new Float64Array(n);
    this.hvpFn = (v, out) => this.problem.hvp(this.at, v, out);
  }

  /**
   * Warm vectors 2u_k − u_{k−1} (pairs matched by index and sign; any last vector without a partner as
   * it is). A wrong match (two eigenvalues crossing) only gives a worse start: Lanczos still converges
   * on residuals, it just costs more matvecs that call.
   */
  private extrapolated(): Vec[] {
    const out: Vec[] = [];
    const n = this.dim;
    for (let j = 0; j < this.warm.length; j++) {
      const u = this.warm[j];
      const v = this.warmPrev[j];
      if (!v) {
        out.push(u);
        continue;
      }
      let c = 0;
      for (let i = 0; i < n; i++) c += u[i] * v[i];
      const sg = c < 0 ? -1 : 1;
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = 2 * u[i] - sg * v[i];
      out.push(x);
    }
    return out;
  }

  /** True when every eigenvalue comes at once (dense path): `top` then fills all `dim` of them. */
  get isDense(): boolean {
    return this.dense;
  }

  /**
   * At least the top k eigenpairs of H(w) (all of them on the dense path). Non-finite Hessians give
   * NaN values, which the callers treat as divergence.
   */
  top(w: Vec, k: number): void {
    const n = this.dim;
    k = Math.max(1, Math.min(k, n));
    if (this.dense) {
      const H = this.problem.hessian!(w, this.H);
      if (n === 1) {
        this.values[0] = H[0];
        this.vectors[0][0] = 1;
      } else if (n === 2) {
        eig2(H[0], 0.5 * (H[1] + H[2]), H[3], this.values, this.v2);
        this.vectors[0][0] = this.v2[0];
        this.vectors[0][1] = this.v2[1];
        this.vectors[1][0] = this.v2[2];
        this.vectors[1][1] = this.v2[3];
      } else {
        const e = symeig(H, n);
        for (let i = 0; i < n; i++) {
          this.values[i] = e.values[i];
          this.vectors[i].set(e.vectors[i]);
        }
      }
      this.count = n;
      return;
    }
    this.at.set(w);
    const warm = this.warmMode === 'extrapolate' ? this.extrapolated() : this.warm;
    let r: { values: number[]; vectors: Vec[] };
    try {
      r = lanczosTopK(this.hvpFn, n, k, { warm, tol: floorTolerance(this.tol, this.problem) });
    } catch (e) {
      // A non-finite Hessian-vector product: NaN eigenvalues, which the flows treat as divergence.
      if (!(e instanceof NonFiniteError)) throw e;
      this.values.fill(NaN, 0, k);
      this.count = k;
      this.warm = [];
      this.warmPrev = [];
      return;
    }
    for (let i = 0; i < r.values.length; i++) {
      this.values[i] = r.values[i];
      this.vectors[i].set(r.vectors[i]);
    }
    this.count = r.values.length;
    this.warmPrev = this.warm;
    this.warm = r.vectors;
  }
}
