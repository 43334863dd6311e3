/** Problem selector and its parameters, generated from the problem registry. */
import { useMemo, useState } from 'react';
import { PROBLEMS, getProblemSpec } from '../engine/problems/registry.ts';
import { CUSTOM_DEFAULT_EXPR, CUSTOM_DEFAULT_PARAMS, inspectExpression } from '../engine/problems/custom.ts';
import { applicableParams } from '../engine/problems/params.ts';
import type { ChoiceSpec, ParamSpec } from '../engine/types.ts';
import { ENGINE_CHOICES, ENGINE_LABELS } from '../engine/gpu/engine-backend.ts';
import { selectProblem, setEngine, setSettings } from '../state/controller.ts';
import { store, useApp } from '../state/store.ts';
import { NumberField } from './NumberField.tsx';

const KIND_LABEL = { toy: 'Toy potentials', custom: 'Your own', network: 'Tiny networks' } as const;

export function ProblemSelect() {
  const id = useApp((s) => s.settings.problem);
  const spec = getProblemSpec(id);
  const kinds = (['toy', 'custom', 'network'] as const).filter((k) => PROBLEMS.some((p) => p.kind === k));
  return (
    <div className="field">
      <label htmlFor="problem-select">Problem</label>
      <select id="problem-select" value={id} onChange={(e) => selectProblem(e.target.value)}>
        {kinds.map((k) => (
          <optgroup key={k} label={KIND_LABEL[k]}>
            {PROBLEMS.filter((p) => p.kind === k).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {spec && <p className="help">{spec.description}</p>}
    </div>
  );
}

function ParamControl({ p, value }: { p: ParamSpec; value: number }) {
  const commit = (v: number) => {
    const params = { ...useAppParams(), [p.key]: v };
    setSettings({ params }, 'push');
  };
  const toSlider = (v: number) => (p.log ? Math.log10(v) : v);
  const fromSlider = (v: number) => (p.log ? 10 ** v : v);
  const step = p.log ? 0.001 : (p.step ?? (p.integer ? 1 : (p.max - p.min) / 200));
  return (
    <div className="field param">
      <label htmlFor={`param-${p.key}`} title={p.help}>
        {p.label}
      </label>
      <div className="slider-row">
        <input
          type="range"
          aria-label={`${p.label} slider`}
          min={toSlider(p.min)}
          max={toSlider(p.max)}
          step={step}
          value={toSlider(value)}
          onChange={(e) => {
            let v = fromSlider(Number(e.target.value));
            if (p.integer) v = Math.round(v);
            commit(Number(v.toPrecision(6)));
          }}
        />
        <NumberField id={`param-${p.key}`} value={value} min={p.min} max={p.max} integer={p.integer} onCommit={commit} />
      </div>
      {p.help && <p className="help">{p.help}</p>}
    </div>
  );
}

function useAppParams(): Record<string, number> {
  return store.getState().settings.params;
}

function ChoiceControl({ c, value }: { c: ChoiceSpec; value: string }) {
  return (
    <div className="field">
      <label htmlFor={`choice-${c.key}`} title={c.help}>
        {c.label}
      </label>
      <select
        id={`choice-${c.key}`}
        value={value}
        onChange={(e) => setSettings({ choices: { ...store.getState().settings.choices, [c.key]: e.target.value } }, 'push')}
      >
        {c.choices.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The names an expression uses besides x, y and the constants (its parameters); null when it does not parse. */
function usedNames(src: string): string[] | null {
  try {
    return inspectExpression(src).params;
  } catch {
    return null;
  }
}

/**
 * Custom expression with the engine's InputError shown inline (with a caret under its position), and one
 * row per parameter the expression uses. A new name in a new expression becomes a parameter (value 1) when
 * the expression is applied, so typing `b*x^2` never ends in "unknown symbol b".
 */
function ExpressionControl() {
  const expr = useApp((s) => s.settings.expr);
  const params = useApp((s) => s.settings.params);
  const err = useApp((s) => (s.run.error?.input ? s.run.error : null));
  // The plots still show the last valid run (the controller keeps it when the input is invalid).
  const keptRun = useApp((s) => !!(s.run.error?.input && s.run.info));
  const [draft, setDraft] = useState<string | null>(null);
  const applied = expr ?? CUSTOM_DEFAULT_EXPR;
  const shown = draft ?? applied;
  // The default expression comes with its parameters' defaults (a = 0.5): the values that run.
  const values = expr === undefined ? { ...CUSTOM_DEFAULT_PARAMS, ...params } : params;
  const used = useMemo(() => usedNames(applied), [applied]);
  const rows = [...(used ?? []), ...Object.keys(values).filter((k) => !used?.includes(k))];
  const commit = () => {
    if (draft !== null && draft !== applied) {
      const next = { ...values };
      for (const k of usedNames(draft) ?? []) if (!Object.hasOwn(next, k)) next[k] = 1;
      setSettings({ expr: draft, params: next }, 'push');
    }
    setDraft(null);
  };
  const setParam = (k: string, v: number) => setSettings({ params: { ...paramsNow(), [k]: v } });
  return (
    <div className="field">
      <label htmlFor="expr-input">L(x, y) =</label>
      <textarea
        id="expr-input"
        className={err ? 'invalid' : ''}
        rows={2}
        spellCheck={false}
        value={shown}
        aria-invalid={!!err}
        aria-describedby={err ? 'expr-error' : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            commit();
          }
        }}
      />
      <p className="help">Enter to apply. Use x (and y), numbers, + − * / ^, sin, cos, exp, log, sqrt, …; any other name is a parameter.</p>
      {err && (
        <div id="expr-error" className="inline-error" role="alert">
          {err.position !== undefined && (
            <pre className="caret" aria-hidden="true">
              {applied + '\n' + ' '.repeat(Math.max(0, err.position)) + '^'}
            </pre>
          )}
          {err.message}
          {keptRun && <div className="small-text muted" data-testid="kept-run">The plots show the last valid run; Play is off until the input is fixed.</div>}
        </div>
      )}
      {rows.length > 0 && (
        <div className="custom-params" role="group" aria-label="Parameters of the expression">
          {rows.map((k) => {
            const inUse = !used || used.includes(k);
            return (
              <div className="slider-row" key={k} data-param={k}>
                <label htmlFor={`cparam-${k}`}>{k} =</label>
                <NumberField id={`cparam-${k}`} value={Object.hasOwn(values, k) ? values[k] : NaN} onCommit={(v) => setParam(k, v)} />
                {inUse ? (
                  !Object.hasOwn(values, k) && <span className="small-text muted">needs a value</span>
                ) : (
                  <>
                    <span className="small-text muted">not used</span>
                    <button
                      type="button"
                      className="small"
                      aria-label={`Remove parameter ${k}`}
                      onClick={() => {
                        const p = { ...paramsNow() };
                        delete p[k];
                        setSettings({ params: p });
                      }}
                    >
                      ×
                    </button>
                  </>
                )}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

function paramsNow(): Record<string, number> {
  const s = store.getState().settings;
  return s.expr === undefined ? { ...CUSTOM_DEFAULT_PARAMS, ...s.params } : s.params;
}

/** Networks: what runs the flows (the float64 reference, or a tfjs float32 backend, or 'auto'). */
function EngineControl() {
  const engine = useApp((s) => s.settings.engine ?? 'float64');
  return (
    <div className="field">
      <label htmlFor="engine-select">Engine</label>
      <select id="engine-select" data-testid="engine-select" value={engine} onChange={(e) => setEngine(e.target.value as typeof engine)}>
        {ENGINE_CHOICES.map((c) => (
          <option key={c} value={c}>
            {ENGINE_LABELS[c]}
          </option>
        ))}
      </select>
      <p className="help">float64 on the CPU is the reference. The others run the same flows in float32 on a tfjs backend; auto times them on this network once and remembers the fastest for this device.</p>
    </div>
  );
}

export function ProblemParams() {
  const id = useApp((s) => s.settings.problem);
  const params = useApp((s) => s.settings.params);
  const choices = useApp((s) => s.settings.choices);
  const spec = getProblemSpec(id);
  if (!spec) return null;
  return (
    <>
      {spec.kind === 'custom' && <ExpressionControl />}
      {applicableParams(spec, choices).map((p) => (
        <ParamControl key={p.key} p={p} value={params[p.key] ?? p.default} />
      ))}
      {(spec.choices ?? []).map((c) => (
        <ChoiceControl key={c.key} c={c} value={choices[c.key] ?? c.default} />
      ))}
      {spec.kind === 'network' && <EngineControl />}
    </>
  );
}
