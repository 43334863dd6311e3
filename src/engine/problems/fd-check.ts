/**
 * Central finite differences in float64: the independent oracle for every derivative a problem serves
 * (used by the tests; also usable as a runtime self-check of a problem).
 * Error of a central difference with step h: truncation ≈ h²/6·|f'''| plus round-off ≈ ε|f|/h.
 * With h = 1e-5 both are ≲ 1e-9 relative for the O(1)-scaled quantities tested here, so a tolerance of
 * 1e-6 relative leaves room for round-off yet catches any wrong coefficient (an O(1) relative error).
 */
import type { Problem, Vec } from '../types.ts';

export const FD_H = 1e-5;

export { mulberry32 } from '../rng.ts';

function shifted(w: Vec, v: Vec, s: number): Vec {
  const o = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) o[i] = w[i] + s * v[i];
  return o;
}

function unit(n: number, i: number): Vec {
  const e = new Float64Array(n);
  e[i] = 1;
  return e;
}

/** ∇L by central differences of the loss. */
export function fdGrad(p: Problem, w: Vec, h = FD_H): Vec {
  const g = new Float64Array(p.dim);
  for (let i = 0; i < p.dim; i++) {
    const e = unit(p.dim, i);
    g[i] = (p.loss(shifted(w, e, h)) - p.loss(shifted(w, e, -h))) / (2 * h);
  }
  return g;
}

/** H v by central differences of the gradient. */
export function fdHvp(p: Problem, w: Vec, v: Vec, h = FD_H): Vec {
  const gp = p.grad(shifted(w, v, h));
  const gm = p.grad(shifted(w, v, -h));
  return gp.map((x, i) => (x - gm[i]) / (2 * h));
}

/** ∇³L[a,b,·] = d/dε H(w+εa) b by central differences of exact Hessian-vector products. */
export function fdThird(p: Problem, w: Vec, a: Vec, b: Vec, h = FD_H): Vec {
  const hp = p.hvp(shifted(w, a, h), b);
  const hm = p.hvp(shifted(w, a, -h), b);
  return hp.map((x, i) => (x - hm[i]) / (2 * h));
}

/** max_i |a_i − b_i| / max(1, ‖b‖∞): the relative error used by the FD checks. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let err = 0;
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / scale;
}

export function randomVec(rand: () => number, n: number, lo = -1, hi = 1): Vec {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rand();
  return v;
}

/** Check grad, hvp, hessian, third of `p` at `w` against finite differences; returns the worst errors. */
export function derivativeErrors(p: Problem, w: Vec, rand: () => number) {
  const n = p.dim;
  const v = randomVec(rand, n);
  const a = randomVec(rand, n);
  const b = randomVec(rand, n);
  const grad = relErr(p.grad(w), fdGrad(p, w));
  const hvp = relErr(p.hvp(w, v), fdHvp(p, w, v));
  const third = relErr(p.third(w, a, b), fdThird(p, w, a, b));
  let hess = 0;
  if (p.hessian) {
    const H = p.hessian(w);
    for (let j = 0; j < n; j++) {
      const col = Array.from({ length: n }, (_, i) => H[i * n + j]);
      hess = Math.max(hess, relErr(col, fdHvp(p, w, unit(n, j))));
    }
  }
  // Symmetry of the third-derivative tensor in its two arguments.
  const thirdSym = relErr(p.third(w, a, b), p.third(w, b, a));
  return { grad, hvp, third, hess, thirdSym };
}
