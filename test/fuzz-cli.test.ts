/**
 * CLI-flag fuzzing, short form (issue 12): seeded random command lines over every flag, run in-process.
 * Contract per line: exit 0 with whole output, or exit 2 with one "rodflow: " line; no stack, no
 * escaped exception, no temp file, nothing written by a refused run; bounded time and memory.
 * `npm run fuzz` runs the long form (more lines, the networks too).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCli, cliCases } from './fuzz-cli-gen.ts';
import { newStats, record } from './fuzz-expr-gen.ts';

describe('CLI fuzz (short)', () => {
  it('150 seeded command lines (seed 12): exit 0 with whole output or exit 2 with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rodflow-fuzz-'));
    const cache = process.env.RODFLOW_CACHE_DIR;
    process.env.RODFLOW_CACHE_DIR = dir;
    const stats = newStats();
    try {
      for (const c of cliCases(12, 150, dir, { maxSteps: 100, networks: false })) record(stats, c.argv.join(' '), await checkCli(c, dir));
    } finally {
      if (cache === undefined) delete process.env.RODFLOW_CACHE_DIR;
      else process.env.RODFLOW_CACHE_DIR = cache;
    }
    console.log(`cli fuzz: ${stats.inputs} lines, ${stats.ok} ran, ${stats.refused} refused, ${stats.violations.length} violations; slowest ${stats.slowest.ms.toFixed(0)} ms; peak RSS ${stats.peakRssMB.toFixed(0)} MB`);
    expect(stats.violations).toEqual([]);
    expect(stats.ok).toBeGreaterThan(30);
    expect(stats.refused).toBeGreaterThan(30);
    expect(stats.slowest.ms).toBeLessThan(10_000);
    expect(stats.peakRssMB).toBeLessThan(1500);
  });
});
