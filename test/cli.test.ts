import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunFile } from '../src/engine/run-file.ts';
import { createRunner } from '../src/engine/runner.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'rodflow.mjs');
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('rodflow CLI', () => {
  it('lists problems with parameters and defaults', () => {
    const r = cli('problems');
    expect(r.status).toBe(0);
    for (const id of ['quadratic', 'quartic', 'soft-well', 'valley', 'self-stab', 'custom']) expect(r.stdout).toContain(id);
    const json = JSON.parse(cli('problems', '--format', 'json').stdout) as { id: string; defaults: { eta: number } }[];
    expect(json.find((p) => p.id === 'valley')?.defaults.eta).toBe(0.3);
  });

  it('run writes schema-1 JSON whose numbers equal the engine run in-process', () => {
    const r = cli('run', '--problem', 'valley', '--param', 'a=0.5', '--eta', '0.3', '--start', '0.2,0.2', '--steps', '300');
    expect(r.status, r.stderr).toBe(0);
    const file = parseRunFile(r.stdout);
    expect(Object.keys(file.flows).sort()).toEqual(['central-flow', 'gd', 'gradient-flow', 'rod-flow']);
    expect(file.flows.gd!.delta).toBeDefined();
    expect(file.flows['rod-flow']!.delta).toBeDefined();
    expect(file.flows['central-flow']!.sigma2).toBeDefined();
    const run = createRunner({ problem: { id: 'valley', params: { a: 0.5 } }, eta: 0.3, start: [0.2, 0.2], steps: 300, flows: ['gd', 'gradient-flow', 'central-flow', 'rod-flow'] });
    run.advance(300);
    for (const id of ['gd', 'central-flow', 'rod-flow'] as const) {
      const tr = run.traces[id]!;
      const last = tr.length - 1;
      expect(file.flows[id]!.w[last]).toEqual(Array.from(tr.w.subarray(last * tr.wDim, (last + 1) * tr.wDim)));
    }
    // GD's iterate follows w_{k+1} = w_k − η∇L exactly (independent oracle: the valley's gradient by hand).
    const w = file.flows.gd!.w as number[][];
    const [x, y] = w[0];
    const c = 1 - 0.5 * x * x - y * y;
    expect(w[1][0]).toBeCloseTo(x - 0.3 * (2 * c * -x), 14);
    expect(w[1][1]).toBeCloseTo(y - 0.3 * (2 * c * -2 * y), 14);
  });

  it('writes CSV and tables; --out writes the whole file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rodflow-'));
    const out = join(dir, 'q.csv');
    const r = cli('run', '--problem', 'quartic', '--eta', '1', '--start', '0.01', '--steps', '50', '--flows', 'gd,rod-flow', '--format', 'csv', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0].startsWith('flow,t,loss')).toBe(true);
    expect(lines.length).toBe(1 + 2 * 51);
    expect(readdirSync(dir)).toEqual(['q.csv']);
    const t = cli('run', '--problem', 'valley', '--steps', '100', '--format', 'table');
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/central-flow/);
  });

  it('custom expressions run, and a bad one exits 2 with the position', () => {
    const ok = cli('run', '--expr', 'x^2/sqrt(1+x^2)', '--eta', '0.7', '--start', '3', '--steps', '20', '--flows', 'gd');
    expect(ok.status, ok.stderr).toBe(0);
    const bad = cli('run', '--expr', 'x^2 +* 3', '--steps', '5');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/char|position|column/i);
  });

  it('bad arguments exit 2 with one line on stderr and write nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rodflow-'));
    const out = join(dir, 'never.json');
    for (const args of [
      ['run', '--problem', 'nope', '--out', out],
      ['run', '--problem', 'valley', '--eta', 'x', '--out', out],
      ['run', '--problem', 'valley', '--param', 'a=1e9', '--out', out],
      ['frobnicate'],
    ]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr.startsWith('rodflow: ')).toBe(true);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a diverging run records where it stopped and why', () => {
    const r = cli('run', '--problem', 'quadratic', '--eta', '2.5', '--start', '1', '--steps', '2000', '--flows', 'gd');
    expect(r.status, r.stderr).toBe(0);
    const gd = parseRunFile(r.stdout).flows.gd!;
    expect(gd.stopped?.step).toBeGreaterThan(0);
    expect(gd.stopped?.reason).toMatch(/2\/η/);
  });
});
