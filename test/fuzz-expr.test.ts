/**
 * Expression fuzzing, short form (issue 12): the known escapes and blow-ups plus seeded grammar output
 * and mutations. Contract per input: a one-line InputError or a working problem (derivatives and 20
 * GD steps run), nothing else thrown, bounded time and memory. `npm run fuzz` runs the long form.
 */
import { describe, expect, it } from 'vitest';
import { checkBound, checkExpr, exprCases, KNOWN_ESCAPES, newStats, record } from './fuzz-expr-gen.ts';

/** Per-input wall time allowed on a loaded 2-core machine; the engine's own budget keeps compiles ≲ 1 s. */
const MAX_MS_PER_INPUT = 8000;

describe('expression fuzz (short)', () => {
  it(`known escapes and ${220 - KNOWN_ESCAPES.length} generated inputs (seed 12): a clear line or a working problem`, () => {
    const stats = newStats();
    const boundFailures: string[] = [];
    for (const c of exprCases(12, 220)) {
      record(stats, c.expr, checkExpr(c));
      const b = checkBound(c.expr);
      if (b) boundFailures.push(b);
    }
    console.log(`expr fuzz: ${stats.inputs} inputs, ${stats.ok} ok, ${stats.refused} refused, ${stats.violations.length} violations; slowest ${stats.slowest.ms.toFixed(0)} ms (${stats.slowest.input.slice(0, 40)}…); peak RSS ${stats.peakRssMB.toFixed(0)} MB`);
    expect(stats.violations).toEqual([]);
    expect(boundFailures).toEqual([]);
    expect(stats.ok).toBeGreaterThan(20);
    expect(stats.slowest.ms).toBeLessThan(MAX_MS_PER_INPUT);
    expect(stats.peakRssMB).toBeLessThan(1500);
  });

  it('every known escape is refused (none builds a problem)', () => {
    const escapes = KNOWN_ESCAPES.filter((e) => /import|evaluate|constructor|toString|apply|matrix|createUnit|simplify|parse|compile|__proto__|=|;|\[|\{|"|'/.test(e));
    expect(escapes.length).toBeGreaterThan(20);
    for (const expr of escapes) expect(checkExpr({ expr, params: {} }).kind, expr).toBe('refused');
  });
});
