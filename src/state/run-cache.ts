/**
 * Finished network runs, kept by their full state for the life of the page: returning to settings
 * already computed (the back button, a setting toggled back) shows the recorded run at once, without
 * asking the worker. Bounded by count and by bytes; the least recently used go first.
 *
 * Only unforked stream runs (t0 = 0) are kept: a network run costs seconds to minutes, a 1-D/2-D run a
 * few ms (and a drag makes one per frame). A forked run's settings (η after the fork) name a different
 * run from the start, so it has no key here.
 */
import { runKey } from './selectors.ts';
import type { Settings } from './settings.ts';
import type { RunView } from './store.ts';
import type { ViewTrace } from './trace-buffer.ts';

/** At most this many runs are kept. */
export const RUN_CACHE_MAX_RUNS = 8;
/** And at most this many bytes of trace buffers (a network run with four flows is ~1–3 MB). */
export const RUN_CACHE_MAX_BYTES = 64 * 2 ** 20;

export interface CachedRun {
  run: RunView;
  eigStart: number[];
  startUsed: number[];
  bytes: number;
}

const cache = new Map<string, CachedRun>();
let total = 0;

/** What makes two network runs the same (the run's settings with η; see selectors.ts runKey). */
export function cacheKey(s: Settings): string {
  return JSON.stringify([runKey(s), s.eta]);
}

/** Bytes held by a run's trace buffers (each buffer counted once: thinned columns may share none). */
export function runBytes(run: RunView): number {
  const seen = new Set<ArrayBufferLike>();
  let n = 0;
  for (const tr of Object.values(run.traces) as ViewTrace[]) {
    for (const v of Object.values(tr)) {
      if (v instanceof Float64Array && !seen.has(v.buffer)) {
        seen.add(v.buffer);
        n += v.buffer.byteLength;
      }
    }
  }
  return n;
}

/** Keep a finished run (replacing the entry of the same key), then drop the oldest past the bounds. */
export function cachePut(key: string, entry: Omit<CachedRun, 'bytes'>): void {
  const old = cache.get(key);
  if (old) {
    cache.delete(key);
    total -= old.bytes;
  }
  const bytes = runBytes(entry.run);
  if (bytes > RUN_CACHE_MAX_BYTES) return;
  cache.set(key, { ...entry, bytes });
  total += bytes;
  for (const [k, v] of cache) {
    if (cache.size <= RUN_CACHE_MAX_RUNS && total <= RUN_CACHE_MAX_BYTES) break;
    cache.delete(k);
    total -= v.bytes;
  }
}

/** The finished run of this key, if kept (it becomes the most recently used). */
export function cacheGet(key: string): CachedRun | undefined {
  const e = cache.get(key);
  if (e) {
    cache.delete(key);
    cache.set(key, e);
  }
  return e;
}

/** Whether a finished run of this key is kept (without making it the most recently used). */
export function cacheHas(key: string): boolean {
  return cache.has(key);
}

/** Entries and bytes held (tests, the bench). */
export function cacheStats(): { runs: number; bytes: number } {
  return { runs: cache.size, bytes: total };
}

/** Forget every run (tests). */
export function cacheClear(): void {
  cache.clear();
  total = 0;
}
