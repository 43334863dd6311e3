/** A readable end-of-run table for people (`--format table`, `npm run demo`). */
import type { FlowId, RunnerApi, Trace } from '../engine/types.ts';
import { FLOW_IDS } from '../engine/types.ts';
import { meanDistance, onsetStep } from '../engine/metrics.ts';
import { formatNumber } from '../engine/format.ts';

/** A table cell: `digits` significant digits kept as written (aligned columns), exponent outside [1e-3, 1e5), a dash when non-finite. */
function fmt(v: number, digits = 4): string {
  return formatNumber(v, { sig: digits, trim: 'none', expPlus: true, nan: '—', inf: '—', negInf: '—' });
}

/** First recorded time at which the top eigenvalue exceeds 2/η (EoS onset), or NaN (engine/metrics.ts). */
export const onsetTime = (tr: Trace, eta: number): number => onsetStep(tr, eta);

const meanDist = (tr: Trace): number => meanDistance(tr);

/** `engine`: one line saying what computed the run (EngineInfo.summary); omitted = not shown. */
export function summaryTable(run: RunnerApi, engine?: string): string {
  const { config } = run;
  const head = ['flow', 'steps', 'final loss', 'pred. loss', 'sharpness', 'η·S', '|δ|² / trΣ', 'onset', 'mean dist GD', 'stopped'];
  const rows: string[][] = [head];
  for (const id of FLOW_IDS as readonly FlowId[]) {
    const tr = run.traces[id];
    if (!tr || tr.length === 0) continue;
    const i = tr.length - 1;
    const s = tr.sharpness[i * tr.eigK];
    rows.push([
      id,
      String(tr.t[i]),
      fmt(tr.loss[i]),
      fmt(tr.predictedLoss[i]),
      fmt(s),
      fmt(config.eta * s, 3),
      fmt(tr.osc[i]),
      Number.isFinite(onsetTime(tr, config.eta)) ? String(onsetTime(tr, config.eta)) : '—',
      id === 'gd' ? '0' : fmt(meanDist(tr), 3),
      tr.stopped ? `step ${tr.stopped.step}` : '',
    ]);
  }
  const widths = head.map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  const out = [
    `${run.instance.label}   η = ${config.eta}   2/η = ${fmt(2 / config.eta)}   dim = ${run.instance.problem.dim}`,
    ...(engine ? [`engine: ${engine}`] : []),
    line(rows[0]),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ];
  for (const id of FLOW_IDS) {
    const st = run.traces[id]?.stopped;
    if (st) out.push(`${id} stopped: ${st.reason}`);
  }
  return out.join('\n') + '\n';
}
