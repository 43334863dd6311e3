/**
 * Main-thread trace of a pooled teacher run (devtools.timeline), summarised by event name (self time):
 * where the frames' native time goes (paint, layout, style, canvas, GC). STEPS (1500), FROM (the step
 * to start tracing at, 800), SECS (6), OUTDIR (a built page; else built here).
 */
import { openTeacherPage } from './teacher-page.ts';

const steps = Number(process.env.STEPS ?? 1500);
const from = Number(process.env.FROM ?? 800);
const secs = Number(process.env.SECS ?? 6);
const { browser, page, close } = await openTeacherPage(steps);
await page.evaluate(() => (window as any).__rodflow.play());
await page.waitForFunction((k) => (window as any).__rodflow.store.getState().run.step >= k, from, { timeout: 300_000, polling: 100 });
await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'cc', 'gpu'] });
await page.waitForTimeout(secs * 1000);
const buf = await browser.stopTracing();
const ev = JSON.parse(buf.toString()).traceEvents as any[];
// The renderer main thread.
const tn = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
const main = ev.filter((e) => e.pid === tn.pid && e.tid === tn.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
// Self time: duration minus nested children's.
const self = new Map<string, number>();
const stack: any[] = [];
for (const e of main) {
  while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
  const parent = stack[stack.length - 1];
  if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur);
  self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
  stack.push(e);
}
const total = main.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask').reduce((s, e) => s + e.dur, 0);
console.log(`main thread over ${secs} s from step ${from}: top-level tasks ${(total / 1000).toFixed(0)} ms`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
// The longest tasks and what filled them (self time by event name, and the JS functions called).
const tasks = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask').sort((a, b) => b.dur - a.dur).slice(0, Number(process.env.LONGEST ?? 6));
for (const t of tasks) {
  const inner = main.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur);
  const by = new Map<string, number>();
  for (const e of inner) {
    const k = e.name === 'FunctionCall' ? `FunctionCall ${e.args?.data?.functionName ?? ''}` : e.name;
    by.set(k, (by.get(k) ?? 0) + e.dur);
  }
  const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join('; ');
  console.log(`task ${(t.dur / 1000).toFixed(1)} ms: ${top}`);
}
await close();
