/**
 * Seeded CLI-flag fuzzing (issue 12): random command lines over every flag of `rodflow`, with valid,
 * boundary, malformed and prototype-named values, run in-process through main() (cli-harness.ts).
 * `checkCli` states the README's promise: exit 0 with a whole output, or exit 2 with one line on
 * stderr; never a stack, an escaped exception, a temp file left behind, or a file written on failure.
 * Output paths are only ever inside the given scratch directory or refused system paths.
 * Used by test/fuzz-cli.test.ts (short) and scripts/fuzz.ts (long).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunFile } from '../src/engine/run-file.ts';
import { mulberry32 } from '../src/engine/rng.ts';
import { isOneLineUsageError, runCli } from './cli-harness.ts';
import { genExpr, KNOWN_ESCAPES, type Outcome } from './fuzz-expr-gen.ts';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export interface CliFuzzOptions {
  /** Largest valid --steps generated (runs must stay short). */
  maxSteps: number;
  /** Include the tiny networks (slower per step). */
  networks: boolean;
}

const TOYS = ['quadratic', 'quadratic-2d', 'quartic', 'soft-well', 'valley', 'self-stab'];
const NETWORKS = ['mlp-teacher', 'mlp-chebyshev', 'mlp'];
const BAD_IDS = ['nope', '', '__proto__', 'constructor', 'toString', 'VALLEY', 'valley ', '../valley'];
const NUMS = ['0', '1', '-1', '0.3', '2.5', '1e-301', '1e308', '1e309', 'NaN', 'Infinity', '-Infinity', 'abc', '', ' ', '0x10', '1e', '--1', '１', '1,5'];
const PARAMS = ['a=0.5', 'a=1e9', 'S=2.5', 'Q=1', 'lambda=3', 'k=1', 'c=0.5', 'zz=1', '__proto__=1', 'constructor=1', 'toString=1', 'a', '=1', 'a=NaN', 'a=-0.1', 'a=', 'seed=3', 'width=1e9', 'depth=0.5'];
const CHOICES = ['dataset=moons', 'dataset=spiral', 'activation=gelu', '__proto__=x', 'constructor=x', 'dataset', 'zz=1'];
const OPTIONS = ['rod-flow.form=vector', 'rod-flow.form=bogus', 'rod-flow.backwardError=off', 'rod-flow.rtol=1e-300', 'central-flow.substeps=1e9', 'central-flow.maxK=0', 'gradient-flow.rtol=-1', 'gd.__proto__=1', 'gd.constructor=1', 'rod-flow.toString=1', 'gd.t0=5', 'gd.eigK=0', 'sgd.x=1', 'form=vector', 'rod-flow.integrator=rk4', 'central-flow.igr=on'];
const FLOWS = ['gd', 'gd,rod-flow', 'gd,gradient-flow,central-flow,rod-flow', 'central-flow', 'gd,gd', 'sgd', '', ',', 'rod-flow,gd', 'GD'];
const FORMATS = ['json', 'csv', 'table', 'xml', '', 'JSON'];
const BACKENDS = ['float64', 'float64', 'float64', 'gpu', '', 'FLOAT64'];
const STARTS = ['0.2,0.2', '-0.5', '0.5', '1e308,1e308', 'a', '', '0.2,0.2,0.2', '-0.2,-0.2', 'NaN', '0.01'];

export interface CliCase {
  argv: string[];
  /** An --out path inside the scratch directory that must not exist after a refused run. */
  freshOut?: string;
}

/** One random command line; `dir` is a scratch directory (holds `sub/`, created here). */
export function genCli(r: Rand, dir: string, o: CliFuzzOptions, n: number): CliCase {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  const c = r();
  if (c < 0.03) return { argv: [] };
  if (c < 0.06) return { argv: [pick(r, ['problems', 'flows', 'help', 'frobnicate', '--help', 'run2', '-h']), ...(r() < 0.5 ? ['--format', pick(r, FORMATS)] : [])] };
  // Two in five lines use valid values only, so runs (not just refusals) are exercised too.
  const valid = r() < 0.4;
  const argv = ['run'];
  const add = (flag: string, value?: string) => {
    argv.push(flag);
    if (value !== undefined) argv.push(value);
  };
  const p = r();
  const problem = p < 0.6 ? pick(r, TOYS) : p < 0.8 ? 'custom' : (p < 0.9 || valid) && o.networks ? pick(r, NETWORKS) : valid ? 'valley' : pick(r, BAD_IDS);
  if (problem === 'custom') {
    if (r() < 0.8) add('--expr', r() < 0.15 ? pick(r, KNOWN_ESCAPES).slice(0, 2000) : genExpr(r));
    if (r() < 0.2) add('--problem', 'custom');
  } else {
    add('--problem', problem);
    if (r() < 0.1 && !valid) add('--expr', genExpr(r));
  }
  if (valid) {
    add('--steps', String(Math.floor(r() * (o.maxSteps + 1))));
    if (r() < 0.5) add('--eta', pick(r, ['0.3', '0.05', '1', '2.5', '1e-3']));
    if (r() < 0.3 && TOYS.includes(problem)) add('--start', pick(r, problem === 'quadratic-2d' || problem === 'valley' || problem === 'self-stab' ? ['0.2,0.2', '-0.3,0.1'] : ['0.5', '-0.4']));
    add('--flows', pick(r, ['gd', 'gd,rod-flow', 'gd,gradient-flow,central-flow,rod-flow', 'central-flow']));
    if (r() < 0.3) add('--format', pick(r, ['json', 'csv', 'table']));
    if (r() < 0.3) add('--capacity', pick(r, ['16', '64', '1000']));
    if (r() < 0.2) add('--option', pick(r, ['rod-flow.form=vector', 'rod-flow.integrator=rk4', 'central-flow.igr=on']));
    if (r() < 0.3) add('--out', join(dir, `run-${n}.json`));
    return { argv };
  }
  // Steps: mostly valid and small, sometimes boundary or malformed (never a long valid run).
  const s = r();
  add('--steps', s < 0.7 ? String(Math.floor(r() * (o.maxSteps + 1))) : pick(r, ['-1', '1.5', '1e12', '10000001', 'x', '', '0']));
  const flags = 1 + Math.floor(r() * 5);
  for (let i = 0; i < flags; i++) {
    switch (Math.floor(r() * 13)) {
      case 0: add('--param', pick(r, PARAMS)); break;
      case 1: add('--choice', pick(r, CHOICES)); break;
      case 2: add('--eta', r() < 0.5 ? pick(r, ['0.3', '0.05', '1', '2.5']) : pick(r, NUMS)); break;
      case 3: add('--start', pick(r, STARTS)); break;
      case 4: add('--flows', pick(r, FLOWS)); break;
      case 5: add('--option', pick(r, OPTIONS)); break;
      case 6: add('--eig-k', pick(r, ['1', '2', '3', '0', '1e9', 'x', '-1'])); break;
      case 7: add('--capacity', pick(r, ['16', '64', '17', '4', '1e12', '100', '-16', '1000000'])); break;
      case 8: add('--format', pick(r, FORMATS)); break;
      case 9: add('--backend', pick(r, BACKENDS)); break;
      case 10: {
        const out = pick(r, [`run-${n}.json`, `missing-${n}/x.json`, 'sub', 'sub/', '/proc', '/proc/rodflow-fuzz.json', '/sys', '/sys/rodflow-fuzz.json', '', '/dev/null']);
        add('--out', out.startsWith('/') || out === '' ? out : join(dir, out));
        break;
      }
      case 11: argv.push(pick(r, ['--bogus', 'positional', '-x', '--', '--eta', '--param', '--out='])); break;
      default: add('--flows', 'gd');
    }
  }
  if (!argv.includes('--flows') && r() < 0.7) add('--flows', 'gd');
  const outAt = argv.lastIndexOf('--out');
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  return { argv, ...(out && out.startsWith(dir) && !out.endsWith('/') && !out.endsWith('sub') ? { freshOut: out } : {}) };
}

export function cliCases(seed: number, n: number, dir: string, o: CliFuzzOptions): CliCase[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => genCli(r, dir, o, i));
}

function tempFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.tmp')) found.push(join(d, e.name));
    }
  };
  walk(dir);
  return found;
}

/** Runs one command line and checks the promise; `dir` is the scratch directory. */
export async function checkCli(c: CliCase, dir: string): Promise<Outcome> {
  const r = await runCli(c.argv);
  const v = (message: string): Outcome => ({ kind: 'violation', ms: r.ms, message: `${message} (exit ${r.code}; stderr ${JSON.stringify(r.stderr.slice(0, 200))})` });
  if (r.thrown !== undefined) return v(`main threw ${String((r.thrown as Error)?.stack ?? r.thrown).slice(0, 300)}`);
  if (/\n\s+at .*:\d+/.test(r.stderr)) return v('stack trace on stderr');
  const tmp = tempFiles(dir);
  if (tmp.length) return v(`temp file left: ${tmp[0]}`);
  if (r.code === 2) {
    if (c.argv.length === 0) return r.stdout === '' && r.stderr.startsWith('rodflow: ') ? { kind: 'refused', ms: r.ms, message: 'usage' } : v('bare usage contract');
    if (!isOneLineUsageError(r)) return v('exit 2 without exactly one "rodflow: " line');
    if (c.freshOut && existsSync(c.freshOut)) return v(`refused run wrote ${c.freshOut}`);
    return { kind: 'refused', ms: r.ms, message: r.stderr.trim() };
  }
  if (r.code !== 0) return v('exit code is neither 0 nor 2');
  if (r.stderr !== '') return v('exit 0 with text on stderr');
  // A successful run's output is whole: a run file parses, CSV has a header, a table has a title.
  if (c.argv[0] === 'run') {
    const fmt = c.argv[c.argv.lastIndexOf('--format') + 1];
    const format = c.argv.includes('--format') ? fmt : 'json';
    const outAt = c.argv.lastIndexOf('--out');
    let text = r.stdout;
    if (outAt >= 0) {
      if (r.stdout !== '') return v('--out given but stdout not empty');
      const { readFileSync } = await import('node:fs');
      text = readFileSync(c.argv[outAt + 1], 'utf8');
    }
    try {
      if (format === 'json') parseRunFile(text);
      else if (format === 'csv' && !text.startsWith('flow,t,loss')) return v('CSV without its header');
      else if (format === 'table' && !text.includes('η =')) return v('table without its title');
    } catch (e) {
      return v(`output does not parse: ${(e as Error).message.slice(0, 200)}`);
    }
  }
  return { kind: 'ok', ms: r.ms };
}
