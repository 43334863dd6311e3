// Screenshots of the app at the four reviewed sizes, for looking at (not a test).
// Usage: [DIST=builtDir] [SIZES=1920,390] node dev/shots.mjs [outDir] [filter]  (PNGs to /tmp/rf-shots by default)
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const OUT = process.argv[2] ?? '/tmp/rf-shots';
const FILTER = process.argv[3] ?? '';
mkdirSync(OUT, { recursive: true });
const CASES = {
  quad2d: '?v=1&problem=quadratic-2d',
  valley1: '?v=1&problem=valley&eta=1',
  quartic: '?v=1&problem=quartic',
  selfstab: '?v=1&problem=self-stab',
  custom: '?v=1&problem=custom&expr=x%5E4%2F4%20-%20x%5E2',
  teacher: '?v=1&problem=mlp-teacher&steps=300',
  huge: '?v=1&problem=custom&expr=1e300*x%5E2&eta=1e-301&steps=2000&flows=gd',
};
const SIZES = [[1920, 1080], [1440, 900], [1280, 720], [390, 844]];
// DIST=dir: serve a built page (much faster to load than the dev server on a busy machine).
let server, url;
if (process.env.DIST) {
  const { serveDist } = await import('../scripts/serve-dist.mjs');
  const s = await serveDist(process.env.DIST, 0);
  server = { close: async () => s.server.close() };
  url = s.url;
} else {
  server = await createServer({ server: { port: 5201, strictPort: false, host: '127.0.0.1' }, logLevel: 'error' });
  await server.listen();
  url = server.resolvedUrls.local[0];
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'] });
try {
  for (const [name, q] of Object.entries(CASES)) {
    if (FILTER && !name.includes(FILTER)) continue;
    for (const [w, hgt] of SIZES) {
      if (process.env.SIZES && !process.env.SIZES.split(',').includes(String(w))) continue;
      if (process.env.ONLY && !process.env.ONLY.split(',').includes(`${name}-${w}`)) continue;
      const page = await browser.newPage({ viewport: { width: w, height: hgt } });
      const errs = [];
      page.on('pageerror', (e) => errs.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errs.push(m.text()));
      try { await page.goto(url + q, { timeout: 180_000 }); await page.waitForFunction(() => !!window.__rodflow, null, { timeout: 120_000 }); } catch (e) { console.log(name, w, 'goto failed', String(e).slice(0, 80)); await page.close(); continue; }
      await page.waitForFunction(() => { const s = window.__rodflow?.store.getState(); return s && s.run.done && s.playhead >= (s.run.info ? 1 : 0); }, null, { timeout: 90_000 }).catch(() => errs.push('timeout'));
      // jump to the end of the replay
      await page.evaluate(() => { const s = window.__rodflow?.store; if (s) { const st = s.getState(); let end = 0; for (const tr of Object.values(st.run.traces)) if (tr && tr.length) end = Math.max(end, tr.t[tr.length - 1]); s.setState({ playhead: end, playing: false }); } }).catch(() => {});
      await page.waitForTimeout(800);
      await page.screenshot({ path: `${OUT}/${name}-${w}.png`, fullPage: w > 1000 ? false : false });
      if (w >= 1920) await page.screenshot({ path: `${OUT}/${name}-${w}-full.png`, fullPage: true });
      console.log(name, w, errs.slice(0, 3).join(' | '));
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
