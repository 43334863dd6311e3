/**
 * `npm run bench -- lessons`: navigation → complete first frame for every lesson scene in headless
 * Chromium (target ≤ 1 s). A scene is entered as a link inside the page (history + popstate: the
 * controller reads the address, the scene view opens its stored run); the frame is complete when the
 * stored run is in the store, every listed plot has drawn, and two animation frames have passed. The
 * first scene of the page includes fetching its stored run; later scenes that share a run reuse it.
 */
import { allScenes, sceneQuery } from '../src/lessons/registry.ts';
import { HAS_CHROMIUM, openPage, startHarness } from '../test/e2e/harness.ts';

export async function runLessonsBench(): Promise<void> {
  if (!HAS_CHROMIUM) {
    console.log('(no /usr/bin/chromium: skipped)');
    return;
  }
  const h = await startHarness('bench-lessons');
  try {
    const { page } = await openPage(h, '#lesson=index', { width: 1920, height: 1080 });
    await page.waitForSelector('[data-testid=lesson-index]');
    const rows: [string, number][] = [];
    for (const { lesson, index, scene } of allScenes()) {
      const ms = await page.evaluate(
        ([q, l, s]) =>
          new Promise<number>((done) => {
            const t0 = performance.now();
            history.pushState(null, '', q as string);
            dispatchEvent(new PopStateEvent('popstate'));
            const w = window as unknown as { __rodflow: { store: { getState(): { run: { done: boolean; traces: Record<string, { length: number }> } } } } };
            const poll = () => {
              const body = document.querySelector('.lesson-body');
              const st = w.__rodflow.store.getState();
              const ok =
                body?.getAttribute('data-lesson') === String(l) &&
                body?.getAttribute('data-scene') === String(s) &&
                st.run.done &&
                Object.values(st.run.traces).some((t) => t && t.length > 1) &&
                [...document.querySelectorAll('.lesson-plot-cell')].every((c) => c.querySelector('canvas, table'));
              if (ok) requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
              else if (performance.now() - t0 > 30_000) done(NaN);
              else requestAnimationFrame(poll);
            };
            poll();
          }),
        [sceneQuery(lesson, index), lesson.number, index + 1] as const,
      );
      rows.push([`${lesson.number}.${index + 1} ${lesson.id}/${scene.id}${scene.storedRun ? ` (${scene.storedRun})` : ''}`, ms]);
    }
    for (const [name, ms] of rows) console.log(`${name.padEnd(52)} ${Number.isFinite(ms) ? ms.toFixed(0).padStart(6) + ' ms' : '  timed out'}${ms > 1000 ? '  (over 1 s)' : ''}`);
    const v = rows.map((r) => r[1]).filter(Number.isFinite).sort((a, b) => a - b);
    if (v.length) console.log(`navigation → complete first frame: median ${v[v.length >> 1].toFixed(0)} ms, max ${v[v.length - 1].toFixed(0)} ms over ${v.length} scenes (target ≤ 1000 ms)`);
  } finally {
    await h.close();
  }
}
