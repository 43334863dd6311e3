/**
 * The tfjs network path in headless Chromium on WebGPU (SwiftShader adapter, --enable-unsafe-webgpu),
 * WebGL2 and wasm, against the float64 reference computed here in Node (src/engine/nn/mlp.ts).
 *
 * Self-contained: a tiny page that imports src/engine/gpu is built with Vite's `build` API into a temp
 * dir, served from 127.0.0.1 on a free port by node:http (wasm binaries from the same origin, no CDN),
 * and driven by playwright-core with /usr/bin/chromium (one launch for the whole file). Skips, with a
 * message, only when /usr/bin/chromium is absent.
 *
 * Tolerances: the same float32 arguments as test/gpu-tf-mlp.test.ts (measured errors there ~1e-7), with
 * one difference: GPU backends evaluate transcendental functions and reductions in their own shader
 * code, whose accuracy is not IEEE-exact. On SwiftShader (what CI has) they turn out as
 * accurate as the CPU: measured 0.5–2.2e-7 for every quantity on webgpu and webgl. So the same 1e-5
 * relative (2-norm) bound as in Node applies to loss, gradient, HVP, third vector, λ₁ and GD's steps;
 * the measured errors are printed so the margin is visible. (A real GPU with fast-math transcendental
 * functions may do worse; that is measured where one is available, not assumed.)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanczosTopK } from '../../src/engine/linalg/lanczos.ts';
import { teacherData } from '../../src/engine/nn/datasets.ts';
import { initWeights } from '../../src/engine/nn/init.ts';
import { MlpProblem } from '../../src/engine/nn/mlp.ts';
import type { Activation, MlpArch } from '../../src/engine/nn/mlp-spec.ts';
import { normal } from '../../src/engine/nn/rng.ts';
import { rel } from '../vec-compare.ts';
import { scaled } from '../timeouts.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[gpu-browser] SKIPPED: ${CHROMIUM} not found (install Debian's chromium package)`);

const ENTRY = `
import { selectBackend, TfMlp, measureTfMlp, mlpCalibration } from ${JSON.stringify(join(ROOT, 'src/engine/gpu/index.ts'))};
const f64 = (a) => Float64Array.from(a);
window.gpuHarness = {
  /** Start every backend once (adapter, device, wasm instantiation) so the tests time only their work. */
  async warm() {
    const out = {};
    for (const b of ['webgpu', 'webgl', 'wasm', 'cpu']) out[b] = (await selectBackend(b)).name;
    return out;
  },
  async check(req) {
    const info = await selectBackend(req.backend);
    const data = { ...req.data, x: f64(req.data.x), y: f64(req.data.y) };
    const p = new TfMlp(req.arch, data);
    const w = f64(req.w), a = f64(req.a), b = f64(req.b);
    const out = { info, backend: p.backend };
    out.loss = await p.loss(w);
    out.grad = Array.from(await p.grad(w));
    out.hvp = Array.from(await p.hvp(w, a));
    out.third = Array.from(await p.third(w, a, b));
    if (req.eig) {
      const e = await p.topEig(w);
      out.eig = { value: e.value, hvps: e.hvps, converged: e.converged };
    }
    if (req.gdSteps) {
      const r = await p.runGD(w, req.eta, req.gdSteps, { readEvery: 20 });
      out.gd = { w: Array.from(r.w), losses: Array.from(r.losses), steps: r.steps };
    }
    p.dispose();
    return out;
  },
  async auto(req) {
    const data = { ...req.data, x: f64(req.data.x), y: f64(req.data.y) };
    const opts = { storage: localStorage, keySuffix: 'test', calibrate: mlpCalibration(req.arch, data, f64(req.w), 1) };
    const first = await selectBackend('auto', opts);
    const second = await selectBackend('auto', opts);
    return { first, second, stored: localStorage.getItem(first.calibration.key) };
  },
  async time(req) {
    await selectBackend(req.backend);
    const data = { ...req.data, x: f64(req.data.x), y: f64(req.data.y) };
    return measureTfMlp(req.arch, data, f64(req.w), { reps: 3, gdSteps: 10 });
  },
};
window.gpuHarnessReady = true;
`;

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

let dir = '';
let server: Server | null = null;
let browser: Browser | null = null;
let page: Page | null = null;
const pageErrors: string[] = [];

async function buildAndServe(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'rodflow-gpu-browser-'));
  await writeFile(join(dir, 'entry.js'), ENTRY);
  await writeFile(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./entry.js"></script>');
  const { build } = await import('vite');
  await build({
    root: dir,
    configFile: false,
    logLevel: 'warn',
    base: './',
    build: { outDir: join(dir, 'dist'), target: 'es2022', minify: false, reportCompressedSize: false, chunkSizeWarningLimit: 1e5 },
  });
  const dist = join(dir, 'dist');
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(dist, '.' + (path === '/' ? '/index.html' : path));
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}


describe.skipIf(!hasChromium)('tfjs network path in Chromium (WebGPU/SwiftShader, WebGL2, wasm)', () => {
  beforeAll(async () => {
    const url = await buildAndServe();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as { gpuHarnessReady?: boolean }).gpuHarnessReady === true, null, { timeout: 60_000 });
    await page.evaluate(() => (window as unknown as { gpuHarness: { warm(): Promise<unknown> } }).gpuHarness.warm());
    // Longer than the default hook timeout: a Vite build of the harness page (all tfjs backends), a
    // Chromium launch and the first start of each backend (SwiftShader's WebGPU device takes seconds).
  }, scaled(120_000));

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(null)));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const data = teacherData(1);
  const plainData = { name: data.name, n: data.n, d: data.d, o: data.o, x: Array.from(data.x), y: Array.from(data.y) };

  const cases: [string, Activation][] = [
    ['webgpu', 'tanh'],
    ['webgpu', 'gelu'],
    ['webgpu', 'softplus'],
    ['webgl', 'tanh'],
    ['webgl', 'gelu'],
    ['webgl', 'softplus'],
    ['wasm', 'tanh'],
  ];

  it.each(cases)('%s, %s, teacher 8→16→16→1: loss, grad, HVP, third, λ₁, GD vs float64', async (backend, activation) => {
    const arch: MlpArch = { sizes: [8, 16, 16, 1], activation };
    const ref = new MlpProblem(arch, data);
    const w = initWeights(arch, 2, 1, 0.3);
    const g = normal(5);
    const a = Float64Array.from({ length: ref.dim }, () => g());
    const b = Float64Array.from({ length: ref.dim }, () => g());
    const full = activation === 'tanh'; // GD once per backend: SwiftShader is slow
    // On SwiftShader WebGPU an HVP costs 0.6–1.8 s and a GD step up to 1 s: there λ₁ (Lanczos, tens of
    // HVPs, the same tfjs code that webgl and wasm check) is left out and GD runs 10 steps, not 40.
    const eig = full && backend !== 'webgpu';
    const gdSteps = full ? (backend === 'webgpu' ? 10 : 40) : 0;
    const res = await page!.evaluate(
      (req) => (window as unknown as { gpuHarness: { check(r: unknown): Promise<any> } }).gpuHarness.check(req),
      { backend, arch, data: plainData, w: Array.from(w), a: Array.from(a), b: Array.from(b), eig, gdSteps, eta: 0.1 },
    );
    expect(res.info.name, `fell back: ${JSON.stringify(res.info.failed)}`).toBe(backend);
    expect(res.backend).toBe(backend);
    const errs: Record<string, number> = {
      loss: Math.abs(res.loss - ref.loss(w)) / ref.loss(w),
      grad: rel(res.grad, ref.grad(w)),
      hvp: rel(res.hvp, ref.hvp(w, a)),
      third: rel(res.third, ref.third(w, a, b)),
    };
    if (eig) {
      const r64 = lanczosTopK((v, out) => ref.hvp(w, v, out), ref.dim, 1, { tol: 1e-10 });
      expect(res.eig.converged).toBe(true);
      errs.eig = Math.abs(res.eig.value - r64.values[0]) / r64.values[0];
    }
    if (gdSteps) {
      let x = w;
      const l64: number[] = [];
      for (let k = 0; k < gdSteps; k++) {
        l64.push(ref.loss(x));
        const gk = ref.grad(x);
        x = x.map((xi, i) => xi - 0.1 * gk[i]);
      }
      expect(res.gd.steps).toBe(gdSteps);
      errs.gdW = rel(res.gd.w, x);
      errs.gdLoss = rel(res.gd.losses, l64);
    }
    console.log(`[gpu-browser] ${backend} ${activation}: ${Object.entries(errs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
    for (const [k, v] of Object.entries(errs)) expect(v, k).toBeLessThan(1e-5);
    expect(pageErrors).toEqual([]);
  });

  it("'auto' times every backend, picks the fastest and remembers it in localStorage per device", async () => {
    const arch: MlpArch = { sizes: [8, 16, 16, 1], activation: 'tanh' };
    const r = await page!.evaluate(
      (req) => (window as unknown as { gpuHarness: { auto(r: unknown): Promise<any> } }).gpuHarness.auto(req),
      { arch, data: plainData, w: Array.from(initWeights(arch, 2)) },
    );
    const ms = r.first.calibration.ms as Record<string, number>;
    console.log(`[gpu-browser] auto: ms per grad+HVP ${JSON.stringify(ms)} → ${r.first.name}; key "${r.first.calibration.key}"`);
    expect(Object.keys(ms).sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu']);
    const best = Object.entries(ms).sort((p, q) => p[1] - q[1])[0][0];
    expect(r.first.name).toBe(best);
    expect(r.first.calibration.fromStorage).toBe(false);
    expect(r.first.calibration.key).toMatch(/HeadlessChrome|Chrome/);
    expect(JSON.parse(r.stored).name).toBe(best);
    expect(r.second.name).toBe(best);
    expect(r.second.calibration.fromStorage).toBe(true);
  });

  // Timings are a benchmark, not a test (docs/architecture.md, Tests): opt in with GPU_BROWSER_TIMINGS=1.
  it.skipIf(!process.env.GPU_BROWSER_TIMINGS)('timings in Chromium (printed, not asserted beyond being positive; GPU_BROWSER_TIMINGS=1)', async () => {
    const arch: MlpArch = { sizes: [8, 16, 16, 1], activation: 'tanh' };
    const w = Array.from(initWeights(arch, 2));
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
      const t = await page!.evaluate(
        (req) => (window as unknown as { gpuHarness: { time(r: unknown): Promise<any> } }).gpuHarness.time(req),
        { backend, arch, data: plainData, w },
      );
      console.log(`[gpu-browser] timing ${backend} 433 params: grad ${t.gradMs.toFixed(1)} ms, HVP ${t.hvpMs.toFixed(1)} ms, GD ${t.gdStepsPerSec.toFixed(1)} steps/s`);
      expect(t.gradMs).toBeGreaterThan(0);
    }
  }, 240_000);

  // The ~20k-parameter net takes minutes on SwiftShader WebGPU: opt in with GPU_BROWSER_BIG=1.
  it.skipIf(!process.env.GPU_BROWSER_BIG)('timings of a 20k-param net in Chromium (GPU_BROWSER_BIG=1)', async () => {
    const arch: MlpArch = { sizes: [8, 128, 144, 1], activation: 'tanh' };
    const big = teacherData(1, 256);
    const bigData = { name: big.name, n: big.n, d: big.d, o: big.o, x: Array.from(big.x), y: Array.from(big.y) };
    const w = Array.from(initWeights(arch, 2));
    for (const backend of ['wasm', 'webgl', 'cpu', 'webgpu']) {
      const t = await page!.evaluate(
        (req) => (window as unknown as { gpuHarness: { time(r: unknown): Promise<any> } }).gpuHarness.time(req),
        { backend, arch, data: bigData, w },
      );
      console.log(`[gpu-browser] timing ${backend} ${t.params} params: grad ${t.gradMs.toFixed(1)} ms, HVP ${t.hvpMs.toFixed(1)} ms, GD ${t.gdStepsPerSec.toFixed(1)} steps/s`);
      expect(t.gradMs).toBeGreaterThan(0);
    }
  }, 600_000);
});
