/**
 * Axis domains, scales and ticks. Pure (no DOM): tested in test/plots-scales.test.ts.
 */
import { scaleLinear, scaleLog, format as d3format } from 'd3';
import type { ScaleContinuousNumeric } from 'd3';
import type { Series } from './types.ts';
import { formatNumber as formatText, PLOT_STYLE } from '../../engine/format.ts';
import { usableLength } from './access.ts';

export type Scale = ScaleContinuousNumeric<number, number>;

export interface Extent {
  min: number;
  max: number;
  /** Per series id: samples dropped because the axis is logarithmic and the value is ≤ 0. */
  clipped: Record<string, number>;
}

/**
 * Extent of finite values of one axis over all series (and extra values such as reference lines).
 * On a log axis values ≤ 0 are skipped and counted per series. `min > max` when nothing is drawable.
 */
export function seriesExtent(
  series: readonly Series[],
  axis: 'x' | 'y',
  log: boolean,
  extra: readonly number[] = [],
): Extent {
  let min = Infinity;
  let max = -Infinity;
  const clipped: Record<string, number> = {};
  for (const s of series) {
    const n = usableLength(s);
    const A = axis === 'x' ? s.x : s.y;
    const st = (axis === 'x' ? s.xStride : s.yStride) ?? 1;
    const off = (axis === 'x' ? s.xOffset : s.yOffset) ?? 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const v = A[i * st + off];
      if (v - v !== 0) continue; // not finite
      if (log && v <= 0) {
        c++;
        continue;
      }
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (c > 0) clipped[s.id] = c;
  }
  for (const v of extra) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, clipped };
}

/**
 * Finite limits of every axis. Data beyond them (±1e308, a loss of 1e300 padded by a few per cent) would
 * give an infinite domain, an infinite span or an endless tick loop; they are clipped and marked instead.
 * Linear: |v| ≤ 1e300 keeps max − min finite. Log: [1e-300, 1e300] keeps 10^(log10 ± padding) finite.
 */
export const LIN_LIMIT = 1e300;
export const LOG_LIMITS: readonly [number, number] = [1e-300, 1e300];

/** v clamped into the axis's finite range (NaN stays NaN). */
export function clampToAxis(v: number, log: boolean): number {
  if (log) return Math.min(LOG_LIMITS[1], Math.max(LOG_LIMITS[0], v));
  return Math.min(LIN_LIMIT, Math.max(-LIN_LIMIT, v));
}

/** [a, b] made finite, ordered and non-degenerate within the axis's limits; null when nothing usable. */
function finiteDomain(a: number, b: number, log: boolean): [number, number] | null {
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  let lo = clampToAxis(Math.min(a, b), log);
  let hi = clampToAxis(Math.max(a, b), log);
  if (log && !(lo > 0)) lo = LOG_LIMITS[0];
  if (!(lo < hi) || degenerate(lo, hi, log)) return null;
  return [lo, hi];
}

/** A span too thin to tick or to map (denormals, or below 1e-12 of the magnitude): treated as one value. */
function degenerate(lo: number, hi: number, log: boolean): boolean {
  if (log) return Math.log10(hi) - Math.log10(lo) < 1e-12;
  return hi - lo < 1e-290 || hi - lo < Math.max(Math.abs(lo), Math.abs(hi)) * 1e-12;
}

/**
 * A drawable domain from a data extent: empty → a default, degenerate → padded, linear → niced,
 * log → padded in decades (not forced to whole decades: keeps detail). Always finite, within
 * LIN_LIMIT / LOG_LIMITS, with lo < hi, whatever the input (±Infinity, NaN, ±1e308).
 */
export function chooseDomain(min: number, max: number, log: boolean, pad = 0.04): [number, number] {
  if (!(min <= max) || Number.isNaN(min) || Number.isNaN(max)) return log ? [1, 10] : [0, 1];
  min = clampToAxis(min, log);
  max = clampToAxis(max, log);
  if (log) {
    if (!(max > 0)) return [1, 10];
    if (!(min > 0)) min = LOG_LIMITS[0];
    const L0 = Math.log10(LOG_LIMITS[0]);
    const L1 = Math.log10(LOG_LIMITS[1]);
    const lmin = Math.log10(min);
    const lmax = Math.log10(max);
    if (lmin === lmax || degenerate(min, max, true)) return [min / 2, max * 2]; // finite: within LOG_LIMITS
    const p = (lmax - lmin) * pad;
    return [10 ** Math.max(L0, lmin - p), 10 ** Math.min(L1, lmax + p)];
  }
  if (min === max || degenerate(min, max, false)) {
    const d = Math.abs(min) < 1e-290 ? 1 : Math.abs(min) * 0.1;
    return [Math.max(-LIN_LIMIT * 1.1, min - d), Math.min(LIN_LIMIT * 1.1, max + d)];
  }
  const p = (max - min) * pad;
  const s = scaleLinear().domain([min - p, max + p]).nice(6);
  const [a, b] = s.domain();
  return Number.isFinite(a) && Number.isFinite(b) && a < b ? [a, b] : [min - p, max + p];
}

/** Exact data extent as a domain (time axes): only empty/degenerate extents are widened. Always finite. */
export function tightDomain(min: number, max: number, log: boolean): [number, number] {
  const d = min < max ? finiteDomain(min, max, log) : null;
  return d ?? chooseDomain(min, max, log);
}

/** A d3 scale on a finite, non-degenerate domain (a bad domain becomes the default [0,1] / [1,10]). */
export function makeScale(domain: [number, number], range: [number, number], log: boolean): Scale {
  const d = finiteDomain(domain[0], domain[1], log) ?? chooseDomain(domain[0], domain[1], log);
  const r: [number, number] = [Number.isFinite(range[0]) ? range[0] : 0, Number.isFinite(range[1]) ? range[1] : 1];
  // d3 keeps a reversed domain's orientation; the callers pass [lo, hi].
  const dd: [number, number] = domain[0] > domain[1] ? [d[1], d[0]] : d;
  return log ? scaleLog().domain(dd).range(r) : scaleLinear().domain(dd).range(r);
}

/**
 * The scale as a plain affine map (in log10 space for log scales), ~5× cheaper per point than calling a
 * d3 scale in the drawing loops. Unclamped, like the d3 scales we build. Non-positive input on a log map
 * gives NaN/±∞ (callers skip or clamp those samples first).
 */
export function fastMap(scale: Scale, log: boolean): (v: number) => number {
  const [d0, d1] = scale.domain() as [number, number];
  const [r0, r1] = scale.range() as [number, number];
  if (log) {
    const l0 = Math.log10(d0);
    const k = (r1 - r0) / (Math.log10(d1) - l0);
    return (v) => r0 + (Math.log10(v) - l0) * k;
  }
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/**
 * A pixel coordinate made safe for the canvas and the DOM: NaN stays NaN (a gap), anything else is
 * clamped to `limit` px around the plot (far enough that clipped lines keep their slope inside it, near
 * enough that Float32 paths and SVG attributes never see ±Infinity).
 */
export function safePx(v: number, size: number, limit = 1e5): number {
  if (Number.isNaN(v)) return v;
  return Math.min(size + limit, Math.max(-limit, v));
}

export interface Tick {
  value: number;
  label: string;
  /** Minor ticks (log axes, between labelled decades) get a short mark and no label. */
  minor: boolean;
}

const SUP: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/** 10^k written with superscripts, e.g. 10⁻³ (legible on a projector, no "e-3"). */
export function powerOfTen(k: number): string {
  if (k === 0) return '1';
  if (k === 1) return '10';
  return '10' + String(k).split('').map((c) => SUP[c] ?? c).join('');
}

/**
 * Ticks for an axis of `pixels` length: about one labelled tick per `spacing` px.
 * Linear: d3's nice ticks. Log: decades labelled as 10ᵏ (every m-th decade when many), with 2..9 minors
 * when few decades; when the domain spans less than a decade, linear-style ticks inside it.
 */
export function chooseTicks(scale: Scale, pixels: number, log: boolean, spacing = 70): Tick[] {
  const want = Math.max(2, Math.min(200, Math.floor(Math.abs(Number.isFinite(pixels) ? pixels : 0) / spacing)));
  const [d0, d1] = scale.domain() as [number, number];
  // Ticks only over a finite domain: a domain padded to Infinity made the decade loop below endless.
  const fd = finiteDomain(d0, d1, log) ?? chooseDomain(d0, d1, log);
  const lo = fd[0];
  const hi = fd[1];
  if (!log) {
    let vals: number[];
    try {
      vals = scaleLinear().domain([lo, hi]).ticks(want).filter(Number.isFinite);
    } catch {
      vals = [lo, hi]; // d3 can throw on spans near the float limits; the ends are still honest ticks
    }
    const step = vals.length > 1 ? vals[1] - vals[0] : 1;
    const fmt = linearFormatter(step, Math.max(Math.abs(lo), Math.abs(hi)));
    return vals.map((v) => ({ value: v, label: fmt(v), minor: false }));
  }
  const k0 = Math.ceil(Math.log10(lo) - 1e-9);
  const k1 = Math.floor(Math.log10(hi) + 1e-9);
  const decades = k1 - k0 + 1;
  if (decades < 2) {
    // Less than two powers of ten inside: label 1-2-5 style values so the axis is still readable.
    const out: Tick[] = [];
    const e0 = Math.floor(Math.log10(lo));
    const e1 = Math.ceil(Math.log10(hi));
    const mant = hi / lo < 3 ? [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9] : [1, 2, 3, 5];
    for (let e = e0; e <= e1; e++) {
      for (const m of mant) {
        const v = m * 10 ** e;
        if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push({ value: v, label: formatNumber(v, 3), minor: false });
      }
    }
    if (out.length > want + 2) {
      const keep = Math.ceil(out.length / want);
      return out.map((t, i) => (i % keep === 0 ? t : { ...t, label: '', minor: true }));
    }
    return out;
  }
  // Label every m-th decade, m from a nice sequence (10⁰, 10⁻²⁵, 10⁻⁵⁰ rather than 10⁻²¹, 10⁻⁴²).
  const need = Math.max(1, Math.ceil(decades / want));
  const every = [1, 2, 3, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500].find((m) => m >= need) ?? need;
  // Few decades on a long axis: also label 2× and 5× (else two labels for a whole axis).
  const label25 = decades < 3 && want >= 3 * decades;
  const label3 = !label25 && decades < 3 && want >= 2 * decades; // half decades: 1, 3, 10, 30
  const out: Tick[] = [];
  for (let k = k0 - 1; k <= k1; k++) {
    const v = 10 ** k;
    if (v >= lo * (1 - 1e-12) && k % every === 0)
      out.push({ value: v, label: label25 || label3 ? mantissaLabel(1, k) : powerOfTen(k), minor: false });
    else if (v >= lo * (1 - 1e-12)) out.push({ value: v, label: '', minor: true });
    if (every === 1 && decades <= want) {
      for (let m = 2; m <= 9; m++) {
        const w = m * v;
        if (w >= lo && w <= hi) {
          const lab = (label25 && (m === 2 || m === 5)) || (label3 && m === 3);
          out.push({ value: w, label: lab ? mantissaLabel(m, k) : '', minor: !lab });
        }
      }
    }
  }
  return out.filter((t) => t.value <= hi * (1 + 1e-12));
}

/** m·10^k as a short label: decimals for |k| ≤ 3 (0.02, 500), else 2·10⁻⁵. */
function mantissaLabel(m: number, k: number): string {
  if (k >= -3 && k <= 3) return formatNumber(m * 10 ** k, 2);
  return m === 1 ? powerOfTen(k) : `${m}·${powerOfTen(k)}`;
}

function linearFormatter(step: number, mag: number): (v: number) => string {
  if (mag >= 1e5 || (mag > 0 && mag < 1e-3)) {
    return (v) => formatNumber(v, 3);
  }
  const digits = Math.max(0, -Math.floor(Math.log10(Math.abs(step) || 1) + 1e-9));
  const f = d3format(`.${digits}f`);
  return (v) => f(v).replace(/-/g, '−');
}

/** Readout formatting: `sig` significant digits, exponent form outside [1e-3, 1e5), true minus sign (engine/format.ts). */
export function formatNumber(v: number, sig = 4): string {
  return formatText(v, { ...PLOT_STYLE, sig });
}
