/**
 * Gradient flow dw/dt = −η∇L against analytic solutions (stiff quadratics) and a fine-step RK4
 * reference written here (second implementation) on a nonlinear toy.
 */
import { describe, expect, it } from 'vitest';
import { GradientFlow } from '../src/engine/flows/gradient-flow.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import type { Problem } from '../src/engine/types.ts';

describe('gradient flow', () => {
  it('stiff 1-D quadratic, ηλ = 50: matches x₀e^{−ηλt} to 1e-6 relative (purely relative tolerance)', () => {
    const { problem } = createProblem({ id: 'quadratic', params: { lambda: 10 } });
    const eta = 5;
    const f = new GradientFlow(problem, eta, Float64Array.of(1), { atol: 0 });
    for (let t = 1; t <= 5; t++) {
      f.advance();
      const exact = Math.exp(-50 * t);
      expect(Math.abs(f.sample().w[0] - exact) / exact).toBeLessThan(1e-6);
    }
  });

  it('stiff 1-D quadratic with default tolerances: stable, within the absolute tolerance of x₀e^{−ηλt}', () => {
    // An explicit adaptive method on a stiff mode hovers at its stability boundary once the mode has
    // decayed below atol (1e-12): the state then wanders at the atol level but never grows past it.
    const { problem } = createProblem({ id: 'quadratic', params: { lambda: 10 } });
    const f = new GradientFlow(problem, 5, Float64Array.of(1));
    for (let t = 1; t <= 200; t++) {
      f.advance();
      const x = f.sample().w[0];
      expect(Math.abs(x - Math.exp(-50 * t))).toBeLessThan(1e-11);
    }
    expect(f.stopped).toBeNull();
  });

  it('stiff 2-D quadratic (ηλ₁ = 50, ηλ₂ = 0.05): the slow mode is exact to 1e-7, the stiff one stays dead', () => {
    const { problem } = createProblem({ id: 'quadratic-2d', params: { l1: 10, l2: 0.01, theta: 0 } });
    const f = new GradientFlow(problem, 5, Float64Array.of(1, 1));
    for (let t = 1; t <= 100; t++) {
      f.advance();
      const w = f.sample().w;
      expect(Math.abs(w[1] - Math.exp(-0.05 * t)) / Math.exp(-0.05 * t)).toBeLessThan(1e-7);
      expect(Math.abs(w[0])).toBeLessThan(1e-9);
    }
    // Cost: stability alone needs h·ηλ₁ ≲ 3.3 (Dormand–Prince's real-axis limit), i.e. ≥ 15 steps of
    // 6 evaluations per unit time; the controller stays within a small factor of that.
    expect(f.stats.evals).toBeGreaterThan(100 * 15 * 6 * 0.9);
    expect(f.stats.evals).toBeLessThan(100 * 15 * 6 * 1.5);
  });

  it('valley: agrees with a fine-step RK4 reference to 1e-7 at t = 1…60', () => {
    const { problem, start } = createProblem({ id: 'valley' });
    const eta = 0.3;
    const f = new GradientFlow(problem, eta, start);
    const ref = Float64Array.from(start);
    const h = 1 / 400;
    const rk4 = (p: Problem, y: Float64Array) => {
      const k = (x: Float64Array) => Float64Array.from(p.grad(x), (v) => -eta * v);
      const add = (a: Float64Array, s: number, b: Float64Array) => Float64Array.from(a, (v, i) => v + s * b[i]);
      const k1 = k(y);
      const k2 = k(add(y, h / 2, k1));
      const k3 = k(add(y, h / 2, k2));
      const k4 = k(add(y, h, k3));
      for (let i = 0; i < y.length; i++) y[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    };
    for (let t = 1; t <= 60; t++) {
      f.advance();
      for (let s = 0; s < 400; s++) rk4(problem, ref);
      const w = f.sample().w;
      expect(Math.hypot(w[0] - ref[0], w[1] - ref[1])).toBeLessThan(1e-7);
    }
  });

  it('keeps sharpening past 2/η on the valley (it does not see EoS)', () => {
    const { problem, start } = createProblem({ id: 'valley' });
    const f = new GradientFlow(problem, 0.3, start);
    for (let t = 0; t < 300; t++) f.advance();
    expect(f.sample().sharpness[0]).toBeGreaterThan(1.1 * (2 / 0.3));
  });
});
