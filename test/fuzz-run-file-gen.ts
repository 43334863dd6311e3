/**
 * Run-file fuzzing (issue 12): seeded schema-aware mutations of real run files (src/engine/run-file.ts):
 * fields removed, retyped or set to boundary and non-finite values, ragged and empty rows, prototype
 * keys, truncated text, large files. Contract per file: parseRunFile either returns a file whose traces
 * rebuild with consistent columns, or throws an InputError of one clear line naming what is wrong;
 * nothing else escapes; bounded time. Used by test/fuzz-run-file.test.ts (short) and `npm run fuzz`.
 */
import { mulberry32 } from '../src/engine/rng.ts';
import { createRunner } from '../src/engine/runner.ts';
import { parseRunFile, runFileTraces, runToJson, type RunFile } from '../src/engine/run-file.ts';
import { openSession } from '../src/engine/session.ts';
import { InputError, type FlowId, type RunConfig, type Trace } from '../src/engine/types.ts';
import type { Outcome } from './fuzz-expr-gen.ts';

const BASES: RunConfig[] = [
  { problem: { id: 'valley' }, eta: 0.3, steps: 12, flows: ['gd', 'gradient-flow', 'central-flow', 'rod-flow'] },
  { problem: { id: 'quartic' }, eta: 1, steps: 8, flows: ['gd', 'rod-flow'] },
  { problem: { id: 'custom', expr: 'x^2/2 + y^4' }, eta: 0.5, start: [0.5, 0.5], steps: 6, flows: ['gd', 'central-flow'] },
];
/** A schema-2 file: valley forked at step 6 (η 0.3 → 0.25), with its ghost and a saved run. */
function forkedBase(): RunFile {
  const first = openSession({ problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps: 12, flows: ['gd', 'rod-flow'] }, 'horizon');
  first.runner.advance(12);
  const ghost: Partial<Record<FlowId, Trace>> = {};
  for (const [id, tr] of Object.entries(first.runner.traces) as [FlowId, Trace][]) ghost[id] = { ...tr, length: 7 };
  const cur = openSession(first.forkConfig(6, 0.25, false), 'horizon');
  cur.runner.advance(6);
  return runToJson(cur.runner, { history: { end: 12, forks: [{ t: 6, eta: 0.3 }], ghosts: [{ eta: 0.3, traces: ghost }] }, saved: [{ name: 'saved', eta: 0.3, traces: ghost }] });
}

let baseFiles: RunFile[] | null = null;
function bases(): RunFile[] {
  return (baseFiles ??= BASES.map((c) => {
    const r = createRunner(c);
    r.advance(c.steps);
    return runToJson(r);
  }).concat(forkedBase()));
}

const WEIRD: unknown[] = [null, true, false, 0, -0, -1, 1, 0.5, 1e308, -1e308, 1e15, 2 ** 53 + 1, 5e-324, '', '1', 'x', 'NaN', [], [[]], {}, { toString: 'x' }, { valueOf: 1 }, [1, [2]], 'x'.repeat(5000)];

export interface RunFileCase {
  text: string;
  what: string;
}

type Json = Record<string, unknown> | unknown[];

/** All paths to values inside `v` (objects and arrays), up to `max`. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = [], max = 4000): (string | number)[][] {
  if (out.length >= max || v === null || typeof v !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    out.push([...at, k]);
    paths(x, [...at, k], out, max);
  }
  return out;
}

function parentOf(root: Json, p: (string | number)[]): Json | undefined {
  let v: unknown = root;
  for (const k of p.slice(0, -1)) v = (v as Record<string | number, unknown>)?.[k];
  return v && typeof v === 'object' ? (v as Json) : undefined;
}

export function runFileCases(seed: number, n: number): RunFileCase[] {
  const rnd = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const out: RunFileCase[] = [];
  for (let i = 0; i < n; i++) {
    const f = structuredClone(pick(bases())) as unknown as Json;
    const all = paths(f);
    const muts = 1 + Math.floor(rnd() * 3);
    const what: string[] = [];
    for (let m = 0; m < muts; m++) {
      const p = pick(all);
      const parent = parentOf(f, p);
      if (!parent) continue;
      const key = p[p.length - 1] as string & number;
      const r = rnd();
      if (r < 0.25) {
        if (Array.isArray(parent)) parent.splice(key, 1);
        else delete (parent as Record<string, unknown>)[key];
        what.push(`delete ${p.join('.')}`);
      } else if (r < 0.65) {
        const v = pick(WEIRD);
        (parent as Record<string | number, unknown>)[key] = structuredClone(v);
        what.push(`${p.join('.')} = ${JSON.stringify(v)?.slice(0, 30)}`);
      } else if (r < 0.75) {
        const v = (parent as Record<string | number, unknown>)[key];
        if (Array.isArray(v)) v.push(rnd() < 0.5 ? 1 : [1, 2, 3]);
        what.push(`push into ${p.join('.')}`);
      } else if (r < 0.85 && !Array.isArray(parent)) {
        (parent as Record<string, unknown>)[pick(['__proto__', 'constructor', 'prototype', 'toString', 'zz'])] = pick(WEIRD);
        what.push(`prototype key in ${p.slice(0, -1).join('.')}`);
      } else {
        const v = (parent as Record<string | number, unknown>)[key];
        if (Array.isArray(v)) (parent as Record<string | number, unknown>)[key] = Array.from({ length: 2000 + Math.floor(rnd() * 20_000) }, () => v[0] ?? 0);
        what.push(`grow ${p.join('.')}`);
      }
    }
    let text = JSON.stringify(f);
    if (rnd() < 0.08) {
      text = text.slice(0, Math.floor(rnd() * text.length));
      what.push('truncated');
    }
    out.push({ text, what: what.join('; ') });
  }
  return out;
}

export function checkRunFileCase(c: RunFileCase): Outcome {
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  try {
    const file = parseRunFile(c.text);
    const traces = runFileTraces(file);
    for (const tr of Object.values(traces)) {
      if (!tr) continue;
      const n = tr.length;
      if (tr.t.length !== n || tr.loss.length !== n || tr.w.length !== n * tr.wDim || tr.sharpness.length !== n * tr.eigK)
        return { kind: 'violation', ms: ms(), message: `accepted with inconsistent columns (${c.what})` };
      if (!(tr.wDim >= 1)) return { kind: 'violation', ms: ms(), message: `accepted with empty state rows (${c.what})` };
    }
    if (!(file.eta > 0 && file.eta <= 1000)) return { kind: 'violation', ms: ms(), message: `accepted η = ${file.eta}` };
    return { kind: 'ok', ms: ms() };
  } catch (e) {
    if (!(e instanceof InputError)) return { kind: 'violation', ms: ms(), message: `${(e as Error).name}: ${(e as Error).message} (${c.what})` };
    const m = e.message;
    if (!m || m.includes('\n') || m.length > 500 || m.includes('[object') || /Invalid input|received/.test(m))
      return { kind: 'violation', ms: ms(), message: `unclear message: ${m.slice(0, 200)}` };
    return { kind: 'refused', ms: ms(), message: m };
  }
}
