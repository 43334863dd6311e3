// Screenshots + timings of the plot harness in real headless Chromium.
// Usage: node scripts/shot-plots.mjs  → test-results/plots-*.png, timings printed as JSON.
import { createServer, build, preview } from 'vite';
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';

const OUT = 'test-results';
mkdirSync(OUT, { recursive: true });
// PROD=1: measure a production build (what users get); default: the dev server (React dev build).
const PROD = process.env.PROD === '1';
let server;
if (PROD) {
  const outDir = '/tmp/rfp-plots-build';
  await build({ logLevel: 'error', build: { outDir, emptyOutDir: true, rollupOptions: { input: 'dev/plots.html' } } });
  server = await preview({ logLevel: 'error', build: { outDir }, preview: { port: 5199, strictPort: true, host: '127.0.0.1' } });
} else {
  server = await createServer({ server: { port: 5199, strictPort: true, host: '127.0.0.1' }, logLevel: 'error' });
  await server.listen();
}
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const report = {};
const errors = [];
report.errors = errors;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  await page.goto('http://127.0.0.1:5199/dev/plots.html');
  await page.waitForSelector('#bench canvas');
  await page.waitForTimeout(800);
  // (fullPage capture resizes the page mid-shot; a tall viewport gives a faithful picture instead.)
  await page.setViewportSize({ width: 1400, height: 2200 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${OUT}/plots-full.png` });
  // Resize: every frame's SVG/canvas must follow its container (ResizeObserver).
  await page.setViewportSize({ width: 980, height: 1000 });
  await page.waitForTimeout(400);
  report.resize = await page.evaluate(() => [...document.querySelectorAll('[data-plot-frame]')].every((f) => {
    const svg = f.querySelector('svg'); const c = f.querySelector('canvas');
    return Number(svg.getAttribute('width')) === f.clientWidth && c.style.width === f.clientWidth + 'px';
  }));
  await page.locator('#sharpness').screenshot({ path: `${OUT}/plots-sharpness-narrow.png` });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.waitForTimeout(400);
  // Hover the sharpness plot at ~step 600: shared cursor everywhere.
  const box = await page.locator('#sharpness [data-plot-frame]').boundingBox();
  await page.mouse.move(box.x + 74 + (box.width - 92) * 0.4, box.y + 80);
  await page.waitForTimeout(200);
  report.cursorText = await page.locator('[data-testid=cursor]').textContent();
  report.readouts = await page.locator('#sharpness .rfp-val').allTextContents();
  await page.screenshot({ path: `${OUT}/plots-hover.png`, clip: { x: 0, y: 0, width: 1400, height: 1000 } });
  for (const id of ['sharpness', 'loss', 'plane', 'quartic', 'bench', 'nan']) {
    await page.locator(`#${id}`).screenshot({ path: `${OUT}/plots-${id}.png` });
  }
  // Keyboard: focus the loss plot, arrows.
  await page.locator('#loss [data-plot-frame]').focus();
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  report.afterKeys = await page.locator('[data-testid=cursor]').textContent();
  await page.locator('#loss').screenshot({ path: `${OUT}/plots-loss-keyboard.png` });
  // Hover inside the valley plot: coordinate + interpolated loss readout box.
  await page.mouse.move(2, 2);
  await page.locator('#quartic').scrollIntoViewIfNeeded();
  const qb = await page.locator('#quartic [data-plot-frame]').boundingBox();
  await page.mouse.move(qb.x + qb.width * 0.3, qb.y + qb.height * 0.5);
  await page.waitForTimeout(150);
  report.quarticHover = await page.locator('#quartic .rfp-hover-box').textContent();
  await page.locator('#quartic').screenshot({ path: `${OUT}/plots-quartic-hover.png` });
  await page.mouse.move(2, 2);
  // Drag the start point on the plane.
  const h = page.locator('#plane .rfp-handle');
  await page.mouse.move(2, 2); // off every plot, so scrolling does not hover one
  await page.locator('#plane').scrollIntoViewIfNeeded();
  const hb = await page.locator('#plane .rfp-handle circle[data-ring]').boundingBox();
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await page.mouse.down();
  await page.mouse.move(hb.x + hb.width / 2 + 60, hb.y + hb.height / 2 - 40, { steps: 5 });
  await page.mouse.up();
  await page.waitForTimeout(200);
  report.startAfterDrag = await h.getAttribute('aria-valuetext');
  await h.focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(100);
  report.startAfterKey = await h.getAttribute('aria-valuetext');
  await page.locator('#plane').screenshot({ path: `${OUT}/plots-plane-dragged.png` });
  // Legend toggle hides a series (redraw) and is reflected in aria-pressed.
  await page.mouse.move(2, 2);
  const before = await page.evaluate(() => window.__drawCount.sharpness);
  const btn = page.locator('#sharpness [data-legend-item][data-label="gradient flow"] button');
  await btn.click();
  await page.mouse.move(2, 2);
  await page.waitForTimeout(100);
  report.toggle = { pressed: await btn.getAttribute('aria-pressed'), redraws: (await page.evaluate(() => window.__drawCount.sharpness)) - before };
  await page.locator('#sharpness').screenshot({ path: `${OUT}/plots-sharpness-toggled.png` });
  await btn.click();
  // Timings.
  report.bench = await page.evaluate(() => window.__bench(40));
  await page.evaluate(() => window.__setBenchLog(true));
  report.benchLog = await page.evaluate(() => window.__bench(40));
  report.cursorBench = await page.evaluate(() => window.__cursorBench(60));
  // Export: SVG string and PNG blob.
  report.svgLen = await page.evaluate(() => window.__plotHandles.loss.current.svgString().length);
  report.svgHasImage = await page.evaluate(() => window.__plotHandles.loss.current.svgString().includes('<image'));
  report.png = await page.evaluate(() => window.__pngSize());
  for (const id of ['sharpness', 'plane']) {
    const b64 = await page.evaluate((sel) => window.__pngBase64(sel), `#${id}`);
    writeFileSync(`${OUT}/plots-export-${id}.png`, Buffer.from(b64, 'base64'));
  }
  const svg = await page.evaluate(() => window.__plotHandles.plane.current.svgString());
  const p2 = await browser.newPage({ viewport: { width: 900, height: 700 } });
  await p2.setContent(`<body style="margin:0">${svg}</body>`);
  await p2.screenshot({ path: `${OUT}/plots-export-plane-svg.png`, fullPage: true });
  const svgL = await page.evaluate(() => window.__plotHandles.loss.current.svgString());
  await p2.setContent(`<body style="margin:0">${svgL}</body>`);
  await p2.screenshot({ path: `${OUT}/plots-export-loss-svg.png`, fullPage: true });
  // Projector-ish: small viewport, 2× DPR.
  const p3 = await browser.newPage({ viewport: { width: 1024, height: 768 }, deviceScaleFactor: 2 });
  await p3.goto('http://127.0.0.1:5199/dev/plots.html');
  await p3.waitForSelector('#bench canvas');
  await p3.waitForTimeout(500);
  await p3.locator('#sharpness').screenshot({ path: `${OUT}/plots-sharpness-2x.png` });
  report.errors = errors;
} catch (e) {
  report.failure = String(e);
  throw e;
} finally {
  console.log(JSON.stringify(report, null, 2));
  await browser.close();
  if (PROD) server.httpServer.close();
  else await server.close();
}
