/**
 * The controls in a real browser: keyboard order (transport first, solver settings behind a disclosure,
 * one tab stop per legend, no invisible file input), parameters that apply (network datasets, custom
 * expressions), an invalid expression (the last valid run stays, Play is off) and the phone layout.
 * Screenshots at the four sizes go to test-results/controls-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, SHOTS, TAKE_SHOTS, appState, openPage, shot, startHarness, type Harness } from './harness.ts';

let h: Harness;
const pageErrors: string[] = [];

/** One page serves the tests in turn (reloaded for each: a new context costs ~3 s, a reload < 1 s). */
let shared: Page | null = null;
async function open(search: string, viewport = { width: 1440, height: 900 }): Promise<Page> {
  if (shared && !shared.isClosed()) {
    await shared.setViewportSize(viewport);
    await shared.goto('about:blank');
    await shared.goto(h.url + search, { waitUntil: 'load' });
  } else {
    const o = await openPage(h, search, viewport);
    o.page.on('pageerror', (e) => pageErrors.push(String(e)));
    pageErrors.push(...o.errors.filter((e) => !e.includes('Content Security Policy')));
    shared = o.page;
  }
  await shared.locator('.stage-head').waitFor();
  return shared;
}

async function waitDone(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const s = (window as any).__rodflow?.store.getState();
    return s && s.run.done && !s.run.error;
  });
}

/** Canvases with ink (the plots draw their data on canvases). */
async function inkedCanvases(page: Page): Promise<number> {
  return page.evaluate(() => {
    let n = 0;
    for (const c of Array.from(document.querySelectorAll('canvas'))) {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
      if (ink > 50) n++;
    }
    return n;
  });
}

interface Stop {
  desc: string;
  where: 'header' | 'head' | 'controls' | 'stage' | 'other';
  legend: number;
  fileInput: boolean;
  option: boolean;
  play: boolean;
}

/** Describes the focused element (or `el`): where it is, which legend holds it. Runs in the page. */
const DESCRIBE = `(el) => {
  const legends = Array.from(document.querySelectorAll('.rfp-legend'));
  return {
    desc: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '') + ' ' + (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30),
    where: el.closest('header.top') ? 'header' : el.closest('.stage-head') ? 'head' : el.closest('#controls') ? 'controls' : el.closest('.stage') ? 'stage' : 'other',
    legend: legends.findIndex((l) => l.contains(el)),
    fileInput: el instanceof HTMLInputElement && el.type === 'file',
    option: el.id.startsWith('opt-'),
    play: el.dataset.testid === 'play',
  };
}`;

async function focused(page: Page): Promise<Stop | null> {
  return page.evaluate(`(() => { const el = document.activeElement; return !el || el === document.body ? null : (${DESCRIBE})(el); })()`) as Promise<Stop | null>;
}

/**
 * The page's sequential focus order, read in one call: every rendered element that Tab visits (no
 * positive tabindex anywhere, so document order), i.e. effective tabIndex ≥ 0, enabled and rendered
 * (content of a closed <details> is not).
 */
async function tabOrder(page: Page): Promise<Stop[]> {
  return page.evaluate(`(() => {
    const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
    return Array.from(document.querySelectorAll(sel))
      .filter((el) => el.tabIndex >= 0 && !el.disabled && el.checkVisibility({ visibilityProperty: true }) && !el.closest('[inert]'))
      .map(${DESCRIBE});
  })()`) as Promise<Stop[]>;
}

describe.skipIf(!HAS_CHROMIUM)('controls in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness('controls');
  }, 180_000);
  afterAll(async () => {
    await h?.close();
    expect(pageErrors).toEqual([]);
  });

  it('Tab reaches Play first, the solver settings are one closed disclosure, legends are one stop each, the file input none', async () => {
    const page = await open('?v=1&problem=valley&play=0&steps=200');
    await waitDone(page);
    await page.waitForSelector('.rfp-legend button');
    // Real Tab presses from the top: after the header's few links, the first stop is Play.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const walked: Stop[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const s = await focused(page);
      if (!s) break;
      walked.push(s);
      if (s.where !== 'header') break;
    }
    expect(walked.at(-1)?.play, walked.map((s) => s.desc).join(' | ')).toBe(true);
    expect(walked.length).toBeLessThanOrEqual(7);
    // The whole order: transport, then the controls, then the plots.
    const stops = await tabOrder(page);
    const firstMain = stops.findIndex((s) => s.where !== 'header');
    expect(stops[firstMain]?.play).toBe(true);
    const iProblem = stops.findIndex((s) => s.desc.startsWith('select#problem-select'));
    expect(iProblem).toBeGreaterThan(firstMain);
    expect(iProblem - firstMain).toBeLessThan(12);
    expect(stops.findLastIndex((s) => s.where === 'controls')).toBeLessThan(stops.findIndex((s) => s.where === 'stage'));
    expect(stops.filter((s) => s.fileInput)).toEqual([]);
    expect(stops.filter((s) => s.option)).toEqual([]);
    expect(stops.some((s) => s.desc.startsWith('summary') && s.desc.includes('Solver settings'))).toBe(true);
    const legends = await page.locator('.rfp-legend').count();
    expect(legends).toBeGreaterThanOrEqual(6);
    for (let l = 0; l < legends; l++) expect(stops.filter((s) => s.legend === l).length, `legend ${l}`).toBeLessThanOrEqual(1);
    expect(stops.filter((s) => s.legend >= 0).length).toBeGreaterThanOrEqual(legends - 1);
    // And a real Tab through a legend: in with one press, out with the next.
    await page.locator('.rfp-legend').nth(1).locator('button[tabindex="0"]').focus();
    await page.keyboard.press('Tab');
    expect((await focused(page))?.legend).not.toBe(1);
    await page.keyboard.press('Shift+Tab');
    expect((await focused(page))?.legend).toBe(1);

    // Arrow keys move within a legend (and do not step the run); Enter still toggles the focused entry.
    const legend = page.locator('.rfp-legend').first();
    const buttons = legend.locator('button');
    await buttons.first().focus();
    const before = await appState<number>(page, '(s) => s.playhead');
    await page.keyboard.press('ArrowRight');
    expect(await buttons.nth(1).evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await buttons.nth(1).getAttribute('tabindex')).toBe('0');
    expect(await buttons.first().getAttribute('tabindex')).toBe('-1');
    await page.keyboard.press('ArrowLeft');
    expect(await buttons.first().evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await appState<number>(page, '(s) => s.playhead')).toBe(before);

    // The disclosure opens on demand and holds every flow option.
    const solver = page.getByTestId('solver-settings');
    expect(await solver.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await solver.locator('summary').click();
    expect(await solver.locator('[id^="opt-"]').count()).toBeGreaterThanOrEqual(8);
    mkdirSync(SHOTS, { recursive: true });
    if (TAKE_SHOTS) await page.locator('#controls').screenshot({ path: join(SHOTS, 'controls-solver-open.png') });
  });

  it('a classroom link has no solver settings', async () => {
    const page = await open('?v=1&problem=quartic&eta=1&hide=problem,params');
    await page.locator('#eta-input').waitFor();
    expect(await page.getByTestId('solver-settings').count()).toBe(0);
    await page.getByText('Show all controls').click();
    expect(await page.getByTestId('solver-settings').count()).toBe(1);
  });

  it('the MLP shows only the parameters of its dataset, and links leave the others out', async () => {
    const page = await open('?v=1&problem=mlp&c.dataset=moons&p.degree=6&p.teacherScale=3&play=0');
    await page.locator('#param-depth').waitFor();
    const shown = async () =>
      page.evaluate(() => Array.from(document.querySelectorAll('input[id^="param-"]')).map((e) => e.id.slice(6)));
    expect(await shown()).toEqual(['depth', 'width', 'seed', 'dataSeed', 'initScale']);
    // The page rewrote its link: the parameters that do not apply to moons are gone.
    const url = await page.evaluate(() => location.href);
    expect(url).not.toContain('p.degree');
    expect(url).not.toContain('p.teacherScale');
    await page.locator('#choice-dataset').selectOption('teacher');
    await expect.poll(shown).toEqual(['depth', 'width', 'seed', 'dataSeed', 'initScale', 'teacherScale']);
    expect(await page.evaluate(() => location.href)).toContain('p.teacherScale=3');
    await page.locator('#choice-dataset').selectOption('chebyshev');
    await expect.poll(shown).toEqual(['depth', 'width', 'seed', 'initScale', 'degree']);
    expect(await page.evaluate(() => location.href)).toContain('p.degree=6');
  });

  it('the custom expression shows a row for each of its parameters (a of the default), and new names become parameters', async () => {
    const page = await open('?v=1&problem=custom&steps=150');
    await page.locator('#cparam-a').waitFor();
    expect(await page.locator('#cparam-a').inputValue()).toBe('0.5');
    await waitDone(page);
    await page.locator('#expr-input').fill('b*x^2/2 + a*y^2');
    await page.locator('#expr-input').press('Enter');
    await page.locator('#cparam-b').waitFor();
    expect(await page.locator('#cparam-b').inputValue()).toBe('1');
    expect(await page.locator('#cparam-a').inputValue()).toBe('0.5');
    await waitDone(page);
    expect(await appState<Record<string, number>>(page, '(s) => s.settings.params')).toEqual({ a: 0.5, b: 1 });
  });

  it('an invalid expression keeps the last valid run on the plots, clears λ at start and turns Play off', async () => {
    const page = await open('?v=1&problem=custom&steps=150');
    await waitDone(page);
    await expect.poll(() => inkedCanvases(page)).toBeGreaterThanOrEqual(6);
    const before = await appState<{ n: number; label: string }>(page, '(s) => ({ n: s.run.traces.gd.length, label: s.run.info.label })');
    expect(await appState<number>(page, '(s) => s.eigStart.length')).toBeGreaterThan(0);
    await page.locator('#expr-input').fill('(1 - x^2 - y*+)');
    await page.locator('#expr-input').press('Enter');
    await page.locator('#expr-error').waitFor();
    expect(await page.locator('#expr-error').innerText()).toContain('^');
    await page.getByTestId('kept-run').waitFor();
    await expect(page.getByTestId('play').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('step').isDisabled()).resolves.toBe(true);
    await page.getByTestId('invalid-badge').waitFor();
    const after = await appState<{ n: number; label: string; playing: boolean; eig: number }>(
      page,
      '(s) => ({ n: s.run.traces.gd?.length ?? 0, label: s.run.info?.label ?? "", playing: s.playing, eig: s.eigStart.length })',
    );
    expect(after).toEqual({ n: before.n, label: before.label, playing: false, eig: 0 });
    expect(await page.getByText('λ at start').count()).toBe(0);
    expect(await page.getByText('No data yet').count()).toBe(0);
    expect(await inkedCanvases(page)).toBeGreaterThanOrEqual(6);
    // Space (the page's play key) does nothing either.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press(' ');
    expect(await appState<boolean>(page, '(s) => s.playing')).toBe(false);
    mkdirSync(SHOTS, { recursive: true });
    await shot(page, 'controls-invalid-expression.png', { fullPage: false });
    // Fixed: a new run, Play back.
    await page.locator('#expr-input').fill('(1 - 0.5*x^2 - y^2)^2');
    await page.locator('#expr-input').press('Enter');
    await waitDone(page);
    expect(await page.locator('#expr-error').count()).toBe(0);
    await expect(page.getByTestId('play').isDisabled()).resolves.toBe(false);
  });

  it('on a phone (390×844): no sideways scroll, a short header, the first plot in the first screen, the controls in a sheet', async () => {
    const page = await open('?v=1&problem=custom&expr=' + encodeURIComponent('x^4/4 - x^2') + '&steps=200', { width: 390, height: 844 });
    await waitDone(page);
    await page.waitForSelector('.plot-cell canvas');
    const m = await page.evaluate(() => {
      const over: string[] = [];
      for (const el of Array.from(document.querySelectorAll('body *'))) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > innerWidth + 0.5 && !el.closest('.rfp-sr, .visually-hidden')) over.push(`${el.tagName}.${(el as HTMLElement).className}`);
      }
      // A note is cut when its text overflows its box or its box leaves its plot.
      const cut = Array.from(document.querySelectorAll('.rfp-note, .rfp-note-head')).filter((n) => {
        const e = n as HTMLElement;
        const cell = e.closest('.plot-cell')!.getBoundingClientRect();
        const r = e.getBoundingClientRect();
        return e.scrollWidth > e.clientWidth + 1 || r.right > cell.right + 0.5 || r.left < cell.left - 0.5;
      });
      return {
        scrollWidth: document.documentElement.scrollWidth,
        over: over.slice(0, 5),
        plotTop: document.querySelector('.plot-cell')!.getBoundingClientRect().top + scrollY,
        subtitle: document.querySelector('.subtitle')!.getBoundingClientRect().height,
        line: parseFloat(getComputedStyle(document.querySelector('.subtitle')!).lineHeight) || 17,
        cut: cut.map((n) => n.textContent),
        controlsShown: getComputedStyle(document.getElementById('controls')!).display !== 'none',
      };
    });
    expect(m.scrollWidth).toBeLessThanOrEqual(390);
    expect(m.over).toEqual([]);
    expect(m.subtitle).toBeLessThanOrEqual(3 * m.line + 1);
    expect(m.plotTop + 120).toBeLessThan(844);
    expect(m.cut).toEqual([]);
    expect(m.controlsShown).toBe(false);
    mkdirSync(SHOTS, { recursive: true });
    await shot(page, 'controls-phone.png', { fullPage: false });
    // The controls open as a sheet over the plots (focus moves in), and Escape closes it (focus returns).
    await page.getByRole('button', { name: /Controls/ }).click();
    await page.locator('#expr-input').waitFor({ state: 'visible' });
    const sheet = await page.locator('#controls').boundingBox();
    expect(sheet!.y + sheet!.height).toBeLessThanOrEqual(844 + 0.5);
    expect(sheet!.x).toBeGreaterThanOrEqual(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'controls-phone-sheet.png', { fullPage: false });
    await page.keyboard.press('Escape');
    await page.locator('#expr-input').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.classList.contains('controls-toggle'))).toBe(true);
  });

  it('at 1920×1080, 1440×900, 1280×720 and 390×844 nothing spills sideways and Play and the first plot are in the first screen', async () => {
    const page = await open('?v=1&problem=valley&steps=200');
    await waitDone(page);
    for (const [w, hgt] of [
      [1920, 1080],
      [1440, 900],
      [1280, 720],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await page.waitForTimeout(300);
      await page.waitForSelector('.plot-cell canvas');
      const m = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        plotTop: document.querySelector('.plot-cell')!.getBoundingClientRect().top + scrollY,
        playTop: document.querySelector('[data-testid="play"]')!.getBoundingClientRect().top + scrollY,
      }));
      expect(m.scrollWidth, `${w}×${hgt}`).toBeLessThanOrEqual(w);
      expect(m.plotTop, `${w}×${hgt}`).toBeLessThan(hgt / 2);
      expect(m.playTop, `${w}×${hgt}`).toBeLessThan(hgt / 3);
      mkdirSync(SHOTS, { recursive: true });
      await shot(page, `controls-${w}x${hgt}.png`, { fullPage: false });
    }
  });
});
