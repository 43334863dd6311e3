/**
 * `rodflow` — the headless CLI over the engine.
 *   rodflow problems [--format json]      list problems, parameters and defaults
 *   rodflow flows                         list flows and their options
 *   rodflow run --problem <id> ...        run flows in lockstep, write JSON (default), CSV or a table
 * Bad arguments: exit code 2 and one line on stderr; output files are written whole or not at all.
 * `--backend` runs a network's flows on its tfjs float32 twin (engine-backend.ts); 'auto' remembers its
 * calibrated choice in a small JSON file (engineStorage below).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { createProblem, PROBLEMS, getProblemSpec } from '../engine/problems/registry.ts';
import { FLOWS } from '../engine/flows/registry.ts';
import { createRunner } from '../engine/runner.ts';
import { runFileToCsv, runToJson } from '../engine/run-file.ts';
import { InputError } from '../engine/types.ts';
import type { KeyValueStore } from '../engine/gpu/backend.ts';
import { ENGINE_LABELS, networkProblemOn, type EngineInfo } from '../engine/gpu/engine-backend.ts';
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

/** Write all or nothing: a temp file next to the target, renamed into place. */
function writeWhole(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

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
        const instance = createProblem(args.config.problem);
        let engine: { problem: typeof instance.problem; info: EngineInfo; dispose(): void } | null = null;
        if (args.backend !== 'float64') {
          if (spec.kind !== 'network')
            throw new UsageError(`--backend ${args.backend} runs network problems only; '${spec.id}' is a ${spec.kind} problem (use --backend float64).`);
          const w0 = args.config.start ? Float64Array.from(args.config.start) : instance.start;
          engine = await networkProblemOn(instance.problem, w0, args.backend, { storage: engineStorage() });
        }
        const info = engine?.info ?? { name: 'float64', requested: 'float64', summary: ENGINE_LABELS.float64 };
        let text: string;
        try {
          const runner = createRunner(args.config, engine ? { ...instance, problem: engine.problem } : instance);
          runner.advance(args.config.steps);
          const file = () => ({ ...runToJson(runner), engine: { name: info.name, requested: info.requested, summary: info.summary } });
          text =
            args.format === 'table' ? summaryTable(runner, info.summary)
            : args.format === 'csv' ? runFileToCsv(file())
            : JSON.stringify(file()) + '\n';
        } finally {
          engine?.dispose();
        }
        if (args.out) writeWhole(args.out, text);
        else process.stdout.write(text);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${cmd}". ${USAGE.split('\n')[0]} …  (rodflow help)`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      process.stderr.write(`rodflow: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
