/**
 * Lesson 8's panel: gradient evaluations per step of each flow, counted live by the engine's evaluation
 * counters in a worker (src/lessons/cost.ts), from GD's iterate at step FROM: the first WARM steps (a
 * fresh rod, a fresh eigen-tracker) and the STEADY steps after them.
 */
import { useEffect, useState } from 'react';
import { formatNumber } from '../../engine/format.ts';
import type { FlowId } from '../../engine/types.ts';
import type { FlowCost } from '../../lessons/cost.ts';
import type { CostReply, CostRequest } from '../../lessons/cost.worker.ts';
import { FLOW_COLORS } from '../palette.ts';
import { flowName } from '../series.ts';

const FROM = 350;
const WARM = 20;
const STEADY = 5;

type Row = { first: FlowCost; steady: FlowCost };

export function CostPanel({ state, height }: { state: string; height: number }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [status, setStatus] = useState<'measuring' | 'done' | string>('measuring');
  useEffect(() => {
    setRows([]);
    setStatus('measuring');
    const w = new Worker(new URL('../../lessons/cost.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (ev: MessageEvent<CostReply>) => {
      const m = ev.data;
      if (m.type === 'flow') setRows((r) => [...r, m.cost]);
      else if (m.type === 'done') setStatus('done');
      else setStatus(m.message);
    };
    w.postMessage({ state, from: FROM, warm: WARM, steps: STEADY } satisfies CostRequest);
    return () => w.terminate();
  }, [state]);
  const max = Math.max(1, ...rows.map((r) => Math.max(r.first.units, r.steady.units)));
  return (
    <figure className="cost-panel" style={{ minHeight: height }} data-cost-status={status}>
      <h3 className="rfp-title">Gradient units per GD step, counted now</h3>
      <p className="rfp-subtitle">
        From GD’s iterate at step {FROM}: the first {WARM} steps, then the next {STEADY}. Gradient 1, loss ½, HVP 2, third derivative 4.
      </p>
      <table className="cost-table">
        <thead>
          <tr>
            <th>flow</th>
            <th>first {WARM} steps</th>
            <th>next {STEADY} steps</th>
            <th>grads · HVPs · thirds per step</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.steady.flow} data-flow={r.steady.flow}>
              <th style={{ color: FLOW_COLORS[r.steady.flow as FlowId] }}>{flowName(r.steady.flow)}</th>
              <td>
                <Bar v={r.first.units} max={max} color={FLOW_COLORS[r.first.flow]} />
              </td>
              <td data-units={r.steady.units}>
                <Bar v={r.steady.units} max={max} color={FLOW_COLORS[r.steady.flow]} />
              </td>
              <td className="mono">
                {fmt(r.steady.counts.grad / r.steady.steps)} · {fmt(r.steady.counts.hvp / r.steady.steps)} · {fmt(r.steady.counts.third / r.steady.steps)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {status === 'measuring' && <p className="muted">measuring… ({rows.length} of 4 flows)</p>}
      {status !== 'measuring' && status !== 'done' && <p className="inline-error">{status}</p>}
    </figure>
  );
}

/** Evaluations per step: whole from 10 up, one decimal below. */
const fmt = (v: number) => formatNumber(v, { fixed: v >= 10 ? 0 : 1 });

function Bar({ v, max, color }: { v: number; max: number; color: string }) {
  return (
    <span className="cost-bar-wrap">
      <span className="cost-bar" style={{ width: `${(100 * v) / max}%`, background: color }} />
      <span className="cost-num">{fmt(v)}</span>
    </span>
  );
}
