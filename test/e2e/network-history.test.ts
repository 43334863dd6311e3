/**
 * A network run's recorded history in Chromium (issue 9, "Scrubbable history"): the time slider scrubs
 * a network run, Reset and Play replay the record without a new run, and the back button returns to a
 * finished run from the run cache at once (no worker round trip). One page for the file; GD only and
 * 30 steps, so the network computes in a second or two.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, appState, openPage, shot, startHarness, type Harness } from './harness.ts';

let h: Harness;
let page: Page;
const pageErrors: string[] = [];

const state = () =>
  appState<{ runId: number; eta: number; done: boolean; playing: boolean; playhead: number; n: number }>(
    page,
    '(s) => ({ runId: s.run.runId, eta: s.run.eta, done: s.run.done, playing: s.playing, playhead: s.playhead, n: s.run.traces.gd ? s.run.traces.gd.length : 0 })',
  );
const counter = () => page.getByTestId('step-counter').innerText();
const waitFinished = () =>
  page.waitForFunction(() => {
    const s = (window as any).__rodflow.store.getState();
    return s.run.done && !s.playing && s.playhead === 30;
  }, null, { timeout: 20_000 });

describe.skipIf(!HAS_CHROMIUM)('network history in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness('network-history');
    const o = await openPage(h, '#v=1&problem=mlp-teacher&steps=30&flows=gd&speed=2&play=0');
    page = o.page;
    pageErrors.push(...o.errors);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.waitForFunction(() => (window as any).__rodflow?.store.getState().run.info !== null, null, { timeout: 30_000 });
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('the slider scrubs a network run; Reset and Play replay the record; back returns to a finished run at once', async () => {
    await page.getByTestId('play').click();
    await waitFinished();
    const first = await state();
    expect(first.n).toBe(31);

    // The slider is live for a network: scrub to step 12.
    const slider = page.getByLabel('Time (scrub)');
    expect(await slider.isDisabled()).toBe(false);
    await slider.fill('12');
    await expect.poll(counter).toBe('step 12');

    // Reset: the playhead goes to 0, the run stays (same id, same record); Play replays it to the end.
    await page.getByTestId('reset').click();
    await expect.poll(counter).toBe('step 0');
    expect((await state()).runId).toBe(first.runId);
    await page.getByTestId('play').click();
    await waitFinished();
    expect((await state()).runId).toBe(first.runId);

    // Another η (a new run, computed), then back: the finished run at η = 0.1 comes from the cache.
    await page.locator('#eta-input').fill('0.08');
    await page.locator('#eta-input').press('Enter');
    await page.getByTestId('play').click();
    await page.waitForFunction(() => {
      const s = (window as any).__rodflow.store.getState();
      return s.run.eta === 0.08 && s.run.done && !s.playing;
    }, null, { timeout: 20_000 });
    const ms = await page.evaluate(
      () =>
        new Promise<number>((done) => {
          const store = (window as any).__rodflow.store;
          const t0 = performance.now();
          const off = store.subscribe((s: any) => {
            if (s.run.eta === 0.1 && s.run.done && s.run.traces.gd?.length === 31) {
              off();
              // After the frame that shows it.
              requestAnimationFrame(() => done(performance.now() - t0));
            }
          });
          history.back();
        }),
    );
    console.log(`[run-cache] back button to a cached network run, to the next frame: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
    const back = await state();
    expect([back.eta, back.done, back.playhead, back.n]).toEqual([0.1, true, 30, 31]);
    await expect.poll(counter).toBe('step 30');
    await shot(page, 'e2e-network-history.png');
    expect(pageErrors).toEqual([]);
  });
});
