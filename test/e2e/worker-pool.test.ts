/**
 * The worker pool in Chromium (issue 9, "Parallel flows"): the teacher net's four flows over four
 * workers draw the same columns as one worker (navigator.hardwareConcurrency set to 1 and to 4 before
 * the page loads), to float64 round-off (see test/state-worker-pool.test.ts for why not bits). 12 steps,
 * so each page computes in a few seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, TRACE_COLUMNS_JS, startHarness, type Harness } from './harness.ts';

let h: Harness;
const ROUND_OFF = 1e-10;
const HASH = '#v=1&problem=mlp-teacher&steps=12&flows=gd,gradient-flow,central-flow,rod-flow&speed=4&play=0';

async function open(cores: number, hash = HASH): Promise<{ page: Page; errors: string[] }> {
  const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.addInitScript({ content: `globalThis.__name ??= (f) => f; Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => ${cores} });` });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(h.url + hash, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as any).__rodflow?.store.getState().run.info !== null, null, { timeout: 30_000 });
  return { page, errors };
}

/** Run to the end; the traces' columns and the pool's split. */
async function runToEnd(page: Page): Promise<{ cols: Record<string, Record<string, number[]>>; parts: string[][] | null; started: number }> {
  await page.getByTestId('play').click();
  await page.waitForFunction(() => {
    const s = (window as any).__rodflow.store.getState();
    return s.run.done && s.playhead === 12;
  }, null, { timeout: 40_000 });
  return page.evaluate(`(() => { const r = window.__rodflow; const w = r.workers(); return { cols: (${TRACE_COLUMNS_JS})(r.store.getState().run.traces), parts: w.parts, started: w.started }; })()`) as never;
}

describe.skipIf(!HAS_CHROMIUM)('worker pool in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness('worker-pool');
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('four flows over four workers draw what one worker draws', async () => {
    const one = await open(1);
    const a = await runToEnd(one.page);
    await one.page.context().close();
    const four = await open(4);
    const b = await runToEnd(four.page);
    await four.page.context().close();
    expect(a.started).toBe(1);
    expect(a.parts).toBeNull();
    expect(b.started).toBe(4);
    expect(b.parts).toEqual([['gd'], ['central-flow'], ['rod-flow'], ['gradient-flow']]);
    expect(Object.keys(b.cols).sort()).toEqual(['central-flow', 'gd', 'gradient-flow', 'rod-flow']);
    let worst = 0;
    for (const [flow, cols] of Object.entries(a.cols)) {
      for (const [k, xs] of Object.entries(cols)) {
        const ys = b.cols[flow][k];
        expect(ys.length, `${flow}.${k}`).toBe(xs.length);
        for (let i = 0; i < xs.length; i++) {
          if (Object.is(xs[i], ys[i])) continue;
          const d = Math.abs(xs[i] - ys[i]) / Math.max(1, Math.abs(xs[i]), Math.abs(ys[i]));
          worst = Math.max(worst, d);
          expect(d, `${flow}.${k}[${i}]: ${xs[i]} vs ${ys[i]}`).toBeLessThanOrEqual(ROUND_OFF);
        }
      }
    }
    console.log(`[worker-pool] 4 workers vs 1 in Chromium: ${a.cols.gd.t.length} samples a flow, largest relative difference ${worst.toExponential(1)}`);
    expect(a.cols.gd.t.length).toBe(13);
    expect([...one.errors, ...four.errors]).toEqual([]);
  }, 120_000);

  it('a killed pool: the page recovers, keeps the recorded flows, says so, and computes on a new pool', async () => {
    const { page, errors } = await open(2, HASH.replace('steps=12', 'steps=400'));
    await page.getByTestId('play').click();
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.frontier >= 3, null, { timeout: 40_000 });
    expect((await page.evaluate(() => (window as any).__rodflow.workers())).started).toBe(2);
    await page.evaluate(() => (window as any).__rodflow.killWorker());
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().notices.some((n: string) => n.includes('worker stopped')));
    const saved = await page.evaluate(() => (window as any).__rodflow.store.getState().saved.map((o: any) => Object.keys(o.traces).sort()));
    expect(saved).toEqual([['central-flow', 'gd', 'gradient-flow', 'rod-flow']]);
    const notice = await page.evaluate(() => (window as any).__rodflow.store.getState().notices.at(-1) as string);
    expect(notice).toContain('press Play');
    await page.getByTestId('play').click();
    await page.waitForFunction(() => (window as any).__rodflow.store.getState().run.frontier >= 2, null, { timeout: 40_000 });
    expect((await page.evaluate(() => (window as any).__rodflow.workers())).started).toBe(2);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
