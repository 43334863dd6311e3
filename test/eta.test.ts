/** One rule for η (src/engine/eta.ts): every consumer accepts and refuses the same values. */
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../src/cli/args.ts';
import { MAX_ETA, checkEta, etaProblem } from '../src/engine/eta.ts';
import { createRunner } from '../src/engine/runner.ts';
import { parseUrl } from '../src/state/url.ts';

const run = (eta: number) => () => createRunner({ problem: { id: 'quadratic' }, eta, steps: 1, flows: ['gd'] });
const cli = (eta: string) => () => parseRunArgs(['--problem', 'quadratic', '--eta', eta]);
const link = (eta: string) => parseUrl(`v=1&problem=quadratic&eta=${eta}`);

describe('step size η', () => {
  it('the rule: finite, positive, at most MAX_ETA', () => {
    expect(MAX_ETA).toBe(1000);
    for (const ok of [1e-300, 0.3, 1000]) expect(etaProblem(ok)).toBeNull();
    expect(etaProblem(0)).toBe('must be positive');
    expect(etaProblem(-1)).toBe('must be positive');
    expect(etaProblem(1000.5)).toBe('must be at most 1000');
    for (const bad of [NaN, Infinity, '1', null]) expect(etaProblem(bad)).toBe('must be a finite number');
    expect(() => checkEta(2000)).toThrow(/Step size η must be at most 1000 \(got 2000\)/);
  });

  it('the runner, the CLI and the link reader accept and refuse the same values', () => {
    for (const eta of [0.3, 1000]) {
      expect(run(eta)).not.toThrow();
      expect(cli(String(eta))).not.toThrow();
      expect(link(String(eta)).settings.eta).toBe(eta);
    }
    for (const eta of [0, -1, 1001]) {
      expect(run(eta)).toThrow(/Step size η must be/);
      expect(cli(String(eta))).toThrow(/--eta must be/);
      const r = link(String(eta));
      expect(r.settings.eta).not.toBe(eta);
      expect(r.ignored.join(' ')).toMatch(/η must be/);
    }
  });
});
