/** Flows on/off and each flow's options, generated from the flow registry's OptionSpecs. */
import { FLOWS } from '../engine/flows/registry.ts';
import { FLOW_IDS, type FlowId, type OptionSpec } from '../engine/types.ts';
import { setSettings } from '../state/controller.ts';
import { store, useApp } from '../state/store.ts';
import { FLOW_COLORS } from './palette.ts';

function setOption(flow: FlowId, key: string, value: number | boolean | string) {
  const fo = store.getState().settings.flowOptions;
  setSettings({ flowOptions: { ...fo, [flow]: { ...(fo[flow] ?? {}), [key]: value } } }, 'push');
}

function OptionControl({ flow, o }: { flow: FlowId; o: OptionSpec }) {
  const v = useApp((s) => s.settings.flowOptions[flow]?.[o.key]) ?? o.default;
  const id = `opt-${flow}-${o.key}`;
  if (o.type === 'boolean') {
    return (
      <label className="check option" title={o.help}>
        <input id={id} type="checkbox" checked={!!v} onChange={(e) => setOption(flow, o.key, e.target.checked)} />
        {o.label}
      </label>
    );
  }
  if (o.type === 'choice') {
    return (
      <div className="option" title={o.help}>
        <label htmlFor={id}>{o.label}</label>
        <select id={id} value={String(v)} onChange={(e) => setOption(flow, o.key, e.target.value)}>
          {(o.choices ?? []).map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
    );
  }
  return (
    <div className="option" title={o.help}>
      <label htmlFor={id}>{o.label}</label>
      <input
        id={id}
        type="number"
        min={o.min}
        max={o.max}
        value={Number(v)}
        onChange={(e) => {
          const n = Number(e.target.value);
          if (Number.isFinite(n) && (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max)) setOption(flow, o.key, n);
        }}
      />
    </div>
  );
}

/**
 * The flows on/off, then every flow's solver options behind one disclosure ("Solver settings", closed by
 * default): the tab order reaches the transport and the main controls without walking through ~24 fields.
 */
export function FlowToggles({ showOptions }: { showOptions: boolean }) {
  const flows = useApp((s) => s.settings.flows);
  const toggle = (id: FlowId, on: boolean) => {
    const next = FLOW_IDS.filter((f) => (f === id ? on : flows.includes(f)));
    if (next.length) setSettings({ flows: next }, 'push');
  };
  const tunable = FLOWS.filter((f) => flows.includes(f.id) && f.options.length > 0);
  return (
    <div className="flows">
      {FLOWS.map((f) => {
        const on = flows.includes(f.id);
        return (
          <div key={f.id} className={`flow ${on ? 'on' : 'off'}`}>
            <label className="check" title={f.description}>
              <input type="checkbox" checked={on} onChange={(e) => toggle(f.id, e.target.checked)} disabled={on && flows.length === 1} />
              <span className="swatch" style={{ background: FLOW_COLORS[f.id] ?? f.color }} aria-hidden="true" />
              <span className="flow-name">{f.name}</span>
            </label>
          </div>
        );
      })}
      {showOptions && tunable.length > 0 && (
        <details className="solver" data-testid="solver-settings">
          <summary>Solver settings</summary>
          {tunable.map((f) => (
            <fieldset key={f.id} className="options">
              <legend>{f.name}</legend>
              {f.options.map((o) => (
                <OptionControl key={o.key} flow={f.id} o={o} />
              ))}
            </fieldset>
          ))}
        </details>
      )}
    </div>
  );
}
