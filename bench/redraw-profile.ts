/**
 * Frames, DOM mutations and main-thread time (Performance metrics) of a pooled teacher run: what each
 * redraw adds and removes. STEPS (400), OUTDIR (a built page), PROF=1 adds a CPU profile
 * (/tmp/rf/prof.cpuprofile).
 */
import { loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openTeacherPage } from './teacher-page.ts';

const steps = Number(process.env.STEPS ?? 400);
const { ctx, page, close } = await openTeacherPage(steps);
const cdp = await ctx.newCDPSession(page);
const prof = !!process.env.PROF;
if (prof) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start'); }
await cdp.send('Performance.enable');
const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m: any) => [m.name, m.value]));
const m0 = await metrics();
const l0 = loadavg()[0];
const r: any = await page.evaluate(`new Promise((resolve) => {
  const rf = window.__rodflow;
  const frames = [];
  let added = 0, removed = 0, attrs = 0;
  const byTag = {};
  const mo = new MutationObserver((ms) => { for (const m of ms) { if (m.type === 'attributes') { attrs++; continue; } added += m.addedNodes.length; removed += m.removedNodes.length; for (const n of m.addedNodes) { const k = (n.parentNode && n.parentNode.closest ? (n.parentNode.closest('figure')||{}).id : '') + ':' + n.nodeName; byTag[k] = (byTag[k]||0)+1; } } });
  mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: false });
  let last = performance.now();
  const t0 = last;
  const tick = (now) => {
    frames.push(now - last); last = now;
    const s = rf.store.getState();
    if (s.run.done) { mo.disconnect(); resolve({ doneS: (now - t0)/1000, frames, added, removed, attrs, byTag, draws: window.__rodflowPlots && window.__rodflowPlots.drawCount }); }
    else requestAnimationFrame(tick);
  };
  rf.play();
  requestAnimationFrame(tick);
})`);
const l1 = loadavg()[0];
const m1 = await metrics();
const md = (k: string) => ((m1[k] - m0[k]) * 1000).toFixed(0);
console.log(`main thread (ms): task ${md('TaskDuration')} script ${md('ScriptDuration')} layout ${md('LayoutDuration')} (${m1.LayoutCount - m0.LayoutCount}×) style ${md('RecalcStyleDuration')} (${m1.RecalcStyleCount - m0.RecalcStyleCount}×)`);
if (prof) {
  const { profile } = await cdp.send('Profiler.stop');
  mkdirSync('/tmp/rf', { recursive: true });
  writeFileSync('/tmp/rf/prof.cpuprofile', JSON.stringify(profile));
  // self time by function
  const self = new Map<string, number>();
  const dt = profile.timeDeltas!; const samples = profile.samples!;
  const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
  const t = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) t.set(samples[i], (t.get(samples[i]) ?? 0) + (dt[i] ?? 0));
  let total = 0;
  for (const [id, us] of t) { const n: any = byId.get(id); const cf = n.callFrame; const k = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`; self.set(k, (self.get(k) ?? 0) + us); total += us; }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
  console.log('total sampled ms', (total/1000).toFixed(0));
  for (const [k, us] of top) console.log((us/1000).toFixed(0).padStart(7), (100*us/total).toFixed(1).padStart(5)+'%', k);
}
const f = r.frames.slice(1).sort((a: number, b: number) => a - b);
const p = (q: number) => f[Math.min(f.length - 1, Math.floor(q * f.length))].toFixed(1);
console.log(`steps ${steps} done ${r.doneS.toFixed(1)} s; frames n=${f.length} median ${p(0.5)} p90 ${p(0.9)} p99 ${p(0.99)} over50 ${(100 * f.filter((x: number) => x > 50).length / f.length).toFixed(1)}%; load ${l0.toFixed(2)} → ${l1.toFixed(2)}`);
console.log('canvas draws', JSON.stringify(r.draws));
console.log(`DOM added ${r.added} removed ${r.removed} attr-mutations ${r.attrs}`);
console.log(Object.entries(r.byTag).sort((a: any, b: any) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${k}=${v}`).join('  '));
await close();
