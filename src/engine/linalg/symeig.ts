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
 * The symmetric 2×2 [[a, b], [b, c]] in closed form, allocation-free (it sits on the toys' hot path): writes
 * λ₁ ≥ λ₂ into vals and the unit eigenvectors (u₁ then u₂, 2 entries each) into vecs.
 * λ = m ± r with m = (a+c)/2, r = √(((a−c)/2)² + b²); u₁ ∝ (r + d, b) for d = (a−c)/2 ≥ 0 and ∝ (b, r − d)
 * otherwise (the larger of the two equivalent forms, so no cancellation); u₂ = (−u₁[1], u₁[0]).
 * No sign normalization (callers that want one apply it).
 */
export function eig2(a: number, b: number, c: number, vals: Float64Array, vecs: Float64Array): void {
  const m = 0.5 * (a + c);
  const d = 0.5 * (a - c);
  // sqrt of squares, not Math.hypot (which is several times slower in V8); hypot only on overflow.
  let r = Math.sqrt(d * d + b * b);
  if (r === Infinity || (r === 0 && (d !== 0 || b !== 0)) || r < 1e-150) r = Math.hypot(d, b);
  vals[0] = m + r;
  vals[1] = m - r;
  let x: number;
  let y: number;
  if (r === 0) {
    x = 1;
    y = 0;
  } else if (d >= 0) {
    x = r + d;
    y = b;
  } else {
    x = b;
    y = r - d;
  }
  let n = Math.sqrt(x * x + y * y);
  if (n === Infinity || n < 1e-150) n = Math.hypot(x, y);
  x /= n;
  y /= n;
  vecs[0] = x;
  vecs[1] = y;
  vecs[2] = -y;
  vecs[3] = x;
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
      const vals = new Float64Array(2);
      const vecs = new Float64Array(4);
      eig2(A[0], b, A[3], vals, vecs);
      const e: SymEig = { values: [vals[0], vals[1]], vectors: [vecs.slice(0, 2), vecs.slice(2, 4)] };
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

/**
 * symeigJacobi in the layout Lanczos's Rayleigh–Ritz step wants: values descending (Float64Array) and the
 * eigenvectors as the columns of a row-major m×m matrix.
 */
export function jacobiEig(a: Float64Array, m: number): { values: Float64Array; vecs: Float64Array } {
  const e = symeigJacobi(a, m);
  const vecs = new Float64Array(m * m);
  e.vectors.forEach((v, j) => {
    for (let k = 0; k < m; k++) vecs[k * m + j] = v[k];
  });
  return { values: Float64Array.from(e.values), vecs };
}
