import { preview } from 'vite';
import { chromium } from 'playwright-core';
const server = await preview({ logLevel: 'error', build: { outDir: '/tmp/rfp-plots-build' }, preview: { port: 5199, strictPort: true, host: '127.0.0.1' } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto('http://127.0.0.1:5199/dev/plots.html');
await page.waitForSelector('#bench canvas');
await page.waitForTimeout(500);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
for (const which of [process.argv[2] ?? '__bench']) {
  await cdp.send('Profiler.start');
  const r = await page.evaluate((w) => window[w](60), which);
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const dt = profile.timeDeltas; const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const counts = new Map();
  profile.samples.forEach((s, i) => counts.set(s, (counts.get(s) ?? 0) + (dt[i] ?? 0)));
  for (const [id, t] of counts) { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + t); }
  console.log(which, JSON.stringify(r));
  console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 18).map(([k, t]) => `${(t / 1000).toFixed(1)}ms ${k}`).join('\n'));
}
await browser.close(); server.httpServer.close();
