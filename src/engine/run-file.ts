/**
 * The run file: one JSON shape for the CLI's output, the page's export and its import (schema 1, and
 * schema 2 = schema 1 plus a forked run's history and saved runs; README.md "Run file").
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
 *
 * Schema 2 adds two optional sections (a file without them is written as schema 1, so the CLI's files
 * and older readers stay interchangeable):
 *   "history": { "start"?, "end", "segments": [{ "t0", "eta", "steps", "flows"? }, …] }
 *     the earlier segments of a forked run, oldest first (the top level is the last, current segment):
 *     segment i ran with step size eta from t0 for steps steps, then was forked; its `flows` are its
 *     ghost (left out when the page no longer drew it). `start` is the run's start at step 0, `end` the
 *     end of its clock (the step budget).
 *   "saved": [{ "name", "eta", "flows" }, …]  runs the page had saved or imported.
 */
import { z } from 'zod';
import { FLOWS } from './flows/registry.ts';
import { MAX_ETA } from './eta.ts';
import { MAX_RECORDED_DIM, OSC_FIELD } from './trace.ts';
import { FLOW_IDS, InputError, type FlowId, type ProblemInstance, type RunConfig, type Trace } from './types.ts';

/** The schema of a file without history or saved runs (the CLI's files, a run never forked). */
export const RUN_FILE_SCHEMA_VERSION = 1;
/** The schema of a file with a `history` or `saved` section (and the newest this version reads). */
export const RUN_FILE_SCHEMA_LATEST = 2;

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
  /** Most earlier segments in a history (a link carries at most as many forks: state/settings.ts MAX_FORKS). */
  maxSegments: 100,
  /** Most saved runs in a file. */
  maxSaved: 50,
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

const etaSchema = z.number({ error: 'a number' }).positive({ error: 'a positive number' }).max(RUN_FILE_LIMITS.maxEta, { error: `at most ${RUN_FILE_LIMITS.maxEta}` });
const pointSchema = z.array(z.number({ error: 'a finite number' }), { error: 'a list of numbers' });
const flowsSchema = z.partialRecord(z.enum(FLOW_IDS as [FlowId, ...FlowId[]], { error: `one of ${FLOW_IDS.join(', ')}` }), FlowRecordSchema, { error: 'an object of flow: record' });

/** An earlier segment of a forked run (schema 2). */
const SegmentSchema = z.object(
  {
    t0: count(RUN_FILE_LIMITS.maxSteps, 'step the segment starts at'),
    eta: etaSchema,
    steps: count(RUN_FILE_LIMITS.maxSteps, 'steps until the fork'),
    flows: flowsSchema.optional(),
  },
  { error: 'an object { t0, eta, steps, flows? } (an earlier segment)' },
);

const HistorySchema = z.object(
  {
    start: pointSchema.optional(),
    end: count(RUN_FILE_LIMITS.maxSteps, 'the end of the clock'),
    segments: z
      .array(SegmentSchema, { error: 'a list of segments' })
      .min(1, { error: 'at least one segment' })
      .max(RUN_FILE_LIMITS.maxSegments, { error: `at most ${RUN_FILE_LIMITS.maxSegments} segments` }),
  },
  { error: 'an object { start?, end, segments } (the fork history)' },
);

const SavedSchema = z.object(
  {
    name: z.string({ error: 'a text' }).max(200, { error: 'at most 200 characters' }),
    eta: etaSchema,
    flows: flowsSchema,
  },
  { error: 'an object { name, eta, flows } (a saved run)' },
);

export const RunFileSchema = z.object(
  {
    schema: z.union([z.literal(RUN_FILE_SCHEMA_VERSION), z.literal(RUN_FILE_SCHEMA_LATEST)], { error: `the number ${RUN_FILE_SCHEMA_VERSION} or ${RUN_FILE_SCHEMA_LATEST}` }),
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
    eta: etaSchema,
    start: pointSchema.optional(),
    steps: count(RUN_FILE_LIMITS.maxSteps, 'steps computed'),
    t0: count(RUN_FILE_LIMITS.maxSteps, 'step of the start').optional(),
    flowOptions: z
      .record(safeKey, z.record(safeKey, z.union([z.number(), z.boolean(), z.string().max(100)], { error: 'a number, true/false or a short text' })), { error: 'an object per flow' })
      .optional(),
    /** Optional: what computed the run (the CLI's --backend): the engine that ran, the one asked for, one line. */
    engine: z.object({ name: z.string().max(40), requested: z.string().max(40), summary: z.string().max(300) }, { error: 'an object { name, requested, summary }' }).optional(),
    flows: flowsSchema,
    /** Schema 2: the earlier segments of a forked run and their ghosts. */
    history: HistorySchema.optional(),
    /** Schema 2: the page's saved and imported runs. */
    saved: z.array(SavedSchema, { error: 'a list of saved runs' }).max(RUN_FILE_LIMITS.maxSaved, { error: `at most ${RUN_FILE_LIMITS.maxSaved} saved runs` }).optional(),
  },
  { error: 'an object (a run file)' },
);

export type RunFile = z.infer<typeof RunFileSchema>;
export type FlowRecord = z.infer<typeof FlowRecordSchema>;
export type RunFileSegment = z.infer<typeof SegmentSchema>;
export type RunFileSaved = z.infer<typeof SavedSchema>;

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
  history: 'the fork history',
  'history.start': 'the start point at step 0',
  'history.end': 'the end of the clock',
  'history.segments': 'the earlier segments',
  saved: 'the saved runs',
  name: 'the name',
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

/** A table's own entry only ('__proto__' and friends are keys a file may hold, not words). */
const wordOf = (table: Record<string, string>, key: string): string | undefined => (Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined);

/** What a path is called ("Rod Flow's eigenvalues", "earlier segment 1: the step size η"), if known. */
function pathWords(path: PropertyKey[]): string | undefined {
  if (path[0] === 'flows' && path.length >= 3) return `${flowName(String(path[1]))}'s ${wordOf(COLUMN_WORDS, String(path[2])) ?? String(path[2])}`;
  if (path[0] === 'flows' && path.length === 2) return `the flow ${String(path[1])}`;
  // A segment's or a saved run's own fields read like the top level's, after the entry's name.
  const entry = path[0] === 'history' && path[1] === 'segments' && typeof path[2] === 'number' ? { name: `earlier segment ${path[2]}`, rest: path.slice(3) }
    : path[0] === 'saved' && typeof path[1] === 'number' ? { name: `saved run ${path[1]}`, rest: path.slice(2) }
    : null;
  if (entry) {
    const inner = entry.rest.length ? pathWords(entry.rest) : undefined;
    return inner ? `${entry.name}: ${inner}` : entry.name;
  }
  const key = path.filter((k) => typeof k !== 'number').map(String).slice(0, 2).join('.');
  return wordOf(FIELD_WORDS, key) ?? wordOf(FIELD_WORDS, String(path[0]));
}

/** "the step size η (eta)", "Rod Flow's eigenvalues (flows.rod-flow.eigenvalues[3])". */
function fieldWords(path: PropertyKey[]): string {
  const dotted = path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : (i ? '.' : '') + String(k)))
    .join('');
  if (!path.length) return 'the file';
  const words = pathWords(path);
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

/** "1 value", "3 values" (messages name the count a row has). */
const valueCount = (n: number) => `${n} value${n === 1 ? '' : 's'}`;

/** Shapes zod does not state for one set of flows (at `at`: [] for the top level, a segment's or saved run's path). */
function checkFlows(flows: RunFile['flows'], dim: number, at: PropertyKey[]): void {
  for (const [id, rec] of Object.entries(flows) as [FlowId, FlowRecord][]) {
    const n = rec.t.length;
    const name = (col: string) => fieldWords([...at, 'flows', id, col]);
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
        if (r.length !== width) fail(`${name(col)} row ${i} has ${valueCount(r.length)}; expected ${width} (${rec.projected ? 'a 2-D projection' : 'the problem dimension'})`);
      });
    };
    rowsOf('w', rec.w);
    rowsOf('delta', rec.delta);
    const k = rec.eigenvalues[0]?.length ?? 1;
    if (k < 1 || k > RUN_FILE_LIMITS.maxEig) fail(`${name('eigenvalues')} rows must hold 1 to ${RUN_FILE_LIMITS.maxEig} values (row 0 has ${k})`);
    rec.eigenvalues.forEach((r, i) => {
      if (r.length !== k) fail(`${name('eigenvalues')} row ${i} has ${valueCount(r.length)} but row 0 has ${k}`);
    });
  }
}

/** A start point's length must be the problem's dimension (and is written only for small problems). */
function checkPoint(p: number[] | undefined, dim: number, path: PropertyKey[]): void {
  if (!p) return;
  if (dim > RUN_FILE_LIMITS.maxRow) fail(`${fieldWords(path)} is written only for problems of dimension ≤ ${RUN_FILE_LIMITS.maxRow}`);
  if (p.length !== dim) fail(`${fieldWords(path)} has ${p.length} coordinates but the problem dimension (problem.dim) is ${dim}`);
}

/** Shapes zod does not state: equal column lengths, equal row widths, widths that fit the problem; segments that follow each other. */
function checkShapes(file: RunFile): void {
  const { dim } = file.problem;
  checkPoint(file.start, dim, ['start']);
  checkFlows(file.flows, dim, []);
  if (file.schema === RUN_FILE_SCHEMA_VERSION && (file.history || file.saved))
    fail(`${file.history ? 'a fork history (history)' : 'saved runs (saved)'} needs schema ${RUN_FILE_SCHEMA_LATEST}, but the file says schema ${file.schema}`);
  const h = file.history;
  if (h) {
    const t0 = file.t0 ?? 0;
    checkPoint(h.start, dim, ['history', 'start']);
    if (h.end < t0 + file.steps) fail(`${fieldWords(['history', 'end'])} is ${h.end}, before the current run's last step ${t0 + file.steps} (t0 + steps)`);
    h.segments.forEach((seg, i) => {
      const at = ['history', 'segments', i];
      const next = i + 1 < h.segments.length ? h.segments[i + 1].t0 : t0;
      const what = i + 1 < h.segments.length ? `earlier segment ${i + 1} starts` : 'the current run starts (t0)';
      if (seg.t0 + seg.steps !== next) fail(`${fieldWords(at)} ends at step ${seg.t0 + seg.steps} (t0 + steps) but ${what} at step ${next}: each segment ends where the next one starts`);
      if (!seg.flows) return;
      checkFlows(seg.flows, dim, at);
      for (const [id, rec] of Object.entries(seg.flows) as [FlowId, FlowRecord][]) {
        const n = rec.t.length;
        if (n && (rec.t[0] < seg.t0 || rec.t[n - 1] > seg.t0 + seg.steps))
          fail(`${fieldWords([...at, 'flows', id, 't'])} run from ${rec.t[0]} to ${rec.t[n - 1]}, outside the segment's steps ${seg.t0}–${seg.t0 + seg.steps}`);
      }
    });
  }
  file.saved?.forEach((o, i) => checkFlows(o.flows, dim, ['saved', i]));
}

/** Validate a parsed JSON value as a run file. Throws InputError naming the field and what was expected. */
export function checkRunFile(raw: unknown): RunFile {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`expected an object, got ${shown(raw)}`);
  const ver = Object.prototype.hasOwnProperty.call(raw, 'schema') ? (raw as { schema: unknown }).schema : undefined;
  if (typeof ver === 'number' && ver !== RUN_FILE_SCHEMA_VERSION && ver !== RUN_FILE_SCHEMA_LATEST)
    throw new InputError(`Unsupported run file schema ${ver}; this version reads schemas ${RUN_FILE_SCHEMA_VERSION} and ${RUN_FILE_SCHEMA_LATEST}.`);
  // Prototype keys (zod drops them silently): refused by name.
  const own = (o: unknown, path: PropertyKey[]) => {
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
  own(r.history, ['history']);
  // Segments and saved runs: their own keys and their flows' (a list that is not one is zod's to refuse).
  const entries = (list: unknown, path: PropertyKey[]) => {
    if (!Array.isArray(list)) return;
    list.slice(0, 1000).forEach((e, i) => {
      own(e, [...path, i]);
      if (e && typeof e === 'object') own((e as { flows?: unknown }).flows, [...path, i, 'flows']);
    });
  };
  entries((r.history as { segments?: unknown } | undefined)?.segments, ['history', 'segments']);
  entries(r.saved, ['saved']);
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

/** The recorded flows of a set of traces (a run, a ghost, a saved run). */
function recordsOf(traces: Partial<Record<FlowId, Trace>>): RunFile['flows'] {
  const flows: RunFile['flows'] = {};
  for (const id of FLOW_IDS) {
    const tr = traces[id];
    if (tr) flows[id] = traceToRecord(tr);
  }
  return flows;
}

/** A ghost the page draws: the forked run's η and its traces up to the fork. */
export interface GhostInput {
  eta: number;
  traces: Partial<Record<FlowId, Trace>>;
}

/** What the page knows of a run's history (the worker holds only the current segment). */
export interface HistoryInput {
  /** The run's start at step 0 (the current run's config holds the fork's start instead). */
  start?: number[];
  /** The end of the clock (absolute step). */
  end: number;
  /** The fork history (state/settings.ts ForkSeg: the run with step size eta was forked at t), oldest first. */
  forks?: { t: number; eta: number }[];
  /** The ghosts drawn, in the order they were made. */
  ghosts?: GhostInput[];
}

/** A saved or imported run the page draws. */
export interface SavedInput {
  name: string;
  eta: number;
  traces: Partial<Record<FlowId, Trace>>;
}

/** First and last recorded time over a trace set (undefined when nothing is recorded). */
function span(traces: Partial<Record<FlowId, Trace>>): { first: number; last: number } | undefined {
  let first = Infinity;
  let last = -Infinity;
  for (const tr of Object.values(traces)) {
    if (!tr?.length) continue;
    first = Math.min(first, tr.t[0]);
    last = Math.max(last, tr.t[tr.length - 1]);
  }
  return first <= last ? { first, last } : undefined;
}

/** The traces cut to times ≤ `end` (times never decrease), so a ghost stays inside its segment. */
function upTo(traces: Partial<Record<FlowId, Trace>>, end: number): Partial<Record<FlowId, Trace>> {
  const out: Partial<Record<FlowId, Trace>> = {};
  for (const [id, tr] of Object.entries(traces) as [FlowId, Trace][]) {
    let n = tr.length;
    while (n > 0 && tr.t[n - 1] > end) n--;
    out[id] = n === tr.length ? tr : { ...tr, length: n };
  }
  return out;
}

/**
 * The earlier segments of a run whose current segment starts at `t0`. With a fork history (1-D/2-D
 * runs) the segments are the forks', each with the ghost of the same η that starts at its t0, if the
 * page still draws one; without one (networks: their forks are not replayed from links) the ghosts
 * themselves, ordered by their first sample, each ending where the next begins.
 */
export function historySegments(t0: number, h: HistoryInput): RunFileSegment[] {
  const ghosts = (h.ghosts ?? []).map((g) => ({ g, s: span(g.traces) })).filter((x) => x.s && x.s.first < t0);
  const forks = h.forks ?? [];
  const forksFit = forks.length > 0 && forks[0].t > 0 && forks.every((f, i) => i === 0 || f.t > forks[i - 1].t) && forks[forks.length - 1].t === t0;
  let segs: RunFileSegment[];
  if (forksFit) {
    segs = forks.map((f, i) => {
      const start = i ? forks[i - 1].t : 0;
      return { t0: start, eta: f.eta, steps: f.t - start };
    });
    for (const seg of segs) {
      const m = ghosts.findLast((x) => x.g.eta === seg.eta && x.s!.first === seg.t0);
      if (m) seg.flows = recordsOf(upTo(m.g.traces, seg.t0 + seg.steps));
    }
  } else {
    const byStart = new Map<number, GhostInput>();
    for (const x of ghosts) byStart.set(x.s!.first, x.g); // a later ghost from the same step replaces the earlier
    const starts = [...byStart.keys()].sort((a, b) => a - b);
    segs = starts.map((s0, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : t0;
      const g = byStart.get(s0)!;
      return { t0: s0, eta: g.eta, steps: end - s0, flows: recordsOf(upTo(g.traces, end)) };
    });
  }
  return segs.slice(-RUN_FILE_LIMITS.maxSegments);
}

/**
 * A run as a run file. `extra`: what the page adds (a forked run's history with its ghosts, the saved
 * runs); with either, the file is schema 2.
 */
export function runToJson(run: RunLike, extra?: { history?: HistoryInput; saved?: SavedInput[] }): RunFile {
  const { config, instance } = run;
  const s = instance.settings;
  const t0 = config.t0 ?? 0;
  const small = instance.problem.dim <= MAX_RECORDED_DIM;
  const segments = extra?.history ? historySegments(t0, extra.history) : [];
  const saved = (extra?.saved ?? []).slice(-RUN_FILE_LIMITS.maxSaved).map((o) => ({ name: o.name.slice(0, 200), eta: o.eta, flows: recordsOf(o.traces) }));
  const h = extra?.history;
  return {
    schema: segments.length || saved.length ? RUN_FILE_SCHEMA_LATEST : RUN_FILE_SCHEMA_VERSION,
    problem: {
      id: s.id,
      params: { ...s.params },
      ...(s.choices ? { choices: { ...s.choices } } : {}),
      ...(s.expr !== undefined ? { expr: s.expr } : {}),
      label: instance.label,
      dim: instance.problem.dim,
    },
    eta: config.eta,
    ...(small ? { start: Array.from(config.start ?? instance.start) } : {}),
    steps: run.step,
    t0,
    ...(config.flowOptions ? { flowOptions: config.flowOptions as RunFile['flowOptions'] } : {}),
    flows: recordsOf(run.traces),
    ...(h && segments.length
      ? { history: { ...(small ? { start: Array.from(h.start ?? instance.start) } : {}), end: Math.max(h.end, t0 + run.step), segments } }
      : {}),
    ...(saved.length ? { saved } : {}),
  };
}

/**
 * The fork history a file's segments describe (state/settings.ts ForkSeg), oldest first: segment i
 * was forked at its end with its η. Undefined when the file has none, or its first segment does not
 * start at step 0 (a history the page cannot replay from the start).
 */
export function runFileForks(file: RunFile): { t: number; eta: number }[] | undefined {
  const segs = file.history?.segments;
  if (!segs?.length || segs[0].t0 !== 0) return undefined;
  return segs.map((s) => ({ t: s.t0 + s.steps, eta: s.eta }));
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

/** Typed-array traces of a set of recorded flows (the current run's, a segment's, a saved run's). */
export function flowsToTraces(flows: RunFile['flows']): Partial<Record<FlowId, Trace>> {
  const out: Partial<Record<FlowId, Trace>> = {};
  for (const id of FLOW_IDS) {
    const rec = flows[id];
    if (rec) out[id] = recordToTrace(id, rec);
  }
  return out;
}

export function runFileTraces(file: RunFile): Partial<Record<FlowId, Trace>> {
  return flowsToTraces(file.flows);
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
