/**
 * Eigendecomposition of a small dense symmetric matrix by cyclic Jacobi rotations.
 *
 * Why Jacobi: for the sizes used here (Hessians of toys and custom problems, the k×k matrices of the
 * central flow's QP, n ≤ 64) it is exact to round-off, has no special cases for repeated eigenvalues
 * (rotations keep V orthogonal to machine precision whatever the spectrum), and is short enough to
 * verify by reading.
 */
import type { Vec } from '../types.ts';

export interface SymEig {
  /** Eigenvalues, descending. */
  values: number[];
  /** Unit eigenvectors matching `values` (fresh arrays); mutually orthonormal to round-off. */
  vectors: Vec[];
}

const MAX_SWEEPS = 60;

/**
 * The symmetric 2×2 [[a, b], [b, c]] in closed form (values descending). The top eigenvector is at angle
 * φ with tan 2φ = 2b/(a − c); atan2 covers b = 0 and a = c without branches. Vectors are (cos φ, sin φ)
 * and (−sin φ, cos φ), with no sign normalization (callers that want one apply it).
 */
export function eig2(a: number, b: number, c: number): SymEig {
  const m = 0.5 * (a + c);
  const r = Math.hypot(0.5 * (a - c), b);
  const phi = 0.5 * Math.atan2(2 * b, a - c);
  const cs = Math.cos(phi);
  const sn = Math.sin(phi);
  return { values: [m + r, m - r], vectors: [Float64Array.of(cs, sn), Float64Array.of(-sn, cs)] };
}

/**
 * A is row-major n×n and read as symmetric: only (A + Aᵀ)/2 is used. A non-finite entry gives NaN
 * eigenvalues (and unit-basis vectors) at once, so that a caller checking finiteness stops cleanly.
 * Each vector's sign is fixed so its largest-magnitude component is positive (deterministic output).
 * n = 1 and 2 are answered in closed form (same conventions), larger n by Jacobi.
 */
export function symeig(A: ArrayLike<number>, n: number): SymEig {
  if (A.length < n * n) throw new RangeError(`symeig: matrix has ${A.length} entries, need ${n * n}`);
  if (n === 1) return { values: [Number.isFinite(A[0]) ? A[0] : NaN], vectors: [Float64Array.of(1)] };
  if (n === 2) {
    const b = 0.5 * A[1] + 0.5 * A[2];
    if (Number.isFinite(A[0]) && Number.isFinite(b) && Number.isFinite(A[3])) {
      const e = eig2(A[0], b, A[3]);
      for (const v of e.vectors) {
        if (Math.abs(v[1]) > Math.abs(v[0]) ? v[1] < 0 : v[0] < 0) {
          v[0] = -v[0];
          v[1] = -v[1];
        }
      }
      return e;
    }
  }
  return symeigJacobi(A, n);
}

/** The general path of `symeig` (any n), exported so tests can compare the 1×1/2×2 closed forms with it. */
export function symeigJacobi(A: ArrayLike<number>, n: number): SymEig {
  if (A.length < n * n) throw new RangeError(`symeig: matrix has ${A.length} entries, need ${n * n}`);
  const a = new Float64Array(n * n);
  let finite = true;
  let big = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = 0.5 * A[i * n + j] + 0.5 * A[j * n + i];
      if (!Number.isFinite(v)) finite = false;
      a[i * n + j] = v;
      big = Math.max(big, Math.abs(v));
    }
  }
  // Work on A / max|A_ij| so that the sums of squares below can neither overflow nor underflow.
  if (big > 0 && finite) for (let i = 0; i < n * n; i++) a[i] /= big;
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  if (!finite) {
    return { values: new Array<number>(n).fill(NaN), vectors: columns(V, n, Array.from({ length: n }, (_, i) => i)) };
  }

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) off += 2 * a[i * n + j] * a[i * n + j];
    }
    total += off;
    // Converged when the off-diagonal part is at round-off level relative to the whole matrix.
    if (off <= 1e-32 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // tan of the rotation angle, smaller root (|angle| ≤ π/4) for stability (Numerical Recipes §11.1).
        const theta = (aqq - app) / (2 * apq);
        const t =
          Math.abs(theta) > 1e150
            ? 1 / (2 * theta)
            : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          if (r !== p && r !== q) {
            const arp = a[r * n + p];
            const arq = a[r * n + q];
            const nrp = c * arp - s * arq;
            const nrq = s * arp + c * arq;
            a[r * n + p] = nrp;
            a[p * n + r] = nrp;
            a[r * n + q] = nrq;
            a[q * n + r] = nrq;
          }
          const vrp = V[r * n + p];
          const vrq = V[r * n + q];
          V[r * n + p] = c * vrp - s * vrq;
          V[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }

  // Indices by descending eigenvalue (insertion sort: n is small, and no closures or spreads).
  const order: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let j = i;
    while (j > 0 && a[order[j - 1] * n + order[j - 1]] < a[i * n + i]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  return { values: order.map((i) => a[i * n + i] * big), vectors: columns(V, n, order) };
}

function columns(V: Float64Array, n: number, order: number[]): Vec[] {
  return order.map((j) => {
    const v = new Float64Array(n);
    let big = 0;
    for (let i = 0; i < n; i++) {
      v[i] = V[i * n + j];
      if (Math.abs(v[i]) > Math.abs(v[big])) big = i;
    }
    if (v[big] < 0) for (let i = 0; i < n; i++) v[i] = -v[i];
    return v;
  });
}
