/** A number input that commits on Enter/blur and refuses non-finite or out-of-range text (shown, not applied). */
import { useState } from 'react';

export function NumberField(props: {
  id?: string;
  value: number;
  min?: number;
  max?: number;
  integer?: boolean;
  label?: string;
  width?: string;
  onCommit: (v: number) => void;
}) {
  const { value, min, max, integer } = props;
  const [text, setText] = useState(fmt(value));
  const [bad, setBad] = useState<string | null>(null);
  // A new value resets the text during this render (React's "adjust state on a prop change"), not in an
  // effect that renders the field a second time (a dragged start changes its fields on every move).
  const [shown, setShown] = useState(value);
  if (!Object.is(shown, value)) {
    setShown(value);
    setText(fmt(value));
    setBad(null);
  }
  const commit = () => {
    const v = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(v)) return setBad('not a number');
    if (min !== undefined && v < min) return setBad(`≥ ${min}`);
    if (max !== undefined && v > max) return setBad(`≤ ${max}`);
    if (integer && !Number.isInteger(v)) return setBad('integer');
    setBad(null);
    if (v !== value) props.onCommit(v);
  };
  return (
    <span className="numfield">
      <input
        id={props.id}
        aria-label={props.label}
        type="text"
        inputMode="decimal"
        className={bad ? 'invalid' : ''}
        style={props.width ? { width: props.width } : undefined}
        value={text}
        aria-invalid={!!bad}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setText(fmt(value));
            setBad(null);
          }
        }}
      />
      {bad && <span className="numfield-error">{bad}</span>}
    </span>
  );
}

/**
 * Every digit of the value, as the shortest text that parses back to it: what the field shows is exactly what
 * runs (and re-committing the shown text changes nothing). Values are rounded where they are made instead
 * (η slider to 4 digits, a dragged start to the plot's pixel: plots/snap.ts), so this stays short.
 */
function fmt(v: number): string {
  return Number.isFinite(v) ? String(v) : '';
}
