import { describe, expect, it } from 'vitest';
import { derivativeErrors, mulberry32, randomVec } from '../src/engine/problems/fd-check.ts';
import { createProblem, getProblemSpec, PROBLEMS } from '../src/engine/problems/registry.ts';
import {
  quadratic2dField,
  quadraticField,
  quarticField,
  selfStabField,
  softWellField,
  TOY_PROBLEMS,
  valleyField,
} from '../src/engine/problems/toys.ts';
import { FieldProblem, type ScalarField } from '../src/engine/problems/field.ts';
import { topEigs } from '../src/engine/linalg/eigs.ts';
import { InputError, type Problem, type Vec } from '../src/engine/types.ts';

/** Sampling boxes for random test points (where each toy's values are O(1)–O(100)). */
const BOX: Record<string, { lo: number[]; hi: number[] }> = {
  quadratic: { lo: [-2], hi: [2] },
  'quadratic-2d': { lo: [-2, -2], hi: [2, 2] },
  quartic: { lo: [-1.5], hi: [1.5] },
  'soft-well': { lo: [-4], hi: [4] },
  valley: { lo: [-1.5, -1.5], hi: [1.5, 1.5] },
  'self-stab': { lo: [-1, 5], hi: [1, 16] },
};

function gd(p: Problem, w0: number[], eta: number, steps: number): Vec {
  const w = Float64Array.from(w0);
  const g = new Float64Array(p.dim);
  for (let k = 0; k < steps; k++) {
    p.grad(w, g);
    for (let i = 0; i < w.length; i++) w[i] -= eta * g[i];
  }
  return w;
}

describe('toy derivatives against central finite differences (float64)', () => {
  // Tolerance 1e-6 relative: FD error with h = 1e-5 is ~1e-9 here (see fd-check.ts); a wrong
  // coefficient or sign gives an O(1) relative error.
  const TOL = 1e-6;
  for (const spec of TOY_PROBLEMS) {
    it(`${spec.id}: grad, hvp, hessian, third at random points and random params`, () => {
      const rand = mulberry32(spec.id.length * 7919 + 17);
      const box = BOX[spec.id];
      expect(box, `test box for ${spec.id}`).toBeDefined();
      let worst = 0;
      for (let trial = 0; trial < 12; trial++) {
        const params: Record<string, number> = {};
        for (const p of spec.params) {
          // Defaults for the first trial, then random values in a central part of the range.
          params[p.key] = trial === 0 ? p.default : p.min + (p.max - p.min) * (0.05 + 0.5 * rand());
        }
        const { problem } = createProblem({ id: spec.id, params });
        const w = Float64Array.from(box.lo, (lo, i) => lo + (box.hi[i] - lo) * rand());
        const e = derivativeErrors(problem, w, rand);
        expect(e.grad, `grad ${spec.id} at ${w}`).toBeLessThan(TOL);
        expect(e.hvp, `hvp ${spec.id} at ${w}`).toBeLessThan(TOL);
        expect(e.hess, `hessian ${spec.id} at ${w}`).toBeLessThan(TOL);
        expect(e.third, `third ${spec.id} at ${w}`).toBeLessThan(TOL);
        expect(e.thirdSym).toBeLessThan(1e-14);
        worst = Math.max(worst, e.grad, e.hvp, e.hess, e.third);
      }
      expect(worst).toBeGreaterThanOrEqual(0);
    });
  }

  it('the FD check itself fails on a wrong derivative (a test that cannot fail is a defect)', () => {
    const { problem } = createProblem({ id: 'valley' });
    const wrong: Problem = {
      dim: 2,
      loss: (w) => problem.loss(w),
      grad: (w, out) => problem.grad(w, out),
      hvp: (w, v, out) => problem.hvp(w, v, out),
      // T[a,b] off by a factor 2: must be caught.
      third: (w, a, b, out) => {
        const o = problem.third(w, a, b, out);
        o[0] *= 2;
        o[1] *= 2;
        return o;
      },
    };
    const rand = mulberry32(3);
    const e = derivativeErrors(wrong, Float64Array.of(0.7, -0.4), rand);
    expect(e.third).toBeGreaterThan(1e-2);
  });
});

describe('the FD oracle is sensitive: a 1e-3 error in any single derivative component is caught', () => {
  const fields: Record<string, () => ScalarField> = {
    quadratic: () => quadraticField(1.3),
    'quadratic-2d': () => quadratic2dField(2, 0.5, 0.4),
    quartic: () => quarticField(2.5, 1),
    'soft-well': () => softWellField(1),
    valley: () => valleyField(0.5),
    'self-stab': () => selfStabField(0.3),
  };
  for (const [id, make] of Object.entries(fields)) {
    it(id, () => {
      const base = make();
      const n = base.dim;
      const counts = { g: n, h: n === 2 ? 3 : 1, t: n === 2 ? 4 : 1 } as const;
      const w = Float64Array.from(BOX[id].lo, (lo, i) => 0.5 * (lo + BOX[id].hi[i]) + 0.13 * (i + 1));
      for (const order of ['g', 'h', 't'] as const) {
        for (let c = 0; c < counts[order]; c++) {
          const mutated: ScalarField = {
            ...base,
            [order]: (x: number, y: number, o: Float64Array) => {
              base[order](x, y, o);
              o[c] += 1e-3;
            },
          };
          const e = derivativeErrors(new FieldProblem(mutated), w, mulberry32(c + 1));
          const seen = order === 'g' ? e.grad : order === 't' ? e.third : Math.max(e.hvp, e.hess);
          expect(seen, `${id} ${order}[${c}]`).toBeGreaterThan(1e-6);
        }
      }
    });
  }
});

describe('toy problem mechanics', () => {
  it('writes into out, allows out to alias the input, and counts evaluations', () => {
    for (const spec of TOY_PROBLEMS) {
      const { problem: p, start } = createProblem({ id: spec.id });
      const n = p.dim;
      const w = randomVec(mulberry32(5), n, 0.1, 0.9);
      const out = new Float64Array(n);
      expect(p.grad(w, out)).toBe(out);
      const v = randomVec(mulberry32(6), n);
      const hv = p.hvp(w, v);
      const alias = Float64Array.from(v);
      expect(Array.from(p.hvp(w, alias, alias))).toEqual(Array.from(hv));
      const a = randomVec(mulberry32(7), n);
      const t = p.third(w, a, v);
      const aliasA = Float64Array.from(a);
      expect(Array.from(p.third(w, aliasA, v, aliasA))).toEqual(Array.from(t));
      expect(p.counters).toMatchObject({ grad: 1, hvp: 2, third: 2, loss: 0 });
      p.loss(w);
      p.hessian!(w);
      expect(p.counters).toMatchObject({ loss: 1, hessian: 1 });
      expect(start.length).toBe(n);
      expect(Number.isFinite(p.loss(start))).toBe(true);
    }
  });

  it('each instance has its own counters', () => {
    const a = createProblem({ id: 'quartic' }).problem;
    const b = createProblem({ id: 'quartic' }).problem;
    a.grad(Float64Array.of(0.3));
    expect(a.counters!.grad).toBe(1);
    expect(b.counters!.grad).toBe(0);
  });
});

describe('analytic facts (docs/equations.md §5)', () => {
  it('quadratic: GD converges iff λ < 2/η', () => {
    const { problem } = createProblem({ id: 'quadratic', params: { lambda: 1 } });
    expect(Math.abs(gd(problem, [1], 1.9, 400)[0])).toBeLessThan(1e-8);
    expect(Math.abs(gd(problem, [1], 2.1, 400)[0])).toBeGreaterThan(1e10);
    // Exactly at 2/η GD flips sign forever at constant amplitude.
    expect(gd(problem, [1], 2, 401)[0]).toBeCloseTo(-1, 12);
    expect(problem.hessian!(Float64Array.of(3))[0]).toBe(1);
  });

  it('quadratic-2d: eigenvalues are λ₁, λ₂ for every θ, with λ₁ along (cos θ, sin θ)', () => {
    for (const theta of [-170, -90, -33, 0, 17, 45, 90, 123, 180]) {
      const { problem } = createProblem({ id: 'quadratic-2d', params: { l1: 3.5, l2: -0.7, theta } });
      const w = Float64Array.of(0.4, -1.1);
      const { values, vectors } = topEigs(problem, w, 2);
      expect(values[0]).toBeCloseTo(3.5, 13);
      expect(values[1]).toBeCloseTo(-0.7, 13);
      const r = (theta * Math.PI) / 180;
      expect(Math.abs(vectors[0][0] * Math.cos(r) + vectors[0][1] * Math.sin(r))).toBeCloseTo(1, 12);
      // Loss is ½ wᵀAw: check against the eigen-expansion.
      const p1 = w[0] * Math.cos(r) + w[1] * Math.sin(r);
      const p2 = -w[0] * Math.sin(r) + w[1] * Math.cos(r);
      expect(problem.loss(w)).toBeCloseTo(0.5 * (3.5 * p1 * p1 - 0.7 * p2 * p2), 13);
    }
  });

  it('quartic: H = S − 3Qx², and ±√((S − 2/η)/Q) is a GD 2-cycle', () => {
    const S = 2.5;
    const Q = 1.3;
    const eta = 1;
    const { problem } = createProblem({ id: 'quartic', params: { S, Q } });
    for (const x of [-1.2, 0, 0.3, 0.9]) {
      expect(problem.hessian!(Float64Array.of(x))[0]).toBeCloseTo(S - 3 * Q * x * x, 14);
    }
    const xs = Math.sqrt((S - 2 / eta) / Q);
    const w1 = gd(problem, [xs], eta, 1)[0];
    expect(w1).toBeCloseTo(-xs, 14);
    // From the default start (0.01) GD is attracted to that 2-cycle (2 < ηS < 3).
    const { problem: p0 } = createProblem({ id: 'quartic' });
    expect(Math.abs(gd(p0, [0.01], 1, 400)[0])).toBeCloseTo(Math.sqrt(0.5), 9);
  });

  it('soft well: curvature 2k at 0, zero at |x| = √2', () => {
    const { problem } = createProblem({ id: 'soft-well', params: { k: 1.5 } });
    expect(problem.hessian!(Float64Array.of(0))[0]).toBe(3);
    expect(problem.hessian!(Float64Array.of(Math.SQRT2))[0]).toBeCloseTo(0, 14);
    expect(problem.loss(Float64Array.of(2))).toBeCloseTo((1.5 * 4) / Math.sqrt(5), 14);
    // With the defaults (k = 1, η = 1.5) GD leaves 0 and settles in a 2-cycle ±x with L'(x)/x = 2/η.
    const spec = getProblemSpec('soft-well')!;
    const { problem: p1 } = createProblem({ id: 'soft-well' });
    const x = gd(p1, spec.defaults.start, spec.defaults.eta, 200)[0];
    expect(gd(p1, [x], spec.defaults.eta, 1)[0]).toBeCloseTo(-x, 12);
    expect(Math.abs(x)).toBeGreaterThan(0.5);
    expect(p1.grad(Float64Array.of(x))[0] / x).toBeCloseTo(2 / spec.defaults.eta, 12);
  });

  it('valley: minima on the ellipse a x² + y² = 1 with S = 8(a²x² + y²)', () => {
    for (const a of [0.5, 0.2, 2]) {
      const { problem } = createProblem({ id: 'valley', params: { a } });
      for (const phi of [0, 0.4, 1.1, 2.5, 4]) {
        const w = Float64Array.of(Math.cos(phi) / Math.sqrt(a), Math.sin(phi));
        expect(problem.loss(w)).toBeLessThan(1e-30);
        const g = problem.grad(w);
        expect(Math.hypot(g[0], g[1])).toBeLessThan(1e-14);
        const { values } = topEigs(problem, w, 2);
        expect(values[0]).toBeCloseTo(8 * (a * a * w[0] * w[0] + w[1] * w[1]), 12);
        expect(values[1]).toBeCloseTo(0, 12);
      }
    }
    // The central flow's end point x² = y² = 2/3 (a = 0.5) lies on the valley with S = 2/η, η = 0.3.
    const { problem } = createProblem({ id: 'valley' });
    const q = Math.sqrt(2 / 3);
    expect(problem.loss(Float64Array.of(q, q))).toBeLessThan(1e-30);
    expect(topEigs(problem, Float64Array.of(q, q), 1).values[0]).toBeCloseTo(2 / 0.3, 12);
  });

  it('valley: GD with the defaults ends ≈ (0.841, 0.804) (docs/equations.md §5)', () => {
    const spec = getProblemSpec('valley')!;
    const { problem, start } = createProblem({ id: 'valley' });
    const w = gd(problem, Array.from(start), spec.defaults.eta, spec.defaults.steps);
    expect(w[0]).toBeCloseTo(0.841, 3);
    expect(w[1]).toBeCloseTo(0.804, 3);
  });

  it('self-stabilization: sharpness along x is y²; GD with the defaults hovers around y = √(2/η)', () => {
    const { problem } = createProblem({ id: 'self-stab' });
    expect(problem.hessian!(Float64Array.of(0, 7))[0]).toBe(49);
    const spec = getProblemSpec('self-stab')!;
    const eta = spec.defaults.eta;
    const w = Float64Array.from(spec.defaults.start);
    const g = new Float64Array(2);
    let sum = 0;
    let count = 0;
    let maxY = 0;
    for (let k = 0; k < spec.defaults.steps; k++) {
      problem.grad(w, g);
      w[0] -= eta * g[0];
      w[1] -= eta * g[1];
      if (k >= 1000) {
        sum += w[1];
        count++;
        maxY = Math.max(maxY, w[1]);
      }
    }
    // Sawtooth around the edge: mean within 5 % of √(2/η) ≈ 14.14, never runs away.
    expect(sum / count).toBeGreaterThan(0.95 * Math.sqrt(2 / eta));
    expect(sum / count).toBeLessThan(1.05 * Math.sqrt(2 / eta));
    expect(maxY).toBeLessThan(1.1 * Math.sqrt(2 / eta));
  });
});

describe('registry', () => {
  it('lists toys, then custom, then networks; ids unique; defaults valid', () => {
    const ids = PROBLEMS.map((p) => p.id);
    expect(ids.slice(0, 7)).toEqual(['quadratic', 'quadratic-2d', 'quartic', 'soft-well', 'valley', 'self-stab', 'custom']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const spec of PROBLEMS.filter((p) => p.kind !== 'network')) {
      expect(spec.description.length).toBeGreaterThan(10);
      expect(spec.defaults.eta).toBeGreaterThan(0);
      expect(spec.defaults.steps).toBeGreaterThan(0);
      for (const p of spec.params) {
        expect(p.default).toBeGreaterThanOrEqual(p.min);
        expect(p.default).toBeLessThanOrEqual(p.max);
      }
      const inst = createProblem({ id: spec.id });
      expect(inst.start.length).toBe(inst.problem.dim);
      expect(inst.window).toBeDefined();
    }
  });

  it('fills defaults and labels the instance', () => {
    const inst = createProblem({ id: 'valley' });
    expect(inst.settings.params).toEqual({ a: 0.5 });
    expect(inst.label).toBe('valley (a=0.5)');
    expect(Array.from(inst.start)).toEqual([0.2, 0.2]);
    const q = createProblem({ id: 'quartic', params: { Q: 2 } });
    expect(q.settings.params).toEqual({ S: 2.5, Q: 2 });
  });

  it('rejects an unknown id, listing the known ones', () => {
    expect(() => createProblem({ id: 'vally' })).toThrow(InputError);
    expect(() => createProblem({ id: 'vally' })).toThrow(/Unknown problem 'vally' \(known: quadratic, quadratic-2d, .*valley.*custom/);
  });

  it('rejects out-of-range, non-finite and unknown params, naming the param and range', () => {
    expect(() => createProblem({ id: 'valley', params: { a: 10 } })).toThrow(
      "Parameter 'a' of 'valley' is 10, outside its range [0.05, 4].",
    );
    expect(() => createProblem({ id: 'quartic', params: { S: NaN } })).toThrow(/Parameter 'S' of 'quartic' must be a finite number/);
    expect(() => createProblem({ id: 'quartic', params: { S: Infinity } })).toThrow(InputError);
    expect(() => createProblem({ id: 'quartic', params: { R: 1 } })).toThrow("Unknown parameter 'R' for 'quartic' (known: S, Q).");
    // spec.create validates too, for callers that bypass the registry.
    expect(() => getProblemSpec('valley')!.create({ id: 'valley', params: { a: -1 } })).toThrow(InputError);
  });
});

describe('evaluation speed', () => {
  it('valley grad/hvp/third with out are allocation-free and fast', () => {
    const { problem } = createProblem({ id: 'valley' });
    const w = Float64Array.of(0.3, 0.2);
    const v = Float64Array.of(0.6, -0.8);
    const out = new Float64Array(2);
    const hout = new Float64Array(4);
    const N = 2_000_000;
    const time = (f: () => void) => {
      for (let i = 0; i < 20000; i++) f(); // warm up the JIT
      const t0 = performance.now();
      for (let i = 0; i < N; i++) f();
      return ((performance.now() - t0) * 1e6) / N;
    };
    const ns = {
      grad: time(() => {
        w[0] += 1e-12;
        problem.grad(w, out);
      }),
      hvp: time(() => problem.hvp(w, v, out)),
      third: time(() => problem.third(w, v, v, out)),
      hessian: time(() => problem.hessian!(w, hout)),
    };
    console.log(`valley ns/call: ${JSON.stringify(Object.fromEntries(Object.entries(ns).map(([k, x]) => [k, +x.toFixed(1)])))}`);
    // Typical is 20–30 ns on a quiet machine and ~10× that on the shared, loaded 2-core box; the bound
    // only separates "compiled arithmetic" from a pathological route (an interpreter is ~10 µs).
    expect(ns.grad).toBeLessThan(5000);
    expect(ns.hvp).toBeLessThan(5000);
  });
});
