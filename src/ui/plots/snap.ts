/**
 * Rounding a dragged position to what the pointer can actually resolve. Pure: test/plots-snap.test.ts.
 *
 * Why the pixel and not a fixed number of significant digits: a drag places a point to within one pixel,
 * so every digit below a pixel's worth of data units is pointer noise (0.21837465918273645 says no more
 * than 0.218 on a plot where a pixel is 0.005 wide). The precision that matters is absolute (a coordinate in
 * a window), which significant digits get wrong near zero (1.2e-7 would keep 8 digits of noise). The decimal
 * step chosen is the largest power of ten not above one pixel, so two pixels never map to one value and the
 * rounded point is drawn within half a pixel of the pointer. The app stores this rounded value: what the
 * field shows is exactly what runs and what a shared link holds.
 */

/**
 * Decimal places d such that 10^-d ≤ `unit` < 10^(1-d): the coarsest power-of-ten step not larger than
 * `unit` (data units per pixel, or a keyboard step). Negative d rounds to tens, hundreds… Non-finite or
 * non-positive `unit` → null (nothing to snap to).
 */
export function decimalsFor(unit: number): number | null {
  if (!(unit > 0) || !Number.isFinite(unit)) return null;
  let d = Math.ceil(-Math.log10(unit));
  // log10 is not exact at powers of ten: make sure the step really is ≤ unit, and the coarsest such.
  while (10 ** -d > unit) d++;
  while (10 ** -(d - 1) <= unit) d--;
  return d === 0 ? 0 : d; // not -0 (from ceil(-0))
}

/**
 * `v` rounded to `d` decimal places, as the double nearest the rounded decimal (so String() prints the short
 * decimal, e.g. 0.218 and not 0.21800000000000003). d = null leaves v as it is.
 */
export function roundToDecimals(v: number, d: number | null): number {
  if (d === null || !Number.isFinite(v)) return v;
  // toFixed rounds the exact binary value half away from zero and handles d ≤ 100; parsing its decimal
  // text gives the nearest double. Steps of 10, 100, … (d < 0) are whole numbers, exact in a double.
  const r = d >= 0 ? Number(v.toFixed(Math.min(d, 100))) : Math.round(v / 10 ** -d) * 10 ** -d;
  return r === 0 ? 0 : r; // no -0 in fields or URLs
}

/** A point rounded per axis to the decimals one pixel (or a smaller step) of that axis resolves. */
export function snapPoint(p: readonly number[], units: readonly number[]): number[] {
  return p.map((v, i) => roundToDecimals(v, decimalsFor(units[i] ?? NaN)));
}
