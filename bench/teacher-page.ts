/**
 * The teacher preset opened paused in headless Chromium, for the redraw profiling scripts
 * (bench/redraw-profile.ts, bench/redraw-trace.ts). OUTDIR serves an existing `vite build`; otherwise the
 * page is built into node_modules/.cache/rodflow-bench first.
 */
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, ROOT, build } from '../test/e2e/harness.ts';
// @ts-expect-error plain ESM helper without types
import { serveDist } from '../scripts/serve-dist.mjs';

export interface TeacherPage {
  browser: Browser;
  ctx: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openTeacherPage(steps: number): Promise<TeacherPage> {
  let out = process.env.OUTDIR;
  if (!out) build((out = join(ROOT, 'node_modules', '.cache', 'rodflow-bench')));
  const { server, url } = await serveDist(out, 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  await ctx.addInitScript({ content: `globalThis.__name ??= (f) => f;` });
  const page = await ctx.newPage();
  await page.goto(url + `#v=1&problem=mlp-teacher&steps=${steps}&play=0`);
  await page.waitForFunction(() => (window as any).__rodflow?.store.getState().run.info !== null, null, { timeout: 60_000 });
  await page.waitForTimeout(500);
  return {
    browser,
    ctx,
    page,
    async close() {
      await browser.close();
      server.close();
    },
  };
}
