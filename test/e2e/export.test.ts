/**
 * Export and import of a forked run in a real browser (issue 9 item 11): after two mid-run η changes
 * and a saved run, "Run → JSON" writes the whole history (schema 2: the earlier segments with their
 * ghosts, the saved run); importing that file into a fresh page restores the same current run, the
 * same ghosts (to 1e-12), the fork history in the settings and the address, and the saved run.
 * One page for the whole file.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, TRACE_COLUMNS_JS, appState, openPage, shot, startHarness, type Harness } from './harness.ts';

let h: Harness;
let page: Page;
const pageErrors: string[] = [];
/** What the first test leaves for the next: the exported file, the page before it, its address. */
let text = '';
let before: Snapshot;
let hashBefore = '';

type Cols = Record<string, Record<string, number[]>>;
interface Snapshot {
  t0: number;
  eta: number;
  forks: { t: number; eta: number }[] | null;
  run: Cols;
  ghosts: { name: string; eta: number; traces: Cols }[];
  saved: { name: string; kind: string; eta: number; traces: Cols }[];
}

/** Every column of the current run, of each ghost and of each saved run, up to its length. */
const snapshot = () =>
  appState<Snapshot>(
    page,
    `(s) => {
      const cols = ${TRACE_COLUMNS_JS};
      return { t0: s.run.t0, eta: s.run.eta, forks: s.settings.forks ?? null, run: cols(s.run.traces),
        ghosts: s.ghosts.map((g) => ({ name: g.name, eta: g.eta, traces: cols(g.traces) })),
        saved: s.saved.map((g) => ({ name: g.name, kind: g.kind, eta: g.eta, traces: cols(g.traces) })) };
    }`,
  );

/** The same numbers to 1e-12 (the run is recomputed from its fork history in the same browser). */
function same(where: string, a: Cols, b: Cols): number {
  let n = 0;
  expect(Object.keys(b).sort(), where).toEqual(Object.keys(a).sort());
  for (const [flow, cols] of Object.entries(a)) {
    for (const [col, xs] of Object.entries(cols)) {
      const ys = b[flow][col];
      expect(ys.length, `${where} ${flow}.${col}`).toBe(xs.length);
      for (let i = 0; i < xs.length; i++) {
        if (!(Math.abs(xs[i] - ys[i]) <= 1e-12 || (Number.isNaN(xs[i]) && Number.isNaN(ys[i])))) expect.fail(`${where} ${flow}.${col}[${i}]: ${xs[i]} vs ${ys[i]}`);
        n++;
      }
    }
  }
  return n;
}

/** Pause at step t and change η as the η field does (a fork of the current run at the playhead). */
async function forkAt(t: number, eta: number): Promise<void> {
  await page.evaluate(([t, eta]) => {
    const r = (window as any).__rodflow;
    r.pause();
    r.store.setState({ playhead: t });
    r.setEta(eta);
  }, [t, eta]);
  await page.waitForFunction((t) => {
    const s = (window as any).__rodflow.store.getState();
    return s.run.done && s.run.t0 === t;
  }, t);
  // η changes closer together than 450 ms re-run the same fork (apply.ts FORK_COALESCE_MS).
  await page.waitForTimeout(500);
}

describe.skipIf(!HAS_CHROMIUM)('export and import of a forked run in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness('export');
    const o = await openPage(h, '#v=1&problem=valley&eta=0.3&steps=600');
    page = o.page;
    pageErrors.push(...o.errors);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('after two mid-run η changes and a saved run, "Run → JSON" holds the whole history (schema 2)', async () => {
    await page.waitForFunction(() => (window as any).__rodflow?.store.getState().run.done);
    // The case: η changed mid-run (twice), so the current run is the last segment only.
    await forkAt(200, 0.25);
    await forkAt(450, 0.2);
    await page.getByLabel('Name for the saved run').fill('kept run');
    await page.getByRole('button', { name: 'Save run' }).click();
    before = await snapshot();
    expect(before.forks).toEqual([{ t: 200, eta: 0.3 }, { t: 450, eta: 0.25 }]);
    expect([before.t0, before.eta]).toEqual([450, 0.2]);
    expect(before.ghosts.map((g) => g.name)).toEqual(['η = 0.3', 'η = 0.25']);
    expect(before.saved.map((o) => o.name)).toEqual(['kept run']);
    hashBefore = await page.evaluate(() => location.hash);
    expect(new URLSearchParams(hashBefore.slice(1)).get('fork')).toBe('200:0.3,450:0.25');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    text = readFileSync((await download.path())!, 'utf8');
    const file = JSON.parse(text);
    // The whole history, not only the last segment.
    expect(file.schema).toBe(2);
    expect([file.t0, file.steps, file.eta]).toEqual([450, 150, 0.2]);
    expect(file.history.end).toBe(600);
    expect(file.history.start).toEqual(file.history.start.map(Number)); // the run's start at step 0, written out
    expect(file.history.segments.map((g: { t0: number; eta: number; steps: number }) => [g.t0, g.eta, g.steps])).toEqual([[0, 0.3, 200], [200, 0.25, 250]]);
    expect(file.history.segments[0].flows.gd.t.at(-1)).toBe(200);
    expect(file.saved.map((o: { name: string }) => o.name)).toEqual(['kept run']);
    expect(download.suggestedFilename()).toBe('rodflow-valley-eta0.2-2forks.json');
  });

  it('export → import restores the fork history: the run, its ghosts, the forks in the address, and the saved run', async () => {
    expect(text, 'the export test ran').not.toBe('');
    // A fresh page on another problem (nothing of the run left), then the file.
    const t0 = Date.now();
    await page.goto('about:blank');
    await page.goto(h.url + '#v=1&problem=quadratic-2d&eta=1&steps=40');
    await page.waitForFunction(() => {
      const s = (window as any).__rodflow?.store.getState();
      return s && s.run.done && s.settings.problem === 'quadratic-2d';
    });
    expect(await appState<number>(page, '(s) => s.ghosts.length + s.saved.length')).toBe(0);
    const t1 = Date.now();
    await page.getByTestId('import-file').setInputFiles({ name: 'forked.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    // The status line says what was restored (read at once: it fades after a few seconds).
    const toast = await page.waitForFunction(() => {
      const t = (window as any).__rodflow.store.getState().toast?.text ?? '';
      return t.startsWith('Imported forked.json') ? t : false;
    });
    expect(await toast.jsonValue()).toMatch(/^Imported forked\.json: .*η = 0\.2, with 2 forks restored and 1 saved run\.$/);
    const tImported = Date.now();
    await page.waitForFunction(() => {
      const s = (window as any).__rodflow.store.getState();
      return s.settings.problem === 'valley' && s.run.done && s.run.t0 === 450 && s.ghosts.length === 2;
    });
    const t2 = Date.now();
    const after = await snapshot();
    expect(after.forks).toEqual(before.forks);
    expect([after.t0, after.eta]).toEqual([450, 0.2]);
    expect(after.ghosts.map((g) => [g.name, g.eta])).toEqual(before.ghosts.map((g) => [g.name, g.eta]));
    let compared = same('run', before.run, after.run);
    before.ghosts.forEach((g, i) => (compared += same(`ghost ${g.name}`, g.traces, after.ghosts[i].traces)));
    expect(after.saved.map((o) => [o.name, o.kind])).toEqual([['kept run', 'saved']]);
    compared += same('saved run', before.saved[0].traces, after.saved[0].traces);
    console.log(`export → import: ${compared} numbers compared; fresh page ${t1 - t0} ms, import ${tImported - t1} ms, rebuild ${t2 - tImported} ms, compare ${Date.now() - t2} ms`);
    // The address carries the restored fork history: a link copied now reopens the same run.
    expect(await page.evaluate(() => location.hash)).toBe(hashBefore);
    expect(await appState<string[]>(page, '(s) => s.notices')).toEqual([]);
    await expect.poll(() => page.getByRole('list', { name: 'Ghost runs' }).locator('li span').allInnerTexts()).toEqual(['η = 0.3', 'η = 0.25']);
    await shot(page, 'e2e-export-import-forks.png');
  });

  it('a history whose segments do not meet is refused with one clear line, the page unchanged', async () => {
    expect(text, 'the export test ran').not.toBe('');
    // A history whose segments do not meet: refused with one clear line, the page unchanged.
    const bad = JSON.parse(text);
    bad.history.segments[0].steps = 199;
    await page.getByTestId('import-file').setInputFiles({ name: 'gap.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await page.waitForFunction(() => document.querySelector('[data-testid=toast]')?.textContent?.includes('Could not import gap.json'));
    expect(await page.getByTestId('toast').innerText()).toMatch(/Could not import gap\.json: .*earlier segment 0 \(history\.segments\[0\]\) ends at step 199/);
    expect(await appState<number>(page, '(s) => s.ghosts.length')).toBe(2);
  });

  it('a history the page does not replay (a network\'s, or one not from step 0) imports as overlays, one per segment', async () => {
    expect(text, 'the export test ran').not.toBe('');
    const part = JSON.parse(text);
    part.history.segments.shift(); // now from step 200: no fork history to rebuild from the start
    const forksBefore = await appState<unknown>(page, '(s) => s.settings.forks');
    const savedBefore = await appState<number>(page, '(s) => s.saved.length');
    await page.getByTestId('import-file').setInputFiles({ name: 'part.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(part)) });
    await page.waitForFunction((n) => (window as any).__rodflow.store.getState().saved.length === n + 3, savedBefore);
    const added = await appState<{ name: string; kind: string; first: number; last: number }[]>(
      page,
      `(s) => s.saved.slice(${savedBefore}).map((o) => ({ name: o.name, kind: o.kind, first: o.traces.gd.t[0], last: o.traces.gd.t[o.traces.gd.length - 1] }))`,
    );
    const kept = before.saved[0].traces.gd.t;
    expect(added.map((o) => [o.kind, o.first, o.last])).toEqual([['imported', 200, 450], ['imported', 450, 600], ['saved', kept[0], kept.at(-1)]]);
    expect(added[0].name).toMatch(/η = 0\.25 \(steps 200–450\)$/);
    // The page's own run and fork history are untouched.
    expect(await appState<unknown>(page, '(s) => s.settings.forks')).toEqual(forksBefore);
    expect(await page.getByTestId('toast').innerText()).toMatch(/Imported part\.json: .*η = 0\.2 and 1 earlier segment and 1 saved run\./);
    expect(pageErrors).toEqual([]);
  });
});
