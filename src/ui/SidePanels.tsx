/** View options, saved runs, export/import, links, backend. */
import { useRef, useState } from 'react';
import { clearGhosts, copyText, deleteOverlay, exportRun, importRunFile, linkFor, renameOverlay, saveRun, setSettings, toggleOverlay } from '../state/controller.ts';
import { CONTROL_IDS, CONTROL_LABELS, LOG_AXES, type ControlId, type LogAxis } from '../state/settings.ts';
import { useApp } from '../state/store.ts';
import { ENGINE_LABELS, type EngineInfo } from '../engine/gpu/engine-backend.ts';

const LOG_LABEL: Record<LogAxis, string> = { loss: 'loss', sharpness: 'sharpness', rod: 'rod size', dist: 'distance' };

export function ViewControls() {
  const axis = useApp((s) => s.settings.timeAxis);
  const log = useApp((s) => s.settings.log);
  return (
    <div className="field">
      <div className="row gap" role="radiogroup" aria-label="Time axis">
        <span className="label">Time axis</span>
        {(['steps', 'eta'] as const).map((a) => (
          <label key={a} className="check">
            <input type="radio" name="time-axis" checked={axis === a} onChange={() => setSettings({ timeAxis: a }, 'push')} />
            {a === 'steps' ? 'steps k' : 'η·k'}
          </label>
        ))}
      </div>
      <div className="row gap wrap" role="group" aria-label="Log axes">
        <span className="label">Log y</span>
        {LOG_AXES.map((a) => (
          <label key={a} className="check">
            <input
              type="checkbox"
              checked={log.includes(a)}
              onChange={(e) => setSettings({ log: LOG_AXES.filter((x) => (x === a ? e.target.checked : log.includes(x))) }, 'push')}
            />
            {LOG_LABEL[a]}
          </label>
        ))}
      </div>
    </div>
  );
}

export function RunsPanel() {
  const ghosts = useApp((s) => s.ghosts);
  const saved = useApp((s) => s.saved);
  const label = useApp((s) => s.run.info?.label ?? '');
  const eta = useApp((s) => s.run.eta);
  const [name, setName] = useState('');
  return (
    <div className="field runs">
      <form
        className="row gap"
        onSubmit={(e) => {
          e.preventDefault();
          saveRun(name || `${label} η=${eta}`);
          setName('');
        }}
      >
        <input aria-label="Name for the saved run" placeholder={`${label} η=${eta}`} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Save run</button>
      </form>
      {saved.length > 0 && (
        <ul className="overlay-list" aria-label="Saved and imported runs">
          {saved.map((o) => (
            <li key={o.key}>
              <input type="checkbox" checked={o.visible} onChange={() => toggleOverlay(o.key)} aria-label={`Show ${o.name}`} />
              <input className="rename" value={o.name} aria-label="Run name" onChange={(e) => renameOverlay(o.key, e.target.value)} />
              <span className="muted small-text">{o.kind === 'imported' ? 'imported' : ''}</span>
              <button type="button" className="small" onClick={() => deleteOverlay(o.key)} aria-label={`Delete ${o.name}`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {ghosts.length > 0 && (
        <>
          <div className="row gap">
            <span className="label">Ghosts (earlier η)</span>
            <button type="button" className="small" onClick={clearGhosts}>
              clear
            </button>
          </div>
          <ul className="overlay-list" aria-label="Ghost runs">
            {ghosts.map((o) => (
              <li key={o.key}>
                <input type="checkbox" checked={o.visible} onChange={() => toggleOverlay(o.key)} aria-label={`Show ghost ${o.name}`} />
                <span>{o.name}</span>
                <button type="button" className="small" onClick={() => deleteOverlay(o.key)} aria-label={`Delete ghost ${o.name}`}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export function ExportPanel() {
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <div className="field">
      <div className="row gap wrap">
        <button type="button" onClick={() => void exportRun('json')} data-testid="export-json">
          Run → JSON
        </button>
        <button type="button" onClick={() => void exportRun('csv')} data-testid="export-csv">
          Run → CSV
        </button>
        <button type="button" onClick={() => fileRef.current?.click()}>
          Import JSON…
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".json,application/json"
          className="visually-hidden"
          // Reached through the "Import JSON…" button: not an invisible tab stop of its own.
          tabIndex={-1}
          aria-hidden="true"
          aria-label="Import a run file"
          data-testid="import-file"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (f) void importRunFile(f);
            e.target.value = '';
          }}
        />
      </div>
      <p className="help">JSON is the CLI's run-file schema (rodflow run --format json). Each plot has SVG/PNG buttons in its header.</p>
    </div>
  );
}

export function LinksPanel() {
  const [open, setOpen] = useState(false);
  // Students get the lesson, not the solver's knobs: flow options start hidden too.
  const [hide, setHide] = useState<ControlId[]>(['problem', 'params', 'options']);
  return (
    <div className="links">
      <button type="button" onClick={() => void copyText(linkFor(), 'Link')} data-testid="copy-link">
        Copy link
      </button>
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
        Classroom link…
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Classroom link">
          <p className="help">Hide these controls for students:</p>
          {CONTROL_IDS.map((c) => (
            <label key={c} className="check">
              <input type="checkbox" checked={hide.includes(c)} onChange={(e) => setHide(CONTROL_IDS.filter((x) => (x === c ? e.target.checked : hide.includes(x))))} />
              {CONTROL_LABELS[c]}
            </label>
          ))}
          <div className="row gap">
            <button type="button" className="primary" onClick={() => void copyText(linkFor(hide), 'Classroom link')}>
              Copy classroom link
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

/** Calibration and fallbacks of what runs, for the badge's tooltip. */
function engineDetails(info: EngineInfo): string {
  const lines = [`Asked for: ${ENGINE_LABELS[info.requested] ?? info.requested}.`];
  for (const f of info.failed) lines.push(`${f.name} did not start: ${f.reason}`);
  const ms = Object.entries(info.calibrationMs ?? {}).filter(([, v]) => typeof v === 'number');
  if (ms.length) {
    const how = info.fromStorage ? 'remembered for this device' : 'measured now';
    lines.push(`Calibration (${how}), ms per gradient + HVP: ${ms.map(([k, v]) => `${k} ${(v as number).toFixed(2)}`).join(', ')}`);
  }
  return lines.join('\n');
}

export function BackendBadge() {
  const gpu = useApp((s) => s.webgpu);
  const ms = useApp((s) => s.run.computeMs);
  const engine = useApp((s) => s.engine);
  let text = 'CPU float64 (reference), in a Web Worker';
  let title = 'All flows run in a Web Worker in float64 on the CPU: the reference implementation.';
  let cls = 'badge';
  if (engine?.phase === 'calibrating') {
    text = `calibrating… (${ENGINE_LABELS[engine.requested] ?? engine.requested})`;
    title = engine.requested === 'auto' ? 'Timing each backend on this network; the fastest is remembered for this device.' : 'Starting the engine.';
    cls = 'badge busy';
  } else if (engine?.phase === 'running') {
    text = engine.info.summary;
    title = engineDetails(engine.info);
    // Warning colour when what runs is not what was asked for ('auto' picking any backend is no fallback).
    const fallback = engine.fellBack || (engine.info.requested !== 'auto' && engine.info.name !== engine.info.requested);
    cls = fallback ? 'badge busy' : 'badge ok';
  }
  return (
    <div className="backend" data-testid="backend">
      <span className={cls} data-testid="engine-badge" title={title}>
        Engine: {text}
      </span>
      <span className={`badge ${gpu === 'available' ? 'ok' : ''}`}>
        WebGPU: {gpu === 'checking' ? 'checking…' : gpu === 'available' ? 'available' : 'not available — nothing depends on it'}
      </span>
      {ms > 0 && <span className="badge muted">last chunk {ms.toFixed(1)} ms</span>}
    </div>
  );
}
