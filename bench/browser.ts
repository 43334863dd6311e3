/**
 * Browser bench (headless Debian Chromium via playwright-core, against the built page):
 *  1. drag latency on the 2-D valley: pointer event that moves the start → the first frame drawn with
 *     the recomputed trajectory (target ≤ 16 ms), and → the frame with the whole horizon recomputed;
 *  2. main-thread frame rate while a network simulation runs in the worker (target ≥ 50 fps).
 * The page records the timings itself (window.__rodflow.perf); numbers are medians over repeats.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, ROOT, build } from '../test/e2e/harness.ts';
// @ts-expect-error plain ESM helper without types
import { serveDist } from '../scripts/serve-dist.mjs';

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');

export async function runBrowserBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`(browser bench skipped: ${CHROMIUM} is absent)`);
    return;
  }
  const out = join(ROOT, 'node_modules', '.cache', 'rodflow-bench');
  build(out);
  const { server, url } = (await serveDist(out, 0)) as { server: Server; url: string };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS, ...(process.env.BENCH_EXTRA_ARGS ?? '').split(' ').filter(Boolean)] });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });

    // 1. Drag latency on the valley (4 flows, 2000-step horizon).
    await page.goto(url + '?v=1&problem=valley&eta=0.3&steps=2000&play=0');
    await page.waitForFunction(() => (window as any).__rodflow?.store.getState().run.done, null, { timeout: 60_000 });
    const hit = page.locator('.rfp-handle circle[data-hit]').first();
    const box = (await hit.boundingBox())!;
    let x = box.x + box.width / 2;
    let y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    const moves = 25;
    for (let i = 0; i < moves; i++) {
      // A small circle around the start; each move waits for its frame and the worker to settle.
      x += 6 * Math.cos(i / 3);
      y += 6 * Math.sin(i / 3);
      await page.mouse.move(x, y, { steps: 1 });
      await page.waitForTimeout(Number(process.env.BENCH_DRAG_GAP_MS ?? 400));
    }
    await page.waitForTimeout(1500);
    await page.mouse.up();
    await page.waitForTimeout(500);
    const perf = await page.evaluate(() => {
      const p = (window as any).__rodflow.perf;
      return { drag: p.drag as number[], full: p.dragFull as number[], first: p.firstChunk as number[], worker: p.workerFirst as number[], parts: p.dragParts as number[][] };
    });
    const chunkMs = await page.evaluate(() => (window as any).__rodflow.store.getState().run.computeMs as number);
    console.log(`drag → first redrawn frame (valley, 4 flows): median ${f1(median(perf.drag))} ms, p90 ${f1(pct(perf.drag, 0.9))} ms over ${perf.drag.length} drags (target ≤ 16 ms)`);
    console.log(`  of which: run request posted → first chunk received ${f1(median(perf.first))} ms (the worker's own part ${f1(median(perf.worker))} ms)`);
    const part = (k: number) => f1(median(perf.parts.map((r) => r[k])));
    console.log(`  per drag (medians): pointer event → request posted ${part(0)} ms, → first chunk on the main thread ${part(1)} ms, → its commit starts ${part(2)} ms, → rendered and drawn ${part(3)} ms, → frame done ${part(4)} ms`);
    console.log(`drag → whole 2000-step horizon redrawn: median ${f1(median(perf.full))} ms, p90 ${f1(pct(perf.full, 0.9))} ms over ${perf.full.length} drags (last worker slice ${f1(chunkMs)} ms)`);

    // 2. Frame rate of the main thread while a network trains in the worker (BENCH_DRAG_ONLY=1 skips it).
    if (process.env.BENCH_DRAG_ONLY) return;
    await page.goto(url + '?v=1&problem=mlp-chebyshev&play=1&speed=5');
    await page.waitForFunction(() => (window as any).__rodflow?.store.getState().run.step > 0, null, { timeout: 60_000 });
    await page.waitForTimeout(1000);
    const stepA = await page.evaluate(() => (window as any).__rodflow.store.getState().run.step as number);
    // A string, not a function: tsx's name helpers do not exist in the page.
    const fps = (await page.evaluate(`new Promise((resolve) => {
      let n = 0, worst = 0;
      const t0 = performance.now();
      let last = t0;
      const f = (now) => {
        n++;
        worst = Math.max(worst, now - last);
        last = now;
        if (now - t0 < 4000) requestAnimationFrame(f);
        else resolve({ fps: (n - 1) / ((now - t0) / 1000), worst });
      };
      requestAnimationFrame(f);
    })`)) as { fps: number; worst: number };
    const stepB = await page.evaluate(() => (window as any).__rodflow.store.getState().run.step as number);
    const label = await page.evaluate(() => (window as any).__rodflow.store.getState().run.info?.label as string);
    console.log(`main thread while ${label} runs in the worker: ${f1(fps.fps)} fps, worst frame ${f1(fps.worst)} ms (target ≥ 50 fps); worker advanced ${stepB - stepA} steps in ~4 s`);
  } finally {
    await browser.close();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}
