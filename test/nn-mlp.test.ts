import { describe, expect, it } from 'vitest';
import { MlpProblem } from '../src/engine/nn/mlp.ts';
import { initWeights } from '../src/engine/nn/init.ts';
import { chebyshevData, circlesData, teacherData } from '../src/engine/nn/datasets.ts';
import { activate } from '../src/engine/nn/activations.ts';
import { lanczosTopK } from '../src/engine/linalg/lanczos.ts';
import { symeig } from '../src/engine/linalg/symeig.ts';
import { normal } from '../src/engine/nn/rng.ts';
import type { Activation, Dataset } from '../src/engine/nn/mlp-spec.ts';
import { InputError } from '../src/engine/types.ts';

// Oracles: float64 central finite differences of lower-order exact quantities, the symmetry of the
// derivative tensors, and an independent second difference of gradients for the third-derivative vectors.

const ACTS: Activation[] = ['tanh', 'gelu', 'softplus'];

function tinyProblem(act: Activation, seed = 1): { prob: MlpProblem; w: Float64Array } {
  // 2 → 3 → 2 → 1 : P = 9 + 8 + 3 = 20 parameters.
  const g = normal(seed + 100);
  const n = 7;
  const x = new Float64Array(n * 2).map(() => g());
  const y = new Float64Array(n).map(() => g());
  const data: Dataset = { name: 'tiny', n, d: 2, o: 1, x, y };
  const prob = new MlpProblem({ sizes: [2, 3, 2, 1], activation: act }, data);
  const w = initWeights(prob.arch, seed, 1.5, 0.3);
  return { prob, w };
}

function randVec(dim: number, seed: number): Float64Array {
  const g = normal(seed);
  return new Float64Array(dim).map(() => g());
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const axpy = (w: Float64Array, h: number, d: Float64Array) => w.map((v, i) => v + h * d[i]);

describe('activations', () => {
  it('match their defining formulas, and φ′, φ″ match finite differences', () => {
    const c = Math.sqrt(2 / Math.PI);
    for (const x of [-3, -0.7, 0, 0.4, 2.5]) {
      expect(activate('tanh', x)).toBeCloseTo(Math.tanh(x), 15);
      expect(activate('gelu', x)).toBeCloseTo(0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3))), 15);
      expect(activate('softplus', x)).toBeCloseTo(Math.log(1 + Math.exp(x)), 14);
    }
    expect(activate('softplus', 800)).toBe(800);
    expect(activate('softplus', -800)).toBeGreaterThanOrEqual(0);
  });
});

describe('MlpProblem derivatives (float64 finite differences)', () => {
  for (const act of ACTS) {
    it(`${act}: gradient = central difference of the loss`, () => {
      const { prob, w } = tinyProblem(act);
      const g = prob.grad(w);
      const h = 1e-6;
      for (let i = 0; i < prob.dim; i++) {
        const e = new Float64Array(prob.dim);
        e[i] = 1;
        const fd = (prob.loss(axpy(w, h, e)) - prob.loss(axpy(w, -h, e))) / (2 * h);
        expect(Math.abs(fd - g[i])).toBeLessThan(1e-8 * (1 + Math.abs(g[i])));
      }
      expect(maxAbs(g)).toBeGreaterThan(1e-3); // not a trivially zero gradient
    });

    it(`${act}: full Hessian from HVPs = finite-difference Hessian of the gradient, symmetric`, () => {
      const { prob, w } = tinyProblem(act, 3);
      const P = prob.dim;
      expect(P).toBe(20);
      const H = new Float64Array(P * P);
      const Hfd = new Float64Array(P * P);
      const h = 1e-5;
      for (let j = 0; j < P; j++) {
        const e = new Float64Array(P);
        e[j] = 1;
        const col = prob.hvp(w, e);
        const gp = prob.grad(axpy(w, h, e));
        const gm = prob.grad(axpy(w, -h, e));
        for (let i = 0; i < P; i++) {
          H[i * P + j] = col[i];
          Hfd[i * P + j] = (gp[i] - gm[i]) / (2 * h);
        }
      }
      const scale = maxAbs(H);
      expect(maxDiff(H, Hfd)).toBeLessThan(1e-8 * scale);
      let asym = 0;
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) asym = Math.max(asym, Math.abs(H[i * P + j] - H[j * P + i]));
      expect(asym).toBeLessThan(1e-14 * scale * P);
      // Lanczos on HVPs = dense eigenvalues of the assembled Hessian (an independent dense solver).
      const dense = symeig(H, P).values;
      const lz = lanczosTopK((v, o) => prob.hvp(w, v, o), P, 3, { tol: 1e-12 });
      lz.values.forEach((v, i) => expect(Math.abs(v - dense[i])).toBeLessThan(1e-10 * scale));
    });

    it(`${act}: third-derivative vectors = second difference of gradients, and symmetric`, () => {
      const { prob, w } = tinyProblem(act, 5);
      const P = prob.dim;
      const a = randVec(P, 11);
      const b = randVec(P, 12);
      const c = randVec(P, 13);
      const t = prob.third(w, a, b);
      // Independent oracle: ∂²/∂s∂r g(w + s a + r b) at 0 by a 4-point second difference of gradients.
      const h = 1e-4;
      const gpp = prob.grad(w.map((v, i) => v + h * a[i] + h * b[i]));
      const gpm = prob.grad(w.map((v, i) => v + h * a[i] - h * b[i]));
      const gmp = prob.grad(w.map((v, i) => v - h * a[i] + h * b[i]));
      const gmm = prob.grad(w.map((v, i) => v - h * a[i] - h * b[i]));
      const fd = gpp.map((v, i) => (v - gpm[i] - gmp[i] + gmm[i]) / (4 * h * h));
      const scale = maxAbs(t);
      expect(scale).toBeGreaterThan(1e-3);
      expect(maxDiff(t, fd)).toBeLessThan(1e-6 * scale);
      // Symmetry of ∇³L: ⟨T[a,b], c⟩ = ⟨T[c,b], a⟩ = ⟨T[a,c], b⟩; catches errors of the ε-difference far below
      // the second difference's own accuracy.
      const abc = dot(t, c);
      const size = Math.sqrt(dot(t, t) * dot(c, c)); // scale of the terms summed in ⟨T[a,b], c⟩
      expect(Math.abs(abc - dot(prob.third(w, c, b), a))).toBeLessThan(1e-9 * size);
      expect(Math.abs(abc - dot(prob.third(w, a, c), b))).toBeLessThan(1e-9 * size);
      // Bilinear in a (scaling) and zero for a = 0.
      const t3 = prob.third(w, a.map((v) => 3 * v), b);
      expect(maxDiff(t3, t.map((v) => 3 * v))).toBeLessThan(1e-12 * scale);
      expect(maxAbs(prob.third(w, new Float64Array(P), b))).toBe(0);
    });
  }

  it('outputs do not depend on the forward cache (grad/hvp/third interleaved)', () => {
    const { prob, w } = tinyProblem('tanh', 9);
    const w2 = w.map((v) => v * 1.1);
    const g1 = Float64Array.from(prob.grad(w));
    prob.hvp(w2, randVec(prob.dim, 1));
    prob.third(w, randVec(prob.dim, 2), randVec(prob.dim, 3));
    const g2 = prob.grad(w);
    expect(Array.from(g2)).toEqual(Array.from(g1));
    // HVP right after a gradient at the same point reuses the cached backward pass: same bits as cold.
    const v = randVec(prob.dim, 7);
    const hWarm = Float64Array.from(prob.hvp(w, v));
    prob.loss(w2);
    const hCold = prob.hvp(w, v);
    expect(Array.from(hWarm)).toEqual(Array.from(hCold));
    // Writing into an out buffer returns that buffer.
    const out = new Float64Array(prob.dim);
    expect(prob.grad(w, out)).toBe(out);
    expect(prob.counters.grad).toBe(3);
    expect(prob.counters.hvp).toBe(3);
    expect(prob.counters.third).toBe(1);
  });

  it('larger nets too: HVP on the teacher net matches a difference of gradients', () => {
    const data = teacherData(1);
    const prob = new MlpProblem({ sizes: [8, 16, 16, 1], activation: 'gelu' }, data);
    expect(prob.dim).toBe(433);
    const w = initWeights(prob.arch, 2);
    const v = randVec(prob.dim, 4);
    const hv = prob.hvp(w, v);
    const h = 1e-5;
    const fd = prob.grad(axpy(w, h, v)).map((x, i) => x);
    const gm = prob.grad(axpy(w, -h, v));
    for (let i = 0; i < fd.length; i++) fd[i] = (fd[i] - gm[i]) / (2 * h);
    expect(maxDiff(hv, fd)).toBeLessThan(1e-7 * maxAbs(hv));
  });

  it('rejects mismatched shapes with InputError', () => {
    const data = chebyshevData(4);
    expect(() => new MlpProblem({ sizes: [2, 4, 1], activation: 'tanh' }, data)).toThrow(InputError);
    expect(() => new MlpProblem({ sizes: [1, 0, 1], activation: 'tanh' }, data)).toThrow(InputError);
    expect(() => new MlpProblem({ sizes: [1, 4, 1], activation: 'relu' as Activation }, data)).toThrow(InputError);
    const prob = new MlpProblem({ sizes: [1, 4, 1], activation: 'tanh' }, data);
    expect(() => prob.grad(new Float64Array(3))).toThrow(InputError);
  });
});

describe('datasets', () => {
  it('chebyshev targets are T_k = cos(k arccos x)', () => {
    const d = chebyshevData(5);
    expect(d.n).toBe(20);
    for (let i = 0; i < d.n; i++) expect(d.y[i]).toBeCloseTo(Math.cos(5 * Math.acos(d.x[i])), 12);
    expect(d.x[0]).toBe(-1);
    expect(d.x[19]).toBe(1);
  });
  it('are deterministic by seed and differ across seeds', () => {
    expect(Array.from(teacherData(3).y)).toEqual(Array.from(teacherData(3).y));
    expect(Array.from(teacherData(3).y)).not.toEqual(Array.from(teacherData(4).y));
    const c = circlesData(1);
    expect(c.n).toBe(200);
    expect(new Set(Array.from(c.y))).toEqual(new Set([1, -1]));
    const t = teacherData(1);
    // Targets are not degenerate (a constant target would make the problem trivial).
    const mean = t.y.reduce((s, v) => s + v, 0) / t.n;
    const vari = t.y.reduce((s, v) => s + (v - mean) ** 2, 0) / t.n;
    expect(vari).toBeGreaterThan(0.01);
  });
});

describe('MlpProblem two-point cache', () => {
  it('alternating between two points costs one forward pass each and gives bit-identical results', () => {
    const { prob, w } = tinyProblem('tanh');
    const fresh = tinyProblem('tanh').prob;
    const d = randVec(prob.dim, 7).map((x) => 0.01 * x);
    const p = axpy(w, 1, d);
    const m = axpy(w, -1, d);
    const v = randVec(prob.dim, 8);
    const before = prob.forwardPasses;
    // The rod flow's pattern: both gradients, then both HVPs, then the gradients again.
    const gp = prob.grad(p);
    const gm = prob.grad(m);
    const hp = prob.hvp(p, v);
    const hm = prob.hvp(m, v);
    const gp2 = prob.grad(p);
    expect(prob.forwardPasses - before).toBe(2);
    // Against a problem that sees each point cold (a third point in between evicts both).
    const q = axpy(w, 2, d);
    const ref = (f: () => Float64Array) => {
      fresh.loss(q);
      fresh.loss(axpy(w, 3, d));
      return f();
    };
    expect(maxDiff(gp, ref(() => fresh.grad(p) as Float64Array))).toBe(0);
    expect(maxDiff(gm, ref(() => fresh.grad(m) as Float64Array))).toBe(0);
    expect(maxDiff(hp, ref(() => fresh.hvp(p, v) as Float64Array))).toBe(0);
    expect(maxDiff(hm, ref(() => fresh.hvp(m, v) as Float64Array))).toBe(0);
    expect(maxDiff(gp2, gp)).toBe(0);
    // A third point evicts the least recently used one (p was used last, so m goes).
    prob.loss(q);
    const n0 = prob.forwardPasses;
    prob.loss(p);
    expect(prob.forwardPasses).toBe(n0);
    prob.loss(m);
    expect(prob.forwardPasses).toBe(n0 + 1);
  });
});
