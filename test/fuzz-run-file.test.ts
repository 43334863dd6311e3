/** Run-file fuzzing, short form (issue 12); the long form is `npm run fuzz` (see test/fuzz-run-file-gen.ts). */
import { describe, expect, it } from 'vitest';
import { checkRunFileCase, runFileCases } from './fuzz-run-file-gen.ts';
import { newStats, record } from './fuzz-expr-gen.ts';

describe('run-file fuzz (short)', () => {
  it('400 seeded mutated run files (seed 5): a valid run or one clear InputError line', () => {
    const stats = newStats();
    for (const c of runFileCases(5, 400)) record(stats, c.what, checkRunFileCase(c));
    console.log(`run-file fuzz: ${stats.inputs} files, ${stats.ok} accepted, ${stats.refused} refused, ${stats.violations.length} violations; slowest ${stats.slowest.ms.toFixed(0)} ms; peak RSS ${stats.peakRssMB.toFixed(0)} MB`);
    expect(stats.violations).toEqual([]);
    expect(stats.ok).toBeGreaterThan(10);
    expect(stats.refused).toBeGreaterThan(200);
    expect(stats.slowest.ms).toBeLessThan(3000);
  });
});
