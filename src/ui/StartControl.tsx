/** The start point, typed (or dragged on the contour plot). Networks start from their seeded weights. */
import { getProblemSpec } from '../engine/problems/registry.ts';
import { setSettings, setStart } from '../state/controller.ts';
import { useApp } from '../state/store.ts';
import { NumberField } from './NumberField.tsx';

const NAMES = ['x', 'y'];

export function StartControl() {
  const start = useApp((s) => s.settings.start);
  const infoStart = useApp((s) => s.startUsed);
  const dim = useApp((s) => s.run.info?.dim);
  const pid = useApp((s) => s.settings.problem);
  const spec = getProblemSpec(pid);
  if (spec?.kind === 'network') return <p className="help">A network starts from its seeded initial weights (change the seed).</p>;
  const cur = start ?? (infoStart.length ? infoStart : (spec?.defaults.start ?? []));
  const n = dim ?? cur.length;
  return (
    <div className="field">
      <span className="label" id="start-label">
        Start {start ? '' : <span className="muted">(default)</span>}
      </span>
      <div className="row gap" role="group" aria-labelledby="start-label">
        {Array.from({ length: Math.min(n, 2) }, (_, j) => (
          <label key={j} className="inline">
            {NAMES[j]}₀
            <NumberField
              label={`start ${NAMES[j]}`}
              value={cur[j] ?? 0}
              min={-1e6}
              max={1e6}
              width="5.5em"
              onCommit={(v) => {
                const p = Array.from({ length: n }, (_, i) => cur[i] ?? 0);
                p[j] = v;
                setStart(p, 'typed');
              }}
            />
          </label>
        ))}
        {start && (
          <button type="button" className="small" onClick={() => setSettings({ start: null })}>
            default
          </button>
        )}
      </div>
      <p className="help">Or drag the blue start marker (ringed, labelled “start”) on the plot (arrow keys when it has focus).</p>
    </div>
  );
}
