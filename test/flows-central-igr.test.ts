/**
 * Central flow's `igr` option (GD's first-order backward error off the edge) against closed forms on a
 * rotated quadratic ½Σλ_i z_i², where every operator is diagonal in z:
 *  - one Euler substep of size η/s with drift g + c·P⊥Hg multiplies z_i by 1 − x_i/s − (c/η)x_i²/s
 *    (x_i = ηλ_i; c = (η/2)(1 − 1/s) off the tracked eigenvectors, 0 on them), so a step is that to the s;
 *  - GD's own factor is 1 − x; the option must agree with it to O(x³) per step where the plain flow
 *    agrees only to O(x²) (the identity the coefficient (1 − 1/s) is chosen for).
 */
import { describe, expect, it } from 'vitest';
import { CentralFlow } from '../src/engine/flows/central-flow.ts';
import { createProblem } from '../src/engine/problems/registry.ts';

function run(l1: number, l2: number, thetaDeg: number, eta: number, steps: number, igr: boolean, substeps = 4) {
  const { problem } = createProblem({ id: 'quadratic-2d', params: { l1, l2, theta: thetaDeg } });
  const w0 = Float64Array.from([0.3, 1]);
  const f = new CentralFlow(problem, eta, w0, { igr, substeps });
  for (let k = 0; k < steps; k++) f.advance();
  const th = (thetaDeg * Math.PI) / 180;
  const z = (w: ArrayLike<number>) => [Math.cos(th) * w[0] + Math.sin(th) * w[1], -Math.sin(th) * w[0] + Math.cos(th) * w[1]];
  return { z0: z(w0), z: z(f.sample().w) };
}

const stepFactor = (x: number, s: number, igrCoef: number) => (1 - x / s - (igrCoef * x * x) / s) ** s;

describe('central flow: igr option', () => {
  it('matches the closed-form Euler factor with the backward-error term on both axes (nothing tracked)', () => {
    const eta = 1;
    const [l1, l2, s, n] = [0.6, 0.2, 4, 7];
    const { z0, z } = run(l1, l2, 30, eta, n, true, s);
    const c = 0.5 * (1 - 1 / s);
    expect(z[0]).toBeCloseTo(z0[0] * stepFactor(eta * l1, s, c) ** n, 13);
    expect(z[1]).toBeCloseTo(z0[1] * stepFactor(eta * l2, s, c) ** n, 13);
  });

  it('leaves the term out along a tracked eigenvector (λ above 1.5/η) and keeps it on the rest', () => {
    const eta = 1;
    const [l1, l2, s, n] = [1.7, 0.3, 4, 5];
    const { z0, z } = run(l1, l2, -40, eta, n, true, s);
    const c = 0.5 * (1 - 1 / s);
    expect(z[0]).toBeCloseTo(z0[0] * stepFactor(eta * l1, s, 0) ** n, 13);
    expect(z[1]).toBeCloseTo(z0[1] * stepFactor(eta * l2, s, c) ** n, 13);
  });

  it('agrees with GD to third order per step, where the plain flow agrees to second order', () => {
    // Error of one step's factor against GD's 1 − x, both flows, at x and x/2: halving x divides the
    // plain flow's error by ~4 and the igr flow's by ~8.
    const err = (x: number, igr: boolean) => {
      const { z0, z } = run(x, 0.01, 0, 1, 1, igr);
      return Math.abs(z[0] / z0[0] - (1 - x));
    };
    const [p1, p2] = [err(0.2, false), err(0.1, false)];
    const [q1, q2] = [err(0.2, true), err(0.1, true)];
    expect(p1 / p2).toBeGreaterThan(3.5);
    expect(p1 / p2).toBeLessThan(4.5);
    expect(q1 / q2).toBeGreaterThan(7);
    expect(q1 / q2).toBeLessThan(9);
    expect(q1).toBeLessThan(0.2 * p1);
  });

  it('is off by default: the default flow equals igr = false bit for bit', () => {
    const { problem } = createProblem({ id: 'valley' });
    const w0 = Float64Array.from([1.2, 0.4]);
    const a = new CentralFlow(problem, 0.5, w0);
    const b = new CentralFlow(problem, 0.5, w0, { igr: false });
    for (let k = 0; k < 50; k++) {
      a.advance();
      b.advance();
    }
    expect(Array.from(a.sample().w)).toEqual(Array.from(b.sample().w));
  });
});
