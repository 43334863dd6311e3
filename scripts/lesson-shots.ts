/**
 * `npx tsx scripts/lesson-shots.ts [--dist DIR] [--only 5-2,landing]`: screenshots of every lesson scene
 * in presenter mode at 1920×1080 and 1280×720, and of the landing page and the lesson index at
 * 1920×1080, 1440×900, 1280×720 and 390×844, into test-results/lesson-shots/. They are for looking at
 * (what reads badly from the back of a lecture hall); test/e2e/lessons.test.ts checks sizes and overlaps.
 * `--dist DIR` serves an existing `vite build` output instead of building one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium, type Page } from 'playwright-core';
import { allScenes, sceneQuery } from '../src/lessons/registry.ts';
import { layoutFaults } from '../test/e2e/layout-check.ts';
// @ts-expect-error plain ESM helper without types
import { serveDist } from './serve-dist.mjs';
// @ts-expect-error plain ESM helper without types
import { buildPage } from './build-page.mjs';

const args = process.argv.slice(2);
const arg = (k: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = arg('--only')?.split(',');
const want = (name: string) => !only || only.some((o) => name.startsWith(o));
// The harness's constants (test/e2e/harness.ts imports vitest, which only runs under vitest).
const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'test-results', 'lesson-shots');
const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

function build(outDir: string): void {
  const failed = buildPage(outDir, { logLevel: 'error' });
  if (failed !== null) throw new Error(failed);
}

async function settle(page: Page, lesson?: number, scene?: number): Promise<void> {
  await page.waitForFunction(
    ([l, s]) => {
      const body = document.querySelector('.lesson-body');
      const st = (window as any).__rodflow?.store.getState();
      const at = l === undefined || (body?.getAttribute('data-lesson') === String(l) && body?.getAttribute('data-scene') === String(s));
      return at && st?.run.done && Object.values(st.run.traces).some((t: any) => t && t.length > 1);
    },
    [lesson, scene] as const,
    { timeout: 60_000 },
  );
  await page.waitForTimeout(400);
}

let faultCount = 0;

async function main(): Promise<void> {
  let dist = arg('--dist');
  if (!dist) {
    dist = join(ROOT, 'node_modules', '.cache', 'rodflow-shots');
    build(dist);
  }
  mkdirSync(OUT, { recursive: true });
  const { server, url } = (await serveDist(dist, 0)) as { server: Server; url: string };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  try {
    for (const size of [
      { width: 1920, height: 1080 },
      { width: 1440, height: 900 },
      { width: 1280, height: 720 },
      { width: 390, height: 844 },
    ]) {
      const tag = `${size.width}x${size.height}`;
      const page = await (await browser.newContext({ viewport: size })).newPage();
      if (want('landing')) {
        await page.goto(url, { waitUntil: 'load' });
        await settle(page);
        await page.screenshot({ path: join(OUT, `landing-${tag}.png`), fullPage: size.width < 700 });
      }
      if (want('index')) {
        await page.goto(url + '#lesson=index', { waitUntil: 'load' });
        await page.waitForSelector('[data-testid=lesson-index]');
        await page.screenshot({ path: join(OUT, `index-${tag}.png`), fullPage: size.width < 700 });
      }
      if (size.width === 1920 || size.width === 1280) {
        let first = true;
        for (const { lesson, index, scene } of allScenes()) {
          const name = `${lesson.number}-${index + 1}`;
          if (!want(name)) continue;
          if (first) await page.goto(url + sceneQuery(lesson, index, true), { waitUntil: 'load' });
          else
            await page.evaluate((q) => {
              history.pushState(null, '', q);
              dispatchEvent(new PopStateEvent('popstate'));
            }, sceneQuery(lesson, index, true));
          first = false;
          await settle(page, lesson.number, index + 1);
          await page.screenshot({ path: join(OUT, `${name}-${scene.id}-presenter-${tag}.png`) });
          // tsx keeps function names with a helper (__name) that the page lacks.
          await page.evaluate('globalThis.__name ??= (f) => f');
          const faults = await page.evaluate(layoutFaults);
          faultCount += faults.length;
          for (const f of faults) console.log(`${name} ${scene.id} ${tag}: ${f}`);
        }
      }
      await page.context().close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`screenshots in ${OUT}; ${faultCount} layout faults in presenter scenes`);
}

void main();
