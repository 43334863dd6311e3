/**
 * The lessons in real Chromium: every scene opens by its URL with its caption, typeset equations (no
 * KaTeX error), annotations inside their plots and no console error; presenter mode keeps text ≥ 20 px,
 * the plots inside the viewport and no plot text cut or overlapping at 1920×1080 and 1280×720 (screenshots of every scene at both sizes
 * in test-results/lessons/); the landing page opens on its stored run and links to the lessons and the
 * explorer; keys step scenes; the About panel's links open in a new tab; no request leaves the origin.
 */
import { scaled } from '../timeouts.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allScenes, sceneQuery } from '../../src/lessons/registry.ts';
import { captionText } from '../../src/lessons/tex.ts';
import { HAS_CHROMIUM, SHOTS, startHarness, unsampledShare, type Harness, type OpenedPage } from './harness.ts';
import { layoutFaults } from './layout-check.ts';

const SCENES = allScenes();
const DIR = join(SHOTS, 'lessons');

/** A field of the page's address (the state lives in the fragment). */
const hashParam = (page: Page, key: string) => new URLSearchParams(new URL(page.url()).hash.slice(1)).get(key);

/** Open `q` inside the page as a link would (history + popstate: the controller reads the URL). */
async function openQuery(page: Page, q: string): Promise<void> {
  await page.evaluate((query) => {
    history.pushState(null, '', query);
    dispatchEvent(new PopStateEvent('popstate'));
  }, q);
}

/** Wait until the scene shows its caption and a complete run (the stored one). */
async function waitScene(page: Page, lesson: number, scene: number): Promise<void> {
  await page.waitForFunction(
    ([l, s]) => {
      const body = document.querySelector('.lesson-body');
      const st = (window as unknown as { __rodflow: { store: { getState(): { run: { done: boolean; traces: Record<string, { length: number }> } } } } }).__rodflow.store.getState();
      return body?.getAttribute('data-lesson') === String(l) && body?.getAttribute('data-scene') === String(s) && st.run.done && Object.values(st.run.traces).some((t) => t && t.length > 1);
    },
    [lesson, scene],
    // A stored run loads in well under a second alone; two browser files at once on 2 cores stretch it.
    { timeout: scaled(30_000) },
  ).catch(async (e: Error) => {
    // Say what the page was doing (which run, how far, what error) instead of only "timeout".
    const where = await page.evaluate(() => {
      const st = (window as any).__rodflow.store.getState();
      const body = document.querySelector('.lesson-body');
      const r = st.run;
      return JSON.stringify({ at: [body?.getAttribute('data-lesson'), body?.getAttribute('data-scene')], runId: r.runId, mode: r.mode, done: r.done, computing: r.computing, stored: r.stored, step: r.step, error: r.error, lengths: Object.fromEntries(Object.entries(r.traces).map(([k, t]: [string, any]) => [k, t?.length])), engine: st.engine, notices: st.notices });
    }).catch(() => 'page did not answer');
    throw new Error(`${e.message}\n${where}`);
  });
  // Plots redraw in the next frames.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

/**
 * A scene with the η sweep: wait until its live sweep finished every flow and the plot painted GD's
 * attractor (the frame reports how many points its canvas drew). Returns the sweep's timings.
 */
async function waitSweep(page: Page, where: string): Promise<{ drawn: number; firstMs: number; doneMs: number; path: string }> {
  await page
    .waitForFunction(
      () => {
        const el = document.querySelector<HTMLElement>('[data-testid=lesson-sweep]');
        const frame = el?.querySelector<HTMLElement>('[data-plot-frame][data-drawn]');
        return !!el && Number(el.dataset.total) > 0 && el.dataset.done === el.dataset.total && Number(frame?.dataset.drawn) > 0;
      },
      null,
      { timeout: scaled(20_000) },
    )
    .catch(async (e: Error) => {
      const at = await page.evaluate(() => document.querySelector('[data-testid=lesson-sweep]')?.outerHTML.slice(0, 400) ?? 'no sweep plot').catch(() => '?');
      throw new Error(`${where}: the sweep did not finish: ${e.message}\n${at}`);
    });
  // The last batch repaints in the next frames.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  return page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-testid=lesson-sweep]')!;
    return { drawn: Number(el.querySelector<HTMLElement>('[data-plot-frame]')!.dataset.drawn), firstMs: Number(el.dataset.firstMs), doneMs: Number(el.dataset.doneMs), path: el.dataset.path ?? '' };
  });
}

interface SceneCheck {
  caption: string;
  katex: number;
  katexErrors: number;
  outside: string[];
  missing: string[];
}

async function checkScene(page: Page, labels: { plot: string; label: string; kind: string }[]): Promise<SceneCheck> {
  return page.evaluate((anns) => {
    const caption = document.querySelector('[data-testid=caption]')?.textContent ?? '';
    const katex = document.querySelectorAll('.lesson-equations .katex').length;
    const katexErrors = document.querySelectorAll('.katex-error').length;
    const outside: string[] = [];
    const missing: string[] = [];
    for (const a of anns) {
      const cell = document.querySelector(`.lesson-plot-cell[data-plot="${a.plot}"]`);
      if (!cell) {
        missing.push(`${a.plot}: no plot`);
        continue;
      }
      const box = cell.getBoundingClientRect();
      // Time-series plots draw the label in their SVG; the plane draws a marker (point) or a segment
      // (arrow) and names it in its subtitle.
      const els =
        a.kind === 'point' || a.kind === 'arrow'
          ? cell.textContent?.includes(a.label)
            ? [...cell.querySelectorAll(`svg [data-role=${a.kind === 'point' ? 'marker' : 'segment'}]`)]
            : []
          : [...cell.querySelectorAll('svg text')].filter((t) => (t.textContent ?? '').includes(a.label));
      if (!els.length) missing.push(`${a.plot}: ${a.label}`);
      for (const t of els) {
        const r = t.getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) outside.push(`${a.plot}: ${a.label}`);
      }
    }
    return { caption, katex, katexErrors, outside, missing };
  }, labels);
}

describe.skipIf(!HAS_CHROMIUM)('lessons in the browser', () => {
  let h: Harness;
  let p: OpenedPage;
  beforeAll(async () => {
    h = await startHarness('lessons');
    mkdirSync(DIR, { recursive: true });
    // The page is loaded once here (its first load is not what the tests time) and reused by every test.
    const ctx = await h.browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(60_000);
    p = { page, requests: [], errors: [] };
    page.on('request', (r) => p.requests.push(r.url()));
    page.on('pageerror', (e) => p.errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') p.errors.push(m.text());
    });
    await page.goto(h.url, { waitUntil: 'load', timeout: 120_000 });
  }, 400_000);
  afterAll(async () => {
    await h?.close();
  });

  it('the landing page opens on its stored run and links to the lessons and the explorer', async () => {
    const { page } = p;
    await page.waitForFunction(() => (window as unknown as { __rodflowLessons?: { lessonPerf: { installs: { id: string }[] } } }).__rodflowLessons?.lessonPerf.installs.some((i) => i.id === 'self-stab'), null, { timeout: 15_000 });
    expect(await page.locator('[data-testid=landing-lessons]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid=landing-explorer]').isVisible()).toBe(true);
    // The address bar stays bare (a reload shows the landing page again).
    expect(new URL(page.url()).search + new URL(page.url()).hash).toBe('');
    const sharp = await page.evaluate(() => {
      const tr = (window as unknown as { __rodflow: { store: { getState(): { run: { traces: { gd: { sharpness: Float64Array; eigK: number; length: number } } } } } } }).__rodflow.store.getState().run.traces.gd;
      return { first: tr.sharpness[0], last: tr.sharpness[(tr.length - 1) * tr.eigK], n: tr.length };
    });
    // The classic picture: the sharpness starts below 2/η = 200 and ends at it.
    expect(sharp.first).toBeLessThan(180);
    expect(Math.abs(sharp.last - 200)).toBeLessThan(15);
    // The plane is taller than the problem's window (equal aspect): the landscape still covers all of it.
    expect(await unsampledShare(page, 'lesson-plane')).toBeLessThan(0.002);
    await page.screenshot({ path: join(DIR, 'landing-1920x1080.png') });
    expect(p.errors).toEqual([]);
  }, 60_000);

  // Four scenes per test, every scene (the list grows with the lessons).
  const chunks = Array.from({ length: Math.ceil(SCENES.length / 4) }, (_, i) => SCENES.slice(4 * i, 4 * i + 4));
  chunks.forEach((chunk, c) =>
    it(`scenes open by their URL with caption, equations and annotations (part ${c + 1})`, async () => {
      const { page } = p;
      for (const { lesson, index, scene } of chunk) {
        const where = `${lesson.id}/${scene.id}`;
        await openQuery(page, sceneQuery(lesson, index));
        await waitScene(page, lesson.number, index + 1);
        const labels = scene.annotations.map((a) => ({ plot: a.plot, label: a.label, kind: a.kind }));
        const r = await checkScene(page, labels);
        expect(r.caption, where).toBe(captionText(scene.caption));
        expect(r.katex, where).toBeGreaterThanOrEqual(scene.equations.length);
        expect(r.katexErrors, where).toBe(0);
        expect(r.missing, where).toEqual([]);
        expect(r.outside, where).toEqual([]);
        expect(hashParam(page, 'scene'), where).toBe(String(index + 1));
        if (scene.plots.some((pl) => pl.id === 'sweep')) {
          // The sweep computes live: GD's attractor painted (1024 step sizes × 64 iterates, less any
          // diverged), every flow finished on the path 'auto' picked (the CPU pool here; WebGPU only on a
          // hardware adapter).
          const sw = await waitSweep(page, where);
          expect(sw.drawn, where).toBeGreaterThan(1000);
          expect(['cpu', 'webgpu'], where).toContain(sw.path);
          expect(sw.firstMs, where).toBeGreaterThan(0);
          console.log(`${where}: the sweep's first frame ${sw.firstMs} ms, all flows ${sw.doneMs} ms after the scene opened`);
        }
      }
      expect(p.errors).toEqual([]);
    }, scaled(40_000)),
  );

  it('keys step scenes (→, PageDown next; ←, PageUp previous) and the URL follows', async () => {
    const { page } = p;
    const [a] = SCENES;
    await openQuery(page, sceneQuery(a.lesson, 0));
    await waitScene(page, 1, 1);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('ArrowRight');
    await waitScene(page, 1, 2);
    await page.keyboard.press('PageDown');
    await waitScene(page, 1, 3);
    await page.keyboard.press('ArrowLeft');
    await waitScene(page, 1, 2);
    await page.keyboard.press('PageUp');
    await waitScene(page, 1, 1);
    expect(hashParam(page, 'lesson')).toBe('1');
    // Space plays the stored run from the start.
    await page.keyboard.press(' ');
    const playing = await page.evaluate(() => (window as unknown as { __rodflow: { store: { getState(): { playing: boolean } } } }).__rodflow.store.getState().playing);
    expect(playing).toBe(true);
    await page.keyboard.press(' ');
    expect(p.errors).toEqual([]);
  }, scaled(40_000));

  it('the About panel lists the four papers as new-tab links; the page asked nothing of another origin', async () => {
    const { page } = p;
    await page.locator('[data-testid=about-open]').first().click();
    const links = await page.locator('.about-panel a').evaluateAll((as) => as.map((a) => ({ href: (a as HTMLAnchorElement).href, target: (a as HTMLAnchorElement).target, rel: (a as HTMLAnchorElement).rel })));
    for (const id of ['2103.00065', '2209.15594', '2410.24206', '2602.01480']) expect(links.some((l) => l.href.includes(id) && l.target === '_blank' && l.rel.includes('noopener')), id).toBe(true);
    expect(await page.locator('.about-panel .katex').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('.about-panel .katex-error').count()).toBe(0);
    await page.locator('[data-testid=about-close]').click();
    const foreign = p.requests.filter((u) => !u.startsWith(h.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(foreign).toEqual([]);
    // KaTeX's fonts came from the page's own origin.
    expect(p.requests.some((u) => /KaTeX_.*\.woff2$/.test(u))).toBe(true);
  }, scaled(40_000));

  for (const size of [
    { width: 1920, height: 1080 },
    { width: 1280, height: 720 },
  ]) {
    // Two scenes per test: each stays well inside the budget.
    const half = Array.from({ length: Math.ceil(SCENES.length / 2) }, (_, i) => SCENES.slice(2 * i, 2 * i + 2));
    half.forEach((part, k) =>
      it(`presenter mode at ${size.width}×${size.height} (part ${k + 1}): text ≥ 20 px, plots inside the viewport`, async () => {
        const page = p.page;
        await page.setViewportSize(size);
        for (const { lesson, index, scene } of part) {
          const where = `${lesson.id}/${scene.id} at ${size.width}×${size.height}`;
          await openQuery(page, sceneQuery(lesson, index, true));
          await waitScene(page, lesson.number, index + 1);
          if (scene.plots.some((pl) => pl.id === 'sweep')) await waitSweep(page, where);
          const m = await page.evaluate(() => {
            const px = (el: Element | null) => (el ? parseFloat(getComputedStyle(el).fontSize) : NaN);
            const min = (sel: string) => Math.min(...[...document.querySelectorAll(sel)].filter((e) => (e.textContent ?? '').trim() && (e as HTMLElement).getClientRects().length).map(px));
            const plots = document.querySelector('.lesson-plots')!.getBoundingClientRect();
            const cells = [...document.querySelectorAll('.lesson-plot-cell')].map((c) => c.getBoundingClientRect());
            return {
              presenter: !!document.querySelector('.lesson-app.presenter'),
              caption: px(document.querySelector('[data-testid=caption]')),
              ticks: min('.lesson-plots .rfp-plot svg text, .lesson-plots .ens-plot svg text'),
              legend: min('.lesson-plots .rfp-legend li, .lesson-plots .ens-legend-item, .lesson-plots .lesson-sweep-status'),
              sliderLabels: min('.lesson-controls label, .lesson-controls .counter span'),
              scrollH: document.documentElement.scrollHeight,
              scrollW: document.documentElement.scrollWidth,
              plotsBottom: plots.bottom,
              cellsOut: cells.filter((c) => c.bottom > innerHeight + 1 || c.right > innerWidth + 1).length,
              w: innerWidth,
              h: innerHeight,
            };
          });
          expect(m.presenter, where).toBe(true);
          expect(m.caption, where).toBeGreaterThanOrEqual(20);
          expect(m.ticks, where).toBeGreaterThanOrEqual(20);
          if (Number.isFinite(m.legend)) expect(m.legend, where).toBeGreaterThanOrEqual(20);
          if (Number.isFinite(m.sliderLabels)) expect(m.sliderLabels, where).toBeGreaterThanOrEqual(20);
          expect(m.scrollH, where).toBeLessThanOrEqual(m.h);
          expect(m.scrollW, where).toBeLessThanOrEqual(m.w);
          expect(m.plotsBottom, where).toBeLessThanOrEqual(m.h);
          expect(m.cellsOut, where).toBe(0);
          // Nothing cut or overlapping in the plots: axis titles and tick labels inside their frames,
          // onset labels apart, y titles no longer than their axes (layout-check.ts).
          expect(await page.evaluate(layoutFaults), where).toEqual([]);
          await page.screenshot({ path: join(DIR, `${lesson.number}-${index + 1}-${scene.id}-${size.width}x${size.height}.png`) });
        }
        expect(p.errors).toEqual([]);
      }, scaled(40_000)),
    );
  }
});
