/**
 * URL-field fuzzing (issue 12): seeded links over every field of the schema (src/state/url.ts) with
 * random, boundary, non-finite, prototype-key and very long values, in the fragment or the old query.
 * Contract per link: parseUrl returns settings the page can open (each field in range) and one short
 * line per ignored part; it never throws; the page's own link for what it opened (toUrl) opens the same, without notices.
 * Used by test/fuzz-url.test.ts (short) and `npm run fuzz` (long; see scripts/fuzz.ts).
 */
import { mulberry32 } from '../src/engine/rng.ts';
import { PROBLEMS } from '../src/engine/problems/registry.ts';
import { FLOW_IDS } from '../src/engine/types.ts';
import { CONTROL_IDS, MAX_STEPS, type Settings } from '../src/state/settings.ts';
import { parseUrl, toUrl, URL_FIELD_KEYS } from '../src/state/url.ts';
import type { Outcome } from './fuzz-expr-gen.ts';

const NUMS = ['0', '-0', '1', '-1', '0.3', '1e-301', '1e300', '1e308', '-1e308', 'Infinity', '-Infinity', 'NaN', '', ' ', '1e', '0x10', '2.5', '100000', '100001', '4095', '5001', '1.7976931348623157e308', '5e-324', '9007199254740993'];
const JUNK = ['__proto__', 'constructor', 'toString', '%', '%E0%A4%A', '&&', '==', '#', '?', ',', ':', ',,', '1:2:3', '<script>', '\u0000', '😀', 'x'.repeat(500)];

export interface UrlCase {
  link: string;
}

export function urlCases(seed: number, n: number): UrlCase[] {
  const rnd = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const value = (): string => {
    const r = rnd();
    if (r < 0.4) return encodeURIComponent(pick(NUMS));
    if (r < 0.55) return encodeURIComponent(pick(JUNK));
    if (r < 0.65) return pick(JUNK); // raw: malformed escapes and separators
    if (r < 0.75) return Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(NUMS)).join(',');
    if (r < 0.85) return Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => `${Math.floor(rnd() * 3000)}:${pick(NUMS)}`).join(',');
    if (r < 0.92) return pick([...FLOW_IDS, ...CONTROL_IDS, 'steps', 'eta', 'on', 'off', 'auto', 'wasm', 'sweep', 'map', 'index']);
    return 'y'.repeat(1 + Math.floor(rnd() * 12_000)); // very long
  };
  const out: UrlCase[] = [];
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    if (rnd() < 0.85) parts.push(`v=${rnd() < 0.9 ? '1' : value()}`);
    if (rnd() < 0.8) parts.push(`problem=${rnd() < 0.85 ? pick(PROBLEMS).id : value()}`);
    const k = Math.floor(rnd() * 8);
    for (let j = 0; j < k; j++) {
      const r = rnd();
      const key =
        r < 0.6 ? pick(URL_FIELD_KEYS)
        : r < 0.7 ? `p.${pick(['a', 'S', 'Q', 'lambda', 'seed', '__proto__', 'constructor', 'x'.repeat(30)])}`
        : r < 0.78 ? `c.${pick(['dataset', 'activation', '__proto__', 'zz'])}`
        : r < 0.88 ? `o.${pick([...FLOW_IDS, 'warp', '__proto__'])}.${pick(['form', 'substeps', 'backwardError', 'toString', ''])}`
        : pick(JUNK);
      parts.push(`${key}=${value()}`);
    }
    const body = parts.join('&');
    out.push({ link: rnd() < 0.5 ? `#${body}` : `?${body}` });
  }
  return out;
}

/**
 * A few links for the in-page check (test/e2e/hardening.test.ts), chosen deterministically from
 * urlCases(seed, pool): the longest link, the longest old `?` link (the one that reaches the server's
 * header limit), the first link with a prototype key (`__proto__`, `constructor`, `toString`), then the
 * first others in order, up to n.
 */
export function pageUrlSample(seed: number, n: number, pool = 300): UrlCase[] {
  const all = urlCases(seed, pool);
  const longest = (cs: UrlCase[]) => cs.reduce((a, b) => (b.link.length > a.link.length ? b : a));
  const picked = new Set<UrlCase>([longest(all), longest(all.filter((c) => c.link.startsWith('?')))]);
  const proto = all.find((c) => /(^|[?#&.])(__proto__|constructor|toString)[=.&]/.test(c.link));
  if (proto) picked.add(proto);
  for (const c of all) if (picked.size < n) picked.add(c);
  return [...picked].slice(0, n);
}

/** What a page that opened `s` relies on (the settings' own invariants). */
function settingsProblem(s: Settings): string | undefined {
  const spec = PROBLEMS.find((p) => p.id === s.problem);
  if (!spec) return `unknown problem ${s.problem}`;
  if (!(s.eta > 0 && s.eta <= 1000)) return `eta ${s.eta}`;
  if (!Number.isInteger(s.steps) || s.steps < 1 || s.steps > MAX_STEPS) return `steps ${s.steps}`;
  if (s.start && (!s.start.every(Number.isFinite) || (spec.dim !== undefined && s.start.length !== spec.dim))) return `start ${s.start}`;
  if (!s.flows.every((f) => FLOW_IDS.includes(f))) return `flows ${s.flows}`;
  for (const [k, v] of Object.entries(s.params)) if (!Number.isFinite(v) || k === '__proto__') return `param ${k}=${v}`;
  if (Object.getPrototypeOf(s.params) !== Object.prototype || Object.getPrototypeOf(s.flowOptions) !== Object.prototype) return 'a prototype was replaced';
  if (s.forks && (s.forks.some((f, i) => !(f.t >= 1 && f.t < s.steps && f.eta > 0) || (i > 0 && f.t <= s.forks![i - 1].t)))) return `forks ${JSON.stringify(s.forks)}`;
  return undefined;
}

export function checkUrl(c: UrlCase): Outcome {
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  let r;
  try {
    r = parseUrl(c.link);
  } catch (e) {
    return { kind: 'violation', ms: ms(), message: `parseUrl threw: ${(e as Error).message}` };
  }
  const bad = settingsProblem(r.settings);
  if (bad) return { kind: 'violation', ms: ms(), message: `opened settings a page cannot run: ${bad}` };
  for (const line of r.ignored) {
    if (typeof line !== 'string' || !line.trim() || line.includes('\n') || line.length > 400 || line.includes('[object')) return { kind: 'violation', ms: ms(), message: `unclear notice: ${String(line).slice(0, 120)}` };
  }
  // What the page writes back opens the same settings, without notices.
  let back;
  try {
    back = parseUrl(toUrl(r.settings));
  } catch (e) {
    return { kind: 'violation', ms: ms(), message: `round trip threw: ${(e as Error).message}` };
  }
  if (back.ignored.length) return { kind: 'violation', ms: ms(), message: `the page's own link was refused: ${back.ignored[0]}` };
  // Values equal to a default are left out of the page's link, so compare the links (canonical form).
  if (toUrl(back.settings) !== toUrl(r.settings)) return { kind: 'violation', ms: ms(), message: 'the round trip changed the link' };
  return r.ignored.length ? { kind: 'refused', ms: ms(), message: r.ignored[0] } : { kind: 'ok', ms: ms() };
}
