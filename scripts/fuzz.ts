/**
 * `npm run fuzz`: the long form of the seeded fuzz suites (issue 12; the short forms run in `npm test`
 * as test/fuzz-expr.test.ts, fuzz-cli, fuzz-url and fuzz-run-file).
 *
 *   npm run fuzz [-- --seed 1] [--expr 3000] [--cli 600] [--url 5000] [--file 1500] [--page 200] [--hang-s 90]
 *
 * Each suite runs in a worker thread; a case that sends no word for --hang-s seconds is recorded as
 * a hang, the worker is terminated and the suite resumes at the next case, so a hang cannot stop the
 * run. Prints per suite: inputs tried, working results, clear refusals, contract violations
 * ("crashes"), hangs, the slowest input and the peak resident memory; exits 1 if any violation or hang.
 *
 * `page`: the URL suite's links opened in the built page in Chromium (test/fuzz-url-page.ts), one reused
 * page, in this process (each link is bounded by its own timeouts, --page-bound-s). "ok" is a run
 * that started without notices, "refused" one whose notices explain ignored parts; violations are
 * crashed or blank pages and uncaught or console errors; a link with no working state in time is a hang.
 * Its memory column is the page's peak main-thread JS heap (CDP), not the RSS. Skipped, with a line
 * saying so, where /usr/bin/chromium is missing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkCli, cliCases } from '../test/fuzz-cli-gen.ts';
import { checkBound, checkExpr, exprCases, type Outcome } from '../test/fuzz-expr-gen.ts';
import { checkRunFileCase, runFileCases } from '../test/fuzz-run-file-gen.ts';
import { checkUrl, urlCases } from '../test/fuzz-url-gen.ts';

type Suite = 'expr' | 'cli' | 'url' | 'file' | 'page';
interface Job {
  suite: Suite;
  seed: number;
  n: number;
  from: number;
  dir: string;
}
type Msg = { type: 'start'; i: number; input: string } | { type: 'done'; i: number; outcome: Outcome; rssMB: number } | { type: 'end' };

async function workerMain(job: Job): Promise<void> {
  const post = (m: Msg) => parentPort!.postMessage(m);
  process.env.RODFLOW_CACHE_DIR = job.dir;
  if (job.suite === 'expr') {
    const cases = exprCases(job.seed, job.n);
    for (let i = job.from; i < cases.length; i++) {
      post({ type: 'start', i, input: cases[i].expr.slice(0, 200) });
      let outcome = checkExpr(cases[i], job.seed + i);
      const b = checkBound(cases[i].expr);
      if (b && outcome.kind !== 'violation') outcome = { kind: 'violation', ms: outcome.ms, message: b };
      post({ type: 'done', i, outcome, rssMB: process.memoryUsage().rss / 2 ** 20 });
    }
  } else if (job.suite === 'url') {
    const cases = urlCases(job.seed, job.n);
    for (let i = job.from; i < cases.length; i++) {
      post({ type: 'start', i, input: cases[i].link.slice(0, 200) });
      post({ type: 'done', i, outcome: checkUrl(cases[i]), rssMB: process.memoryUsage().rss / 2 ** 20 });
    }
  } else if (job.suite === 'file') {
    const cases = runFileCases(job.seed, job.n);
    for (let i = job.from; i < cases.length; i++) {
      post({ type: 'start', i, input: `${cases[i].what} (${cases[i].text.length} chars)` });
      post({ type: 'done', i, outcome: checkRunFileCase(cases[i]), rssMB: process.memoryUsage().rss / 2 ** 20 });
    }
  } else {
    const cases = cliCases(job.seed, job.n, job.dir, { maxSteps: 300, networks: true });
    for (let i = job.from; i < cases.length; i++) {
      const c = cases[i];
      // Networks cost ~0.1–0.5 s per step with every flow: keep their runs short.
      const net = c.argv.some((a) => a.startsWith('mlp'));
      const at = c.argv.indexOf('--steps');
      if (net && at >= 0 && /^\d+$/.test(c.argv[at + 1]) && Number(c.argv[at + 1]) > 20) c.argv[at + 1] = String(Number(c.argv[at + 1]) % 21);
      post({ type: 'start', i, input: c.argv.join(' ').slice(0, 300) });
      const outcome = await checkCli(c, job.dir);
      post({ type: 'done', i, outcome, rssMB: process.memoryUsage().rss / 2 ** 20 });
    }
  }
  post({ type: 'end' });
}

interface Report {
  suite: Suite;
  inputs: number;
  ok: number;
  refused: number;
  violations: { input: string; message: string }[];
  hangs: string[];
  slowest: { ms: number; input: string };
  peakRssMB: number;
  wallS: number;
  /** page suite only: links that gave a blank page (no app or an HTTP error). */
  blank?: number;
}

async function runPageSuite(seed: number, n: number, boundMs: number): Promise<Report | null> {
  const { HAS_CHROMIUM, CHROMIUM, startHarness } = await import('../test/e2e/harness.ts');
  if (!HAS_CHROMIUM) {
    console.log(`[page] skipped: no Chromium at ${CHROMIUM} (the in-page URL suite needs it; the other suites ran)`);
    return null;
  }
  const { LinkOpener } = await import('../test/fuzz-url-page.ts');
  const rep: Report = { suite: 'page', inputs: 0, ok: 0, refused: 0, violations: [], hangs: [], slowest: { ms: 0, input: '' }, peakRssMB: 0, wallS: 0, blank: 0 };
  console.log('[page] building the page …');
  const h = await startHarness('fuzz-page');
  const t0 = performance.now();
  let peakAt = '';
  try {
    const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await ctx.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
    const opener = await LinkOpener.start(await ctx.newPage(), h.url);
    const cases = urlCases(seed, n);
    for (let i = 0; i < cases.length; i++) {
      const input = `${cases[i].link.slice(0, 160)} (${cases[i].link.length} chars)`;
      const o = await opener.open(cases[i].link, boundMs);
      rep.inputs++;
      if (o.kind === 'ok') rep.ok++;
      else if (o.kind === 'notice') rep.refused++;
      else if (o.kind === 'stuck') {
        rep.hangs.push(input);
        console.log(`[page] HANG at case ${i}: ${o.message}\n    input: ${input}`);
      } else {
        if (o.kind === 'blank') rep.blank!++;
        rep.violations.push({ input, message: `${o.kind}: ${o.message}` });
        console.log(`[page] ${o.kind.toUpperCase()} at case ${i}: ${(o.message ?? '').slice(0, 200)}\n    input: ${input}`);
      }
      if (o.ms > rep.slowest.ms) rep.slowest = { ms: o.ms, input };
      // The heap once the link's run is under way (its first chunks drawn).
      // Used heap, garbage not yet collected included (the renderer keeps one isolate across these loads).
      const heap = await opener.heapMB();
      if (heap > rep.peakRssMB) {
        rep.peakRssMB = heap;
        peakAt = input;
      }
      if (rep.inputs % 50 === 0) console.log(`[page] ${rep.inputs}/${n} …`);
    }
    // Errors that came after a link's working state (while its run went on, or as it unloaded).
    await opener.page.goto('about:blank');
    for (const e of [...opener.late, ...opener.errors]) {
      rep.violations.push({ input: e, message: 'a late page or console error' });
      console.log(`[page] LATE ERROR: ${e.slice(0, 300)}`);
    }
    await ctx.close();
  } finally {
    await h.close();
  }
  rep.wallS = (performance.now() - t0) / 1000;
  console.log(`[page] peak JS heap ${rep.peakRssMB.toFixed(0)} MB after: ${peakAt.slice(0, 160)}`);
  return rep;
}

function runSuite(suite: Suite, seed: number, n: number, hangMs: number): Promise<Report> {
  const rep: Report = { suite, inputs: 0, ok: 0, refused: 0, violations: [], hangs: [], slowest: { ms: 0, input: '' }, peakRssMB: 0, wallS: 0 };
  const dir = mkdtempSync(join(tmpdir(), `rodflow-fuzz-${suite}-`));
  const t0 = performance.now();
  return new Promise((done) => {
    const launch = (from: number) => {
      if (from >= n) {
        rep.wallS = (performance.now() - t0) / 1000;
        done(rep);
        return;
      }
      // The worker loads this TypeScript file again, through tsx's loader (as bin/rodflow.mjs does).
      const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
      const w = new Worker(boot, { eval: true, workerData: { suite, seed, n, from, dir } satisfies Job });
      let current = { i: from, input: '' };
      let started = false;
      let timer: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          rep.inputs++;
          rep.hangs.push(current.input);
          console.log(`[${suite}] HANG (> ${hangMs / 1000} s) at case ${current.i}: ${current.input.slice(0, 160)}`);
          void w.terminate().then(() => launch(current.i + 1));
        }, hangMs);
      };
      arm();
      w.on('message', (m: Msg) => {
        if (m.type === 'start') {
          started = true;
          current = { i: m.i, input: m.input };
          arm();
        } else if (m.type === 'done') {
          rep.inputs++;
          const o = m.outcome;
          if (o.kind === 'ok') rep.ok++;
          else if (o.kind === 'refused') rep.refused++;
          else {
            rep.violations.push({ input: current.input, message: o.message });
            console.log(`[${suite}] VIOLATION at case ${m.i}: ${o.message.slice(0, 200)}\n    input: ${current.input.slice(0, 200)}`);
          }
          if (o.ms > rep.slowest.ms) rep.slowest = { ms: o.ms, input: current.input.slice(0, 160) };
          rep.peakRssMB = Math.max(rep.peakRssMB, m.rssMB);
          if (rep.inputs % 250 === 0) console.log(`[${suite}] ${rep.inputs}/${n} …`);
        } else {
          clearTimeout(timer);
          void w.terminate();
          rep.wallS = (performance.now() - t0) / 1000;
          done(rep);
        }
      });
      w.on('error', (e) => {
        // An uncaught error in the worker is a crash of the case being run.
        clearTimeout(timer);
        if (!started) {
          console.error(`[${suite}] the worker could not start: ${String(e)}`);
          process.exit(2);
        }
        rep.inputs++;
        rep.violations.push({ input: current.input, message: `worker crashed: ${String(e).slice(0, 200)}` });
        console.log(`[${suite}] CRASH at case ${current.i}: ${String(e).slice(0, 300)}`);
        launch(current.i + 1);
      });
    };
    launch(0);
  });
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: { seed: { type: 'string', default: '1' }, expr: { type: 'string', default: '3000' }, cli: { type: 'string', default: '600' }, url: { type: 'string', default: '5000' }, file: { type: 'string', default: '1500' }, page: { type: 'string', default: '200' }, 'page-bound-s': { type: 'string', default: '20' }, 'hang-s': { type: 'string', default: '90' } },
  });
  const seed = Number(values.seed);
  const hangMs = 1000 * Number(values['hang-s']);
  const reports: Report[] = [];
  if (Number(values.expr) > 0) reports.push(await runSuite('expr', seed, Number(values.expr), hangMs));
  if (Number(values.cli) > 0) reports.push(await runSuite('cli', seed, Number(values.cli), hangMs));
  if (Number(values.url) > 0) reports.push(await runSuite('url', seed, Number(values.url), hangMs));
  if (Number(values.file) > 0) reports.push(await runSuite('file', seed, Number(values.file), hangMs));
  if (Number(values.page) > 0) {
    const r = await runPageSuite(seed, Number(values.page), 1000 * Number(values['page-bound-s']));
    if (r) reports.push(r);
  }
  console.log('\nsuite  seed  inputs     ok  refused  violations  hangs  slowest (ms)  peak RSS (MB)  wall (s)');
  for (const r of reports) {
    console.log(
      `${r.suite.padEnd(5)}  ${String(seed).padStart(4)}  ${String(r.inputs).padStart(6)}  ${String(r.ok).padStart(5)}  ${String(r.refused).padStart(7)}  ${String(r.violations.length).padStart(10)}  ${String(r.hangs.length).padStart(5)}  ${r.slowest.ms.toFixed(0).padStart(12)}  ${r.peakRssMB.toFixed(0).padStart(13)}  ${r.wallS.toFixed(0).padStart(8)}`,
    );
    console.log(`       slowest: ${r.slowest.input.slice(0, 140)}`);
    if (r.suite === 'page') console.log(`       page: ${r.blank} blank pages, ${r.violations.length - r.blank!} with crashes or errors; memory column = peak main-thread JS heap (MB)`);
  }
  const bad = reports.some((r) => r.violations.length || r.hangs.length);
  process.exitCode = bad ? 1 : 0;
}

if (isMainThread) await cli();
else await workerMain(workerData as Job);
