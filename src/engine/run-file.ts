/**
 * The run file: one JSON shape for the CLI's output, the page's export and its import (schema 1).
 *
 *   { "schema": 1, "problem": { id, params, choices?, expr?, label, dim }, "eta", "start", "steps", "t0",
 *     "flowOptions": { ... },
 *     "flows": { "<flow>": { "stride", "projected", "t": [...], "w": [[...], ...], "loss": [...],
 *                 "predictedLoss": [...], "sharpness": [...], "eigenvalues": [[...], ...],
 *                 "dist": [...], "delta"?: [[...], ...], "delta2"?: [...], "sigma2"?: [...],
 *                 "stopped"?: { step, reason } } } }
 *
 * `w` is GD's iterate, the flow's state, or the rod's centre (2-D projection coordinates when
 * `projected`); `sharpness` is the top eigenvalue, `eigenvalues` the recorded top-k; `delta2` (GD, rod
 * flow) is |δ|², `sigma2` (central flow) is tr Σ; `dist` is the distance to GD's pair centre.
 * Non-finite numbers are written as null (JSON has no NaN) and read back as NaN.
 */
import { z } from 'zod';
import { FLOWS } from './flows/registry.ts';
import { MAX_ETA } from './eta.ts';
import { MAX_RECORDED_DIM, OSC_FIELD } from './trace.ts';
import { FLOW_IDS, InputError, type FlowId, type ProblemInstance, type RunConfig, type Trace } from './types.ts';

export const RUN_FILE_SCHEMA_VERSION = 1;

/** Limits a run file must keep (the page states them when it refuses a file). */
export const RUN_FILE_LIMITS = {
  /** Largest step size (the page's η field allows the same). */
  maxEta: MAX_ETA,
  /** Largest problem dimension (networks are recorded as 2-D projections). */
  maxDim: 10_000_000,
  /** Widest recorded state row (problems above it are recorded as 2-D projections). */
  maxRow: MAX_RECORDED_DIM,
  /** Most recorded eigenvalues per sample. */
  maxEig: 64,
  /** Largest step count and start time. */
  maxSteps: 1e12,
} as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** Keys that would reach an object's prototype if copied naively. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const safeKey = z
  .string()
  .regex(NAME, { error: 'a name of letters, digits and _ (up to 64)' })
  .refine((k) => !UNSAFE_KEYS.has(k), { error: 'a name that is not reserved' });

const num = z.number({ error: 'a number or null' }).nullable();
const numArr = z.array(num, { error: 'a list of numbers' });
const vecArr = z.array(numArr, { error: 'a list of rows (lists of numbers)' });
const count = (max: number, what: string) => z.number({ error: `a whole number (${what})` }).int({ error: `a whole number (${what})` }).min(0, { error: `at least 0 (${what})` }).max(max, { error: `at most ${max} (${what})` });

const FlowRecordSchema = z.object({
  stride: z.number({ error: 'a whole number ≥ 1' }).int({ error: 'a whole number ≥ 1' }).min(1, { error: 'a whole number ≥ 1' }).max(2 ** 52, { error: 'at most 2^52' }),
  projected: z.boolean({ error: 'true or false' }),
  t: z.array(z.number({ error: 'a finite number (times are never missing)' }), { error: 'a list of times' }),
  w: vecArr,
  loss: numArr,
  predictedLoss: numArr,
  sharpness: numArr,
  eigenvalues: vecArr,
  dist: numArr,
  delta: vecArr.optional(),
  delta2: numArr.optional(),
  sigma2: numArr.optional(),
  stopped: z
    .object({ step: count(RUN_FILE_LIMITS.maxSteps, 'the step it stopped at'), reason: z.string({ error: 'a text' }).max(500, { error: 'at most 500 characters' }) }, { error: 'an object { step, reason } or null' })
    .nullable()
    .optional(),
}, { error: 'an object { stride, projected, t, w, loss, … } (a recorded flow)' });

export const RunFileSchema = z.object(
  {
    schema: z.literal(RUN_FILE_SCHEMA_VERSION, { error: `the number ${RUN_FILE_SCHEMA_VERSION}` }),
    problem: z.object(
      {
        id: z.string({ error: 'a problem id' }).regex(/^[a-z0-9-]{1,40}$/, { error: 'a problem id (lower-case letters, digits, -)' }),
        params: z.record(safeKey, z.number({ error: 'a finite number' }).refine(Number.isFinite, { error: 'a finite number' }), { error: 'an object of name: number' }),
        choices: z.record(safeKey, z.string({ error: 'a text' }).max(100, { error: 'at most 100 characters' }), { error: 'an object of name: text' }).optional(),
        expr: z.string({ error: 'a text' }).max(400, { error: 'at most 400 characters' }).optional(),
        label: z.string({ error: 'a text' }).max(200, { error: 'at most 200 characters' }).optional(),
        dim: z.number({ error: 'a whole number ≥ 1' }).int({ error: 'a whole number ≥ 1' }).min(1, { error: 'a whole number ≥ 1' }).max(RUN_FILE_LIMITS.maxDim, { error: `at most ${RUN_FILE_LIMITS.maxDim}` }),
      },
      { error: 'an object { id, params, dim, … }' },
    ),
    eta: z.number({ error: 'a number' }).positive({ error: 'a positive number' }).max(RUN_FILE_LIMITS.maxEta, { error: `at most ${RUN_FILE_LIMITS.maxEta}` }),
    start: z.array(z.number({ error: 'a finite number' }), { error: 'a list of numbers' }).optional(),
    steps: count(RUN_FILE_LIMITS.maxSteps, 'steps computed'),
    t0: count(RUN_FILE_LIMITS.maxSteps, 'step of the start').optional(),
    flowOptions: z
      .record(safeKey, z.record(safeKey, z.union([z.number(), z.boolean(), z.string().max(100)], { error: 'a number, true/false or a short text' })), { error: 'an object per flow' })
      .optional(),
    /** Optional: what computed the run (the CLI's --backend): the engine that ran, the one asked for, one line. */
    engine: z.object({ name: z.string().max(40), requested: z.string().max(40), summary: z.string().max(300) }, { error: 'an object { name, requested, summary }' }).optional(),
    flows: z.partialRecord(z.enum(FLOW_IDS as [FlowId, ...FlowId[]], { error: `one of ${FLOW_IDS.join(', ')}` }), FlowRecordSchema, { error: 'an object of flow: record' }),
  },
  { error: 'an object (a run file)' },
);

export type RunFile = z.infer<typeof RunFileSchema>;
export type FlowRecord = z.infer<typeof FlowRecordSchema>;

/** What the page calls each field (messages name the field in these words, then its JSON path). */
const FIELD_WORDS: Record<string, string> = {
  schema: 'the schema version',
  problem: 'the problem',
  'problem.id': 'the problem id',
  'problem.params': 'the problem parameters',
  'problem.choices': 'the problem choices',
  'problem.expr': 'the expression',
  'problem.label': 'the problem label',
  'problem.dim': 'the problem dimension',
  eta: 'the step size η',
  start: 'the start point',
  steps: 'the number of steps',
  t0: 'the start time',
  flowOptions: 'the flow options',
  engine: 'the engine',
  flows: 'the flows',
};
const COLUMN_WORDS: Record<string, string> = {
  stride: 'sample spacing',
  projected: 'projection flag',
  t: 'times',
  w: 'states',
  loss: 'losses',
  predictedLoss: 'predicted losses',
  sharpness: 'sharpness',
  eigenvalues: 'eigenvalues',
  dist: 'distances to GD',
  delta: 'rod vectors δ',
  delta2: '|δ|²',
  sigma2: 'σ²',
  stopped: 'stop',
};

const flowName = (id: string) => FLOWS.find((f) => f.id === id)?.name ?? id;

/** "the step size η (eta)", "Rod Flow's eigenvalues (flows.rod-flow.eigenvalues[3])". */
function fieldWords(path: PropertyKey[]): string {
  const dotted = path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : (i ? '.' : '') + String(k)))
    .join('');
  if (!path.length) return 'the file';
  if (path[0] === 'flows' && path.length >= 3) return `${flowName(String(path[1]))}'s ${COLUMN_WORDS[String(path[2])] ?? String(path[2])} (${dotted})`;
  if (path[0] === 'flows' && path.length === 2) return `the flow ${String(path[1])} (${dotted})`;
  const key = path.filter((k) => typeof k !== 'number').map(String).slice(0, 2).join('.');
  const words = FIELD_WORDS[key] ?? FIELD_WORDS[String(path[0])];
  return words ? `${words} (${dotted})` : dotted;
}

/** A value as the message shows it (never throws: objects without a string form included). */
function shown(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the text "${v.length > 20 ? v.slice(0, 17) + '…' : v}"`;
  if (typeof v === 'number') return String(v);
  return typeof v;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, k as string)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function issueText(raw: unknown, i: z.core.$ZodIssue): string {
  const got = valueAt(raw, i.path);
  if (i.code === 'unrecognized_keys') return `${fieldWords(i.path)} has unknown fields: ${i.keys.slice(0, 3).join(', ')}`;
  if (got === undefined && i.code === 'invalid_type') return `${fieldWords(i.path)} is missing (expected ${i.message})`;
  if (i.code === 'invalid_key') return `${fieldWords(i.path)}: a key is not ${i.issues[0]?.message ?? 'allowed'}`;
  return `${fieldWords(i.path)}: expected ${i.message}, got ${shown(got)}`;
}

function fail(msg: string): never {
  throw new InputError(`Not a Rod Flow Explorer run file: ${msg}.`);
}

/** Shapes zod does not state: equal column lengths, equal row widths, widths that fit the problem. */
function checkShapes(file: RunFile): void {
  const { dim } = file.problem;
  if (file.start && file.start.length !== dim && dim <= RUN_FILE_LIMITS.maxRow)
    fail(`the start point (start) has ${file.start.length} coordinates but the problem dimension (problem.dim) is ${dim}`);
  if (file.start && dim > RUN_FILE_LIMITS.maxRow) fail(`the start point (start) is written only for problems of dimension ≤ ${RUN_FILE_LIMITS.maxRow}`);
  for (const [id, rec] of Object.entries(file.flows) as [FlowId, FlowRecord][]) {
    const n = rec.t.length;
    const name = (col: string) => fieldWords(['flows', id, col]);
    const cols: [string, unknown[] | undefined][] = [
      ['w', rec.w], ['loss', rec.loss], ['predictedLoss', rec.predictedLoss], ['sharpness', rec.sharpness],
      ['eigenvalues', rec.eigenvalues], ['dist', rec.dist], ['delta', rec.delta], ['delta2', rec.delta2], ['sigma2', rec.sigma2],
    ];
    for (const [col, a] of cols) if (a && a.length !== n) fail(`${name(col)} has ${a.length} entries but the times (t) have ${n}`);
    for (let i = 1; i < n; i++) if (!(rec.t[i] >= rec.t[i - 1])) fail(`${name('t')} must not decrease (entry ${i}: ${rec.t[i]} after ${rec.t[i - 1]})`);
    const width = rec.projected ? 2 : dim;
    if (!rec.projected && dim > RUN_FILE_LIMITS.maxRow) fail(`${name('projected')} must be true for a problem of dimension ${dim} (> ${RUN_FILE_LIMITS.maxRow}: states are 2-D projections)`);
    const rowsOf = (col: 'w' | 'delta', rs: (number | null)[][] | undefined) => {
      rs?.forEach((r, i) => {
        if (r.length !== width) fail(`${name(col)} row ${i} has ${r.length} values; expected ${width} (${rec.projected ? 'a 2-D projection' : 'the problem dimension'})`);
      });
    };
    rowsOf('w', rec.w);
    rowsOf('delta', rec.delta);
    const k = rec.eigenvalues[0]?.length ?? 1;
    if (k < 1 || k > RUN_FILE_LIMITS.maxEig) fail(`${name('eigenvalues')} rows must hold 1 to ${RUN_FILE_LIMITS.maxEig} values (row 0 has ${k})`);
    rec.eigenvalues.forEach((r, i) => {
      if (r.length !== k) fail(`${name('eigenvalues')} row ${i} has ${r.length} values but row 0 has ${k}`);
    });
  }
}

/** Validate a parsed JSON value as a run file. Throws InputError naming the field and what was expected. */
export function checkRunFile(raw: unknown): RunFile {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`expected an object, got ${shown(raw)}`);
  const ver = Object.prototype.hasOwnProperty.call(raw, 'schema') ? (raw as { schema: unknown }).schema : undefined;
  if (typeof ver === 'number' && ver !== RUN_FILE_SCHEMA_VERSION)
    throw new InputError(`Unsupported run file schema ${ver}; this version reads schema ${RUN_FILE_SCHEMA_VERSION}.`);
  // Prototype keys (zod drops them silently): refused by name.
  const own = (o: unknown, path: string[]) => {
    if (o && typeof o === 'object') for (const k of Object.keys(o)) if (UNSAFE_KEYS.has(k)) fail(`${fieldWords([...path, k])}: '${k}' is not a name a run file may use`);
  };
  const r = raw as Record<string, Record<string, unknown> | undefined>;
  own(raw, []);
  own(r.problem, ['problem']);
  own(r.problem?.params, ['problem', 'params']);
  own(r.problem?.choices, ['problem', 'choices']);
  own(r.flows, ['flows']);
  own(r.flowOptions, ['flowOptions']);
  if (r.flowOptions && typeof r.flowOptions === 'object') for (const [k, v] of Object.entries(r.flowOptions)) own(v, ['flowOptions', k]);
  const parsed = RunFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    fail(issues.slice(0, 2).map((i) => issueText(raw, i)).join('; ') + (issues.length > 2 ? `; and ${issues.length - 2} more` : ''));
  }
  checkShapes(parsed.data);
  return parsed.data;
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);
const unfin = (v: number | null): number => (v === null ? NaN : v);

function column(a: Float64Array, n: number): (number | null)[] {
  const out = new Array<number | null>(n);
  for (let i = 0; i < n; i++) out[i] = fin(a[i]);
  return out;
}

function rows(a: Float64Array, n: number, width: number): (number | null)[][] {
  const out = new Array<(number | null)[]>(n);
  for (let i = 0; i < n; i++) {
    const r = new Array<number | null>(width);
    for (let j = 0; j < width; j++) r[j] = fin(a[i * width + j]);
    out[i] = r;
  }
  return out;
}

export function traceToRecord(tr: Trace): FlowRecord {
  const n = tr.length;
  const sharp = new Array<number | null>(n);
  for (let i = 0; i < n; i++) sharp[i] = fin(tr.sharpness[i * tr.eigK]);
  const rec: FlowRecord = {
    stride: tr.stride,
    projected: tr.projected,
    t: Array.from(tr.t.subarray(0, n)),
    w: rows(tr.w, n, tr.wDim),
    loss: column(tr.loss, n),
    predictedLoss: column(tr.predictedLoss, n),
    sharpness: sharp,
    eigenvalues: rows(tr.sharpness, n, tr.eigK),
    dist: column(tr.dist, n),
  };
  if (tr.delta) rec.delta = rows(tr.delta, n, tr.wDim);
  const osc = OSC_FIELD[tr.flow];
  if (osc) rec[osc] = column(tr.osc, n);
  if (tr.stopped) rec.stopped = { ...tr.stopped };
  return rec;
}

/** Everything a run file needs from a run (a RunnerApi satisfies it). */
export interface RunLike {
  config: RunConfig;
  instance: ProblemInstance;
  traces: Partial<Record<FlowId, Trace>>;
  step: number;
}

export function runToJson(run: RunLike): RunFile {
  const { config, instance } = run;
  const flows: RunFile['flows'] = {};
  for (const id of FLOW_IDS) {
    const tr = run.traces[id];
    if (tr) flows[id] = traceToRecord(tr);
  }
  const s = instance.settings;
  return {
    schema: RUN_FILE_SCHEMA_VERSION,
    problem: {
      id: s.id,
      params: { ...s.params },
      ...(s.choices ? { choices: { ...s.choices } } : {}),
      ...(s.expr !== undefined ? { expr: s.expr } : {}),
      label: instance.label,
      dim: instance.problem.dim,
    },
    eta: config.eta,
    ...(instance.problem.dim <= MAX_RECORDED_DIM ? { start: Array.from(config.start ?? instance.start) } : {}),
    steps: run.step,
    t0: config.t0 ?? 0,
    ...(config.flowOptions ? { flowOptions: config.flowOptions as RunFile['flowOptions'] } : {}),
    flows,
  };
}

/** Parse and validate a run file's text. Throws InputError with a readable message. */
export function parseRunFile(text: string): RunFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`Not a JSON file: ${(e as Error).message}`);
  }
  return checkRunFile(raw);
}

/** Rebuild typed-array traces from a run file (for overlaying an imported run). */
export function recordToTrace(flow: FlowId, rec: FlowRecord): Trace {
  const n = rec.t.length;
  const wDim = rec.w[0]?.length ?? 0;
  const eigK = Math.max(1, rec.eigenvalues[0]?.length ?? 1);
  const flat = (rs: (number | null)[][], width: number) => {
    const a = new Float64Array(n * width);
    rs.forEach((r, i) => r.forEach((v, j) => (a[i * width + j] = unfin(v))));
    return a;
  };
  const col = (c: (number | null)[]) => Float64Array.from(c, unfin);
  const osc = rec.delta2 ?? rec.sigma2;
  return {
    flow,
    length: n,
    stride: rec.stride,
    wDim,
    projected: rec.projected,
    t: col(rec.t),
    w: flat(rec.w, wDim),
    ...(rec.delta ? { delta: flat(rec.delta, wDim) } : {}),
    loss: col(rec.loss),
    predictedLoss: col(rec.predictedLoss),
    sharpness: flat(rec.eigenvalues, eigK),
    eigK,
    osc: osc ? col(osc) : new Float64Array(n),
    dist: col(rec.dist),
    stopped: rec.stopped ?? null,
  };
}

export function runFileTraces(file: RunFile): Partial<Record<FlowId, Trace>> {
  const out: Partial<Record<FlowId, Trace>> = {};
  for (const id of FLOW_IDS) {
    const rec = file.flows[id];
    if (rec) out[id] = recordToTrace(id, rec);
  }
  return out;
}

/**
 * Long-format CSV: one row per (flow, recorded sample). Columns: flow, t, loss, predicted_loss,
 * sharpness, osc (|δ|² or tr Σ), dist_to_gd, then w0..w{d-1} and delta0..delta{d-1}.
 */
export function runFileToCsv(file: RunFile): string {
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  let width = 0;
  for (const rec of Object.values(file.flows)) width = Math.max(width, rec?.w[0]?.length ?? 0);
  const head = ['flow', 't', 'loss', 'predicted_loss', 'sharpness', 'osc', 'dist_to_gd'];
  for (let j = 0; j < width; j++) head.push(`w${j}`);
  for (let j = 0; j < width; j++) head.push(`delta${j}`);
  const lines = [head.join(',')];
  for (const id of FLOW_IDS) {
    const rec = file.flows[id];
    if (!rec) continue;
    const osc = rec.delta2 ?? rec.sigma2;
    for (let i = 0; i < rec.t.length; i++) {
      const row = [id, fmt(rec.t[i]), fmt(rec.loss[i]), fmt(rec.predictedLoss[i]), fmt(rec.sharpness[i]), fmt(osc?.[i] ?? 0), fmt(rec.dist[i])];
      for (let j = 0; j < width; j++) row.push(fmt(rec.w[i]?.[j]));
      for (let j = 0; j < width; j++) row.push(fmt(rec.delta?.[i]?.[j]));
      lines.push(row.join(','));
    }
  }
  return lines.join('\n') + '\n';
}
