/** Notices (ignored URL parts), the divergence lesson, transient toasts. */
import { dismissNotice, edgeLambda, etaBelowEdge, etaJustBelow, fmtEta, freezeTime, leadFlow, rewind } from '../state/controller.ts';
import { store, useApp } from '../state/store.ts';
import { flowName } from './series.ts';

export function Notices() {
  const notices = useApp((s) => s.notices);
  if (!notices.length) return null;
  return (
    <div className="notices">
      {notices.map((n, i) => (
        <div key={i} className="notice" role="status" data-testid="url-notice">
          <span>{n}</span>
          <button type="button" className="small" onClick={() => dismissNotice(i)} aria-label="Dismiss notice">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function DivergenceBanner() {
  const run = useApp((s) => s.run);
  const playhead = useApp((s) => s.playhead);
  const lambda = useApp((s) => edgeLambda(s)?.lambda ?? null);
  const where = useApp((s) => edgeLambda(s)?.where ?? null);
  const lf = leadFlow(run);
  const stop = lf ? run.traces[lf]?.stopped : null;
  const froze = useApp((s) => s.frozeRun === s.run.runId);
  if (!lf || !stop || (!froze && playhead < freezeTime(run))) return null;
  const others = (Object.entries(run.traces) as [string, { stopped: { step: number; reason: string } | null }][]).filter(
    ([id, tr]) => id !== lf && tr.stopped,
  );
  return (
    <div className="divergence" role="alert" data-testid="divergence">
      <div>
        <strong>{flowName(lf)} diverged at step {stop.step} (η = {fmtEta(run.eta)}).</strong> {stop.reason}
        {others.map(([id, tr]) => (
          <div key={id} className="small-text">
            {flowName(id as never)} stopped at step {tr.stopped!.step}: {tr.stopped!.reason}
          </div>
        ))}
      </div>
      <div className="row gap">
        <button type="button" onClick={() => rewind(50)}>
          ⟲ Rewind 50 steps
        </button>
        {/* The same λ and the same η as the η control's button (state/selectors.ts, edgeLambda). */}
        <button
          type="button"
          disabled={lambda === null}
          onClick={() => etaBelowEdge(true)}
          title={where === 'start' ? 'η = 0.99 · 2/λ₁ at the start: just stable' : 'η = 0.99 · 2/λ₁ at the end of gradient flow: just short of the edge'}
        >
          η just below 2/λ₁{lambda !== null ? ` (${fmtEta(etaJustBelow(lambda))}, λ₁ ${where === 'start' ? 'at the start' : 'where gradient flow ends'})` : ''}
        </button>
      </div>
    </div>
  );
}

export function RunError() {
  const err = useApp((s) => s.run.error);
  if (!err || err.input) return null;
  return (
    <div className="divergence" role="alert">
      <strong>The run could not be computed:</strong> {err.message}
    </div>
  );
}

export function Toast() {
  const toast = useApp((s) => s.toast);
  if (!toast) return null;
  return (
    <div className={`toast ${toast.error ? 'error' : ''}`} role={toast.error ? 'alert' : 'status'} data-testid="toast">
      <span>{toast.text}</span>
      <button type="button" className="small" aria-label="Dismiss" onClick={() => store.setState({ toast: null })}>
        ×
      </button>
    </div>
  );
}
