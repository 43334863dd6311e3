/**
 * End-to-end harness: build the page once (per test file), serve dist/ on a free port, launch Debian's
 * Chromium with playwright-core, record every request the page makes. Tests skip only when
 * /usr/bin/chromium is absent.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { scaled } from '../timeouts.ts';

/**
 * A browser test's timeout. In `npm test` two browser files run at once, each with its own Chromium,
 * on the 2-core budget machine, so a test that takes 10–14 s alone takes up to ~24 s there (measured on
 * a fresh-clone CI run). The guard is twice the 20 s budget; the budget itself is for a test run alone.
 */
export const BROWSER_TEST_TIMEOUT = scaled(40_000);
// Only inside a vitest run: the benches (bench/browser.ts, bench/lessons.ts) use this harness from tsx.
const vitest = process.env.VITEST ? await import('vitest') : null;
vitest?.vi.setConfig({ testTimeout: BROWSER_TEST_TIMEOUT });
// @ts-expect-error plain ESM helper without types
import { serveDist } from '../../scripts/serve-dist.mjs';
// @ts-expect-error plain ESM helper without types
import { buildPage } from '../../scripts/build-page.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const ROOT = join(import.meta.dirname, '..', '..');
export const SHOTS = join(ROOT, 'test-results');

export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Build into a private out dir so parallel test files and `npm start` never race on dist/: `npm start`'s build. */
export function build(outDir: string): void {
  const failed = buildPage(outDir, { logLevel: 'error' });
  if (failed !== null) throw new Error(failed);
}

export interface Harness {
  browser: Browser;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The page built once per `vitest run` into the run's private dir (test/global-setup.ts provides it):
 * the first caller builds under a lock (a directory, atomic across worker processes), the others wait
 * for it. Resolves to the dir, or null outside vitest's global setup (then each caller builds its own).
 */
export async function sharedBuild(): Promise<string | null> {
  let dir: string | undefined;
  try {
    dir = vitest?.inject('pageBuildDir');
  } catch {
    return null;
  }
  if (!dir) return null;
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(join(dir, 'index.html'))) return dir;
    try {
      // The parent exists on a fresh clone too (mkdir of the lock alone would fail there with ENOENT
      // forever, which is not "another file is building").
      mkdirSync(dirname(lock), { recursive: true });
      mkdirSync(lock, { recursive: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another file is building; a lock older than 10 minutes is a crashed builder's.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* released meanwhile */
      }
      await new Promise((ok) => setTimeout(ok, 250));
      continue;
    }
    try {
      if (!existsSync(join(dir, 'index.html'))) {
        build(`${dir}.tmp`);
        renameSync(`${dir}.tmp`, dir);
      }
      return dir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export async function startHarness(name: string): Promise<Harness> {
  // One build per run (shared by every browser file of it), else one out dir per process: two copies
  // of `npm test` (or two developers' runs) never share a build.
  const shared = await sharedBuild();
  const out = shared ?? join(ROOT, 'node_modules', '.cache', 'rodflow-e2e', `${name}-${process.pid}`);
  if (!shared) build(out);
  const { server, url } = (await serveDist(out, 0)) as { server: Server; url: string };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  return {
    browser,
    server,
    url,
    async close() {
      await browser.close();
      await new Promise<void>((ok) => server.close(() => ok()));
      if (!shared) rmSync(out, { recursive: true, force: true });
    },
  };
}

export interface OpenedPage {
  page: Page;
  requests: string[];
  errors: string[];
}

export async function openPage(h: Harness, search = '', viewport = { width: 1500, height: 1100 }): Promise<OpenedPage> {
  const ctx = await h.browser.newContext({ viewport, acceptDownloads: true });
  // tsx (the benches) compiles with esbuild's keepNames, which wraps functions passed to page.evaluate in
  // a `__name(...)` helper the page does not have.
  await ctx.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
  const page = await ctx.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(h.url + search, { waitUntil: 'load' });
  return { page, requests, errors };
}

/**
 * Screenshots are for people to look at (E2E_SHOTS=1 npm test, then test-results/): a full-page one
 * costs ~1 s, so a plain test run takes none.
 */
export const TAKE_SHOTS = process.env.E2E_SHOTS === '1';

/** A full-page screenshot into test-results/ when E2E_SHOTS=1; `opts.fullPage: false` for the viewport only. */
export async function shot(page: Page, file: string, opts: { fullPage?: boolean; path?: string } = {}): Promise<void> {
  if (!TAKE_SHOTS) return;
  const path = opts.path ?? join(SHOTS, file);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: opts.fullPage ?? true });
}

/**
 * In-page JS (for appState strings): a set of traces → every column of each, up to its length, as plain
 * arrays (for comparing runs, ghosts and saved runs number by number).
 */
export const TRACE_COLUMNS_JS = `(tr) => Object.fromEntries(Object.entries(tr).map(([k, t]) => [k, {
  t: Array.from(t.t.subarray(0, t.length)), w: Array.from(t.w.subarray(0, t.length * t.wDim)),
  loss: Array.from(t.loss.subarray(0, t.length)), osc: Array.from(t.osc.subarray(0, t.length)),
  sharpness: Array.from(t.sharpness.subarray(0, t.length * t.eigK)),
  delta: t.delta ? Array.from(t.delta.subarray(0, t.length * t.wDim)) : [] }]))`;

/** Read the app's store through the test hook (window.__rodflow). */
export async function appState<T>(page: Page, fn: string): Promise<T> {
  return page.evaluate(`(() => { const s = window.__rodflow.store.getState(); return (${fn})(s); })()`) as Promise<T>;
}

/**
 * Share of the plane's plot area painted as "outside the sampled landscape" (contour-background's
 * OUTSIDE_GRID, #f3f3f3): a band the loss grid does not cover. Waits for the grid that fits the frame.
 */
export async function unsampledShare(page: Page, figureId: string): Promise<number> {
  await page.waitForTimeout(300); // the frame's aspect → a new grid → a redraw
  return page.evaluate((fid) => {
    const c = document.querySelector(`#${fid} canvas`) as HTMLCanvasElement | null;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return NaN;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let grey = 0;
    let painted = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 0) continue;
      painted++;
      if (d[i] === 243 && d[i + 1] === 243 && d[i + 2] === 243) grey++;
    }
    return painted ? grey / painted : NaN;
  }, figureId);
}
