/** URL-field fuzzing, short form (issue 12); the long form is `npm run fuzz` (see test/fuzz-url-gen.ts). */
import { describe, expect, it } from 'vitest';
import { checkUrl, urlCases } from './fuzz-url-gen.ts';
import { newStats, record } from './fuzz-expr-gen.ts';

describe('URL fuzz (short)', () => {
  it('1500 seeded links (seed 7): settings a page can open, one clear line per ignored part, stable round trip', () => {
    const stats = newStats();
    for (const c of urlCases(7, 1500)) record(stats, c.link, checkUrl(c));
    console.log(`url fuzz: ${stats.inputs} links, ${stats.ok} clean, ${stats.refused} with notices, ${stats.violations.length} violations; slowest ${stats.slowest.ms.toFixed(1)} ms`);
    expect(stats.violations).toEqual([]);
    expect(stats.ok).toBeGreaterThan(20);
    expect(stats.refused).toBeGreaterThan(500);
    expect(stats.slowest.ms).toBeLessThan(2000);
  });
});
