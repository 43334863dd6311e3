/**
 * `rodflow` — the headless CLI over the engine.
 *   rodflow problems [--format json]      list problems, parameters and defaults
 *   rodflow flows                         list flows and their options
 *   rodflow run --problem <id> ...        run flows in lockstep, write JSON (default), CSV or a table
 * Bad arguments: exit code 2 and one line on stderr; output files are written whole or not at all.
 * `--backend` runs a network's flows on its tfjs float32 twin (engine-backend.ts); 'auto' remembers its
 * calibrated choice in a small JSON file (engineStorage below).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, basename, join, resolve, sep } from 'node:path';
import { createProblem, PROBLEMS, getProblemSpec } from '../engine/problems/registry.ts';
import { FLOWS } from '../engine/flows/registry.ts';
import { openEngineSession } from '../engine/session.ts';
import { runFileToCsv, runToJson } from '../engine/run-file.ts';
import { MAX_RECORDED_DIM } from '../engine/trace.ts';
import { InputError } from '../engine/types.ts';
import type { KeyValueStore } from '../engine/gpu/backend.ts';
import { parseRunArgs, UsageError } from './args.ts';
import { summaryTable } from './summary.ts';

const USAGE = `usage:
  rodflow problems [--format json]
  rodflow flows
  rodflow run --problem <id> [--param name=value ...] [--choice name=value ...] [--expr "<expression>"]
              [--eta <η>] [--start <x[,y]>] [--steps <N>] [--flows gd,gradient-flow,central-flow,rod-flow]
              [--option <flow>.<name>=<value> ...] [--eig-k <k>] [--capacity <N>]
              [--format json|csv|table] [--out FILE] [--backend float64|auto|webgpu|webgl|wasm|cpu]
Defaults (η, start, steps) come from the problem; see \`rodflow problems\`.
--backend (network problems only): float64 = the CPU reference (default); wasm/cpu = tfjs float32
(webgpu/webgl fall back to the next available); auto = the fastest by a short calibration, remembered
in $RODFLOW_CACHE_DIR or ~/.cache/rodflow/engine.json.`;

function listProblems(json: boolean): string {
  if (json) {
    return JSON.stringify(
      PROBLEMS.map((p) => ({ id: p.id, name: p.name, kind: p.kind, description: p.description, dim: p.dim, params: p.params, choices: p.choices, defaults: p.defaults })),
      null,
      2,
    ) + '\n';
  }
  const lines: string[] = [];
  for (const p of PROBLEMS) {
    lines.push(`${p.id}  (${p.kind}${p.dim ? `, ${p.dim}-D` : ''}) — ${p.description}`);
    const d = p.defaults;
    lines.push(`    defaults: η=${d.eta}${d.start.length ? ` start=${d.start.join(',')}` : ''} steps=${d.steps}`);
    for (const q of p.params) lines.push(`    --param ${q.key}=${q.default}   ${q.label} [${q.min}, ${q.max}]${q.help ? ` — ${q.help}` : ''}`);
    for (const c of p.choices ?? []) lines.push(`    --choice ${c.key}=${c.default}   ${c.label}: ${c.choices.map((x) => x.value).join(' | ')}`);
  }
  return lines.join('\n') + '\n';
}

function listFlows(): string {
  const lines: string[] = [];
  for (const f of FLOWS) {
    lines.push(`${f.id} — ${f.description}`);
    for (const o of f.options) {
      const ch = o.choices ? ` (${o.choices.map((c) => c.value).join(' | ')})` : '';
      lines.push(`    --option ${f.id}.${o.key}=${String(o.default)}${ch}   ${o.label}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** A person's words for a file-system error code. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'the directory does not exist',
    ENOTDIR: 'a part of the path is not a directory',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENAMETOOLONG: 'the name is too long',
    EXDEV: 'cannot move the file into place across devices',
  };
  return (code && Object.hasOwn(words, code) ? words[code] : undefined) ?? (e as Error).message.split('\n')[0];
}

/**
 * Checks an output path before any work is done, so a run is never computed for nothing: the name
 * must not end in a separator, its directory must exist, and the target, if it exists, must be a
 * regular file (never a directory, device or /proc entry: those are never replaced).
 */
export function checkOutPath(path: string): void {
  const fail = (why: string) => {
    throw new UsageError(`cannot write --out ${path}: ${why}.`);
  };
  if (path.endsWith('/') || path.endsWith(sep)) fail('the name ends in a path separator (give a file name)');
  const dir = dirname(resolve(path));
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    fail(`directory ${dir}: ${reason(e)}`);
  }
  if (!st!.isDirectory()) fail(`${dir} is not a directory`);
  let target;
  try {
    target = statSync(path);
  } catch {
    return; // a new file
  }
  if (target.isDirectory()) fail('it is a directory');
  if (!target.isFile()) fail('it is not a regular file');
}

/** Whether a file can be created next to `path` (/proc, /sys, read-only mounts cannot): tried with an empty temp file, removed at once. */
function checkCreatable(path: string): void {
  const probe = tempName(path);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write --out ${path}: ${code === 'ENOENT' ? 'files cannot be created in that directory' : reason(e)}.`);
  }
  rmSync(probe, { force: true });
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/**
 * Write all or nothing: a temp file next to the target, renamed into place. On any failure the temp
 * file is removed and one line says which path and why (UsageError).
 */
function writeWhole(path: string, text: string): void {
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* nothing was created */
    }
    throw new UsageError(`cannot write --out ${path}: ${reason(e)}.`);
  }
}

/** Largest memory the recorded traces of one run may take (bytes); see --capacity. */
const MAX_TRACE_BYTES = 2 ** 31;

/**
 * Where `--backend auto` remembers its choice: a JSON map in $RODFLOW_CACHE_DIR (tests), else
 * $XDG_CACHE_HOME/rodflow or ~/.cache/rodflow. Any failure to read or write it is harmless: the run
 * just calibrates again next time.
 */
export function engineStorage(dir = process.env.RODFLOW_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rodflow')): KeyValueStore {
  const file = join(dir, 'engine.json');
  const read = (): Record<string, string> => {
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
    } catch {
      return {};
    }
  };
  return {
    getItem: (k) => {
      const v = read()[k];
      return typeof v === 'string' ? v : null;
    },
    setItem: (k, v) => {
      try {
        mkdirSync(dir, { recursive: true });
        writeWhole(file, JSON.stringify({ ...read(), [k]: v }, null, 1) + '\n');
      } catch {
        /* read-only home, full disk: harmless */
      }
    },
  };
}

/** Messages are one line on stderr whatever their source. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').slice(0, 2000);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'problems':
        process.stdout.write(listProblems(rest.includes('--format') && rest.includes('json')));
        return 0;
      case 'flows':
        process.stdout.write(listFlows());
        return 0;
      case 'run': {
        const args = parseRunArgs(rest);
        const spec = getProblemSpec(args.config.problem.id);
        if (!spec) throw new UsageError(`Unknown problem "${args.config.problem.id}"; known: ${PROBLEMS.map((p) => p.id).join(', ')}.`);
        if (Number.isNaN(args.config.eta)) args.config.eta = spec.defaults.eta;
        if (Number.isNaN(args.config.steps)) args.config.steps = spec.defaults.steps;
        if (args.out !== undefined) {
          checkOutPath(args.out);
          checkCreatable(args.out);
        }
        const instance = createProblem(args.config.problem);
        if (args.config.capacity !== undefined) {
          // Per sample and flow: t, loss, predicted loss, osc, dist, eigK sharpnesses, w and δ rows.
          const wDim = instance.problem.dim > MAX_RECORDED_DIM ? 2 : instance.problem.dim;
          const perSample = 8 * (5 + Math.min(instance.problem.dim, args.config.eigK ?? 2) + 2 * wDim);
          const bytes = args.config.capacity * perSample * args.config.flows.length;
          if (bytes > MAX_TRACE_BYTES) {
            const most = Math.floor(MAX_TRACE_BYTES / (perSample * args.config.flows.length) / 2) * 2;
            throw new UsageError(`--capacity ${args.config.capacity} would need ${(bytes / 2 ** 30).toFixed(1)} GiB for these flows; at most ${most} here.`);
          }
        }
        if (args.backend !== 'float64' && spec.kind !== 'network')
          throw new UsageError(`--backend ${args.backend} runs network problems only; '${spec.id}' is a ${spec.kind} problem (use --backend float64).`);
        // The session (engine/session.ts) starts the chosen engine and builds the runner, as the page's worker does.
        const run = await openEngineSession(args.config, { mode: 'stream', engine: args.backend, storage: engineStorage(), instance });
        const info = run.engine;
        let text: string;
        try {
          const runner = run.session.runner;
          runner.advance(args.config.steps);
          const file = () => ({ ...runToJson(runner), engine: { name: info.name, requested: info.requested, summary: info.summary } });
          text =
            args.format === 'table' ? summaryTable(runner, info.summary)
            : args.format === 'csv' ? runFileToCsv(file())
            : JSON.stringify(file()) + '\n';
        } finally {
          run.dispose();
        }
        if (args.out !== undefined) writeWhole(args.out, text);
        else process.stdout.write(text);
        return 0;
      }
      case undefined:
        // No command is a usage error: the usage goes to stderr (stdout stays clean for pipes).
        process.stderr.write(`rodflow: a command is required.\n${USAGE}\n`);
        return 2;
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return 0;
      default:
        throw new UsageError(`Unknown command "${cmd}". ${USAGE.split('\n')[0]} …  (rodflow help)`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      process.stderr.write(`rodflow: ${oneLine(e.message)}\n`);
      return 2;
    }
    // Anything else is a bug, not bad input: still one line and no stack (RODFLOW_DEBUG=1 shows it).
    if (process.env.RODFLOW_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(`rodflow: internal error: ${oneLine(msg)} (please report it; RODFLOW_DEBUG=1 prints the stack).\n`);
    return 1;
  }
}
