/**
 * engine/format.ts, the one number formatter (issue 11, "6 number formatters"). Each style a caller uses is
 * checked against an independent writer of the same text over seeded values of every magnitude: d3-format
 * for the plots' style, and Number#toPrecision / #toExponential / #toFixed spelled out as each caller
 * wrote them before it moved here (so no pinned text changes).
 */
import { format as d3format } from 'd3';
import { describe, expect, it } from 'vitest';
import { formatNumber, groupThousands, JS_STYLE, PLOT_STYLE } from '../src/engine/format.ts';
import { mulberry32 } from '../src/engine/rng.ts';

/** Values of every magnitude and sign, the boundaries of the usual ranges, rounding edges and specials. */
function values(seed: number, n: number): number[] {
  const r = mulberry32(seed);
  const out = [0, -0, 1, -1, 1e-3, 9.9995e-4, 99999.5, 1e5, 99995, 1e-6, 9.99999e-7, 1e21, 1e-7, 0.5, 2.5, 12345.6, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, 1234567];
  for (let i = 0; i < n; i++) {
    const mag = 10 ** (Math.floor(r() * 60) - 30);
    const v = (r() < 0.5 ? -1 : 1) * mag * (1 + 9 * r());
    out.push(r() < 0.1 ? Math.round(v) : v);
  }
  return out;
}

describe('formatNumber', () => {
  it('plots\' style equals d3-format (".{sig-1}~e" outside [1e-3, 1e5), ".{sig}~r" inside, true minus)', () => {
    const d3style = (v: number, sig: number) => {
      const a = Math.abs(v);
      if (v === 0) return '0';
      const s = a >= 1e5 || a < 1e-3 ? d3format(`.${sig - 1}~e`)(v).replace('e+', 'e') : d3format(`.${sig}~r`)(v);
      return s.replace(/[-\u2212]/g, '−');
    };
    for (const sig of [1, 2, 3, 4, 6]) for (const v of values(sig, 2000)) expect(formatNumber(v, { ...PLOT_STYLE, sig }), `${v} sig ${sig}`).toBe(d3style(v, sig));
    expect([NaN, Infinity, -Infinity].map((v) => formatNumber(v, PLOT_STYLE))).toEqual(['—', '∞', '−∞']);
  });

  it('JavaScript style equals String(Number(v.toPrecision(sig))); exactIntegers writes integers whole', () => {
    for (const sig of [3, 4, 6]) for (const v of values(10 + sig, 2000)) expect(formatNumber(v, { ...JS_STYLE, sig }), String(v)).toBe(String(Number(v.toPrecision(sig))));
    for (const v of values(20, 500)) {
      const old = Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
      expect(formatNumber(v, { ...JS_STYLE, sig: 6, exactIntegers: true }), String(v)).toBe(old);
    }
    expect(formatNumber(1234567, { ...JS_STYLE, sig: 6, exactIntegers: true })).toBe('1234567');
    expect(formatNumber(1234567, { ...JS_STYLE, sig: 6 })).toBe('1234570');
    expect([NaN, Infinity, -Infinity].map((v) => formatNumber(v, JS_STYLE))).toEqual(['NaN', 'Infinity', '-Infinity']);
  });

  it("untrimmed style equals toExponential(sig − 1) outside the range and toPrecision(sig) inside (the CLI table's)", () => {
    for (const v of values(30, 3000)) {
      const a = Math.abs(v);
      const old = a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
      expect(formatNumber(v, { sig: 4, trim: 'none', expPlus: true }), String(v)).toBe(old);
    }
    expect(formatNumber(0, { sig: 4, trim: 'none' })).toBe('0.000');
    expect(formatNumber(12345.6, { sig: 4, trim: 'none', expPlus: true })).toBe('1.235e+4');
  });

  it("trimmed plain, untrimmed exponent (the engine's stop reasons)", () => {
    for (const v of values(40, 3000)) {
      const a = Math.abs(v);
      const old = a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
      expect(formatNumber(v, { sig: 3, trim: 'plain', expPlus: true }), String(v)).toBe(old);
    }
    expect(formatNumber(2.37e13, { sig: 3, trim: 'plain', expPlus: true })).toBe('2.37e+13');
    expect(formatNumber(1e-4, { sig: 3, trim: 'plain', expPlus: true })).toBe('1.00e-4');
  });

  it('fixed decimals equal toFixed', () => {
    for (const v of values(50, 1000)) for (const d of [0, 1, 3]) expect(formatNumber(v, { fixed: d })).toBe(v.toFixed(d));
  });

  it('hand cases: defaults, signs, exponents, non-finite texts', () => {
    expect(formatNumber(0.000123)).toBe('1.23e-4');
    expect(formatNumber(123456)).toBe('1.235e5');
    expect(formatNumber(-2.5, { minus: 'true' })).toBe('−2.5');
    expect(formatNumber(-1.5e-7, { minus: 'true' })).toBe('−1.5e−7');
    expect(formatNumber(1e5, { expPlus: true })).toBe('1e+5');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(NaN, { nan: '' })).toBe('');
    expect(formatNumber(0.1 + 0.2, { sig: 17 })).toBe('0.30000000000000004');
  });

  it("groupThousands writes counts as toLocaleString('en') does (without Intl's first-call cost)", () => {
    const ints = values(7, 2000)
      .filter((v) => Math.abs(v) < 1e21 && !Object.is(v, -0))
      .map((v) => Math.round(v))
      .filter((v) => !Object.is(v, -0));
    for (const v of [...ints, 0, 999, 1000, 999999, 1000000, 240004, 15004, 4096]) expect(groupThousands(v)).toBe(v.toLocaleString('en', { maximumFractionDigits: 0 }));
  });
});
