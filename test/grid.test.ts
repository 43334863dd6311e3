/** Loss over a plot window (src/engine/grid.ts) against the closed-form losses of the toys. */
import { describe, expect, it } from 'vitest';
import { landscapeWindow, lossGrid, widenToAspect } from '../src/engine/grid.ts';
import { createWorkerHost } from '../src/worker/host.ts';
import type { FromWorker } from '../src/worker/protocol.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { InputError } from '../src/engine/types.ts';

describe('lossGrid', () => {
  it('2-D: values[j*nx+i] = L(x_i, y_j) on the lattice including the corners (rotated quadratic, closed form)', () => {
    const l1 = 2.1, l2 = 0.5, th = (30 * Math.PI) / 180;
    const inst = createProblem({ id: 'quadratic-2d', params: { l1, l2, theta: 30 } });
    const win = { x: [-2, 1] as [number, number], y: [-1, 3] as [number, number] };
    const g = lossGrid(inst.problem, win, 7);
    expect([g.nx, g.ny, g.dim]).toEqual([7, 7, 2]);
    const c = Math.cos(th), s = Math.sin(th);
    let min = Infinity, max = -Infinity;
    for (let j = 0; j < 7; j++)
      for (let i = 0; i < 7; i++) {
        const x = -2 + (i * 3) / 6, y = -1 + (j * 4) / 6;
        const a = c * x + s * y, b = -s * x + c * y; // coordinates along λ₁ = (cos θ, sin θ) and λ₂
        const L = 0.5 * (l1 * a * a + l2 * b * b);
        expect(g.values[j * 7 + i]).toBeCloseTo(L, 12);
        min = Math.min(min, L);
        max = Math.max(max, L);
      }
    expect(g.min).toBeCloseTo(min, 12);
    expect(g.max).toBeCloseTo(max, 12);
    expect(g.x).toEqual([-2, 1]);
    expect(g.y).toEqual([-1, 3]);
  });

  it('1-D: the curve of the quartic, with the window\'s loss range kept', () => {
    const S = 2.5, Q = 1;
    const inst = createProblem({ id: 'quartic', params: { S, Q } });
    const g = lossGrid(inst.problem, { x: [-1, 1], y: [-0.2, 1.7] }, 11);
    expect([g.nx, g.ny, g.dim]).toEqual([11, 1, 1]);
    for (let i = 0; i < 11; i++) {
      const x = -1 + i * 0.2;
      expect(g.values[i]).toBeCloseTo((S / 2) * x * x - (Q / 4) * x ** 4, 12);
    }
    expect(g.y).toEqual([-0.2, 1.7]);
    expect(g.min).toBeCloseTo(0, 12);
  });

  it('refuses a bad grid size and problems that are not 1-D/2-D', () => {
    const inst = createProblem({ id: 'valley' });
    expect(() => lossGrid(inst.problem, { x: [0, 1] }, 1)).toThrow(InputError);
    expect(() => lossGrid(inst.problem, { x: [0, 1] }, 2.5)).toThrow(InputError);
    const fake = { ...inst.problem, dim: 3 } as typeof inst.problem;
    expect(() => lossGrid(fake, { x: [0, 1] }, 4)).toThrow(/1-D or 2-D/);
  });
});

describe('the plane landscape over a frame of another aspect', () => {
  const win = { x: [-2, 2] as [number, number], y: [11.5, 15.5] as [number, number] };

  it('widenToAspect widens one axis about its centre to the exact aspect; the window stays inside', () => {
    for (const aspect of [0.4, 0.65, 1, 1.7, 3]) {
      const w = widenToAspect(win, aspect);
      expect((w.x[1] - w.x[0]) / (w.y[1] - w.y[0])).toBeCloseTo(aspect, 12);
      expect(w.x[0]).toBeLessThanOrEqual(win.x[0]);
      expect(w.x[1]).toBeGreaterThanOrEqual(win.x[1]);
      expect(w.y[0]).toBeLessThanOrEqual(win.y[0]);
      expect(w.y[1]).toBeGreaterThanOrEqual(win.y[1]);
      expect((w.x[0] + w.x[1]) / 2).toBeCloseTo(0, 12);
      expect((w.y[0] + w.y[1]) / 2).toBeCloseTo(13.5, 12);
      // One axis is unchanged.
      expect(w.x[0] === win.x[0] || w.y[0] === win.y[0]).toBe(true);
    }
    expect(widenToAspect(win, NaN)).toEqual(win);
  });

  it('landscapeWindow pads every side by 3 % of the widened span', () => {
    const w = widenToAspect(win, 0.65);
    const l = landscapeWindow(win, 0.65);
    expect(l.x[0]).toBeCloseTo(w.x[0] - 0.03 * (w.x[1] - w.x[0]), 12);
    expect(l.y[1]).toBeCloseTo(w.y[1] + 0.03 * (w.y[1] - w.y[0]), 12);
  });

  it('the worker samples a 2-D grid over the frame it is told, and says which window to frame', async () => {
    const msgs: FromWorker[] = [];
    const host = createWorkerHost((m) => msgs.push(m));
    host.onMessage({ type: 'grid', reqId: 1, problem: { id: 'self-stab' }, n: 16, aspect: 0.65 });
    host.onMessage({ type: 'grid', reqId: 2, problem: { id: 'self-stab' }, n: 16 });
    await new Promise((r) => setTimeout(r, 0));
    const grids = msgs.filter((m): m is Extract<FromWorker, { type: 'grid' }> => m.type === 'grid');
    expect(grids).toHaveLength(2);
    const [wide, plain] = grids.map((m) => m.grid);
    expect(plain.x).toEqual(plain.frame.x);
    expect(wide.frame).toEqual(plain.frame);
    const f = { x: plain.frame.x, y: plain.frame.y ?? plain.frame.x };
    const l = landscapeWindow(f, 0.65);
    expect(wide.x).toEqual(l.x);
    expect(wide.y).toEqual(l.y);
    // Its values are the loss there: the corner sample is L at the padded corner.
    const inst = createProblem({ id: 'self-stab' });
    expect(wide.values[0]).toBe(inst.problem.loss(Float64Array.from([l.x[0], l.y[0]])));
    host.close();
  });
});
