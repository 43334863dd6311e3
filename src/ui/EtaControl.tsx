/** η on a log slider with ticks at 2/λᵢ of the start, and a "just below 2/λ₁" snap. */
import { useRef } from 'react';
import { textWidth, useElementWidth } from './plots/dom.ts';
import { edgeLambda, etaBelowEdge, etaJustBelow, fmtEta, gfEndSharpness, setEta } from '../state/controller.ts';
import { useApp } from '../state/store.ts';
import { getProblemSpec } from '../engine/problems/registry.ts';
import { NumberField } from './NumberField.tsx';

const SUB = ['₁', '₂', '₃', '₄'];

export function EtaControl() {
  const eta = useApp((s) => s.settings.eta);
  const eig = useApp((s) => s.eigStart);
  const pid = useApp((s) => s.settings.problem);
  const def = getProblemSpec(pid)?.defaults.eta ?? eta;
  const gfNow = useApp((s) => (s.run.done ? gfEndSharpness(s) : null));
  // While the start is dragged, every move restarts the run: keep the last tick instead of removing
  // and re-adding it (each flip re-lays out the slider and delays the dragged path's frame).
  const dragging = useApp((s) => s.dragging);
  const gfHeld = useRef(gfNow);
  if (!dragging) gfHeld.current = gfNow;
  const gfEnd = dragging ? gfHeld.current : gfNow;
  const edgeL = useApp((s) => edgeLambda(s)?.lambda ?? null);
  const edgeWhere = useApp((s) => edgeLambda(s)?.where ?? null);
  const edge = edgeL === null ? null : { lambda: edgeL, where: edgeWhere };
  const ticks = eig
    .map((l, i) => ({ key: `s${i}`, l, eta: 2 / l, label: `2/λ${SUB[i]}`, title: `2/λ${SUB[i]} at the start` }))
    .filter((t) => t.l > 0 && Number.isFinite(t.eta));
  if (gfEnd && !ticks.some((t) => Math.abs(Math.log(t.l / gfEnd)) < 0.03)) ticks.push({ key: 'gf', l: gfEnd, eta: 2 / gfEnd, label: '2/λ₁ GF end', title: "2/λ₁ where gradient flow ends: above this η, GD reaches the edge" });
  // The slider's range: two decades around the default, widened to include η and the ticks.
  const vals = [def / 30, def * 10, eta, ...ticks.map((t) => t.eta)];
  const lo = Math.floor(Math.log10(Math.min(...vals)) * 2) / 2;
  const hi = Math.ceil(Math.log10(Math.max(...vals)) * 2) / 2;
  const pos = (v: number) => ((Math.log10(v) - lo) / (hi - lo)) * 100;
  // Tick labels in rows: each goes in the first row where it clears the labels already there (measured
  // widths, 6 px apart); one that fits in no row keeps its tick and its tooltip but shows no label.
  const sliderRef = useRef<HTMLDivElement>(null);
  const sliderW = Math.max(0, useElementWidth(sliderRef) - 16); // .ticks is inset 8 px each side
  const ROWS = 3;
  const rowEnd = Array<number>(ROWS).fill(-Infinity);
  const rowOf = new Map<string, number>();
  for (const t of [...ticks].sort((a, b) => a.eta - b.eta)) {
    const w = textWidth(t.label, 11.5, 600);
    const c = (pos(t.eta) / 100) * sliderW;
    const row = rowEnd.findIndex((end) => c - w / 2 >= end + 6);
    if (row >= 0) {
      rowEnd[row] = c + w / 2;
      rowOf.set(t.key, row);
    }
  }
  const rowsUsed = Math.max(0, ...rowOf.values()) + 1;
  return (
    <div className="field eta">
      <label htmlFor="eta-input">
        Step size η <span className="muted">(2/η = {fmtEta(2 / eta)})</span>
      </label>
      <div className="slider-row">
        <div className="eta-slider" ref={sliderRef} style={{ paddingBottom: 6 + 14 * rowsUsed }}>
          <input
            type="range"
            aria-label="η (log scale)"
            aria-valuetext={`η = ${fmtEta(eta)}`}
            min={lo}
            max={hi}
            step={0.002}
            value={Math.log10(eta)}
            onChange={(e) => setEta(Number((10 ** Number(e.target.value)).toPrecision(4)))}
          />
          <div className="ticks" aria-hidden="true">
            {ticks.map((t) => {
              const row = rowOf.get(t.key);
              return (
                <span key={t.key} className={`tick ${t.key === 'gf' ? 'gf' : ''}`} data-row={row ?? ''} style={{ left: `${pos(t.eta)}%` }} title={`${t.title} = ${fmtEta(t.eta)}`}>
                  <span className="tick-line" style={{ height: 7 + 14 * (row ?? 0) }} />
                  {row !== undefined && <span className="tick-label">{t.label}</span>}
                </span>
              );
            })}
          </div>
        </div>
        <NumberField id="eta-input" label="η" value={eta} min={1e-6} max={1000} onCommit={setEta} width="5.5em" />
      </div>
      <div className="row gap">
        <button
          type="button"
          className="small"
          disabled={!edge}
          onClick={() => etaBelowEdge()}
          title={edge?.where === 'start' ? 'η = 0.99 · 2/λ₁ at the start: just stable' : 'η = 0.99 · 2/λ₁ at the end of gradient flow: just short of the edge'}
        >
          just below 2/λ₁{edge ? ` (${fmtEta(etaJustBelow(edge.lambda))})` : ''}
        </button>
        {eig.length > 0 && <span className="muted small-text">λ at start: {eig.map((l) => fmtEta(l)).join(', ')}</span>}
      </div>
      <p className="help">Changing η mid-run forks a new run from the current state; the old one stays as a faint ghost.</p>
    </div>
  );
}
