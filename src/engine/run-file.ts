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
import { OSC_FIELD } from './trace.ts';
import { FLOW_IDS, InputError, type FlowId, type ProblemInstance, type RunConfig, type Trace } from './types.ts';

export const RUN_FILE_SCHEMA_VERSION = 1;

const num = z.number().nullable();
const numArr = z.array(num);
const vecArr = z.array(numArr);

const FlowRecordSchema = z.object({
  stride: z.number().int().positive(),
  projected: z.boolean(),
  t: numArr,
  w: vecArr,
  loss: numArr,
  predictedLoss: numArr,
  sharpness: numArr,
  eigenvalues: vecArr,
  dist: numArr,
  delta: vecArr.optional(),
  delta2: numArr.optional(),
  sigma2: numArr.optional(),
  stopped: z.object({ step: z.number(), reason: z.string() }).nullable().optional(),
});

export const RunFileSchema = z.object({
  schema: z.literal(RUN_FILE_SCHEMA_VERSION),
  problem: z.object({
    id: z.string().min(1),
    params: z.record(z.string(), z.number()),
    choices: z.record(z.string(), z.string()).optional(),
    expr: z.string().optional(),
    label: z.string().optional(),
    dim: z.number().int().positive(),
  }),
  eta: z.number().positive(),
  start: z.array(z.number()).optional(),
  steps: z.number().int().nonnegative(),
  t0: z.number().optional(),
  flowOptions: z.record(z.string(), z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]))).optional(),
  /** Optional: what computed the run (the CLI's --backend): the engine that ran, the one asked for, one line. */
  engine: z.object({ name: z.string(), requested: z.string(), summary: z.string() }).optional(),
  flows: z.partialRecord(z.enum(FLOW_IDS as [FlowId, ...FlowId[]]), FlowRecordSchema),
});

export type RunFile = z.infer<typeof RunFileSchema>;
export type FlowRecord = z.infer<typeof FlowRecordSchema>;

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
    t: column(tr.t, n),
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
    ...(instance.problem.dim <= 64 ? { start: Array.from(config.start ?? instance.start) } : {}),
    steps: run.step,
    t0: config.t0 ?? 0,
    ...(config.flowOptions ? { flowOptions: config.flowOptions as RunFile['flowOptions'] } : {}),
    flows,
  };
}

function zodMessage(err: z.ZodError): string {
  const first = err.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
  return first.join('; ') + (err.issues.length > 3 ? `; and ${err.issues.length - 3} more` : '');
}

/** Parse and validate a run file's text. Throws InputError with a readable message. */
export function parseRunFile(text: string): RunFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`Not a JSON file: ${(e as Error).message}`);
  }
  if (raw && typeof raw === 'object' && 'schema' in raw && (raw as { schema: unknown }).schema !== RUN_FILE_SCHEMA_VERSION) {
    throw new InputError(`Unsupported run file schema ${String((raw as { schema: unknown }).schema)}; this version reads schema ${RUN_FILE_SCHEMA_VERSION}.`);
  }
  const parsed = RunFileSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(`Not a Rod Flow Explorer run file: ${zodMessage(parsed.error)}`);
  const file = parsed.data;
  for (const [id, rec] of Object.entries(file.flows)) {
    const n = rec.t.length;
    const cols: [string, unknown[] | undefined][] = [
      ['w', rec.w], ['loss', rec.loss], ['predictedLoss', rec.predictedLoss], ['sharpness', rec.sharpness],
      ['eigenvalues', rec.eigenvalues], ['dist', rec.dist], ['delta', rec.delta], ['delta2', rec.delta2], ['sigma2', rec.sigma2],
    ];
    for (const [name, col] of cols) {
      if (col && col.length !== n) throw new InputError(`flows.${id}.${name} has ${col.length} entries but t has ${n}.`);
    }
    const width = rec.w[0]?.length ?? 0;
    if (rec.w.some((r) => r.length !== width)) throw new InputError(`flows.${id}.w rows have different lengths.`);
  }
  return file;
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
