/**
 * The overlays of a plot (ghosts, saved and imported runs: series marked `overlay`, drawn under the live
 * run) kept on an offscreen canvas that each redraw copies, built within a time budget per animation
 * frame. Why both:
 * - Copied, not drawn again: a long dotted overlay stroked on every playhead tick held the page at 4–6
 *   frames a second while it played (issue 12 row 3).
 * - Built over frames: the first draw of an imported 240k-step run (15k samples after thinning, ~10
 *   series a plot) cost the plane 25–41 ms and the loss plot 33–73 ms in one frame (JIT-cold thinning,
 *   dashed strokes), against the 50 ms a frame. Overlays new to the plot are laid out within the
 *   budget, over as many frames as it takes, on top of a copy of the last layer's pixels; the plot shows
 *   the build as it goes (a prefix of its overlays). Overlays already on screen are never dropped: on a
 *   new scale or size they are drawn again at once, as every redraw did before this layer existed.
 * Two canvases at most: the one shown and the one being built. DOM-free (the canvas is made by `make`),
 * so the scheduling is tested in Node (test/plots-static-layer.test.ts).
 */

export interface FrameScheduler {
  now(): number;
  frame(f: () => void): number;
  cancel(id: number): void;
}

export const browserFrames: FrameScheduler = {
  now: () => performance.now(),
  frame: (f) => requestAnimationFrame(() => f()),
  cancel: (id) => cancelAnimationFrame(id),
};

/**
 * One drawing budget per animation frame, shared by every plot's layer builds: five plots laying out a new
 * overlay at once would otherwise each take a budget in the same frame. Work that does not fit waits for
 * the next frames, first come first served; each frame does at least one piece of the waiting work, so
 * every build ends.
 */
export class FrameBudget {
  private spent = 0;
  private frameStart = -Infinity;
  private readonly waiting: (() => boolean)[] = [];
  private raf = 0;
  private scheduled = false;

  constructor(
    /** Layer drawing per frame, ms. */
    readonly budgetMs = 8,
    readonly frames: FrameScheduler = browserFrames,
    /** A new frame is assumed after this long without a tick (work outside animation frames). */
    private readonly frameMs = 16,
  ) {}

  /** Milliseconds of this frame's budget still free. */
  left(): number {
    const t = this.frames.now();
    if (t - this.frameStart > this.frameMs) {
      this.frameStart = t;
      this.spent = 0;
    }
    return this.budgetMs - this.spent;
  }

  /** Run `job` and charge its time to this frame. */
  charge<T>(job: () => T): T {
    this.left(); // a new frame starts with a fresh budget
    const t0 = this.frames.now();
    try {
      return job();
    } finally {
      this.spent += this.frames.now() - t0;
    }
  }

  /** Queue `step` (one piece of work, charged; true when there is no more) for the next frames. */
  defer(step: () => boolean): void {
    this.waiting.push(step);
    if (!this.scheduled) {
      this.scheduled = true;
      this.raf = this.frames.frame(() => this.tick());
    }
  }

  cancel(step: () => boolean): void {
    const i = this.waiting.indexOf(step);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.waiting.length === 0 && this.scheduled) {
      this.frames.cancel(this.raf);
      this.scheduled = false;
    }
  }

  private tick(): void {
    this.scheduled = false;
    this.frameStart = this.frames.now();
    this.spent = 0;
    let ran = false;
    while (this.waiting.length && (!ran || this.spent < this.budgetMs)) {
      const step = this.waiting[0];
      ran = true;
      if (step()) this.waiting.shift();
    }
    if (this.waiting.length) {
      this.scheduled = true;
      this.raf = this.frames.frame(() => this.tick());
    }
  }
}

/** The page's budget, shared by all plots. */
export const pageBudget = new FrameBudget();

/** How one plot draws its overlays into a layer canvas. */
export interface LayerPainter<C, X> {
  /** Clear and size `canvas`, enter the plot area; null when it cannot be drawn (no 2-D context). */
  begin(canvas: C): X | null;
  /** Draw overlay i; returns how many off-scale marks it drew. */
  one(ctx: X, i: number): number;
  /** Leave the plot area (the state `begin` entered). */
  end(ctx: X): void;
  /** Copy a finished layer's pixels onto `ctx` (a layer whose overlays are a prefix of the new one's). */
  copy(ctx: X, from: C): void;
}

interface Built<C> {
  key: string;
  sigs: string[];
  canvas: C;
  marked: number;
}

interface Building<C, X> extends Built<C> {
  ctx: X;
  painter: LayerPainter<C, X>;
  next: number;
  /** Its piece of work while it waits in the budget's queue. */
  step: (() => boolean) | null;
  onReady: () => void;
}

/** What a redraw copies: the layer's canvas, how many of the asked overlays it holds (a prefix), their marks. */
export interface LayerView<C> {
  canvas: C;
  count: number;
  marked: number;
}

const isPrefix = (a: string[], b: string[]) => a.length <= b.length && a.every((s, i) => s === b[i]);
const viewOf = <C,>(l: Built<C>): LayerView<C> => ({ canvas: l.canvas, count: l.sigs.length, marked: l.marked });
const sameList = (a: string[], b: string[]) => a.length === b.length && isPrefix(a, b);
function commonPrefix(a: string[], b: string[]): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

export class StaticLayer<C, X> {
  private ready: Built<C> | null = null;
  private building: Building<C, X> | null = null;
  private spare: C | null = null;

  constructor(
    private readonly make: () => C,
    private readonly budget: FrameBudget = pageBudget,
  ) {}

  /**
   * The layer for overlays `sigs` (their signatures, in drawing order) under `key` (everything else the
   * pixels depend on: size, domains, scales). Builds it if needed: what this frame's budget allows now,
   * the rest in later frames, after which `onReady` is called (the plot redraws and gets the whole
   * layer). Returns what to copy now, or null when nothing valid is ready.
   */
  request(key: string, sigs: string[], painter: LayerPainter<C, X>, onReady: () => void): LayerView<C> | null {
    if (sigs.length === 0) {
      this.stop();
      return null;
    }
    const r = this.ready;
    if (r && r.key === key && sameList(r.sigs, sigs)) {
      this.stop();
      return viewOf(r);
    }
    const b = this.building;
    if (b && b.key === key && sameList(b.sigs, sigs)) b.onReady = onReady;
    else this.start(key, sigs, painter, onReady);
    // A build in progress shows what it holds so far (a prefix of the overlays), the rest follows.
    const now = this.building;
    if (now) return now.next > 0 ? { canvas: now.canvas, count: now.next, marked: now.marked } : null;
    const done = this.ready;
    return done && done.key === key && sameList(done.sigs, sigs) ? viewOf(done) : null;
  }

  /** A build is in progress (tests, and the plots' "drawn" attributes). */
  get pending(): boolean {
    return this.building !== null;
  }

  /** Cancel a build in progress (the plot unmounts, or its overlays went away). */
  stop(): void {
    const b = this.building;
    if (!b) return;
    if (b.step) this.budget.cancel(b.step);
    b.painter.end(b.ctx);
    this.spare = b.canvas;
    this.building = null;
  }

  private start(key: string, sigs: string[], painter: LayerPainter<C, X>, onReady: () => void): void {
    this.stop();
    const canvas = this.spare ?? this.make();
    this.spare = null;
    const ctx = painter.begin(canvas);
    if (ctx === null) {
      this.spare = canvas;
      return;
    }
    const b: Building<C, X> = { key, sigs: sigs.slice(), canvas, marked: 0, ctx, painter, next: 0, step: null, onReady };
    this.building = b;
    const r = this.ready;
    if (r && r.key === key && isPrefix(r.sigs, sigs)) {
      // Overlays added after those of the layer shown (a run imported under Runs): start from its pixels.
      painter.copy(ctx, r.canvas);
      b.next = r.sigs.length;
      b.marked = r.marked;
    } else if (r) {
      // A new scale or size: the overlays already on screen are drawn again at once (an axis that moves
      // while the run plays never makes them blink); only overlays new to the plot wait for the budget.
      const shown = commonPrefix(r.sigs, sigs);
      while (b.next < shown) this.drawNext(b);
    }
    // What fits in this frame now: a small layer (a ghost of a short run) is ready in this very redraw.
    while (b.next < b.sigs.length && this.budget.left() > 0) this.drawNext(b);
    if (this.finish(b)) return;
    b.step = () => {
      if (this.building !== b) return true;
      this.drawNext(b);
      if (!this.finish(b)) return false;
      b.onReady();
      return true;
    };
    this.budget.defer(b.step);
  }

  private drawNext(b: Building<C, X>): void {
    b.marked += this.budget.charge(() => b.painter.one(b.ctx, b.next));
    b.next++;
  }

  /** When every overlay is drawn: the build becomes the layer shown. */
  private finish(b: Building<C, X>): boolean {
    if (b.next < b.sigs.length) return false;
    b.painter.end(b.ctx);
    if (this.ready) this.spare = this.ready.canvas;
    this.ready = { key: b.key, sigs: b.sigs, canvas: b.canvas, marked: b.marked };
    this.building = null;
    return true;
  }
}

/** The number of leading series marked `overlay` (they go on the layer; the rest are drawn each time). */
export function overlayCount(series: readonly { overlay?: boolean }[]): number {
  let k = 0;
  while (k < series.length && series[k].overlay) k++;
  return k;
}
