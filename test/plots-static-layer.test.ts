/**
 * The plots' overlay layer (src/ui/plots/static-layer.ts), on a manual clock and manual animation frames:
 * a layer that fits the frame's budget is ready in the same redraw; a larger one is built over frames with
 * at most one overlay past the budget in any frame, shared by all plots, and shown as it goes; new overlays
 * are drawn on a copy of the layer shown; on a new scale the overlays already on screen are drawn again at
 * once (never dropped); the build always ends and then asks for a redraw once; a stopped build never calls
 * back; no more than two canvases per plot.
 */
import { describe, expect, it } from 'vitest';
import { FrameBudget, overlayCount, StaticLayer, type FrameScheduler, type LayerPainter } from '../src/ui/plots/static-layer.ts';

/** A clock moved by the painters, and animation frames run by the test. */
function frames() {
  let t = 0;
  let id = 0;
  const queue = new Map<number, () => void>();
  const sched: FrameScheduler = {
    now: () => t,
    frame: (f) => {
      queue.set(++id, f);
      return id;
    },
    cancel: (i) => void queue.delete(i),
  };
  return {
    sched,
    advance: (ms: number) => (t += ms),
    /** Run one animation frame (the callbacks queued before it), starting 16.7 ms after the last. */
    frame(): number {
      t += 16.7;
      const start = t;
      const fs = [...queue.values()];
      queue.clear();
      for (const f of fs) f();
      return t - start;
    },
    get waiting() {
      return queue.size;
    },
  };
}

interface Canvas {
  id: number;
  drawn: string[];
}

/** A painter whose overlays cost `cost(i)` ms each on the manual clock; records what each canvas holds. */
function painter(clock: ReturnType<typeof frames>, names: string[], cost: (i: number) => number): LayerPainter<Canvas, Canvas> {
  return {
    begin: (c) => {
      c.drawn = [];
      return c;
    },
    copy: (c, from) => void c.drawn.push(...from.drawn),
    one: (c, i) => {
      clock.advance(cost(i));
      c.drawn.push(names[i]);
      return i % 2;
    },
    end: () => {},
  };
}

function maker() {
  const made: Canvas[] = [];
  return { made, make: () => (made.push({ id: made.length, drawn: [] }), made[made.length - 1]) };
}

describe('StaticLayer and FrameBudget', () => {
  it('a layer that fits the budget is ready in the same redraw, and copied as is afterwards', () => {
    const f = frames();
    const budget = new FrameBudget(8, f.sched);
    const m = maker();
    const layer = new StaticLayer<Canvas, Canvas>(m.make, budget);
    let ready = 0;
    const p = painter(f, ['a', 'b'], () => 1);
    const v = layer.request('k', ['a', 'b'], p, () => ready++);
    expect(v).toMatchObject({ count: 2, marked: 1 });
    expect(v!.canvas.drawn).toEqual(['a', 'b']);
    expect(layer.pending).toBe(false);
    // Asked again (the live run moved): the same canvas, nothing drawn again.
    const again = layer.request('k', ['a', 'b'], painter(f, ['a', 'b'], () => 1000), () => ready++);
    expect(again!.canvas).toBe(v!.canvas);
    expect(f.waiting).toBe(0);
    expect(ready).toBe(0);
  });

  it('a large layer is built over frames within the budget (plus at most one overlay), then asks for one redraw', () => {
    const f = frames();
    const budget = new FrameBudget(8, f.sched);
    const layer = new StaticLayer<Canvas, Canvas>(maker().make, budget);
    const names = Array.from({ length: 10 }, (_, i) => `s${i}`);
    let ready = 0;
    const v = layer.request('k', names, painter(f, names, () => 3), () => ready++);
    // Three overlays fit this frame (3 + 3 + 3 ≥ 8): the plot shows those three, the rest follows.
    expect(v).toMatchObject({ count: 3 });
    expect(v!.canvas.drawn).toEqual(['s0', 's1', 's2']);
    expect(layer.pending).toBe(true);
    const spent: number[] = [];
    while (layer.pending) spent.push(f.frame());
    expect(spent.every((ms) => ms <= 8 + 3)).toBe(true);
    expect(spent.length).toBe(3); // 10 overlays: 3 now, then 3, 3, 1
    expect(ready).toBe(1);
    const full = layer.request('k', names, painter(f, names, () => 3), () => ready++);
    expect(full!.count).toBe(10);
    expect(full!.canvas.drawn).toEqual(names);
  });

  it('a run added under Runs is laid out on a copy of the layer shown; on a new scale the overlays on screen are drawn at once', () => {
    const f = frames();
    const budget = new FrameBudget(8, f.sched);
    const m = maker();
    const layer = new StaticLayer<Canvas, Canvas>(m.make, budget);
    const base = painter(f, ['a', 'b', 'c'], (i) => (i < 2 ? 1 : 30));
    const drawnOnce: string[] = [];
    const cheap: LayerPainter<Canvas, Canvas> = { ...base, one: (c, i) => (drawnOnce.push(['a', 'b', 'c'][i]), base.one(c, i)) };
    const first = layer.request('k', ['a', 'b'], cheap, () => {})!;
    expect(first.count).toBe(2);
    f.frame();
    // This frame's budget is spent (other plots drew): c waits for a later frame.
    f.advance(20);
    budget.charge(() => f.advance(9));
    let ready = 0;
    const v = layer.request('k', ['a', 'b', 'c'], cheap, () => ready++);
    expect(v).toMatchObject({ count: 2 });
    expect(v!.canvas.drawn).toEqual(['a', 'b']);
    // Asked again before it is done: the same fallback, the build is not restarted.
    expect(layer.request('k', ['a', 'b', 'c'], cheap, () => ready++)!.count).toBe(2);
    while (layer.pending) f.frame();
    expect(ready).toBe(1);
    const done = layer.request('k', ['a', 'b', 'c'], cheap, () => {});
    expect(done!.canvas.drawn).toEqual(['a', 'b', 'c']); // a and b copied, c drawn
    expect(drawnOnce).toEqual(['a', 'b', 'c']);
    expect(done!.canvas).toBe(v!.canvas); // the build shown as it went
    expect(first.canvas.drawn).toEqual(['a', 'b']); // built aside: the layer shown before was not drawn over
    // Another size or scale: the old pixels would be wrong. The overlays on screen are drawn again at
    // once, even with this frame's budget spent; a new one (d) waits for the budget.
    f.frame();
    f.advance(20);
    budget.charge(() => f.advance(9));
    const more = painter(f, ['a', 'b', 'c', 'd'], () => 1);
    const rescaled = layer.request('k2', ['a', 'b', 'c', 'd'], more, () => {});
    expect(rescaled).toMatchObject({ count: 3 });
    expect(rescaled!.canvas.drawn).toEqual(['a', 'b', 'c']);
    while (layer.pending) f.frame();
    expect(layer.request('k2', ['a', 'b', 'c', 'd'], more, () => {})!.count).toBe(4);
    expect(m.made.length).toBe(2); // the one shown and the one being built, reused
  });

  it('an overlay longer than the whole budget still progresses one per frame, so every build ends', () => {
    const f = frames();
    const budget = new FrameBudget(8, f.sched);
    const layer = new StaticLayer<Canvas, Canvas>(maker().make, budget);
    const names = ['x', 'y', 'z'];
    f.advance(100);
    budget.charge(() => f.advance(9)); // this frame's budget is already spent
    let ready = 0;
    expect(layer.request('k', names, painter(f, names, () => 100), () => ready++)).toBeNull();
    let n = 0;
    while (layer.pending && n < 10) {
      f.frame();
      n++;
    }
    expect(n).toBe(3);
    expect(ready).toBe(1);
  });

  it('five plots share one budget: a frame holds at most the budget plus one overlay of all their builds', () => {
    const f = frames();
    const budget = new FrameBudget(8, f.sched);
    const names = Array.from({ length: 6 }, (_, i) => `s${i}`);
    const layers = Array.from({ length: 5 }, () => new StaticLayer<Canvas, Canvas>(maker().make, budget));
    let ready = 0;
    for (const l of layers) l.request('k', names, painter(f, names, () => 2.5), () => ready++);
    const spent: number[] = [];
    while (layers.some((l) => l.pending)) spent.push(f.frame());
    expect(Math.max(...spent)).toBeLessThanOrEqual(8 + 2.5);
    expect(ready).toBe(5);
    // 30 overlays of 2.5 ms at 4 a frame (the first slice drew 4 of them before any frame).
    expect(spent.length).toBe(Math.ceil((30 - 4) / 4));
  });

  it('a stopped build never calls back; an empty list drops the build', () => {
    const f = frames();
    const budget = new FrameBudget(8, f.sched);
    const layer = new StaticLayer<Canvas, Canvas>(maker().make, budget);
    let ready = 0;
    layer.request('k', ['a', 'b', 'c', 'd', 'e'], painter(f, ['a', 'b', 'c', 'd', 'e'], () => 5), () => ready++);
    expect(layer.pending).toBe(true);
    layer.stop();
    expect(layer.pending).toBe(false);
    expect(f.waiting).toBe(0);
    for (let i = 0; i < 5; i++) f.frame();
    expect(ready).toBe(0);
    layer.request('k', ['a', 'b', 'c', 'd', 'e'], painter(f, ['a', 'b', 'c', 'd', 'e'], () => 5), () => ready++);
    expect(layer.request('k', [], painter(f, [], () => 5), () => ready++)).toBeNull();
    expect(layer.pending).toBe(false);
    for (let i = 0; i < 5; i++) f.frame();
    expect(ready).toBe(0);
  });

  it('overlayCount: the leading overlays only (an overlay after a live series is drawn with the live ones)', () => {
    expect(overlayCount([])).toBe(0);
    expect(overlayCount([{ overlay: true }, { overlay: true }, {}, { overlay: true }])).toBe(2);
    expect(overlayCount([{}, { overlay: true }])).toBe(0);
  });
});
