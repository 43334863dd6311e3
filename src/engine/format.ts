/**
 * The one number formatter (DOM-free; used by the plots, the page's status lines, the CLI and the engine's
 * messages). Each caller states its style through options instead of keeping its own copy, so the texts a
 * test pins stay as they were:
 *
 *  - `sig` significant digits (1–21);
 *  - plain notation for 0 and for `range[0] ≤ |v| < range[1]`, scientific outside it;
 *  - `trim`: drop trailing zeros of the fraction ('both'), keep exactly `sig` digits as
 *    Number#toPrecision / #toExponential write them ('none'), or trim the plain form only ('plain');
 *  - `expPlus`: "1e+5" (JavaScript's spelling) or "1e5";
 *  - `minus`: ASCII hyphen-minus or the true minus U+2212 (typeset text: plots, labels);
 *  - the texts for NaN, +∞ and −∞;
 *  - `exactIntegers`: integers written whole (every digit), never rounded to `sig`;
 *  - `fixed`: a fixed number of decimals instead of significant digits (Number#toFixed).
 *
 * Exact round-trip text (a number field, a link) is String(v), not this: see ui/NumberField.tsx, state/url.ts.
 */

export interface FormatOptions {
  /** Significant digits, 1–21 (default 4). */
  sig?: number;
  /** [lo, hi): |v| in it (and 0) is written plainly, anything else in scientific notation; judged on v before rounding (default [1e-3, 1e5]). */
  range?: readonly [number, number];
  /** Trailing zeros: 'both' trims them everywhere (default), 'none' keeps exactly `sig` digits, 'plain' trims the plain form only. */
  trim?: 'both' | 'none' | 'plain';
  /** Write the exponent's plus sign, "1e+5" (default false: "1e5"). */
  expPlus?: boolean;
  /** 'ascii' (default) or 'true' (U+2212, for typeset text). */
  minus?: 'ascii' | 'true';
  /** Text for NaN (default 'NaN'). */
  nan?: string;
  /** Text for +∞ (default 'Infinity'). */
  inf?: string;
  /** Text for −∞ (default '-Infinity'; the `minus` option does not apply to it). */
  negInf?: string;
  /** Integers are written whole (String(v)), not rounded to `sig` digits (default false). */
  exactIntegers?: boolean;
  /** Decimals after the point (0–100), instead of significant digits: Number#toFixed; `range` and `trim` do not apply. */
  fixed?: number;
}

/**
 * String(Number(v.toPrecision(sig))): JavaScript's shortest text of v rounded to `sig` digits (η in labels,
 * parameters in messages). Every value takes the plain branch, whose String switches to "1e-7" / "1e+21"
 * by itself, judged on the rounded value (so 9.99999e-7 at 4 digits is "0.000001", as before).
 */
export const JS_STYLE = { range: [0, Infinity], trim: 'both' } as const satisfies FormatOptions;

/** Plots and the page's typeset numbers: trimmed, "1.5e5", true minus, a dash for NaN, ∞ for infinities. */
export const PLOT_STYLE = { trim: 'both', expPlus: false, minus: 'true', nan: '—', inf: '∞', negInf: '−∞' } as const satisfies FormatOptions;

const TRUE_MINUS = '\u2212';

/** Drops the fraction's trailing zeros (and a bare point) of a plain decimal: "1.500" → "1.5", "2.0" → "2". */
function trimFraction(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

export function formatNumber(v: number, opts: FormatOptions = {}): string {
  if (Number.isNaN(v)) return opts.nan ?? 'NaN';
  if (v === Infinity) return opts.inf ?? 'Infinity';
  if (v === -Infinity) return opts.negInf ?? '-Infinity';
  let s: string;
  if (opts.fixed !== undefined) {
    s = v.toFixed(Math.max(0, Math.min(100, Math.trunc(opts.fixed))));
  } else if (opts.exactIntegers && Number.isInteger(v)) {
    s = String(v);
  } else {
    const sig = Math.max(1, Math.min(21, Math.trunc(opts.sig ?? 4)));
    const [lo, hi] = opts.range ?? [1e-3, 1e5];
    const trim = opts.trim ?? 'both';
    const a = Math.abs(v);
    if (a === 0 || (a >= lo && a < hi)) {
      // 'both'/'plain': the shortest text of the rounded value (String writes an exponent only below
      // 1e-6 and from 1e21: JS_STYLE relies on that); 'none': toPrecision as written.
      s = trim === 'none' ? v.toPrecision(sig) : String(Number(v.toPrecision(sig)));
    } else {
      const [mant, exp] = v.toExponential(sig - 1).split('e');
      s = `${trim === 'both' ? trimFraction(mant) : mant}e${opts.expPlus ? exp : exp.replace('+', '')}`;
    }
  }
  return opts.minus === 'true' ? s.replace(/-/g, TRUE_MINUS) : s;
}

/**
 * A count with thousands separators, "1,000,000" (as toLocaleString('en') writes it). Not through Intl:
 * the first toLocaleString of a page costs 13–30 ms (the locale's data; measured in Chromium), which fell
 * in the frame an imported run landed in (issue 12 row 3: every frame ≤ 50 ms).
 */
export function groupThousands(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = String(Math.round(Math.abs(n)));
  if (s.includes('e')) return (n < 0 ? '-' : '') + s;
  const head = s.length % 3 || 3;
  let out = s.slice(0, head);
  for (let i = head; i < s.length; i += 3) out += ',' + s.slice(i, i + 3);
  return (n < 0 && s !== '0' ? '-' : '') + out;
}
