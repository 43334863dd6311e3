/**
 * Redraw cost invariants the frame budget of a network run relies on (docs/architecture.md, "Redraw
 * cost"): a redraw whose axes did not change creates no SVG element (axes, annotations, the contour
 * overlay and the cursor are updated in place, svg-list.ts), and the hover cursor creates elements only
 * when it shows more of them than before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, openPage, startHarness, type Harness, type OpenedPage } from './harness.ts';

let h: Harness;
let opened: OpenedPage;
const PLOTS = ['contour', 'sharpness', 'loss', 'rod', 'centre', 'distance'];

/** Set the playhead and wait until every plot has drawn since (the time-series plots refresh in turns). */
async function playheadTo(page: Page, t: number): Promise<void> {
  const before = await page.evaluate(() => ({ ...(window as any).__rodflowPlots.drawCount }));
  await page.evaluate((v) => (window as any).__rodflow.store.setState({ playhead: v, playing: false }), t);
  await page.waitForFunction(
    ([ids, b]) => (ids as string[]).every((id) => ((window as any).__rodflowPlots.drawCount[id] ?? 0) > ((b as any)[id] ?? 0)),
    [PLOTS, before] as const,
    { timeout: 10_000 },
  );
  await page.waitForTimeout(50);
}

describe.skipIf(!HAS_CHROMIUM)('redraw cost', () => {
  beforeAll(async () => {
    h = await startHarness('redraw');
    opened = await openPage(h, '?v=1&problem=quadratic-2d&steps=300', { width: 1440, height: 900 });
    await opened.page.waitForFunction(() => (window as any).__rodflow?.store.getState().run.done, null, { timeout: 120_000 });
  }, 400_000);
  afterAll(async () => {
    await h?.close();
  });

  it('moving the playhead redraws every plot, and a plot whose ticks stay creates no SVG element', async () => {
    const { page } = opened;
    await playheadTo(page, 300);
    // Count element and text nodes added under each plot's SVG overlay from here on.
    await page.evaluate((ids) => {
      const w = window as any;
      w.__added = Object.fromEntries(ids.map((id) => [id, 0]));
      w.__mo = new MutationObserver((ms) => {
        for (const m of ms) {
          const id = (m.target as Element).closest?.('figure')?.id ?? (m.target.parentElement?.closest('figure')?.id);
          if (id && id in w.__added) w.__added[id] += m.addedNodes.length;
        }
      });
      for (const id of ids) w.__mo.observe(document.querySelector(`#${id} svg[data-plot-overlay]`)!, { subtree: true, childList: true });
    }, PLOTS);
    const ticks = () =>
      page.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, Array.from(document.querySelectorAll(`#${id} [data-role="y-axis"] text, #${id} [data-role="x-axis"] text`)).map((t) => t.textContent).join('|')])), PLOTS);
    const t0 = await ticks();
    for (const t of [299, 297, 294, 290]) await playheadTo(page, t);
    const t1 = await ticks();
    const added = await page.evaluate(() => (window as any).__added as Record<string, number>);
    await page.evaluate(() => (window as any).__mo.disconnect());
    const same = PLOTS.filter((id) => t0[id] === t1[id] && t0[id] !== '');
    // Enough plots keep their ticks over the last ten steps for the check to mean something.
    expect(same.length, JSON.stringify({ t0, t1 })).toBeGreaterThanOrEqual(4);
    for (const id of same) expect(added[id], `${id}: nodes added over four redraws`).toBe(0);
  });

  it('the hover cursor creates elements only when it shows more of them', async () => {
    const { page } = opened;
    const box = (await page.locator('#sharpness [data-plot-frame]').boundingBox())!;
    const y = box.y + box.height / 2;
    let created = 0;
    let grown = 0;
    for (let i = 0; i < 8; i++) {
      const before = await page.evaluate(() => {
        const g = document.querySelector('#sharpness svg[data-plot-overlay] g[data-export-skip]')!;
        const w = window as any;
        w.__cur = 0;
        w.__curMo?.disconnect();
        w.__curMo = new MutationObserver((ms) => ms.forEach((m) => (w.__cur += m.addedNodes.length)));
        w.__curMo.observe(g, { childList: true, subtree: true });
        return g.childElementCount;
      });
      await page.mouse.move(box.x + box.width * (0.3 + 0.05 * i), y);
      await page.waitForFunction(() => (document.querySelector('#sharpness .rfp-readout-x')?.textContent ?? '') !== '', null, { timeout: 5000 });
      await page.waitForTimeout(60);
      const after = await page.evaluate(() => {
        const g = document.querySelector('#sharpness svg[data-plot-overlay] g[data-export-skip]')!;
        return { n: g.childElementCount, added: (window as any).__cur as number };
      });
      expect(after.n, 'a cursor line and dots are drawn').toBeGreaterThan(0);
      if (i > 0) {
        created += after.added;
        grown += Math.max(0, after.n - before);
      }
    }
    expect(created).toBe(grown);
  });
});
