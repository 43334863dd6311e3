/**
 * Play / pause / step / reset / speed / step budget, the step counter and a scrubber. The scrubber moves
 * over what was computed (up to the frontier, or the lead flow's divergence), for networks too: their
 * recorded history is kept, and a network computes on while the slider is held (state/transport.ts).
 */
import { freezeTime, play, reset, runEnd, scrub, seek, setSettings, stepOnce, togglePlay } from '../state/controller.ts';
import { effectiveSpeed, MAX_STEPS, SPEEDS } from '../state/settings.ts';
import { useApp } from '../state/store.ts';
import { NumberField } from './NumberField.tsx';

export function Transport({ showBudget }: { showBudget: boolean }) {
  const playing = useApp((s) => s.playing);
  const playhead = useApp((s) => s.playhead);
  const run = useApp((s) => s.run);
  const speed = useApp((s) => s.settings.speed);
  const steps = useApp((s) => s.settings.steps);
  const eta = useApp((s) => s.settings.eta);
  const end = runEnd(run);
  const avail = freezeTime(run);
  const auto = effectiveSpeed({ speed: 0, steps });
  const busy = run.computing && (run.mode === 'horizon' || playing);
  // Invalid settings (an expression that does not parse, ...): nothing to play; the plots keep the last valid run.
  const invalid = !!run.error?.input;
  const why = 'The settings are invalid (see the message in the controls): the plots show the last valid run';
  return (
    <div className="transport" role="group" aria-label="Playback">
      <button
        type="button"
        className="primary"
        onClick={togglePlay}
        aria-label={playing ? 'Pause' : 'Play'}
        title={invalid ? why : 'Space'}
        data-testid="play"
        disabled={invalid}
      >
        {playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <button type="button" onClick={stepOnce} title={invalid ? why : 'Single step (→)'} data-testid="step" disabled={invalid}>
        Step ▸|
      </button>
      <button type="button" onClick={reset} title="Reset to the start (R)" data-testid="reset">
        ↺ Reset
      </button>
      <label className="inline">
        Speed
        <select value={speed} onChange={(e) => setSettings({ speed: Number(e.target.value) }, 'replace')} aria-label="Steps per frame">
          {SPEEDS.map((v) => (
            <option key={v} value={v}>
              {v === 0 ? `auto (${auto}/frame)` : `${v} step${v > 1 ? 's' : ''}/frame`}
            </option>
          ))}
        </select>
      </label>
      {showBudget && (
        <label className="inline">
          Steps
          <NumberField label="Step budget" value={steps} min={1} max={MAX_STEPS} integer width="5.5em" onCommit={(v) => setSettings({ steps: v }, 'push')} />
        </label>
      )}
      <div className="counter" aria-live="off">
        <span data-testid="step-counter" className="mono">
          step {Math.round(playhead)}
        </span>
        <span className="muted"> / {end}</span>
        <span className="muted"> · t = η·k = {(playhead * eta).toPrecision(4)}</span>
        {/* Always laid out (hidden when idle): showing it must not re-wrap the bar and shift the plots
            under a dragging pointer. */}
        {/* A paused network is not computing (its run is only unfinished). */}
        <span className="badge busy" style={busy ? undefined : { visibility: 'hidden' }} aria-hidden={!busy}>
          computing…
        </span>
        {invalid && (
          <span className="badge busy" data-testid="invalid-badge" title={why}>
            invalid input · last valid run shown
          </span>
        )}
      </div>
      <input
        className="scrubber"
        type="range"
        aria-label="Time (scrub)"
        min={run.t0}
        max={Math.max(run.t0 + 1, end)}
        step={1}
        value={playhead}
        onChange={(e) => seek(Math.min(avail, Number(e.target.value)))}
        onPointerDown={() => {
          scrub(true);
          // Let go anywhere (the pointer may leave the slider while dragging).
          const up = () => {
            scrub(false);
            window.removeEventListener('pointerup', up);
            window.removeEventListener('pointercancel', up);
          };
          window.addEventListener('pointerup', up);
          window.addEventListener('pointercancel', up);
        }}
      />
      {/* A network that has computed nothing yet (the scrubber has nothing to show). */}
      {run.mode === 'stream' && !playing && run.done === false && run.frontier === 0 && playhead === 0 && (
        <button type="button" className="small" onClick={play}>
          start
        </button>
      )}
    </div>
  );
}
