/**
 * The page's state in its address: one versioned schema (v=1), one table of fields (FIELDS below: each
 * field once, with its key, schema, read and write). Each field is validated on its own, so a bad field
 * is ignored (with a notice saying which and why) while the rest of the link still applies. A malformed
 * link never gives a blank page: at worst it opens the defaults with a notice.
 *
 * The page writes the state into the fragment (#v=1&…), which browsers never send to a server, so a link
 * can be as long as its settings need (an expression, a long fork history); a query link (?v=1&…, how
 * links were written before) opens the same way. parseUrl takes either.
 *
 *   #v=1&problem=valley&p.a=0.5&eta=0.3&start=0.2,0.2&steps=2000&flows=gd,central-flow,rod-flow
 *    &o.rod-flow.form=sigma&time=eta&log=loss,dist&speed=5&play=1&hide=problem,params
 *
 *   p.<param>=number   problem parameter (custom expressions may name their own)
 *   c.<choice>=value   problem choice (dataset, activation, ...)
 *   o.<flow>.<key>=v   flow option (from the flow's OptionSpec)
 *   engine=auto        networks only: what runs the flows (ENGINE_CHOICES); left out for the default,
 *                      the float64 reference, so links made before the field existed mean the same
 *   fork=t:η[,t:η…]    1-D/2-D problems: the current run's fork history, oldest first: the run with step
 *                      size η was forked at absolute time t (an integer step, increasing, below `steps`);
 *                      the current run has `eta`. Left out when the run was never forked. The page
 *                      rebuilds it by running each segment to its fork time and forking as a person did
 *                      (state/forks.ts); network runs (streamed) leave their forks out.
 *   lesson, scene, presenter   the lesson page (src/lessons); view   the ensemble view (ui/ensemble)
 *   caption            an authored scene's caption (src/lessons/state.ts reads it; the page ignores it)
 */
import { z } from 'zod';
import { MAX_ETA } from '../engine/eta.ts';
import { FLOWS } from '../engine/flows/registry.ts';
import { getProblemSpec } from '../engine/problems/registry.ts';
import { paramApplies } from '../engine/problems/params.ts';
import { ENGINE_CHOICES, type EngineChoice } from '../engine/gpu/engine-backend.ts';
import { FLOW_IDS, type FlowId, type FlowOptions, type OptionSpec, type ProblemSpec } from '../engine/types.ts';
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

const finite = z.coerce.number({ error: 'not a finite number' }).refine(Number.isFinite, 'not a finite number');
/** One of `values`, with the message the notice shows. */
const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]], { error: `expected one of ${values.join(', ')}` });
const list = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .transform((s) => (s === '' ? [] : s.split(',')))
    .pipe(z.array(oneOf(values)));

const etaValue = finite.pipe(z.number().positive('η must be positive').max(MAX_ETA, `η must be at most ${MAX_ETA}`));
const stepsValue = finite.pipe(z.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_STEPS, `must be at most ${MAX_STEPS}`));
/** One fork: `t:η` (absolute time of the fork, η of the run that was forked). */
const forkSeg = z
  .string()
  .regex(/^[^:]*:[^:]*$/, 'expected time:η pairs')
  .transform((s) => s.split(':').map((x) => (x.trim() === '' ? NaN : Number(x))))
  .pipe(
    z.tuple([
      z.number({ error: 'fork time: not a finite number' }).int('fork time: must be an integer').min(1, 'fork time: must be at least 1').max(MAX_STEPS),
      z.number({ error: 'η: not a finite number' }).positive('η must be positive').max(MAX_ETA, `η must be at most ${MAX_ETA}`),
    ]),
  )
  .transform(([t, eta]): ForkSeg => ({ t, eta }));

/** Exact: the shortest decimal that parses back to the same double, so that a shared link reproduces the run. */
const fmtNum = (v: number): string => String(v);
const shorten = (s: string) => (s.length > 40 ? s.slice(0, 37) + '…' : s);

/** What a field's read and write see besides the settings. */
interface Ctx {
  /** The problem the link opens (read) or the settings hold (write). */
  spec: ProblemSpec;
  /** The raw value as written in the link (read). */
  raw: string;
  /** Control groups hidden (write; a classroom link may override the settings'). */
  hide: ControlId[];
}

/**
 * One field of the schema. `schema` turns the raw string into a typed value (its message says why not);
 * `read` puts the value into the settings, or returns why the value is ignored for this problem;
 * `write` gives the raw string, or undefined to leave the field out.
 */
interface Field<T> {
  key: string;
  schema: z.ZodType<T>;
  read(s: Settings, v: T, ctx: Ctx): string | void;
  write(s: Settings, ctx: Omit<Ctx, 'raw'>): string | undefined;
}

/** Families of keys with a prefix (p.<param>, c.<choice>, o.<flow>.<key>): read one entry, write all. */
interface PrefixField {
  prefix: string;
  read(s: Settings, name: string, raw: string, spec: ProblemSpec): string | void;
  write(s: Settings, spec: ProblemSpec): [string, string][];
}

const field = <T>(f: Field<T>): Field<unknown> => f as Field<unknown>;

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

const PARAMS: PrefixField = {
  prefix: 'p.',
  read(s, name, raw, spec) {
    const ps = spec.params.find((p) => p.key === name);
    const v = raw.trim() === '' ? NaN : Number(raw);
    if (!ps && spec.kind !== 'custom') return `p.${shorten(name)} (${spec.id} has no parameter '${shorten(name)}')`;
    if (!ps && !/^[A-Za-z_][A-Za-z0-9_]{0,20}$/.test(name)) return `p.${shorten(name)} (not a parameter name)`;
    if (!Number.isFinite(v)) return `p.${name}=${shorten(raw)} (not a finite number)`;
    if (ps && (v < ps.min || v > ps.max)) return `p.${name}=${shorten(raw)} (outside [${ps.min}, ${ps.max}])`;
    if (ps?.integer && !Number.isInteger(v)) return `p.${name}=${shorten(raw)} (must be an integer)`;
    s.params[name] = v;
  },
  write(s, spec) {
    const out: [string, string][] = [];
    for (const [k, v] of Object.entries(s.params)) {
      const ps = spec.params.find((p) => p.key === k);
      if (ps && !paramApplies(spec, ps, s.choices)) continue; // means nothing under these choices
      if (!ps || ps.default !== v || spec.kind === 'custom') out.push([`p.${k}`, fmtNum(v)]);
    }
    return out;
  },
};

const CHOICES: PrefixField = {
  prefix: 'c.',
  read(s, name, raw, spec) {
    const cs = spec.choices?.find((c) => c.key === name);
    if (!cs) return `c.${shorten(name)} (${spec.id} has no choice '${shorten(name)}')`;
    if (!cs.choices.some((c) => c.value === raw)) return `c.${name}=${shorten(raw)} (expected one of ${cs.choices.map((c) => c.value).join(', ')})`;
    s.choices[name] = raw;
  },
  write: (s) => Object.entries(s.choices).map(([k, v]) => [`c.${k}`, v]),
};

const OPTIONS: PrefixField = {
  prefix: 'o.',
  read(s, rest, raw) {
    const key = `o.${rest}`;
    const dot = rest.indexOf('.');
    const fid = rest.slice(0, dot) as FlowId;
    const okey = rest.slice(dot + 1);
    const fs = FLOWS.find((f) => f.id === fid);
    const os = fs?.options.find((o) => o.key === okey);
    if (dot < 0 || !fs) return `${shorten(key)} (no such flow)`;
    if (!os) return `${shorten(key)} (${fid} has no option '${shorten(okey)}')`;
    const r = parseOption(os, raw);
    if (!r.ok) return `${key}=${shorten(raw)} (${r.why})`;
    (s.flowOptions[fid] ??= {} as FlowOptions)[okey] = r.value;
  },
  write(s) {
    const out: [string, string][] = [];
    for (const f of FLOW_IDS) {
      const o = s.flowOptions[f];
      if (!o) continue;
      const fs = FLOWS.find((x) => x.id === f);
      for (const [k, v] of Object.entries(o)) {
        const os = fs?.options.find((x) => x.key === k);
        if (os && os.default === v) continue;
        out.push([`o.${f}.${k}`, typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)]);
      }
    }
    return out;
  },
};

/**
 * The fields after `v` and `problem`, in the order links write them (and read them: `fork` needs
 * `steps`). Prefix families sit where their entries are written.
 */
const FIELDS: (Field<unknown> | PrefixField)[] = [
  PARAMS,
  CHOICES,
  field({
    key: 'expr',
    schema: z.string().max(400, 'longer than 400 characters'),
    read: (s, v, { spec }) => (spec.kind === 'custom' ? void (s.expr = v) : 'expr (only the custom problem takes an expression)'),
    write: (s) => s.expr,
  }),
  field({ key: 'eta', schema: etaValue, read: (s, v) => void (s.eta = v), write: (s) => fmtNum(s.eta) }),
  field({
    key: 'start',
    schema: z
      .string()
      .transform((s) => s.split(',').map((x) => (x.trim() === '' ? NaN : Number(x))))
      .pipe(z.array(z.number({ error: 'not a finite number' }).refine(Number.isFinite, 'not a finite number').refine((x) => Math.abs(x) <= 1e6, 'too large')).min(1, 'expected 1 or 2 numbers').max(2, 'expected 1 or 2 numbers')),
    read(s, v, { spec }) {
      if (spec.kind === 'network') return 'start (a network starts from its seeded weights)';
      if (spec.dim !== undefined && v.length !== spec.dim) return `start=${v.join(',')} (${spec.id} needs ${spec.dim} coordinate${spec.dim > 1 ? 's' : ''})`;
      s.start = v;
    },
    write: (s) => (s.start ? s.start.map(fmtNum).join(',') : undefined),
  }),
  field({ key: 'steps', schema: stepsValue, read: (s, v) => void (s.steps = v), write: (s) => String(s.steps) }),
  field({ key: 'flows', schema: list(FLOW_IDS), read: (s, v) => void (s.flows = FLOW_IDS.filter((f) => v.includes(f))), write: (s) => s.flows.join(',') }),
  OPTIONS,
  field({ key: 'time', schema: oneOf(['steps', 'eta'] as const), read: (s, v) => void (s.timeAxis = v), write: (s) => (s.timeAxis !== 'steps' ? s.timeAxis : undefined) }),
  field({ key: 'log', schema: list(LOG_AXES), read: (s, v) => void (s.log = LOG_AXES.filter((a) => v.includes(a)) as LogAxis[]), write: (s) => s.log.join(',') }),
  field({ key: 'speed', schema: finite.pipe(z.number().int('must be an integer').min(0, 'must be at least 0').max(10_000, 'must be at most 10000')), read: (s, v) => void (s.speed = v), write: (s) => (s.speed !== 0 ? String(s.speed) : undefined) }),
  field({ key: 'play', schema: oneOf(['0', '1'] as const), read: (s, v) => void (s.play = v === '1'), write: (s) => (!s.play ? '0' : undefined) }),
  field({
    key: 'engine',
    schema: oneOf(ENGINE_CHOICES as readonly EngineChoice[]),
    read(s, v, { spec }) {
      if (spec.kind !== 'network') return `engine=${v} (only network problems have an engine choice)`;
      if (v !== 'float64') s.engine = v;
    },
    write: (s, { spec }) => (s.engine && s.engine !== 'float64' && spec.kind === 'network' ? s.engine : undefined),
  }),
  field({
    key: 'fork',
    schema: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(forkSeg).min(1).max(MAX_FORKS, `more than ${MAX_FORKS} forks`))
      .refine((a) => a.every((f, i) => i === 0 || f.t > a[i - 1].t), 'fork times must increase'),
    read(s, v, { spec, raw }) {
      const last = v[v.length - 1].t;
      if (spec.kind === 'network') return 'fork (a network run is not rebuilt from its forks)';
      if (last >= s.steps) return `fork=${shorten(raw)} (a fork at step ${last} is not before the step budget ${s.steps})`;
      s.forks = v;
    },
    write: (s, { spec }) => (s.forks?.length && spec.kind !== 'network' ? s.forks.map((f) => `${f.t}:${fmtNum(f.eta)}`).join(',') : undefined),
  }),
  field({
    key: 'hide',
    schema: list(CONTROL_IDS),
    read: (s, v) => void (s.hide = CONTROL_IDS.filter((c) => v.includes(c)) as ControlId[]),
    write: (_s, { hide }) => (hide.length ? hide.join(',') : undefined),
  }),
  // Lessons (src/lessons/registry.ts resolves them): lesson number or 'index', scene (1-based), presenter mode.
  field({
    key: 'lesson',
    schema: z.string().regex(/^([1-9][0-9]{0,2}|[a-z][a-z0-9-]{0,39})$/, 'not a lesson number'),
    read: (s, v) => void (s.lesson = v),
    write: (s) => s.lesson,
  }),
  field({ key: 'scene', schema: finite.pipe(z.number().int('must be an integer').min(1).max(99)), read: (s, v) => void (s.scene = v), write: (s) => (s.scene !== undefined ? String(s.scene) : undefined) }),
  field({ key: 'presenter', schema: oneOf(['0', '1'] as const), read: (s, v) => void (v === '1' ? (s.presenter = true) : undefined), write: (s) => (s.presenter ? '1' : undefined) }),
  // Ensembles (src/ui/ensemble): the open view, η sweep or start-plane map (1-D/2-D problems).
  field({
    key: 'view',
    schema: oneOf(['sweep', 'map'] as const),
    read: (s, v, { spec }) => (spec.kind === 'network' ? `view=${v} (ensembles run on the 1-D/2-D problems)` : void (s.view = v)),
    write: (s, { spec }) => (s.view && spec.kind !== 'network' ? s.view : undefined),
  }),
];

const isPrefix = (f: Field<unknown> | PrefixField): f is PrefixField => 'prefix' in f;
const FIXED = FIELDS.filter((f): f is Field<unknown> => !isPrefix(f));
const PREFIXES = FIELDS.filter(isPrefix);
/** Keys read elsewhere: the version, the problem; `caption` belongs to the lessons (an authored scene). */
const OTHER_KEYS = new Set(['v', 'problem', 'caption']);

/** The schema's fixed keys (for the fuzz suites and the docs). */
export const URL_FIELD_KEYS: readonly string[] = ['v', 'problem', ...FIXED.map((f) => f.key)];
export const URL_PREFIXES: readonly string[] = PREFIXES.map((f) => f.prefix);

const problemField = z.string().regex(/^[a-z0-9-]{1,40}$/, 'not a problem id');

export interface ParsedUrl {
  settings: Settings;
  /** Human lines: what was ignored and why. Empty when the link was clean. */
  ignored: string[];
}

const issueText = (e: z.ZodError): string => e.issues[0]?.message ?? 'invalid';

/** Parse a link's state: a fragment or a query string (with or without '#' / '?'). Never throws. */
export function parseUrl(search: string): ParsedUrl {
  const ignored: string[] = [];
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(search.replace(/^[#?]/, ''));
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

  // The problem decides what the rest means.
  let spec = getProblemSpec(defaultSettings().problem)!;
  const rawPid = q.get('problem');
  if (rawPid !== null) {
    const r = problemField.safeParse(rawPid);
    const s = r.success ? getProblemSpec(r.data) : undefined;
    if (!r.success) ignored.push(`problem=${shorten(rawPid)} (${issueText(r.error)})`);
    else if (s) spec = s;
    else ignored.push(`problem=${shorten(rawPid)} (no such problem)`);
  }
  const settings = problemDefaults(spec);

  // Keys in the link that no field reads.
  for (const key of q.keys()) {
    if (OTHER_KEYS.has(key) || FIXED.some((f) => f.key === key) || PREFIXES.some((p) => key.startsWith(p.prefix))) continue;
    ignored.push(`${shorten(key)} (unknown setting)`);
  }
  for (const f of FIELDS) {
    if (isPrefix(f)) {
      for (const [key, raw] of q.entries()) {
        if (!key.startsWith(f.prefix)) continue;
        const why = f.read(settings, key.slice(f.prefix.length), raw, spec);
        if (why) ignored.push(why);
      }
      continue;
    }
    const raw = q.get(f.key);
    if (raw === null) continue;
    const r = f.schema.safeParse(raw);
    if (!r.success) {
      ignored.push(`${f.key}=${shorten(raw)} (${issueText(r.error)})`);
      continue;
    }
    const why = f.read(settings, r.data, { spec, raw, hide: settings.hide });
    if (why) ignored.push(why);
  }
  return { settings, ignored };
}

/** The link's state for settings, as a fragment ('#v=1&…'); parameters at their defaults are left out. */
export function toUrl(s: Settings, extra?: { hide?: ControlId[] }): string {
  const spec = getProblemSpec(s.problem) ?? getProblemSpec(defaultSettings().problem)!;
  const q = new URLSearchParams();
  q.set('v', String(URL_SCHEMA_VERSION));
  q.set('problem', s.problem);
  const ctx = { spec, hide: extra?.hide ?? s.hide };
  for (const f of FIELDS) {
    if (isPrefix(f)) {
      for (const [k, v] of f.write(s, spec)) q.set(k, v);
      continue;
    }
    const v = f.write(s, ctx);
    if (v !== undefined) q.set(f.key, v);
  }
  return '#' + q.toString();
}
