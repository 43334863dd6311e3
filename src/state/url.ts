/**
 * The page's state in its URL: one versioned schema (v=1), validated with zod field by field, so that a
 * bad field is ignored (with a notice saying which and why) while the rest of the link still applies.
 * A malformed link never gives a blank page: at worst it opens the defaults with a notice.
 *
 *   ?v=1&problem=valley&p.a=0.5&eta=0.3&start=0.2,0.2&steps=2000&flows=gd,central-flow,rod-flow
 *    &o.rod-flow.form=sigma&time=eta&log=loss,dist&speed=5&play=1&hide=problem,params
 *
 *   p.<param>=number   problem parameter (custom expressions may name their own)
 *   c.<choice>=value   problem choice (dataset, activation, ...)
 *   o.<flow>.<key>=v   flow option (from the flow's OptionSpec)
 *   engine=auto        networks only: what runs the flows (ENGINE_CHOICES); left out for the default,
 *                      the float64 reference, so links made before the field existed mean the same
 *   fork=t:η[,t:η…]    1-D/2-D problems: the current run's fork history, oldest first: the run with step
 *                      size η was forked at absolute time t (an integer step, increasing, below `steps`);
 *                      the current run has `eta`. Left out when the run was never forked, so links made
 *                      before the field existed mean the same. The page rebuilds it by running each
 *                      segment to its fork time and forking as a person did (controller.ts); network runs
 *                      (streamed, not replayable to an exact step cheaply) leave their forks out.
 */
import { z } from 'zod';
import { FLOWS } from '../engine/flows/registry.ts';
import { getProblemSpec } from '../engine/problems/registry.ts';
import { ENGINE_CHOICES, type EngineChoice } from '../engine/gpu/engine-backend.ts';
import { FLOW_IDS, type FlowId, type FlowOptions, type OptionSpec } from '../engine/types.ts';
import {
  CONTROL_IDS,
  LOG_AXES,
  MAX_FORKS,
  MAX_STEPS,
  defaultSettings,
  problemDefaults,
  type ControlId,
  type ForkSeg,
  type LogAxis,
  type Settings,
} from './settings.ts';

export const URL_SCHEMA_VERSION = 1;

const finite = z.coerce.number().refine(Number.isFinite, 'not a finite number');
const list = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .transform((s) => (s === '' ? [] : s.split(',')))
    .pipe(z.array(z.enum(values as unknown as [T, ...T[]])));

const etaValue = finite.pipe(z.number().positive('η must be positive').max(1e3, 'η must be at most 1000'));
const stepsValue = finite.pipe(z.number().int('must be an integer').min(1).max(MAX_STEPS));
/** One fork: `t:η` (absolute time of the fork, η of the run that was forked). */
const forkSeg = z
  .string()
  .regex(/^[^:]*:[^:]*$/, 'expected time:η pairs')
  .transform((s) => s.split(':').map((x) => (x.trim() === '' ? NaN : Number(x))))
  .pipe(
    z.tuple([
      z.number({ error: 'fork time: not a finite number' }).int('fork time: must be an integer').min(1, 'fork time: must be at least 1').max(MAX_STEPS),
      z.number({ error: 'η: not a finite number' }).positive('η must be positive').max(1e3, 'η must be at most 1000'),
    ]),
  )
  .transform(([t, eta]): ForkSeg => ({ t, eta }));

/** The fixed fields of schema v1 (raw strings in, typed values out). */
export const UrlSchemaV1 = z.object({
  v: z.literal(String(URL_SCHEMA_VERSION)),
  problem: z.string().regex(/^[a-z0-9-]{1,40}$/, 'not a problem id'),
  expr: z.string().max(400, 'longer than 400 characters'),
  eta: etaValue,
  start: z
    .string()
    .transform((s) => s.split(',').map((x) => (x.trim() === '' ? NaN : Number(x))))
    .pipe(z.array(z.number().refine(Number.isFinite, 'not a finite number').refine((x) => Math.abs(x) <= 1e6, 'too large')).min(1).max(2)),
  steps: stepsValue,
  flows: list(FLOW_IDS),
  time: z.enum(['steps', 'eta']),
  log: list(LOG_AXES),
  speed: finite.pipe(z.number().int().min(0).max(10_000)),
  play: z.enum(['0', '1']),
  hide: list(CONTROL_IDS),
  engine: z.enum(ENGINE_CHOICES as unknown as [EngineChoice, ...EngineChoice[]], { error: `expected one of ${ENGINE_CHOICES.join(', ')}` }),
  fork: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(forkSeg).min(1).max(MAX_FORKS, `more than ${MAX_FORKS} forks`))
    .refine((a) => a.every((f, i) => i === 0 || f.t > a[i - 1].t), 'fork times must increase'),
  // Lessons (src/lessons/registry.ts resolves them): lesson number or 'index', scene (1-based), presenter mode.
  lesson: z.string().regex(/^([1-9][0-9]{0,2}|[a-z][a-z0-9-]{0,39})$/, 'not a lesson number'),
  scene: finite.pipe(z.number().int('must be an integer').min(1).max(99)),
  presenter: z.enum(['0', '1']),
  // Ensembles (src/ui/ensemble): the open view, η sweep or start-plane map (1-D/2-D problems).
  view: z.enum(['sweep', 'map']),
});

type FieldKey = keyof typeof UrlSchemaV1.shape;

export interface ParsedUrl {
  settings: Settings;
  /** Human lines: what was ignored and why. Empty when the link was clean. */
  ignored: string[];
}

function issueText(e: z.ZodError): string {
  return e.issues[0]?.message ?? 'invalid';
}

function parseOption(spec: OptionSpec, raw: string): { ok: true; value: number | boolean | string } | { ok: false; why: string } {
  if (spec.type === 'boolean') {
    if (raw === '1' || raw === 'true' || raw === 'on') return { ok: true, value: true };
    if (raw === '0' || raw === 'false' || raw === 'off') return { ok: true, value: false };
    return { ok: false, why: 'expected on/off' };
  }
  if (spec.type === 'choice') {
    const ok = spec.choices?.some((c) => c.value === raw);
    return ok ? { ok: true, value: raw } : { ok: false, why: `expected one of ${spec.choices?.map((c) => c.value).join(', ')}` };
  }
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) return { ok: false, why: 'not a finite number' };
  if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
    return { ok: false, why: `outside [${spec.min ?? '−∞'}, ${spec.max ?? '∞'}]` };
  }
  return { ok: true, value: v };
}

const shorten = (s: string) => (s.length > 40 ? s.slice(0, 37) + '…' : s);

/** Parse a query string (with or without '?'). Never throws. */
export function parseUrl(search: string): ParsedUrl {
  const ignored: string[] = [];
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(search);
  } catch {
    return { settings: defaultSettings(), ignored: ['the link could not be read; opened the defaults'] };
  }
  if ([...q.keys()].length === 0) return { settings: defaultSettings(), ignored };

  const version = q.get('v');
  if (version !== null && version !== String(URL_SCHEMA_VERSION)) {
    return {
      settings: defaultSettings(),
      ignored: [`link version v=${shorten(version)} is not supported (this page reads v=${URL_SCHEMA_VERSION}); opened the defaults`],
    };
  }

  const get = <K extends FieldKey>(key: K): z.infer<(typeof UrlSchemaV1.shape)[K]> | undefined => {
    const raw = q.get(key);
    if (raw === null) return undefined;
    const r = UrlSchemaV1.shape[key].safeParse(raw);
    if (!r.success) {
      ignored.push(`${key}=${shorten(raw)} (${issueText(r.error)})`);
      return undefined;
    }
    return r.data as z.infer<(typeof UrlSchemaV1.shape)[K]>;
  };

  // The problem decides what the rest means.
  let spec = getProblemSpec(DEFAULT_ID());
  const pid = get('problem');
  if (pid !== undefined) {
    const s = getProblemSpec(pid);
    if (s) spec = s;
    else ignored.push(`problem=${shorten(pid)} (no such problem)`);
  }
  const settings = spec ? problemDefaults(spec) : defaultSettings();
  const pspec = spec!;

  // Problem parameters and choices.
  for (const [key, raw] of q.entries()) {
    if (key.startsWith('p.')) {
      const name = key.slice(2);
      const ps = pspec.params.find((p) => p.key === name);
      const v = raw.trim() === '' ? NaN : Number(raw);
      if (!ps && pspec.kind !== 'custom') ignored.push(`${key} (${pspec.id} has no parameter '${shorten(name)}')`);
      else if (!ps && !/^[A-Za-z_][A-Za-z0-9_]{0,20}$/.test(name)) ignored.push(`${key} (not a parameter name)`);
      else if (!Number.isFinite(v)) ignored.push(`${key}=${shorten(raw)} (not a finite number)`);
      else if (ps && (v < ps.min || v > ps.max)) ignored.push(`${key}=${shorten(raw)} (outside [${ps.min}, ${ps.max}])`);
      else if (ps?.integer && !Number.isInteger(v)) ignored.push(`${key}=${shorten(raw)} (must be an integer)`);
      else settings.params[name] = v;
    } else if (key.startsWith('c.')) {
      const name = key.slice(2);
      const cs = pspec.choices?.find((c) => c.key === name);
      if (!cs) ignored.push(`${key} (${pspec.id} has no choice '${shorten(name)}')`);
      else if (!cs.choices.some((c) => c.value === raw)) ignored.push(`${key}=${shorten(raw)} (expected one of ${cs.choices.map((c) => c.value).join(', ')})`);
      else settings.choices[name] = raw;
    } else if (key.startsWith('o.')) {
      const rest = key.slice(2);
      const dot = rest.indexOf('.');
      const fid = rest.slice(0, dot) as FlowId;
      const okey = rest.slice(dot + 1);
      const fs = FLOWS.find((f) => f.id === fid);
      const os = fs?.options.find((o) => o.key === okey);
      if (dot < 0 || !fs) ignored.push(`${shorten(key)} (no such flow)`);
      else if (!os) ignored.push(`${shorten(key)} (${fid} has no option '${shorten(okey)}')`);
      else {
        const r = parseOption(os, raw);
        if (!r.ok) ignored.push(`${key}=${shorten(raw)} (${r.why})`);
        else (settings.flowOptions[fid] ??= {} as FlowOptions)[okey] = r.value;
      }
    } else if (!(key in UrlSchemaV1.shape)) {
      ignored.push(`${shorten(key)} (unknown setting)`);
    }
  }

  const expr = get('expr');
  if (expr !== undefined) {
    if (pspec.kind === 'custom') settings.expr = expr;
    else ignored.push(`expr (only the custom problem takes an expression)`);
  }
  const eta = get('eta');
  if (eta !== undefined) settings.eta = eta;
  const start = get('start');
  if (start !== undefined) {
    if (pspec.kind === 'network') ignored.push('start (a network starts from its seeded weights)');
    else if (pspec.dim !== undefined && start.length !== pspec.dim) ignored.push(`start=${start.join(',')} (${pspec.id} needs ${pspec.dim} coordinate${pspec.dim > 1 ? 's' : ''})`);
    else settings.start = start;
  }
  const steps = get('steps');
  if (steps !== undefined) settings.steps = steps;
  const flows = get('flows');
  if (flows !== undefined) settings.flows = FLOW_IDS.filter((f) => flows.includes(f));
  const time = get('time');
  if (time !== undefined) settings.timeAxis = time;
  const log = get('log');
  if (log !== undefined) settings.log = LOG_AXES.filter((a) => log.includes(a)) as LogAxis[];
  const speed = get('speed');
  if (speed !== undefined) settings.speed = speed;
  const play = get('play');
  if (play !== undefined) settings.play = play === '1';
  const hide = get('hide');
  if (hide !== undefined) settings.hide = CONTROL_IDS.filter((c) => hide.includes(c)) as ControlId[];
  const engine = get('engine');
  if (engine !== undefined) {
    if (pspec.kind !== 'network') ignored.push(`engine=${engine} (only network problems have an engine choice)`);
    else if (engine !== 'float64') settings.engine = engine;
  }
  const fork = get('fork');
  if (fork !== undefined) {
    const last = fork[fork.length - 1].t;
    if (pspec.kind === 'network') ignored.push('fork (a network run is not rebuilt from its forks)');
    else if (last >= settings.steps) ignored.push(`fork=${shorten(q.get('fork')!)} (a fork at step ${last} is not before the step budget ${settings.steps})`);
    else settings.forks = fork;
  }
  const lesson = get('lesson');
  if (lesson !== undefined) settings.lesson = lesson;
  const scene = get('scene');
  if (scene !== undefined) settings.scene = scene;
  if (get('presenter') === '1') settings.presenter = true;
  const view = get('view');
  if (view !== undefined) {
    if (pspec.kind === 'network') ignored.push(`view=${view} (ensembles run on the 1-D/2-D problems)`);
    else settings.view = view;
  }
  return { settings, ignored };
}

function DEFAULT_ID(): string {
  return defaultSettings().problem;
}

/** Exact: the shortest decimal that parses back to the same double, so that a shared link reproduces the run. */
function fmtNum(v: number): string {
  return String(v);
}

/** The query string (with '?') for settings; parameters at their defaults are left out. */
export function toUrl(s: Settings, extra?: { hide?: ControlId[] }): string {
  const spec = getProblemSpec(s.problem);
  const q = new URLSearchParams();
  q.set('v', String(URL_SCHEMA_VERSION));
  q.set('problem', s.problem);
  for (const [k, v] of Object.entries(s.params)) {
    const ps = spec?.params.find((p) => p.key === k);
    if (!ps || ps.default !== v || spec?.kind === 'custom') q.set(`p.${k}`, fmtNum(v));
  }
  for (const [k, v] of Object.entries(s.choices)) q.set(`c.${k}`, v);
  if (s.expr !== undefined) q.set('expr', s.expr);
  q.set('eta', fmtNum(s.eta));
  if (s.start) q.set('start', s.start.map(fmtNum).join(','));
  q.set('steps', String(s.steps));
  q.set('flows', s.flows.join(','));
  for (const f of FLOW_IDS) {
    const o = s.flowOptions[f];
    if (!o) continue;
    const fs = FLOWS.find((x) => x.id === f);
    for (const [k, v] of Object.entries(o)) {
      const os = fs?.options.find((x) => x.key === k);
      if (os && os.default === v) continue;
      q.set(`o.${f}.${k}`, typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));
    }
  }
  if (s.timeAxis !== 'steps') q.set('time', s.timeAxis);
  q.set('log', s.log.join(','));
  if (s.speed !== 0) q.set('speed', String(s.speed));
  if (!s.play) q.set('play', '0');
  if (s.engine && s.engine !== 'float64' && spec?.kind === 'network') q.set('engine', s.engine);
  if (s.forks?.length && spec?.kind !== 'network') q.set('fork', s.forks.map((f) => `${f.t}:${fmtNum(f.eta)}`).join(','));
  const hide = extra?.hide ?? s.hide;
  if (hide.length) q.set('hide', hide.join(','));
  if (s.lesson !== undefined) q.set('lesson', s.lesson);
  if (s.scene !== undefined) q.set('scene', String(s.scene));
  if (s.presenter) q.set('presenter', '1');
  if (s.view && spec?.kind !== 'network') q.set('view', s.view);
  return '?' + q.toString();
}
