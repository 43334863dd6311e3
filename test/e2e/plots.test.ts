/**
 * The plots in real Chromium, on the problems where they used to hide or spill data: every overlay and
 * marker inside its plot, no attribute handed to the DOM is non-finite, labels do not overlap, each plot
 * draws as many series as the run recorded, the loss axis is chosen from the data, transients do not set
 * the y range, and huge values (a link with 1e300·x², a run file with ±1e308) neither hang nor crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createRunner } from '../../src/engine/runner.ts';
import { runToJson } from '../../src/engine/run-file.ts';
import { HAS_CHROMIUM, openPage, shot, startHarness, unsampledShare, type Harness } from './harness.ts';

let h: Harness;
/**
 * One page, reused: each test navigates it (the bundle then comes from the browser's cache). Each test is
 * under 20 s on a quiet machine; E2E_TIME_FACTOR stretches the limits on a very busy one (e.g. 8 helpers on
 * 2 cores), it changes no assertion.
 */
const F = Number(process.env.E2E_TIME_FACTOR ?? 1) || 1;
const LIMIT = 20_000 * F;
let shared: Awaited<ReturnType<typeof openPage>> | null = null;

async function open(search: string, viewport = { width: 1440, height: 900 }) {
  if (!shared) shared = await openPage(h, search, viewport);
  else {
    await shared.page.setViewportSize(viewport);
    await shared.page.goto(h.url + search, { waitUntil: 'load' });
  }
  shared.errors.length = 0;
  return { page: shared.page, errors: shared.errors };
}

/** Wait for the run, jump the playhead to its end, let the throttled plots catch up. */
async function settle(page: Page, timeout = 15_000 * F): Promise<void> {
  await page.waitForFunction(() => {
    const s = (window as any).__rodflow?.store.getState();
    return s && s.run.done && Object.keys(s.run.traces).length > 0;
  }, null, { timeout });
  await page.evaluate(() => {
    const store = (window as any).__rodflow.store;
    const st = store.getState();
    let end = 0;
    for (const tr of Object.values(st.run.traces) as any[]) if (tr && tr.length) end = Math.max(end, tr.t[tr.length - 1]);
    store.setState({ playhead: end, playing: false });
  });
  // The time-series plots refresh on a throttle: wait until they show every recorded sample.
  await page.waitForFunction(() => {
    const st = (window as any).__rodflow.store.getState();
    let n = 0;
    for (const tr of Object.values(st.run.traces) as any[]) if (tr) n = Math.max(n, tr.length);
    const f = document.querySelector('#sharpness [data-plot-frame]') as HTMLElement | null;
    return !!f && Number(f.dataset.samples) === n;
  }, null, { timeout });
  await page.waitForTimeout(150);
}

interface Report {
  outside: string[];
  nonFinite: string[];
  overlaps: string[];
  drawn: Record<string, { drawn: number; legend: number; marks: number; notes: string[] }>;
  ticks: Record<string, number[]>;
}

/** Everything checked inside the page (bounding boxes are layout truth). */
async function inspect(page: Page): Promise<Report> {
  // A plain-JS string (not a function): the test transform may add helpers the page does not have.
  return page.evaluate(`(() => {
    const r = { outside: [], nonFinite: [], overlaps: [], drawn: {}, ticks: {} };
    const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    for (const fig of Array.from(document.querySelectorAll('figure.rfp-plot'))) {
      const id = fig.id;
      const frame = fig.querySelector('[data-plot-frame]');
      const xAxis = fig.querySelector('[data-role="x-axis"] > line');
      const yAxis = fig.querySelector('[data-role="y-axis"] > line');
      if (!frame || !xAxis || !yAxis) continue;
      const xb = xAxis.getBoundingClientRect();
      const yb = yAxis.getBoundingClientRect();
      const area = { left: xb.left - 1.5, right: xb.right + 1.5, top: yb.top - 1.5, bottom: yb.bottom + 1.5 };
      // No attribute anywhere in the plot's SVG is non-finite.
      for (const el of Array.from(fig.querySelectorAll('svg *')))
        for (const a of Array.from(el.attributes))
          if (/Infinity|NaN/.test(a.value)) r.nonFinite.push(\`\${id} <\${el.tagName} \${a.name}="\${a.value.slice(0, 40)}">\`);
      // Overlays (rods, segments, ellipses, markers) inside the plot area.
      for (const el of Array.from(fig.querySelectorAll('[data-role="rod"], [data-role="segment"], [data-role="cursor-marker"], [data-role="marker"], [data-role="ellipse"]'))) {
        const b = el.getBoundingClientRect();
        const sw = Number(el.getAttribute('stroke-width') ?? 0) / 2 + (el.tagName === 'circle' ? Number(el.getAttribute('r')) : 0);
        const cx = (b.left + b.right) / 2, cy = (b.top + b.bottom) / 2;
        if (el.tagName === 'line') {
          const x1 = Number(el.getAttribute('x1')), x2 = Number(el.getAttribute('x2')), y1 = Number(el.getAttribute('y1')), y2 = Number(el.getAttribute('y2'));
          const w = xb.width + 3, hgt = yb.height + 3;
          for (const [x, y] of [[x1, y1], [x2, y2]]) if (x < -1.5 || x > w || y < -1.5 || y > hgt) r.outside.push(\`\${id} \${el.getAttribute('data-role')} end (\${x}, \${y})\`);
        } else if (cx < area.left - sw || cx > area.right + sw || cy < area.top - sw || cy > area.bottom + sw) r.outside.push(\`\${id} \${el.getAttribute('data-role')} at (\${cx}, \${cy})\`);
      }
      // The start handle, when shown, is inside too.
      const handle = fig.querySelector('.rfp-handle circle[data-ring]');
      if (handle && (fig.querySelector('.rfp-handle')).getAttribute('display') !== 'none') {
        const b = handle.getBoundingClientRect();
        const cx = (b.left + b.right) / 2, cy = (b.top + b.bottom) / 2;
        if (cx < area.left || cx > area.right || cy < area.top || cy > area.bottom) r.outside.push(\`\${id} start handle\`);
      }
      // Labels: onset labels among themselves; each reference line's label clear of its own line.
      const labels = Array.from(fig.querySelectorAll('[data-role="vmark-label"]')).map((e) => ({ t: e.textContent, b: e.getBoundingClientRect() }));
      for (let i = 0; i < labels.length; i++)
        for (let j = i + 1; j < labels.length; j++) if (hit(labels[i].b, labels[j].b)) r.overlaps.push(\`\${id}: "\${labels[i].t}" / "\${labels[j].t}"\`);
      for (const lab of Array.from(fig.querySelectorAll('[data-role="hline-label"]'))) {
        const lb = lab.getBoundingClientRect();
        const line = lab.previousElementSibling;
        if (line?.tagName === 'line') {
          const Y = line.getBoundingClientRect().top + line.getBoundingClientRect().height / 2;
          if (Y > lb.top + 1 && Y < lb.bottom - 1) r.overlaps.push(\`\${id}: "\${lab.textContent}" struck by its line\`);
        }
      }
      const legend = Array.from(fig.querySelectorAll('[data-legend-item]'));
      r.drawn[id] = {
        drawn: Number(frame.dataset.seriesDrawn ?? -1),
        legend: legend.filter((l) => l.getAttribute('data-hidden') !== 'true').length,
        marks: Number(frame.dataset.offscaleMarks ?? 0),
        notes: legend.map((l) => \`\${l.getAttribute('data-label')}: \${l.querySelector('.rfp-note')?.textContent ?? ''}\`),
      };
      r.ticks[id] = Array.from(fig.querySelectorAll('[data-role="y-axis"] text'))
        .map((t) => Number((t.textContent ?? '').replace(/−/g, '-')))
        .filter(Number.isFinite);
    }
    // The η slider's tick labels.
    const ticks = Array.from(document.querySelectorAll('.eta-slider .tick-label')).map((e) => ({ t: e.textContent, b: e.getBoundingClientRect() }));
    for (let i = 0; i < ticks.length; i++)
      for (let j = i + 1; j < ticks.length; j++) if (hit(ticks[i].b, ticks[j].b)) r.overlaps.push(\`η slider: "\${ticks[i].t}" / "\${ticks[j].t}"\`);
    return r;
  })()`) as Promise<Report>;
}

/** Series the run recorded, per plot, from the store (one per flow and column the plot shows). */
async function recorded(page: Page): Promise<{ flows: string[]; eigK: number }> {
  return page.evaluate(() => {
    const s = (window as any).__rodflow.store.getState();
    const flows = Object.entries(s.run.traces).filter(([, t]: any) => t && t.length > 0).map(([id]) => id);
    return { flows, eigK: (s.run.traces.gd?.eigK as number) ?? 1 };
  });
}

function expectClean(r: Report) {
  expect(r.nonFinite).toEqual([]);
  expect(r.outside).toEqual([]);
  expect(r.overlaps).toEqual([]);
}

/** Drawn = legend = recorded, for the plots whose series follow directly from the flows. */
function expectCounts(r: Report, rec: { flows: string[]; eigK: number }) {
  const has = (id: string) => rec.flows.includes(id);
  const n = rec.flows.length;
  const loss = 2 * n - (has('gradient-flow') ? 1 : 0);
  const sharp = n + (has('gd') && rec.eigK > 1 ? 1 : 0);
  const osc = rec.flows.filter((f) => f !== 'gradient-flow').length;
  const dist = rec.flows.filter((f) => f !== 'gd').length;
  const want: Record<string, number> = { loss, sharpness: sharp, rod: osc, distance: dist, contour: n };
  for (const [id, count] of Object.entries(want)) {
    const d = r.drawn[id];
    expect(d, id).toBeTruthy();
    expect(d.drawn, `${id} drawn`).toBe(count);
    if (id !== 'contour') expect(d.legend, `${id} legend`).toBe(count);
  }
}

describe.skipIf(!HAS_CHROMIUM)('plots in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness('plots');
    // The first load compiles the bundle: done here, outside the per-test limit.
    await open('?v=1&problem=quadratic-2d&steps=10');
    await settle(shared!.page, 120_000);
  }, 400_000);
  afterAll(async () => {
    await h?.close();
  });

  it('quadratic-2d defaults: overlays inside, log loss over GD\'s range with gradient flow marked below', async () => {
    const { page, errors } = await open('?v=1&problem=quadratic-2d');
    await settle(page);
    const r = await inspect(page);
    await shot(page, 'plots-quad2d.png');
    expectClean(r);
    expectCounts(r, await recorded(page));
    // Gradient flow's loss falls far below GD's: marked, not stretching the axis over 100 decades.
    expect(r.drawn.loss.notes.find((n) => n.startsWith('Gradient flow L(w)'))).toMatch(/below the axis/);
    expect(r.drawn.loss.marks).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, LIMIT);

  it('valley at η = 1: rods and ±σ clipped to the plot; onset labels apart', async () => {
    const { page, errors } = await open('?v=1&problem=valley&eta=1');
    await settle(page);
    const r = await inspect(page);
    await shot(page, 'plots-valley-eta1.png');
    expectClean(r);
    expectCounts(r, await recorded(page));
    expect(errors).toEqual([]);
  }, LIMIT);

  it('quartic: the Central Flow σ² start-up spike does not stretch the rod-size axis', async () => {
    const { page, errors } = await open('?v=1&problem=quartic');
    await settle(page);
    const r = await inspect(page);
    await shot(page, 'plots-quartic.png');
    expectClean(r);
    expectCounts(r, await recorded(page));
    const top = Math.max(...r.ticks.rod);
    const bottom = Math.min(...r.ticks.rod);
    const osc = await page.evaluate(() => {
      const tr = (window as any).__rodflow.store.getState().run.traces.gd;
      let m = 0;
      for (let i = 2; i < tr.length; i++) m = Math.max(m, tr.osc[i]);
      return m;
    });
    // The axis ends near GD's |δ|² (a few times it at most), not at the spike (~1200) nor at −200.
    expect(top).toBeLessThan(Math.max(5 * osc, 1));
    expect(bottom).toBeGreaterThan(-1);
    expect(errors).toEqual([]);
  }, LIMIT);

  it('self-stab: losses ≤ 0 give a linear loss axis, every series drawn', async () => {
    const { page, errors } = await open('?v=1&problem=self-stab');
    await settle(page);
    const r = await inspect(page);
    await shot(page, 'plots-self-stab.png');
    expectClean(r);
    expectCounts(r, await recorded(page));
    const sub = await page.locator('#loss').getAttribute('data-plot-subtitle');
    const nonPos = await page.evaluate(() => {
      const tr = (window as any).__rodflow.store.getState().run.traces.gd;
      for (let i = 0; i < tr.length; i++) if (tr.loss[i] <= 0) return true;
      return false;
    });
    if (nonPos) expect(sub).toMatch(/linear axis/);
    for (const n of r.drawn.loss.notes) expect(n).not.toMatch(/hidden/);
    // The landscape covers the whole plane, also where equal aspect widened the window (no blank bands),
    // here and 1920 px wide.
    expect(await unsampledShare(page, 'contour')).toBeLessThan(0.002);
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await unsampledShare(page, 'contour')).toBeLessThan(0.002);
    expect(errors).toEqual([]);
  }, LIMIT);

  it('custom x^4/4 − x^2 (loss goes below 0): linear loss axis, nothing hidden, labels apart', async () => {
    const { page, errors } = await open('?v=1&problem=custom&expr=x%5E4%2F4%20-%20x%5E2');
    await settle(page);
    const r = await inspect(page);
    await shot(page, 'plots-custom-x4.png');
    expectClean(r);
    expectCounts(r, await recorded(page));
    expect(await page.locator('#loss').getAttribute('data-plot-subtitle')).toMatch(/linear axis/);
    // Nothing hidden: at most a series' 2-sample start-up transient is off-scale (and marked).
    for (const n of r.drawn.loss.notes) for (const k of n.match(/\d+(?= (above|below))/g) ?? []) expect(Number(k), n).toBeLessThanOrEqual(2);
    expect(errors).toEqual([]);
  }, LIMIT);

  it('a network after Reset: the projected paths and rods stay inside', async () => {
    const { page, errors } = await open('?v=1&problem=mlp-teacher&steps=16');
    await settle(page);
    await page.getByTestId('reset').click();
    await page.waitForTimeout(300);
    const r = await inspect(page);
    await shot(page, 'plots-teacher-reset.png');
    expectClean(r);
    expect(errors).toEqual([]);
  }, LIMIT);

  it('a link with 1e300·x² and η = 1e-301 neither hangs nor crashes; nothing non-finite reaches the DOM', async () => {
    const { page, errors } = await open('?v=1&problem=custom&expr=1e300*x%5E2&eta=1e-301&steps=2000&flows=gd');
    await settle(page);
    // The main thread answers at once (the tick chooser used to loop for ever).
    const t0 = Date.now();
    await page.evaluate(() => 1);
    expect(Date.now() - t0).toBeLessThan(2000);
    const r = await inspect(page);
    expect(r.nonFinite).toEqual([]);
    expect(r.outside).toEqual([]);
    expect(errors.filter((e) => /Infinity|NaN|Maximum call/.test(e))).toEqual([]);
  }, LIMIT);

  it('importing a run file with ±1e308 and non-finite values: marked off-scale, never handed to the DOM', async () => {
    const runner = createRunner({ problem: { id: 'quadratic-2d', params: {} }, eta: 1, steps: 40, flows: ['gd', 'central-flow', 'rod-flow'] });
    runner.advance(40);
    const file = runToJson(runner) as any;
    // Poison a few samples of every numeric column.
    for (const f of Object.values(file.flows) as any[])
      for (const [k, col] of Object.entries(f))
        if (Array.isArray(col) && col.length > 10) {
          const poison = (v: unknown, i: number) => (typeof v === 'number' ? [1e308, -1e308, null][i % 3] : Array.isArray(v) ? v.map(() => 1e308) : v);
          for (const i of [3, 7, 11]) if (i < col.length) col[i] = poison(col[i], i);
          void k;
        }
    const { page, errors } = await open('?v=1&problem=quadratic-2d&steps=40&flows=gd');
    await settle(page);
    const msg = await page.evaluate((text) => (window as any).__rodflow.importRunText(text, 'huge.json'), JSON.stringify(file));
    await page.waitForTimeout(600);
    const r = await inspect(page);
    expect(r.nonFinite).toEqual([]);
    expect(r.outside).toEqual([]);
    expect(errors.filter((e) => /Infinity|NaN|Expected length/.test(e))).toEqual([]);
    // Either it was refused with a message (null), or it is drawn with its off-scale samples marked.
    if (msg != null) expect(Object.values(r.drawn).some((d) => d.notes.some((n) => /above|below/.test(n)))).toBe(true);
  }, LIMIT);

  it('phone size (390×844), quartic: overlays inside, labels apart', async () => {
    const { page, errors } = await open('?v=1&problem=quartic', { width: 390, height: 844 });
    await settle(page);
    const r = await inspect(page);
    await shot(page, 'plots-quartic-390.png');
    expectClean(r);
    expect(errors).toEqual([]);
    await page.setViewportSize({ width: 1440, height: 900 });
  }, LIMIT);
});
