/**
 * `rodflow` — the headless CLI over the engine.
 *   rodflow problems [--format json]      list problems, parameters and defaults
 *   rodflow flows                         list flows and their options
 *   rodflow run --problem <id> ...        run flows in lockstep, write JSON (default), CSV or a table
 * Bad arguments: exit code 2 and one line on stderr; output files are written whole or not at all.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { PROBLEMS, getProblemSpec } from '../engine/problems/registry.ts';
import { FLOWS } from '../engine/flows/registry.ts';
import { createRunner } from '../engine/runner.ts';
import { runFileToCsv, runToJson } from '../engine/run-file.ts';
import { InputError } from '../engine/types.ts';
import { parseRunArgs, UsageError } from './args.ts';
import { summaryTable } from './summary.ts';

const USAGE = `usage:
  rodflow problems [--format json]
  rodflow flows
  rodflow run --problem <id> [--param name=value ...] [--choice name=value ...] [--expr "<expression>"]
              [--eta <η>] [--start <x[,y]>] [--steps <N>] [--flows gd,gradient-flow,central-flow,rod-flow]
              [--option <flow>.<name>=<value> ...] [--eig-k <k>] [--capacity <N>]
              [--format json|csv|table] [--out FILE]
Defaults (η, start, steps) come from the problem; see \`rodflow problems\`.`;

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

export function main(argv: string[]): number {
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
        const runner = createRunner(args.config);
        runner.advance(args.config.steps);
        const text =
          args.format === 'table' ? summaryTable(runner)
          : args.format === 'csv' ? runFileToCsv(runToJson(runner))
          : JSON.stringify(runToJson(runner)) + '\n';
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
