/**
 * Bad input to `rodflow run` (issue 12, rows 4, 5, 6b, 11, 14): exit 2, one line naming what is wrong,
 * nothing written and no temp file left. In-process through main() (see cli-harness.ts); one spawn
 * checks the same promise through bin/rodflow.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunFile } from '../src/engine/run-file.ts';
import { isOneLineUsageError, runCli } from './cli-harness.ts';

const VALLEY = ['run', '--problem', 'valley', '--steps', '20', '--flows', 'gd'];

describe('rodflow run: --out', () => {
  it('a missing directory, a directory, dir/, /proc, /sys, a device: exit 2, one line with the path and the reason, nothing left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rodflow-out-'));
    mkdirSync(join(dir, 'sub'));
    const cases: [string, RegExp][] = [
      [join(dir, 'missing', 'run.json'), /does not exist/],
      [join(dir, 'sub'), /is a directory/],
      [join(dir, 'sub') + '/', /ends in a path separator/],
      ['/proc', /is a directory/],
      ['/proc/rodflow-never.json', /cannot be created|permission denied/],
      ['/proc/self/status', /cannot be created|permission denied|not a regular file/],
      ['/sys', /is a directory/],
      ['/sys/rodflow-never.json', /cannot be created|permission denied|read-only/],
      ['/dev/null', /not a regular file/],
    ];
    for (const [out, why] of cases) {
      const r = await runCli([...VALLEY, '--out', out]);
      expect(isOneLineUsageError(r), `${out}: ${r.code} ${r.stderr}`).toBe(true);
      expect(r.stderr).toContain(`--out ${out}:`);
      expect(r.stderr, out).toMatch(why);
      expect(r.stdout).toBe('');
    }
    expect(readdirSync(dir)).toEqual(['sub']);
    expect(readdirSync(join(dir, 'sub'))).toEqual([]);
    expect(readdirSync('/proc').some((n) => n.includes('rodflow'))).toBe(false);
  });

  it("--out '' is refused; a good --out replaces an existing file whole and leaves no temp file", async () => {
    const empty = await runCli([...VALLEY, '--out', '']);
    expect(isOneLineUsageError(empty), empty.stderr).toBe(true);
    expect(empty.stderr).toMatch(/--out needs a file name/);
    const dir = mkdtempSync(join(tmpdir(), 'rodflow-out-'));
    const out = join(dir, 'run.json');
    writeFileSync(out, 'old');
    const ok = await runCli([...VALLEY, '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(parseRunFile(readFileSync(out, 'utf8')).flows.gd!.t.length).toBe(21);
    expect(readdirSync(dir)).toEqual(['run.json']);
  });
});

describe('rodflow run: flags', () => {
  const bad: [string[], RegExp][] = [
    [['--capacity', '1e12'], /--capacity must be an even integer in \[16, 1000000\]/],
    [['--capacity', '17'], /even integer/],
    [['--eta', '-1'], /--eta must be positive, got -1/],
    [['--steps', '-1'], /--steps must be an integer in \[0, 10000000\], got -1/],
    [['--start', '-0.2,x'], /--start coordinate must be a finite number/],
    [['--expr', 'x^2'], /--expr defines a custom problem but --problem is 'valley'/],
    [['--param', 'constructor=1'], /Unknown parameter 'constructor' for 'valley'/],
    [['--param', '__proto__=1'], /Unknown parameter '__proto__' for 'valley'/],
    [['--param', 'toString=1'], /Unknown parameter 'toString'/],
    [['--param', 'a=1', '--param', 'a=2'], /given twice/],
    [['--choice', '__proto__=x'], /Unknown choice '__proto__'/],
    [['--choice', 'constructor=x'], /Unknown choice 'constructor'/],
    [['--option', 'gd.__proto__=1'], /Flow 'gd' has no option '__proto__'/],
    [['--option', 'gd.constructor=1'], /Flow 'gd' has no option 'constructor'/],
    [['--eig-k', '1e9'], /--eig-k must be an integer in \[1, 64\]/],
    [['--out'], /--out/],
  ];
  it.each(bad)('%j: exit 2 with one clear line', async (flags, msg) => {
    const r = await runCli([...VALLEY, ...flags]);
    expect(isOneLineUsageError(r), r.stderr).toBe(true);
    expect(r.stderr).toMatch(msg);
  });

  it('expressions with prototype names and parameters named like them are refused like unknown names', async () => {
    for (const [args, msg] of [
      [['--expr', '__proto__'], /Unknown symbol '__proto__'/],
      [['--expr', 'x + constructor'], /Unknown symbol 'constructor' at char 5/],
      [['--expr', 'toString'], /Unknown symbol 'toString'/],
      [['--expr', 'x^2', '--param', '__proto__=1'], /Unknown parameter '__proto__'/],
      [['--expr', 'constructor*x^2', '--param', 'constructor=1'], /Unknown parameter 'constructor'/],
    ] as [string[], RegExp][]) {
      const r = await runCli(['run', '--steps', '5', ...args]);
      expect(isOneLineUsageError(r), r.stderr).toBe(true);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('no command: usage on stderr, exit 2, stdout empty; help: usage on stdout, exit 0', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^rodflow: a command is required\.\nusage:/);
    const help = await runCli(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage:/);
  });

  it('a 120 KB expression and a deeply nested one: one line with the stated limit', async () => {
    const long = await runCli(['run', '--steps', '5', '--expr', 'x+'.repeat(60_000) + 'x']);
    expect(isOneLineUsageError(long), long.stderr.slice(0, 300)).toBe(true);
    expect(long.stderr).toMatch(/120001 characters long; the limit is 1000/);
    const deep = await runCli(['run', '--steps', '5', '--expr', 'sin('.repeat(200) + 'x' + ')'.repeat(200)]);
    expect(isOneLineUsageError(deep), deep.stderr).toBe(true);
    expect(deep.stderr).toMatch(/limit/);
  });

  it('a run through a pole (1/x from -0.5) never prints a stack: exit 0 with a run file, or exit 2 with one line', async () => {
    for (const start of ['-0.5', '0.5']) {
      const r = await runCli(['run', '--expr', '1/x', '--start', start, '--eta', '0.01', '--steps', '1000']);
      expect(r.thrown).toBeUndefined();
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (r.code === 0) {
        const file = parseRunFile(r.stdout);
        for (const f of Object.values(file.flows)) {
          // Every recorded loss is finite: a flow that went non-finite stops there, with a reason.
          for (const v of f!.loss) expect(Number.isFinite(v)).toBe(true);
          if (f!.stopped) expect(f!.stopped.reason.length).toBeGreaterThan(0);
        }
      } else expect(isOneLineUsageError(r), r.stderr).toBe(true);
    }
  });
});

describe('rodflow through bin/rodflow.mjs', () => {
  it('bad input from a real process: exit 2, one line, no stack, no file', () => {
    const bin = join(import.meta.dirname, '..', 'bin', 'rodflow.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'rodflow-out-'));
    const r = spawnSync(process.execPath, [bin, 'run', '--problem', 'valley', '--steps', '5', '--capacity', '1e12', '--out', join(dir, 'x.json')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^rodflow: --capacity/);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });
});
