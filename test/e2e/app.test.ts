/**
 * The explorable in a real browser (Debian Chromium via playwright-core), against the built page.
 * One file so the page is built once. Screenshots of the main states go to test-results/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createRunner } from '../../src/engine/runner.ts';
import { runToJson } from '../../src/engine/run-file.ts';
import type { RunConfig } from '../../src/engine/types.ts';
import { HAS_CHROMIUM, ROOT, SHOTS, TAKE_SHOTS, TRACE_COLUMNS_JS, appState, openPage, sharedBuild, shot, startHarness, type Harness } from './harness.ts';
import { scaled } from '../timeouts.ts';

let h: Harness;
/** Every request any page made, for the same-origin check at the end. */
const allRequests: string[] = [];
const allErrors: string[] = [];

/**
 * One page serves the tests in turn (a new context costs ~3 s of start-up and a cold cache; a reload in
 * the same one under 1 s). `fresh`: a page of its own, for a test that needs an empty localStorage or a
 * second page beside the first. Each test ends with release(page).
 */
let shared: Page | null = null;
const DEFAULT_VIEWPORT = { width: 1500, height: 1100 };
async function open(search = '', viewport?: { width: number; height: number }, opts: { fresh?: boolean } = {}) {
  if (!opts.fresh && shared && !shared.isClosed()) {
    await shared.setViewportSize(viewport ?? DEFAULT_VIEWPORT);
    // Through about:blank: a link that differs only in its fragment must still load the page anew.
    await shared.goto('about:blank');
    await shared.goto(h.url + search, { waitUntil: 'load' });
    return shared;
  }
  const o = await openPage(h, search, viewport);
  o.page.on('request', (r) => allRequests.push(r.url()));
  allRequests.push(...o.requests);
  allErrors.push(...o.errors);
  o.page.on('pageerror', (e) => allErrors.push(String(e)));
  o.page.on('console', (m) => {
    if (m.type() === 'error') allErrors.push(m.text());
  });
  if (!opts.fresh) shared = o.page;
  return o.page;
}

/** The end of a test's use of a page: the shared one stays for the next test, a fresh one closes. */
async function release(page: Page): Promise<void> {
  if (page === shared) return;
  await page.context().close();
}

/** Wait until the current run is computed and the replay has revealed at least `minStep` steps. */
/** Drags the start marker by (dx, dy) px in n moves and waits for the recomputed run; returns the drop point. */
async function dragStart(page: Page, dx: number, dy: number, n: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator('.rfp-handle circle[data-hit]').first().boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= n; i++) await page.mouse.move(x + (dx * i) / n, y + (dy * i) / n, { steps: 1 });
  await page.mouse.up();
  await page.waitForFunction(() => {
    const s = (window as any).__rodflow.store.getState();
    return s.run.done && !s.dragging && s.settings.start !== null;
  });
  return { x: x + dx, y: y + dy };
}

async function waitRun(page: Page, minStep = 0): Promise<void> {
  await page
    .waitForFunction(
      (m) => {
        const s = (window as any).__rodflow?.store.getState();
        return s && s.run.done && s.playhead >= m;
      },
      minStep,
      { timeout: 30_000 },
    )
    .catch(async (e) => {
      // Where the page was: a timeout alone does not say whether the run or the replay stalled.
      const st = await appState<unknown>(page, '(s) => ({ t0: s.run.t0, done: s.run.done, computing: s.run.computing, steps: s.settings.steps, end: s.run.info && s.run.info.t0 + s.run.info.steps, lens: Object.values(s.run.traces).map((t) => t.length), playhead: s.playhead, playing: s.playing, ghosts: s.ghosts.length, notices: s.notices })').catch(() => 'unreadable');
      throw new Error(`waiting for the run to be done with the playhead at ≥ ${minStep}: ${JSON.stringify(st)}\n${(e as Error).message}`);
    });
}

/** Wait for the run, then show all of it (the playhead at its end, paused): no replay to sit through. */
async function toEnd(page: Page): Promise<void> {
  await waitRun(page);
  await page.evaluate(() => {
    const store = (window as any).__rodflow.store;
    const st = store.getState();
    store.setState({ playhead: st.run.frontier, playing: false });
  });
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

const counter = async (page: Page) => Number((await page.getByTestId('step-counter').innerText()).replace(/[^0-9]/g, ''));

describe.skipIf(!HAS_CHROMIUM)('explorable in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness('app');
  }, 180_000);
  afterAll(async () => {
    await shared?.context().close();
    await h?.close();
  });

  // A bare address opens the lessons' landing page (test/e2e/lessons.test.ts); `#v=1` is the explorer's defaults.
  it("the explorer's defaults load, are already moving, and its plots fill with data", async () => {
    const page = await open('#v=1');
    await waitRun(page, 50);
    const st = await appState<{ problem: string; eta: number; playing: boolean; lens: number[]; label: string }>(
      page,
      '(s) => ({ problem: s.settings.problem, eta: s.settings.eta, playing: s.playing, label: s.run.info.label, lens: Object.values(s.run.traces).map((t) => t.length) })',
    );
    expect(st.problem).toBe('valley');
    expect(st.playing).toBe(true);
    expect(st.lens).toHaveLength(4);
    for (const n of st.lens) expect(n).toBeGreaterThan(100);
    // EoS regime: GD's sharpness passed 2/η (the onset is marked).
    const onset = await appState<Record<string, number>>(page, '(s) => s.run.onset');
    expect(onset.gd).toBeGreaterThan(0);
    // No plot says it is empty; the contour's data canvas has ink.
    await expect.poll(() => page.getByText('No data yet').count(), { timeout: 10_000 }).toBe(0);
    const inked = await page.evaluate(() => {
      const out: number[] = [];
      for (const c of Array.from(document.querySelectorAll('canvas'))) {
        const ctx = c.getContext('2d');
        if (!ctx || c.width === 0) continue;
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        out.push(n);
      }
      return out;
    });
    expect(inked.filter((n) => n > 50).length).toBeGreaterThanOrEqual(6);
    await expect(page.getByTestId('backend').innerText()).resolves.toContain('CPU float64 (reference)');
    await shot(page, 'e2e-default.png');
    await release(page);
  });

  // One test per size (each loads the page and waits for its run): under the 20 s budget each.
  it.each([
    ['laptop.png', { width: 1280, height: 800 }],
    ['projector.png', { width: 1920, height: 1080 }],
  ] as const)('at laptop and projector sizes the plot titles stay whole on one line and the valley frames its dynamics (%s)', async (file, viewport) => {
    {
      const page = await open('#v=1', viewport);
      await toEnd(page);
      const titles = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.rfp-title')).map((el) => {
          const e = el as HTMLElement;
          return { text: e.textContent, cut: e.scrollWidth > e.clientWidth + 1, h: e.getBoundingClientRect().height };
        }),
      );
      expect(titles.length).toBe(6);
      for (const t of titles) {
        expect(t.cut, `${t.text} is cut at ${file}`).toBe(false);
        expect(t.h, `${t.text} wraps at ${file}`).toBeLessThan(30);
      }
      // Every GD iterate of the whole horizon is inside the problem's window (the frame), and it is not lost in a corner:
      // the iterates span at least a third of the window in both directions.
      const fit = await appState<{ inside: boolean; fx: number; fy: number }>(
        page,
        `(s) => { const g = { x: s.grid.frame.x, y: s.grid.frame.y ?? s.grid.frame.x }, w = s.run.traces.gd.w; let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
          for (let i = 0; i < w.length; i += 2) { x0 = Math.min(x0, w[i]); x1 = Math.max(x1, w[i]); y0 = Math.min(y0, w[i + 1]); y1 = Math.max(y1, w[i + 1]); }
          return { inside: x0 > g.x[0] && x1 < g.x[1] && y0 > g.y[0] && y1 < g.y[1], fx: (x1 - x0) / (g.x[1] - g.x[0]), fy: (y1 - y0) / (g.y[1] - g.y[0]) }; }`,
      );
      expect(fit.inside).toBe(true);
      expect(fit.fx).toBeGreaterThan(1 / 3);
      expect(fit.fy).toBeGreaterThan(1 / 3);
      // The onset marks are labelled in the top margin (above the plotting area), with a tooltip.
      const marks = await page.locator('#sharpness [data-role="vmark"] title').count();
      expect(marks).toBeGreaterThan(0);
      await shot(page, file, { fullPage: false });
      await release(page);
    }
  });

  it('play / pause / step / reset drive the step counter', async () => {
    const page = await open('?v=1&problem=valley&eta=0.3&steps=2000&speed=1');
    await waitRun(page, 5);
    await page.getByTestId('play').click(); // pause
    await page.waitForTimeout(100);
    const a = await counter(page);
    await page.waitForTimeout(300);
    expect(await counter(page)).toBe(a);
    await page.getByTestId('step').click();
    expect(await counter(page)).toBe(a + 1);
    await page.keyboard.press('ArrowRight');
    expect(await counter(page)).toBe(a + 2);
    await page.getByTestId('play').click(); // play
    await page.waitForTimeout(600);
    expect(await counter(page)).toBeGreaterThan(a + 5);
    await page.getByTestId('reset').click();
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.done);
    expect(await counter(page)).toBe(0);
    await release(page);
  });

  it('a URL reproduces the numbers of the engine run directly in Node with the same config', async () => {
    const config: RunConfig = {
      problem: { id: 'quartic', params: { S: 2.5, Q: 1 } },
      eta: 1,
      start: [0.01],
      steps: 100,
      flows: ['gd', 'central-flow', 'rod-flow'],
    };
    const page = await open('?v=1&problem=quartic&p.S=2.5&p.Q=1&eta=1&start=0.01&steps=100&flows=gd,central-flow,rod-flow');
    await waitRun(page);
    const pageConfig = await page.evaluate(() => {
      const r = (window as any).__rodflow;
      return r.configOf(r.store.getState().settings);
    });
    expect(pageConfig).toEqual(config);
    const got = await appState<Record<string, { t: number[]; w: number[]; loss: number[]; osc: number[]; sharp: number[] }>>(
      page,
      `(s) => Object.fromEntries(Object.entries(s.run.traces).map(([k, t]) => [k, {
        t: Array.from(t.t.subarray(0, t.length)), w: Array.from(t.w.subarray(0, t.length * t.wDim)),
        loss: Array.from(t.loss.subarray(0, t.length)), osc: Array.from(t.osc.subarray(0, t.length)),
        sharp: Array.from(t.sharpness.subarray(0, t.length * t.eigK)) }]))`,
    );
    const runner = createRunner(config);
    runner.advance(config.steps);
    expect(Object.keys(got).sort()).toEqual(['central-flow', 'gd', 'rod-flow']);
    for (const [id, tr] of Object.entries(runner.traces)) {
      const g = got[id];
      expect(g.t).toEqual(Array.from(tr!.t.subarray(0, tr!.length)));
      const cmp = (name: string, a: number[], b: Float64Array) => {
        expect(a.length).toBe(b.length);
        // Same float64 code on both sides, but Chromium's and Node's V8 may differ by an ulp in Math
        // functions: agreement to round-off relative to the column's scale (values near 0 are noise).
        let scale = 0;
        for (const v of b) scale = Math.max(scale, Math.abs(v));
        let worst = 0;
        let at = -1;
        for (let i = 0; i < a.length; i++) {
          const e = Math.abs(a[i] - b[i]) / Math.max(1e-300, scale);
          if (e > worst) [worst, at] = [e, i];
        }
        expect(worst, `${id}.${name}[${at}]: page ${a[at]} vs node ${b[at]}`).toBeLessThan(1e-12);
      };
      cmp('w', g.w, tr!.w.subarray(0, tr!.length * tr!.wDim));
      cmp('loss', g.loss, tr!.loss.subarray(0, tr!.length));
      cmp('osc', g.osc, tr!.osc.subarray(0, tr!.length));
      cmp('sharpness', g.sharp, tr!.sharpness.subarray(0, tr!.length * tr!.eigK));
    }
    // The quartic's GD 2-cycle (docs/equations.md §4): δ² = (S − 2/η)/Q = 0.5 at the end.
    const gd = got.gd;
    expect(gd.osc[gd.osc.length - 1]).toBeCloseTo(0.5, 6);
    await release(page);
  });

  it('dragging the start recomputes the whole trajectory', async () => {
    const page = await open('?v=1&problem=valley&eta=0.3&steps=600');
    await waitRun(page, 10);
    const before = await appState<number[]>(page, '(s) => Array.from(s.run.traces.gd.w.subarray(0, 8))');
    // A drag to the lower left that keeps the new paths inside the valley's window (for the screenshot).
    await dragStart(page, -48, 32, 8);
    const after = await appState<{ start: number[]; w: number[]; url: string }>(page, '(s) => ({ start: s.settings.start, w: Array.from(s.run.traces.gd.w.subarray(0, 8)), url: location.hash.slice(1) })');
    expect(after.start[0]).toBeLessThan(0.2);
    expect(after.start[1]).toBeLessThan(0.2);
    expect(after.w[0]).toBeCloseTo(after.start[0], 12);
    expect(after.w).not.toEqual(before);
    expect(after.url).toContain('start=');
    const lat = await page.evaluate(() => (window as any).__rodflow.perf.drag as number[]);
    expect(lat.length).toBeGreaterThan(0);
    await shot(page, 'e2e-dragged.png');
    await release(page);
  });

  it('a dragged start is rounded to the pixel: the start fields show exactly what runs and what the URL holds', async () => {
    const page = await open('?v=1&problem=valley&eta=0.3&steps=600');
    await waitRun(page, 10);
    const fieldX = page.getByLabel('start x');
    const fieldY = page.getByLabel('start y');
    // Odd offsets, so that the pointer lands between round numbers.
    const end = await dragStart(page, -37.3, 23.7, 5);
    const st = await appState<{ start: number[]; w0: number[]; url: string; runId: number }>(
      page,
      '(s) => ({ start: s.settings.start, w0: Array.from(s.run.traces.gd.w.subarray(0, 2)), url: location.hash.slice(1), runId: s.run.runId })',
    );
    const urlStart = new URLSearchParams(st.url).get('start')!.split(',').map(Number);
    const texts = [await fieldX.inputValue(), await fieldY.inputValue()];
    for (let j = 0; j < 2; j++) {
      // Rounded: a handful of decimals (one pixel of this plot is ~0.01 of the window's units), not 17 digits.
      expect(texts[j], `field ${j}`).toMatch(/^-?\d+(\.\d{1,4})?$/);
      // What is shown is exactly what runs and what a shared link reproduces.
      expect(Number(texts[j])).toBe(st.start[j]);
      expect(urlStart[j]).toBe(st.start[j]);
      expect(st.w0[j]).toBe(st.start[j]);
    }
    // The rounding moved the start by less than a pixel: the handle sits where the pointer let go.
    const after = (await page.locator('.rfp-handle circle[data-hit]').first().boundingBox())!;
    expect(Math.abs(after.x + after.width / 2 - end.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(after.y + after.height / 2 - end.y)).toBeLessThanOrEqual(1);
    // Visiting the field and leaving it changes nothing (no re-rounding, no new run).
    await fieldX.focus();
    await fieldX.press('Tab');
    await page.waitForTimeout(200);
    expect(await appState<number>(page, '(s) => s.run.runId')).toBe(st.runId);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    mkdirSync(SHOTS, { recursive: true });
    if (TAKE_SHOTS) await page.locator('.field', { has: page.locator('#start-label') }).screenshot({ path: join(SHOTS, 'e2e-start-fields.png') });
    // Typing still works exactly, with every digit kept in the state, the field and the URL.
    await fieldX.fill('0.123456789012345');
    await fieldX.press('Enter');
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().settings.start?.[0] === 0.123456789012345);
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.done);
    expect(await fieldX.inputValue()).toBe('0.123456789012345');
    const typed = await appState<{ url: string; w0: number }>(page, '(s) => ({ url: location.hash.slice(1), w0: s.run.traces.gd.w[0] })');
    expect(new URLSearchParams(typed.url).get('start')!.split(',').map(Number)[0]).toBe(0.123456789012345);
    expect(typed.w0).toBe(0.123456789012345);
    await release(page);
  });

  it('a broken URL opens the defaults with a visible notice of what was ignored', async () => {
    const page = await open('?v=1&problem=nope&eta=abc&steps=-4&p.zz=3&start=1,2,3&flows=gd,warp&hide=everything');
    await waitRun(page, 10);
    const notice = page.getByTestId('url-notice');
    await expect(notice.isVisible()).resolves.toBe(true);
    const text = await notice.innerText();
    for (const part of ['problem=nope', 'eta=abc', 'steps=-4', 'p.zz', 'start=1,2,3', 'flows=gd,warp']) expect(text).toContain(part);
    const st = await appState<{ problem: string; eta: number; steps: number; flows: string[] }>(page, '(s) => ({ problem: s.settings.problem, eta: s.settings.eta, steps: s.settings.steps, flows: s.settings.flows })');
    expect(st).toEqual({ problem: 'valley', eta: 0.3, steps: 600, flows: ['gd', 'gradient-flow', 'central-flow', 'rod-flow'] });
    await shot(page, 'e2e-broken-url.png');
    // A link of an unknown version: defaults and a notice, never a blank page.
    await page.goto(h.url + '?v=99&eta=1');
    await waitRun(page, 1);
    expect(await page.getByTestId('url-notice').innerText()).toContain('v=99');
    await release(page);
  });

  it('export → import round-trips, and a bad file gets a clear message', async () => {
    const page = await open('?v=1&problem=quadratic-2d&eta=1&steps=40');
    await waitRun(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    const file = JSON.parse(text);
    expect(file.schema).toBe(1);
    expect(file.problem.id).toBe('quadratic-2d');
    // The same run-file the CLI writes for the same config.
    const runner = createRunner({ problem: { id: 'quadratic-2d', params: {} }, eta: 1, steps: 40, flows: ['gd', 'gradient-flow', 'central-flow', 'rod-flow'] });
    runner.advance(40);
    const node = runToJson(runner);
    // Same schema and same numbers (to round-off: GD is unstable along λ₁ here, |1 − ηλ₁| = 1.1 per step,
    // so an ulp of difference between Chromium's and Node's Math.cos grows ~45× over 40 steps).
    expect(Object.keys(file).sort()).toEqual(Object.keys(node).sort());
    expect(Object.keys(file.flows).sort()).toEqual(Object.keys(node.flows).sort());
    const close = (a: (number | null)[], b: (number | null)[]) => {
      expect(a.length).toBe(b.length);
      const scale = Math.max(...b.map((v) => Math.abs(v ?? 0)));
      for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] ?? NaN) - (b[i] ?? NaN))).toBeLessThanOrEqual(1e-12 * scale);
    };
    close(file.flows.gd.w.flat(), node.flows.gd!.w.flat());
    close(file.flows['rod-flow'].delta2, node.flows['rod-flow']!.delta2!);
    close(file.flows['central-flow'].loss, node.flows['central-flow']!.loss);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    expect(csvText.split('\n')[0]).toContain('flow,t,loss');

    await page.getByTestId('import-file').setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().saved.length === 1);
    const same = await appState<boolean>(
      page,
      `(s) => { const a = s.saved[0].traces.gd, b = s.run.traces.gd; if (a.length !== b.length) return false;
        for (let i = 0; i < a.length * a.wDim; i++) if (a.w[i] !== b.w[i]) return false;
        for (let i = 0; i < a.length; i++) if (a.loss[i] !== b.loss[i] || a.osc[i] !== b.osc[i]) return false; return true; }`,
    );
    expect(same).toBe(true);
    await shot(page, 'e2e-imported.png');

    await page.getByTestId('import-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"schema":1,"flows":{}}') });
    const toast = page.getByTestId('toast');
    // A progress note ("Importing bad.json …") may come first: wait for the verdict.
    await page.waitForFunction(() => /Could not import bad\.json/.test(document.querySelector('[data-testid=toast]')?.textContent ?? ''));
    expect(await toast.innerText()).toMatch(/Could not import bad\.json: Not a Rod Flow Explorer run file/);
    await page.getByTestId('import-file').setInputFiles({ name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from('not json') });
    await page.waitForFunction(() => document.querySelector('[data-testid=toast]')?.textContent?.includes('junk.json'));
    expect(await page.getByTestId('toast').innerText()).toContain('Not a JSON file');
    await release(page);
  });

  it('a diverging η freezes the run with the divergence lesson, and "η just below 2/λ" recovers', async () => {
    const page = await open('?v=1&problem=quadratic&p.lambda=1&eta=2.5&steps=60');
    const banner = page.getByTestId('divergence');
    await banner.waitFor({ timeout: 20_000 });
    const text = await banner.innerText();
    expect(text).toMatch(/diverged at step \d+/);
    expect(text).toContain('2/η');
    const st = await appState<{ playing: boolean; ph: number; stop: number }>(page, '(s) => ({ playing: s.playing, ph: s.playhead, stop: s.run.traces.gd.stopped.step })');
    expect(st.playing).toBe(false);
    expect(st.ph).toBe(st.stop);
    await shot(page, 'e2e-diverged.png');
    await page.getByRole('button', { name: /Rewind 50 steps/ }).click();
    expect(await appState<number>(page, '(s) => s.playhead')).toBe(Math.max(0, st.stop - 50));
    // The banner and the η control offer the same η, and the banner says which λ it means.
    const offered = async (name: RegExp) => /\((\d[\d.]*)/.exec(await page.getByRole('button', { name }).innerText())?.[1];
    expect(await offered(/η just below 2\/λ₁/)).toBe(await offered(/^just below 2\/λ₁/));
    expect(await page.getByRole('button', { name: /η just below 2\/λ₁/ }).innerText()).toContain('λ₁ at the start');
    await page.getByRole('button', { name: /η just below 2\/λ₁/ }).click();
    await page.waitForFunction(() => {
      const s = (window as any).__rodflow.store.getState();
      return s.settings.eta < 2 && s.run.done && s.playhead >= 60;
    });
    expect(await appState<number>(page, '(s) => s.settings.eta')).toBeCloseTo(1.98, 10);
    await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(0);
    await release(page);
  });

  it('changing η mid-run forks from the current state and keeps a ghost; back/forward restore the URL state', async () => {
    const page = await open('?v=1&problem=valley&eta=0.3&steps=2000&speed=2');
    await waitRun(page, 100);
    await page.getByTestId('play').click(); // pause at some step k
    const k = await appState<number>(page, '(s) => s.playhead');
    const eta = page.locator('#eta-input');
    await eta.fill('0.25');
    await eta.press('Enter');
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.done);
    const st = await appState<{ t0: number; ghosts: number; eta: number; first: number; url: string }>(
      page,
      '(s) => ({ t0: s.run.t0, ghosts: s.ghosts.length, eta: s.run.eta, first: s.run.traces.gd.t[0], url: location.hash.slice(1) })',
    );
    expect(st.t0).toBe(k);
    expect(st.first).toBe(k);
    expect(st.ghosts).toBe(1);
    expect(st.eta).toBe(0.25);
    expect(st.url).toContain('eta=0.25');
    await page.waitForTimeout(400);
    await shot(page, 'e2e-fork-ghost.png');
    await page.goBack();
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().settings.eta === 0.3);
    await page.goForward();
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().settings.eta === 0.25);
    await release(page);
  });

  it('a copied link after two η changes mid-run reopens the same forked run and the same ghosts (to 1e-12)', async () => {
    // Steps far past the second fork (~250), so a slow test still pauses the replay before its end.
    const STEPS = 1000;
    const page = await open(`?v=1&problem=valley&eta=0.3&steps=${STEPS}&speed=4`);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const eta = page.locator('#eta-input');
    /** Let the replay run on, pause, and change η in the field as a person would: a fork. */
    const forkAt = async (minStep: number, value: string): Promise<number> => {
      if (!(await appState<boolean>(page, '(s) => s.playing'))) await page.getByTestId('play').click();
      await waitRun(page, minStep);
      // Pause only if it still plays: on a busy machine the replay can reach the end (and stop) before
      // this line runs, and a click there would replay from the fork instead (a CI run timed out so).
      if (await appState<boolean>(page, '(s) => s.playing')) await page.getByTestId('play').click();
      const paused = await appState<{ k: number; ghosts: number }>(page, '(s) => ({ k: s.playhead, ghosts: s.ghosts.length })');
      expect(paused.k, 'the replay ran to the end before the test paused it').toBeLessThan(STEPS);
      await eta.fill(value);
      await eta.press('Enter');
      // The fork's step is the run's new t0; on a timeout the message says where the page was.
      const forked = await page
        .waitForFunction((n) => {
          const s = (window as any).__rodflow.store.getState();
          return s.run.done && s.ghosts.length === n + 1 && s.run.eta === s.settings.eta ? s.run.t0 : false;
        }, paused.ghosts)
        .then((h) => h.jsonValue() as Promise<number>)
        .catch(async (e) => {
          const st = await appState<unknown>(page, '(s) => ({ t0: s.run.t0, done: s.run.done, eta: s.run.eta, settingsEta: s.settings.eta, playhead: s.playhead, playing: s.playing, ghosts: s.ghosts.length, notices: s.notices })');
          throw new Error(`the fork at step ${paused.k} (η = ${value}) did not complete: ${JSON.stringify(st)}\n${(e as Error).message}`);
        });
      expect(forked).toBe(paused.k);
      return forked;
    };
    const k1 = await forkAt(100, '0.25');
    const k2 = await forkAt(k1 + 150, '0.2');
    expect(k2).toBeGreaterThan(k1);
    // Every column of the current run and of each ghost, up to its length.
    const snapshot = (p: Page) =>
      appState<{ t0: number; eta: number; settingsEta: number; run: Record<string, Record<string, number[]>>; ghosts: { name: string; eta: number; traces: Record<string, Record<string, number[]>> }[] }>(
        p,
        `(s) => {
          const cols = ${TRACE_COLUMNS_JS};
          return { t0: s.run.t0, eta: s.run.eta, settingsEta: s.settings.eta, run: cols(s.run.traces),
            ghosts: s.ghosts.map((g) => ({ name: g.name, eta: g.eta, traces: cols(g.traces) })) };
        }`,
      );
    const before = await snapshot(page);
    expect(before.ghosts.map((g) => g.name)).toEqual(['η = 0.3', 'η = 0.25']);
    await page.getByTestId('copy-link').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=toast]')?.textContent?.includes('Link'));
    const link = await page.evaluate(() => navigator.clipboard.readText());
    const search = new URL(link).hash.slice(1);
    expect(search).toBe(await page.evaluate(() => location.hash.slice(1)));
    expect(new URLSearchParams(search).get('fork')).toBe(`${k1}:0.3,${k2}:0.25`);
    expect(new URLSearchParams(search).get('eta')).toBe('0.2');

    const page2 = await open('#' + search, undefined, { fresh: true });
    await page2.waitForFunction((t) => {
      const s = (window as any).__rodflow.store.getState();
      return s.run.done && s.run.t0 === t && s.ghosts.length === 2;
    }, k2, { timeout: 30_000 });
    const after = await snapshot(page2);
    expect(await appState<string[]>(page2, '(s) => s.notices')).toEqual([]);
    expect([after.t0, after.eta, after.settingsEta]).toEqual([k2, 0.2, 0.2]);
    expect(after.ghosts.map((g) => [g.name, g.eta])).toEqual(before.ghosts.map((g) => [g.name, g.eta]));
    let worst = 0;
    let exact = true;
    let compared = 0;
    const same = (where: string, a: Record<string, Record<string, number[]>>, b: Record<string, Record<string, number[]>>) => {
      expect(Object.keys(a).sort(), where).toEqual(Object.keys(b).sort());
      for (const [flow, cols] of Object.entries(a)) {
        for (const [col, xs] of Object.entries(cols)) {
          const ys = b[flow][col];
          expect(ys.length, `${where} ${flow}.${col}`).toBe(xs.length);
          for (let i = 0; i < xs.length; i++) {
            const e = Math.abs(xs[i] - ys[i]);
            if (!(e <= 1e-12)) expect.fail(`${where} ${flow}.${col}[${i}]: ${xs[i]} vs ${ys[i]}`);
            worst = Math.max(worst, e);
            exact &&= Object.is(xs[i], ys[i]);
            compared++;
          }
        }
      }
    };
    same('run', before.run, after.run);
    // The current run starts at the second fork; each ghost ends at its own fork.
    expect(after.run.gd.t[0]).toBe(k2);
    before.ghosts.forEach((g, i) => same(`ghost ${g.name}`, g.traces, after.ghosts[i].traces));
    expect(after.ghosts[0].traces.gd.t.at(-1)).toBe(k1);
    expect(after.ghosts[1].traces.gd.t.at(-1)).toBe(k2);
    console.log(`fork link: ${compared} numbers compared, worst |Δ| = ${worst}, bit-identical: ${exact}`);
    // The ghosts are listed and drawn (screenshot); the link's URL stays the same after the rebuild.
    await expect.poll(() => page2.getByRole('list', { name: 'Ghost runs' }).locator('li span').allInnerTexts()).toEqual(['η = 0.3', 'η = 0.25']);
    expect(await page2.evaluate(() => location.hash.slice(1))).toBe(search);
    await page2.waitForTimeout(400);
    await shot(page2, 'e2e-fork-link.png');
    // Back in the first page: a reset forgets the forks (the link opens a fresh run), back brings them again.
    await page.getByTestId('reset').click();
    await page.waitForFunction(() => !new URLSearchParams(location.hash.slice(1)).has('fork'));
    expect(await appState<number>(page, '(s) => s.ghosts.length')).toBe(0);
    await page.goBack();
    await page.waitForFunction((t) => {
      const s = (window as any).__rodflow.store.getState();
      return s.run.done && s.run.t0 === t && s.ghosts.length === 2;
    }, k2, { timeout: 30_000 });
    same('run after back', before.run, (await snapshot(page)).run);
    await release(page2);
    await release(page);
  });

  it('links live in the fragment: an old ? link opens and becomes one; a 10k-character link opens with a notice', async () => {
    const page = await open('?v=1&problem=quartic&eta=1&steps=60');
    await waitRun(page, 1);
    expect(await page.evaluate(() => location.search)).toBe('');
    expect(await page.evaluate(() => location.hash)).toContain('problem=quartic');
    await release(page);
    // The fragment never reaches the server, so no header limit: a long value gets a notice, not a 431.
    const long = await open('#v=1&problem=custom&expr=' + 'x'.repeat(10_000) + '&eta=0.2');
    await long.locator('.notice').first().waitFor({ timeout: 20_000 });
    expect(await long.locator('.notice').first().innerText()).toContain('longer than 400 characters');
    await waitRun(long, 1);
    await release(long);
  });

  it('the worker killed mid-run: the page recovers, keeps the recorded run, says so, and continues', async () => {
    // 1-D/2-D: recomputed exactly, playhead kept.
    const page = await open('?v=1&problem=valley&eta=0.3&steps=2000&speed=20');
    await waitRun(page, 40);
    await page.evaluate(() => (window as any).__rodflow.pause());
    const before = await page.evaluate(() => {
      const s = (window as any).__rodflow.store.getState();
      return { playhead: s.playhead, w: Array.from(s.run.traces.gd.w.subarray(0, 400)) as number[] };
    });
    await page.evaluate(() => (window as any).__rodflow.killWorker());
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().notices.some((n: string) => n.includes('worker stopped')));
    await page.waitForFunction((ph) => {
      const s = (window as any).__rodflow.store.getState();
      return s.run.done && s.playhead === ph;
    }, before.playhead, { timeout: 30_000 });
    const after = await page.evaluate(() => Array.from((window as any).__rodflow.store.getState().run.traces.gd.w.subarray(0, 400)) as number[]);
    expect(after).toEqual(before.w);
    await page.evaluate(() => (window as any).__rodflow.play());
    await page.waitForFunction((ph) => (window as any).__rodflow.store.getState().playhead > ph + 10, before.playhead);
    await release(page);

    // A network: its recorded samples become a saved run; the new worker runs again.
    const net = await open('?v=1&problem=mlp-chebyshev&steps=400&speed=5&flows=gd');
    await net.waitForFunction(() => (window as any).__rodflow.store.getState().run.frontier >= 5, undefined, { timeout: 60_000 });
    const n0 = await net.evaluate(() => (window as any).__rodflow.store.getState().run.traces.gd.length as number);
    await net.evaluate(() => (window as any).__rodflow.killWorker());
    await net.waitForFunction(() => (window as any).__rodflow.store.getState().notices.some((n: string) => n.includes('worker stopped')));
    const saved = await net.evaluate(() => (window as any).__rodflow.store.getState().saved.map((o: any) => ({ name: o.name, n: o.traces.gd.length })));
    expect(saved).toHaveLength(1);
    expect(saved[0].name).toContain('before the worker stopped');
    expect(saved[0].n).toBeGreaterThanOrEqual(n0);
    await net.evaluate(() => (window as any).__rodflow.play());
    await net.waitForFunction(() => (window as any).__rodflow.store.getState().run.frontier >= 3, undefined, { timeout: 60_000 });
    await release(net);
  });

  it('a classroom link hides the chosen controls', async () => {
    const page = await open('?v=1&problem=quartic&eta=1&hide=problem,params,flows');
    await waitRun(page, 1);
    expect(await page.locator('#problem-select').count()).toBe(0);
    expect(await page.locator('#eta-input').count()).toBe(1);
    expect(await page.getByText('Show all controls').count()).toBe(1);
    await shot(page, 'e2e-classroom.png');
    await release(page);
  });

  it('a custom expression error is shown inline with its position', async () => {
    const page = await open('?v=1&problem=custom&expr=' + encodeURIComponent('(1 - x^2 - y*+)'));
    await page.locator('#expr-error').waitFor({ timeout: 20_000 });
    const text = await page.locator('#expr-error').innerText();
    expect(text).toContain('^');
    await page.locator('#expr-input').fill('(1 - 0.5*x^2 - y^2)^2');
    await page.locator('#expr-input').press('Enter');
    await waitRun(page, 5);
    await expect.poll(() => page.locator('#expr-error').count(), { timeout: 10_000 }).toBe(0);
    await release(page);
  });

  it('a network streams from the worker, says its plane is a projection, and pauses', async () => {
    const page = await open('?v=1&problem=mlp-chebyshev&steps=400&speed=2');
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 4, null, { timeout: 60_000 });
    const st = await appState<{ mode: string; projected: boolean; wDim: number }>(page, "(s) => ({ mode: s.run.mode, projected: s.run.traces.gd.projected, wDim: s.run.traces.gd.wDim })");
    expect(st).toEqual({ mode: 'stream', projected: true, wDim: 2 });
    expect(await page.getByText('a 2-D projection', { exact: false }).count()).toBeGreaterThan(0);
    await page.getByTestId('play').click(); // pause
    await page.waitForTimeout(500);
    const a = await counter(page);
    await page.waitForTimeout(800);
    expect(await counter(page)).toBe(a);
    await page.getByTestId('step').click();
    await page.waitForFunction((n) => (window as any).__rodflow.store.getState().playhead === n + 1, a, { timeout: 20_000 });
    await shot(page, 'e2e-network.png');
    await release(page);
  });

  it('saved runs can be named, overlaid, toggled and deleted', async () => {
    const page = await open('?v=1&problem=quartic&eta=1&steps=60');
    await waitRun(page, 60);
    await page.getByLabel('Name for the saved run').fill('first');
    await page.getByRole('button', { name: 'Save run' }).click();
    await page.locator('#eta-input').fill('0.9');
    await page.locator('#eta-input').press('Enter');
    await waitRun(page, 60);
    const names = await appState<string[]>(page, '(s) => s.saved.map((o) => o.name)');
    expect(names).toEqual(['first']);
    // Plots refresh on a throttle (at most every 100 ms), so the legend is awaited, not read once.
    const legend = () => page.evaluate(() => document.body.innerText.includes('first (dotted)'));
    await expect.poll(legend, { timeout: 10_000 }).toBe(true);
    await page.getByLabel('Show first').uncheck();
    expect(await appState<boolean>(page, '(s) => s.saved[0].visible')).toBe(false);
    await expect.poll(legend, { timeout: 10_000 }).toBe(false);
    await page.getByLabel('Show first').check();
    await page.getByLabel('Run name').fill('renamed');
    expect(await appState<string>(page, '(s) => s.saved[0].name')).toBe('renamed');
    await shot(page, 'e2e-saved-overlay.png');
    await page.getByLabel('Delete renamed').click();
    expect(await appState<number>(page, '(s) => s.saved.length')).toBe(0);
    await release(page);
  });

  describe('network engines', () => {
    /** GD's loss column and the run's step, from the page's store. */
    const gdLoss = (page: Page) =>
      appState<{ step: number; t: number[]; loss: number[]; sharp: number[] }>(
        page,
        '(s) => { const t = s.run.traces.gd; return { step: s.run.step, t: Array.from(t.t.subarray(0, t.length)), loss: Array.from(t.loss.subarray(0, t.length)), sharp: Array.from(t.sharpness.subarray(0, t.length * t.eigK)) }; }',
      );
    type EngineState = { phase: string; requested?: string; fellBack?: boolean; info?: { name: string; requested: string; summary: string; failed: { name: string; reason: string }[]; calibrationMs?: Record<string, number>; fromStorage?: boolean } } | null;
    const engineState = (page: Page) => appState<EngineState>(page, '(s) => s.engine');
    const waitEngine = (page: Page) =>
      page.waitForFunction(() => (window as any).__rodflow.store.getState().engine?.phase === 'running', null, { timeout: 120_000 });
    /**
     * The worker streams while playing: waits for `n` more steps and returns the rate seen (for the log;
     * throughput itself is `npm run bench -- browser`'s business, not a test's).
     */
    async function stepsAdvance(page: Page, n: number): Promise<number> {
      const s0 = await appState<number>(page, '(s) => s.run.step');
      const t0 = Date.now();
      await page.waitForFunction((k) => (window as any).__rodflow.store.getState().run.step >= k, s0 + n, { timeout: 30_000 });
      const s1 = await appState<number>(page, '(s) => s.run.step');
      return ((s1 - s0) * 1000) / (Date.now() - t0);
    }
    /** The same steps of GD in float64 in Node (the reference the float32 twin is checked against). */
    function referenceLoss(steps: number): Float64Array {
      const r = createRunner({ problem: { id: 'mlp-chebyshev', params: {} }, eta: 0.2, steps, flows: ['gd'] });
      r.advance(steps);
      return r.traces.gd!.loss.slice(0, r.traces.gd!.length);
    }

    it('engine=wasm in the URL runs the network on tfjs-wasm: the badge names it, steps advance, values track float64', async () => {
      const page = await open('?v=1&problem=mlp-chebyshev&steps=400&speed=200&flows=gd&engine=wasm');
      await waitEngine(page);
      const eng = await engineState(page);
      expect(eng?.info?.name).toBe('wasm');
      expect(eng?.info?.requested).toBe('wasm');
      expect(eng?.fellBack).toBeFalsy();
      // The badge says what actually runs (the worker's own summary), with the details in its title.
      const badge = page.getByTestId('engine-badge');
      await expect.poll(() => badge.innerText(), { timeout: 10_000 }).toContain(eng!.info!.summary);
      expect(eng!.info!.summary.toLowerCase()).toContain('wasm');
      expect(await badge.getAttribute('title')).toContain('Asked for');
      expect(await page.locator('#engine-select').inputValue()).toBe('wasm');
      await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 60, null, { timeout: 60_000 });
      const g = await gdLoss(page);
      expect(g.loss.length).toBeGreaterThan(10);
      for (const v of [...g.loss, ...g.sharp.filter((_, i) => i % 2 === 0)]) expect(Number.isFinite(v)).toBe(true);
      // Float32 on tfjs tracks the float64 reference before the edge of stability (onset at step 325):
      // the same GD steps in Node, compared sample by sample (recorded at stride 1 this early).
      const ref = referenceLoss(60);
      let worst = 0;
      for (let i = 0; i < g.t.length && g.t[i] <= 60; i++) worst = Math.max(worst, Math.abs(g.loss[i] - ref[g.t[i]]) / Math.abs(ref[g.t[i]]));
      console.log(`[engine] wasm vs float64 GD loss over 60 steps: worst relative difference ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-4);
      expect(worst).toBeGreaterThan(0); // float32 really ran: not the float64 path under another name
      await shot(page, 'e2e-engine-wasm.png');
      await shot(page, 'engine-badge.png');
      await release(page);
    });

    it('the float64 page loads no tfjs; the engine select switches to wasm (URL, badge) and back; both advance', async () => {
      const o = await openPage(h, '?v=1&problem=mlp-chebyshev&steps=20000&speed=200&flows=gd');
      const { page, requests } = o;
      page.on('request', (r) => allRequests.push(r.url()));
      page.on('pageerror', (e) => allErrors.push(String(e)));
      await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 20, null, { timeout: 60_000 });
      expect(await page.getByTestId('engine-badge').innerText()).toContain('CPU float64 (reference)');
      const f64 = await stepsAdvance(page, 10);
      // Nothing of the tfjs path was fetched (no engine-backend chunk, no tfjs module, no .wasm), and
      // the page itself never started tfjs (its engine global is created when tfjs-core loads).
      expect(requests.filter((u) => /engine-backend|tfjs|\.wasm/.test(u))).toEqual([]);
      expect(await page.evaluate(() => typeof (globalThis as any)._tfengine)).toBe('undefined');
      await page.locator('#engine-select').selectOption('wasm');
      await expect.poll(() => page.evaluate(() => location.hash.slice(1)), { timeout: 10_000 }).toContain('engine=wasm');
      await waitEngine(page);
      expect((await engineState(page))?.info?.name).toBe('wasm');
      await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 20, null, { timeout: 60_000 });
      const wasm = await stepsAdvance(page, 10);
      // The wasm binary came from this origin (CSP: 'self' plus 'wasm-unsafe-eval').
      expect(requests.some((u) => u.startsWith(h.url) && u.endsWith('.wasm'))).toBe(true);
      const dim = await appState<number>(page, '(s) => s.run.info.dim');
      console.log(`[engine] mlp-chebyshev (P = ${dim}), GD + λ₁,λ₂ per step, in the page: float64 ${f64.toFixed(1)} steps/s, wasm ${wasm.toFixed(1)} steps/s`);
      expect(f64).toBeGreaterThan(0);
      expect(wasm).toBeGreaterThan(0);
      await page.locator('#engine-select').selectOption('float64');
      await expect.poll(() => page.evaluate(() => location.hash.slice(1)), { timeout: 10_000 }).not.toContain('engine=');
      await expect.poll(() => page.getByTestId('engine-badge').innerText(), { timeout: 10_000 }).toContain('CPU float64 (reference)');
      allRequests.push(...requests);
      allErrors.push(...o.errors);
      await release(page);
    });

    it('engine=auto calibrates (badge: calibrating…, then the winner) and remembers the choice on this device', async () => {
      const page = await open('?v=1&problem=mlp-chebyshev&steps=400&speed=20&flows=gd&engine=auto', undefined, { fresh: true });
      // The calibration is shown while it runs (or has already finished on a fast machine).
      await expect
        .poll(async () => (await engineState(page))?.phase ?? 'none', { timeout: 30_000 })
        .toMatch(/calibrating|running/);
      const sawCalibrating = (await page.getByTestId('engine-badge').innerText()).includes('calibrating…');
      await waitEngine(page);
      const eng = (await engineState(page))!;
      expect(eng.info!.requested).toBe('auto');
      expect(eng.fellBack).toBeFalsy();
      const timed = Object.entries(eng.info!.calibrationMs ?? {});
      expect(timed.length).toBeGreaterThanOrEqual(2);
      // The winner is the fastest that was timed.
      const fastest = timed.sort((a, b) => a[1] - b[1])[0][0];
      expect(eng.info!.name).toBe(fastest);
      expect(eng.info!.fromStorage).toBeFalsy();
      const badge = page.getByTestId('engine-badge');
      await expect.poll(() => badge.innerText(), { timeout: 10_000 }).toContain(eng.info!.summary);
      expect(await badge.getAttribute('title')).toContain('Calibration (measured now)');
      console.log(`[engine] auto: ${eng.info!.summary}; calibration ms ${JSON.stringify(eng.info!.calibrationMs)}; badge showed calibrating: ${sawCalibrating}`);
      await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 10, null, { timeout: 60_000 });
      const g = await gdLoss(page);
      for (const v of g.loss) expect(Number.isFinite(v)).toBe(true);
      // Same device (same browser profile): the page reopens on the remembered choice without timing again.
      await page.reload();
      await waitEngine(page);
      const again = (await engineState(page))!;
      expect(again.info!.name).toBe(eng.info!.name);
      expect(again.info!.fromStorage).toBe(true);
      await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 5, null, { timeout: 60_000 });
      await release(page);
    });

    it('an engine that cannot serve the flows falls back, and the badge names what runs instead, with the reason', async () => {
      const page = await open('?v=1&problem=mlp-chebyshev&steps=400&speed=5&flows=gd&engine=webgpu');
      await waitEngine(page);
      const eng = (await engineState(page))!;
      expect(eng.info!.requested).toBe('webgpu');
      // Whatever this browser ends up on, the badge must say that, not what was asked for.
      const badge = page.getByTestId('engine-badge');
      await expect.poll(() => badge.innerText(), { timeout: 10_000 }).toContain(eng.info!.summary);
      if (eng.info!.name !== 'webgpu') {
        expect(eng.info!.failed.map((f) => f.name)).toContain('webgpu');
        expect(await badge.getAttribute('class')).toContain('busy'); // warning colour: not what was asked for
        expect(await badge.getAttribute('title')).toContain('webgpu did not start: ');
      }
      console.log(`[engine] webgpu asked: ${eng.info!.summary}; failed ${JSON.stringify(eng.info!.failed)}`);
      await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 5, null, { timeout: 60_000 });
      const g = await gdLoss(page);
      for (const v of g.loss) expect(Number.isFinite(v)).toBe(true);
      await release(page);
    });

    it('when the engine cannot load at all, the run falls back to float64 with a notice instead of hanging', async () => {
      // Make the worker's dynamic import of the tfjs path fail (as a broken deployment or offline cache would).
      const ctx = await h.browser.newContext({ viewport: { width: 1500, height: 1100 } });
      // (The worker's session imports engine-backend statically; the tfjs path is its lazy `backend` chunk.)
      await ctx.route(/\/(?:engine-)?backend-[^/]*\.js$/, (r) => r.abort());
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(h.url + '?v=1&problem=mlp-chebyshev&steps=400&speed=5&flows=gd&engine=wasm');
      await waitEngine(page);
      const eng = (await engineState(page))!;
      expect(eng.fellBack).toBe(true);
      expect(eng.info!.name).toBe('float64');
      expect(eng.info!.failed[0].name).toBe('wasm');
      const notice = page.getByTestId('url-notice');
      await expect.poll(() => notice.count(), { timeout: 10_000 }).toBe(1);
      expect(await notice.innerText()).toContain("The engine 'wasm' could not start");
      expect(await page.getByTestId('engine-badge').innerText()).toContain('CPU float64 (reference)');
      await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 5, null, { timeout: 60_000 });
      expect(errors).toEqual([]);
      await ctx.close();
    });

    it('a bad engine value gives the notice and runs the float64 reference', async () => {
      const page = await open('?v=1&problem=mlp-chebyshev&steps=400&engine=turbo');
      const notice = page.getByTestId('url-notice');
      await expect.poll(() => notice.count(), { timeout: 10_000 }).toBe(1);
      expect(await notice.innerText()).toContain('engine=turbo (expected one of float64, auto');
      await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.step >= 3, null, { timeout: 60_000 });
      expect(await appState<unknown>(page, '(s) => [s.settings.engine ?? null, s.engine]')).toEqual([null, null]);
      expect(await page.getByTestId('engine-badge').innerText()).toContain('CPU float64 (reference)');
      expect(await page.locator('#engine-select').inputValue()).toBe('float64');
      await release(page);
    });
  });

  it('no request leaves the origin, and no page error happened', () => {
    expect(allRequests.length).toBeGreaterThan(10);
    const foreign = allRequests.filter((u) => !u.startsWith(h.url) && !u.startsWith('data:') && !u.startsWith('blob:' + h.url.slice(0, -1)));
    expect(foreign).toEqual([]);
    expect(allErrors).toEqual([]);
  });
});

describe('npm start', () => {
  it('serves the production build on 127.0.0.1 with the CSP header, and prints the URL', async () => {
    // `npm start` builds with scripts/build-page.mjs, the function that built the page every browser
    // test of this run drives; here it serves that build (--no-build) instead of building it again.
    // Outside a vitest run (no shared build) it builds into a private dir, as before.
    const shared = await sharedBuild();
    const dist = shared ?? join(ROOT, 'node_modules', '.cache', 'rodflow-e2e', `start-${process.pid}`);
    const args = shared ? ['scripts/start.mjs', '--no-build'] : ['scripts/start.mjs'];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, PORT: '0', RODFLOW_DIST: dist } });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 110_000);
        child.stdout.on('data', (d) => {
          out += String(d);
          const m = /running at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.on('exit', (code) => reject(new Error(`start exited with ${code}:\n${out}`)));
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = await res.text();
      expect(html).toContain('<title>Rod Flow Explorer</title>');
      expect(html).toContain('http-equiv="Content-Security-Policy"');
      expect(html).not.toMatch(/(src|href)="https?:/);
    } finally {
      child.kill();
      if (!shared) rmSync(dist, { recursive: true, force: true });
    }
    // Longer than the 20 s default only for when no shared build exists and a whole `vite build` runs here.
  }, scaled(60_000));
});
