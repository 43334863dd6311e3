/**
 * Saved, imported and ghost runs drawn over the current one; export, import, links and the status line.
 */
import type { FlowId } from '../engine/types.ts';
import { get, set } from './commit.ts';
import { fmtEta, upToTime } from './selectors.ts';
import type { ControlId } from './settings.ts';
import type { Overlay } from './store.ts';
import { applyChunk, type ViewTrace } from './trace-buffer.ts';
import { toUrl } from './url.ts';
import { nextReqId, request, workerMessages } from './worker-link.ts';

export function saveRun(name: string): void {
  const st = get();
  const traces: Overlay['traces'] = {};
  for (const [id, tr] of Object.entries(st.run.traces) as [FlowId, ViewTrace][]) traces[id] = upToTime(tr, st.playhead);
  const o: Overlay = { key: `saved-${Date.now()}-${st.saved.length}`, name: name.trim() || `run ${st.saved.length + 1}`, kind: 'saved', eta: st.run.eta, traces, visible: true };
  set({ saved: [...st.saved, o], toast: { text: `Saved “${o.name}”.`, error: false } });
}

export function toggleOverlay(key: string): void {
  const f = (o: Overlay) => (o.key === key ? { ...o, visible: !o.visible } : o);
  set({ saved: get().saved.map(f), ghosts: get().ghosts.map(f) });
}

export function renameOverlay(key: string, name: string): void {
  set({ saved: get().saved.map((o) => (o.key === key ? { ...o, name } : o)) });
}

export function deleteOverlay(key: string): void {
  set({ saved: get().saved.filter((o) => o.key !== key), ghosts: get().ghosts.filter((o) => o.key !== key) });
}

export function clearGhosts(): void {
  set({ ghosts: [] });
}

function download(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Export the current run (whole computed horizon) in the CLI's run-file format, or CSV. */
export async function exportRun(format: 'json' | 'csv'): Promise<string | null> {
  try {
    const m = await request<'export'>({ type: 'export', reqId: nextReqId(), runId: get().run.runId, format });
    download(m.text, m.filename, format === 'json' ? 'application/json' : 'text/csv');
    set({ toast: { text: `Exported ${m.filename}.`, error: false } });
    return m.text;
  } catch (e) {
    set({ toast: { text: `Export failed: ${(e as Error).message}`, error: true } });
    return null;
  }
}

/** The largest run file the page imports (bigger ones are refused before reading). */
export const MAX_IMPORT_BYTES = 64 * 2 ** 20;
const MB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

/**
 * Import a run file as an overlay: parsed, validated and thinned in the worker (the page stays
 * responsive), with a status line meanwhile. Returns the overlay key, or null with a message shown.
 */
async function importVia(payload: { text?: string; bytes?: ArrayBuffer }, size: number, filename: string): Promise<string | null> {
  if (size > MAX_IMPORT_BYTES) {
    set({ toast: { text: `Could not import ${filename}: it is ${MB(size)}; the page imports run files up to ${MB(MAX_IMPORT_BYTES)} (thin it with rodflow run --capacity, or export fewer steps).`, error: true } });
    return null;
  }
  const reqId = nextReqId();
  set({ toast: { text: `Importing ${filename} (${MB(size)})…`, error: false } });
  const off = workerMessages.on((m) => {
    if (m.type === 'importProgress' && m.reqId === reqId) set({ toast: { text: `Importing ${filename}: ${m.text}`, error: false } });
  });
  try {
    const m = await request<'imported'>({ type: 'import', reqId, ...payload }, payload.bytes ? [payload.bytes] : []);
    const traces: Overlay['traces'] = {};
    for (const c of m.traces) traces[c.flow] = applyChunk(undefined, c);
    const st = get();
    const o: Overlay = { key: `imported-${Date.now()}-${st.saved.length}`, name: `${m.label}, η = ${fmtEta(m.eta)}`, kind: 'imported', eta: m.eta, traces, visible: true };
    const thinned = m.kept < m.samples ? ` (${m.samples.toLocaleString('en')} samples thinned to ${m.kept.toLocaleString('en')})` : '';
    set({ saved: [...st.saved, o], toast: { text: `Imported ${filename}: ${o.name}.${thinned}`, error: false } });
    return o.key;
  } catch (e) {
    set({ toast: { text: `Could not import ${filename}: ${(e as Error).message}`, error: true } });
    return null;
  } finally {
    off();
  }
}

/** Import a run file's text (see importVia). */
export function importRunText(text: string, filename = 'file'): Promise<string | null> {
  return importVia({ text }, text.length, filename);
}

/** Import a chosen file: its size is checked before it is read; its bytes go to the worker (transferred). */
export async function importRunFile(file: File): Promise<string | null> {
  if (file.size > MAX_IMPORT_BYTES) return importVia({}, file.size, file.name);
  return importVia({ bytes: await file.arrayBuffer() }, file.size, file.name);
}

/** A link that opens the page as it is now (`hide`: control groups hidden, a classroom link). */
export function linkFor(hide?: ControlId[]): string {
  return location.origin + location.pathname + toUrl(get().settings, { hide });
}

export async function copyText(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    set({ toast: { text: `${what} copied to the clipboard.`, error: false } });
  } catch {
    set({ toast: { text: `${what}: ${text}`, error: false } });
  }
}

export function dismissNotice(i: number): void {
  set({ notices: get().notices.filter((_, j) => j !== i) });
}

export function setCursor(t: number | null): void {
  if (get().cursorT !== t) set({ cursorT: t });
}
