/**
 * Turns `rodflow run` arguments into a RunConfig. Pure: no I/O, throws UsageError with one line a
 * person can act on. The problem itself is validated by the registry (createProblem) afterwards.
 */
import { parseArgs } from 'node:util';
import { ENGINE_CHOICES, type EngineChoice } from '../engine/gpu/engine-backend.ts';
import { etaProblem } from '../engine/eta.ts';
import { FLOW_IDS, type FlowId, type FlowOptions, type RunConfig } from '../engine/types.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OutputFormat = 'json' | 'csv' | 'table';

export interface RunArgs {
  config: RunConfig;
  format: OutputFormat;
  out?: string;
  /** Engine of network problems: the float64 reference (default), a tfjs backend (float32) or 'auto'. */
  backend: EngineChoice;
}

function parseNumber(text: string, what: string): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${what} must be a finite number, got "${text}".`);
  return v;
}

/**
 * Sets an own property even for names like `__proto__` (a plain assignment would change the prototype
 * or be dropped), so the registry sees the name and rejects it like any unknown one.
 */
function setOwn<T>(obj: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/** "name=value" pairs; `numeric` parses the values as numbers. */
function parsePairs<T>(items: string[], flag: string, value: (v: string, name: string) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects name=value, got "${item}".`);
    const name = item.slice(0, eq).trim();
    if (Object.hasOwn(out, name)) throw new UsageError(`${flag} ${name} is given twice.`);
    setOwn(out, name, value(item.slice(eq + 1), `${flag} ${name}`));
  }
  return out;
}

/** Largest --capacity (samples kept per flow): bounds the run's memory (see also main.ts). */
export const MAX_CAPACITY = 1_000_000;
export const MAX_STEPS = 10_000_000;

const STRING_OPTIONS = ['problem', 'param', 'choice', 'expr', 'eta', 'start', 'steps', 'flows', 'option', 'eig-k', 'capacity', 'format', 'out', 'backend'];

/**
 * `--eta -1` and `--start -0.5,0.2`: node's parseArgs takes a value starting with '-' for an option
 * ("argument is ambiguous"); a number there is meant as the value, so join it as `--eta=-1`.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && STRING_OPTIONS.includes(a.slice(2)) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function parseOptionValue(v: string): number | boolean | string {
  if (v === 'true' || v === 'on') return true;
  if (v === 'false' || v === 'off') return false;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
}

export function parseRunArgs(argv: string[]): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      strict: true,
      allowPositionals: false,
      options: {
        problem: { type: 'string' },
        param: { type: 'string', multiple: true },
        choice: { type: 'string', multiple: true },
        expr: { type: 'string' },
        eta: { type: 'string' },
        start: { type: 'string' },
        steps: { type: 'string' },
        flows: { type: 'string' },
        option: { type: 'string', multiple: true },
        'eig-k': { type: 'string' },
        capacity: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        backend: { type: 'string' },
      },
    });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    // node's wording for a flag whose value is missing or looks like another flag, made plain.
    const flag = /^Option '(--[\w-]+)/.exec(msg)?.[1];
    if (flag && /argument missing|argument is ambiguous/.test(msg)) throw new UsageError(`${flag} needs a value.`);
    throw new UsageError(msg);
  }
  const v = parsed.values;
  const problemId = v.problem ?? (v.expr !== undefined ? 'custom' : undefined);
  if (!problemId) throw new UsageError('--problem <id> is required (see `rodflow problems`).');
  if (v.expr !== undefined && problemId !== 'custom') {
    throw new UsageError(`--expr defines a custom problem but --problem is '${problemId}'; drop --problem (or use --problem custom).`);
  }
  if (v.out !== undefined && v.out.trim() === '') throw new UsageError('--out needs a file name (omit --out to write to stdout).');

  const flows = (v.flows ?? FLOW_IDS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const f of flows) {
    if (!FLOW_IDS.includes(f as FlowId)) throw new UsageError(`Unknown flow "${f}"; known: ${FLOW_IDS.join(', ')}.`);
  }
  if (flows.length === 0) throw new UsageError('--flows needs at least one flow.');

  const flowOptions: Partial<Record<FlowId, FlowOptions>> = {};
  for (const item of v.option ?? []) {
    const m = /^([a-z-]+)\.([A-Za-z0-9_$]+)=(.*)$/.exec(item);
    if (!m || !FLOW_IDS.includes(m[1] as FlowId)) {
      throw new UsageError(`--option expects <flow>.<name>=<value> (e.g. rod-flow.form=vector), got "${item}".`);
    }
    const id = m[1] as FlowId;
    const opts = (flowOptions[id] ??= {});
    if (Object.hasOwn(opts, m[2])) throw new UsageError(`--option ${id}.${m[2]} is given twice.`);
    setOwn(opts, m[2], parseOptionValue(m[3]));
  }

  const format = (v.format ?? 'json') as OutputFormat;
  if (!['json', 'csv', 'table'].includes(format)) throw new UsageError(`--format must be json, csv or table, got "${v.format}".`);

  const backend = (v.backend ?? 'float64').trim() as EngineChoice;
  if (!ENGINE_CHOICES.includes(backend)) throw new UsageError(`--backend must be ${ENGINE_CHOICES.join(', ')}; got "${v.backend}".`);

  const config: RunConfig = {
    problem: {
      id: problemId,
      params: parsePairs(v.param ?? [], '--param', parseNumber),
      ...(v.choice?.length ? { choices: parsePairs(v.choice, '--choice', (s) => s.trim()) } : {}),
      ...(v.expr !== undefined ? { expr: v.expr } : {}),
    },
    eta: NaN,
    steps: NaN,
    flows: flows as FlowId[],
    ...(Object.keys(flowOptions).length ? { flowOptions } : {}),
  };
  if (v.eta !== undefined) {
    config.eta = parseNumber(v.eta, '--eta');
    const why = etaProblem(config.eta);
    if (why) throw new UsageError(`--eta ${why}, got ${v.eta}.`);
  }
  if (v.steps !== undefined) {
    const s = parseNumber(v.steps, '--steps');
    if (!Number.isInteger(s) || s < 0 || s > MAX_STEPS) throw new UsageError(`--steps must be an integer in [0, ${MAX_STEPS}], got ${v.steps}.`);
    config.steps = s;
  }
  if (v.start !== undefined) config.start = v.start.split(',').map((s) => parseNumber(s, '--start coordinate'));
  if (v['eig-k'] !== undefined) {
    const k = parseNumber(v['eig-k'], '--eig-k');
    if (!Number.isInteger(k) || k < 1 || k > 64) throw new UsageError(`--eig-k must be an integer in [1, 64], got ${v['eig-k']}.`);
    config.eigK = k;
  }
  if (v.capacity !== undefined) {
    const c = parseNumber(v.capacity, '--capacity');
    if (!Number.isInteger(c) || c < 16 || c > MAX_CAPACITY || c % 2 !== 0) {
      throw new UsageError(`--capacity must be an even integer in [16, ${MAX_CAPACITY}] (samples kept per flow), got ${v.capacity}.`);
    }
    config.capacity = c;
  }
  return { config, format, backend, ...(v.out !== undefined ? { out: v.out } : {}) };
}
