/**
 * Legend with live readouts: each entry has a swatch, the label, a value slot written imperatively on hover
 * (no React render per mouse move) and a note (e.g. "12 ≤ 0 hidden" on log axes). Click toggles a series.
 */
import { useState, type KeyboardEvent, type MutableRefObject } from 'react';

export interface LegendEntry {
  id: string;
  label: string;
  color: string;
  dash?: string;
  kind?: 'line' | 'points' | 'line+points';
  opacity?: number;
  note?: string;
  hidden?: boolean;
}

function Swatch({ e }: { e: LegendEntry }) {
  const dash = e.dash ? e.dash : undefined;
  return (
    <svg className="rfp-swatch" viewBox="0 0 26 12" aria-hidden="true">
      {e.kind !== 'points' && (
        <line
          x1="1"
          y1="6"
          x2="25"
          y2="6"
          stroke={e.color}
          strokeWidth={e.kind === 'line+points' ? 1.5 : 3}
          strokeDasharray={dash}
          strokeOpacity={e.opacity ?? 1}
        />
      )}
      {e.kind !== 'line' && e.kind !== undefined && <circle cx="13" cy="6" r="3.5" fill={e.color} fillOpacity={e.opacity ?? 1} />}
    </svg>
  );
}

export function Legend({
  entries,
  valueRefs,
  onToggle,
  readouts = true,
}: {
  entries: LegendEntry[];
  valueRefs: MutableRefObject<Map<string, HTMLSpanElement>>;
  onToggle?: (id: string) => void;
  /** Reserve room for hover values (time series); off for the landscape plots. */
  readouts?: boolean;
}) {
  // One tab stop per legend (roving tabindex): Tab enters at the last entry used, arrows move within.
  const [active, setActive] = useState(0);
  if (entries.length === 0) return null;
  const current = Math.min(active, entries.length - 1);
  const onKeyDown = (ev: KeyboardEvent<HTMLUListElement>) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
    const n = entries.length;
    const to = step !== undefined ? (current + step + n) % n : ev.key === 'Home' ? 0 : ev.key === 'End' ? n - 1 : null;
    if (to === null) return;
    // The page's own arrow keys (→ steps the run) stay out of the legend.
    ev.preventDefault();
    ev.stopPropagation();
    setActive(to);
    ev.currentTarget.querySelectorAll<HTMLButtonElement>('button')[to]?.focus();
  };
  return (
    <ul className={readouts ? 'rfp-legend rfp-legend--readout' : 'rfp-legend'} role={onToggle ? 'toolbar' : undefined} aria-label={onToggle ? 'Legend: show or hide series (arrow keys move)' : undefined} onKeyDown={onToggle ? onKeyDown : undefined}>
      {entries.map((e, i) => (
        <li
          role={onToggle ? 'none' : undefined}
          key={e.id}
          data-legend-item=""
          data-label={e.label}
          data-color={e.color}
          data-dash={e.dash ?? ''}
          data-kind={e.kind ?? 'line'}
          data-opacity={e.opacity ?? 1}
          data-hidden={e.hidden ? 'true' : 'false'}
        >
          <button
            type="button"
            aria-pressed={!e.hidden}
            title={e.hidden ? `Show ${e.label}` : `Hide ${e.label}`}
            onClick={onToggle ? () => onToggle(e.id) : undefined}
            onFocus={() => setActive(i)}
            tabIndex={i === current ? 0 : -1}
            disabled={!onToggle}
          >
            <Swatch e={e} />
            <span>{e.label}</span>
            {readouts && <span
              className="rfp-val"
              ref={(el) => {
                if (el) valueRefs.current.set(e.id, el);
                else valueRefs.current.delete(e.id);
              }}
            />}
            {e.note && <span className="rfp-note">{e.note}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
