/**
 * The settings in the address bar: written on each change (pushState, coalesced, or replaceState),
 * read at start-up and on history navigation. The state lives in the fragment (#v=1&…), which is never
 * sent to a server, so a link can be as long as its settings need; an old query link (?v=1&…) still opens.
 */
import type { Settings } from './settings.ts';
import { parseUrl, toUrl, type ParsedUrl } from './url.ts';

/** Changes closer together than this replace the history entry instead of adding one (slider drags). */
const HISTORY_COALESCE_MS = 700;
let lastPush = 0;

/** The page's own address for these settings: path plus fragment, with any old query dropped. */
export function addressFor(s: Settings, extra?: Parameters<typeof toUrl>[1]): string {
  return location.pathname + toUrl(s, extra);
}

export function writeUrl(s: Settings, how: 'push' | 'replace'): void {
  const url = addressFor(s);
  if (url === location.pathname + location.hash && !location.search) return;
  const now = performance.now();
  if (how === 'replace' || now - lastPush < HISTORY_COALESCE_MS) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  lastPush = now;
}

/** The settings the address carries: the fragment, else (an old link) the query. */
export function readLocation(): ParsedUrl {
  const hash = location.hash.replace(/^#/, '');
  return parseUrl(hash || location.search);
}
