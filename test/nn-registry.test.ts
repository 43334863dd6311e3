import { describe, expect, it } from 'vitest';
import { NETWORK_PROBLEMS } from '../src/engine/nn/registry.ts';
import { lanczosTopK } from '../src/engine/linalg/lanczos.ts';
import { InputError, type ProblemSpec } from '../src/engine/types.ts';

const spec = (id: string): ProblemSpec => {
  const s = NETWORK_PROBLEMS.find((p) => p.id === id);
  if (!s) throw new Error(`missing ${id}`);
  return s;
};

/** GD with the top eigenvalue at every step (warm-started); returns the sharpness series. */
function gdSharpness(id: string, steps: number): { S: number[]; eta: number; loss: number[] } {
  const sp = spec(id);
  const inst = sp.create({ id });
  const p = inst.problem;
  const eta = sp.defaults.eta;
  const w = Float64Array.from(inst.start);
  const g = new Float64Array(p.dim);
  const S: number[] = [];
  const loss: number[] = [];
  let warm: Float64Array[] | undefined;
  for (let k = 0; k < steps; k++) {
    loss.push(p.loss(w));
    p.grad(w, g);
    const r = lanczosTopK((v, o) => p.hvp(w, v, o), p.dim, 1, { warm });
    warm = r.vectors;
    S.push(r.values[0]);
    for (let i = 0; i < p.dim; i++) w[i] -= eta * g[i];
  }
  return { S, eta, loss };
}

describe('network registry', () => {
  it('builds every spec with its defaults, deterministic by seed', () => {
    const dims: Record<string, number> = { 'mlp-chebyshev': 701, 'mlp-teacher': 433, mlp: 337 };
    for (const sp of NETWORK_PROBLEMS) {
      expect(sp.kind).toBe('network');
      const a = sp.create({ id: sp.id });
      const b = sp.create({ id: sp.id });
      expect(a.problem.dim).toBe(dims[sp.id]);
      expect(a.start.length).toBe(a.problem.dim);
      expect(Array.from(a.start)).toEqual(Array.from(b.start));
      expect(a.problem.loss(a.start)).toBe(b.problem.loss(b.start));
      const c = sp.create({ id: sp.id, params: { seed: 2 } });
      expect(Array.from(c.start)).not.toEqual(Array.from(a.start));
      expect(a.settings.params.seed).toBe(1);
      expect(Number.isFinite(a.problem.loss(a.start))).toBe(true);
    }
  });

  it('general mlp: choices and shape', () => {
    const sp = spec('mlp');
    const inst = sp.create({ id: 'mlp', params: { depth: 3, width: 5 }, choices: { dataset: 'teacher', activation: 'gelu' } });
    // 8→5→5→5→1: 45 + 30 + 30 + 6 = 111.
    expect(inst.problem.dim).toBe(111);
    expect(inst.settings.choices).toEqual({ dataset: 'teacher', activation: 'gelu' });
    expect(sp.create({ id: 'mlp', choices: { dataset: 'chebyshev' } }).problem.dim).toBe(1 * 16 + 16 + 16 * 16 + 16 + 17);
  });

  it('rejects bad settings with InputError', () => {
    const sp = spec('mlp');
    expect(() => sp.create({ id: 'mlp', params: { width: 0 } })).toThrow(InputError);
    expect(() => sp.create({ id: 'mlp', params: { width: 2.5 } })).toThrow(InputError);
    expect(() => sp.create({ id: 'mlp', params: { bogus: 1 } })).toThrow(InputError);
    expect(() => sp.create({ id: 'mlp', choices: { dataset: 'mnist' } })).toThrow(/dataset/);
    expect(() => sp.create({ id: 'mlp', choices: { activation: 'relu' } })).toThrow(InputError);
    expect(() => spec('mlp-teacher').create({ id: 'mlp-teacher', params: { initScale: Number.NaN } })).toThrow(InputError);
  });

  // docs/equations.md §6: both presets sharpen into the edge of stability under GD, then hover at 2/η.
  for (const [id, lo, hi] of [
    ['mlp-chebyshev', 250, 420],
    ['mlp-teacher', 220, 380],
  ] as const) {
    it(`${id}: GD sharpens past 2/η (onset in [${lo}, ${hi}]) and then hovers at 2/η`, () => {
      const { S, eta, loss } = gdSharpness(id, 1000);
      const onset = S.findIndex((s) => s > 2 / eta);
      expect(onset).toBeGreaterThanOrEqual(lo);
      expect(onset).toBeLessThanOrEqual(hi);
      // Progressive sharpening before: the sharpness at the start is well below 2/η.
      expect(S[0]).toBeLessThan(0.5 * (2 / eta));
      const tail = S.slice(700, 1000);
      const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
      expect(Math.abs(mean * eta / 2 - 1)).toBeLessThan(0.05);
      // ...while the loss still falls on average (EoS, not divergence).
      expect(loss[999]).toBeLessThan(0.5 * loss[onset]);
    });
  }
});
