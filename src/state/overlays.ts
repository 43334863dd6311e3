/**
 * Saved, imported and ghost runs drawn over the current one; export, import, links and the status line.
 */
import { groupThousands } from '../engine/format.ts';
import { getProblemSpec } from '../engine/problems/registry.ts';
import type { HistoryInput, SavedInput } from '../engine/run-file.ts';
import { sliceColumns } from '../engine/trace.ts';
import type { FlowId, Trace } from '../engine/types.ts';
import type { ImportedRestore, TraceChunk } from '../worker/protocol.ts';
import { get, set } from './commit.ts';
import { startFromLink } from './forks.ts';
import { requestGrid } from './grid.ts';
import { fmtEta, modeFor, problemKey, runEnd, upToTime } from './selectors.ts';
import type { ControlId, Settings } from './settings.ts';
import type { Overlay } from './store.ts';
import { applyChunk, type ViewTrace } from './trace-buffer.ts';
import { parseUrl, toUrl } from './url.ts';
import { writeUrl } from './url-sync.ts';
import { nextReqId, request, workerMessages } from './worker-link.ts';

export function saveRun(name: string): void {
  const st = get();
  const traces: Overlay['traces'] = {};
  for (const [id, tr] of Object.entries(st.run.traces) as [FlowId, ViewTrace][]) traces[id] = upToTime(tr, st.playhead);
  const o: Overlay = { key: `saved-${Date.now()}-${st.saved.length}`, name: name.trim() || `run ${st.saved.length + 1}`, kind: 'saved', eta: st.run.eta, traces, visible: true };
  set({ saved: [...st.saved, o], toast: { text: `Saved “${o.name}”.`, error: false } });
}

/**
 * The current run's recorded samples, kept under Runs as a saved run before a restart replaces them
 * (the worker died: boot.ts; the engine failed mid-run: engine-status.ts). Null when nothing was recorded.
 */
export function keepRecorded(key: string, name: string): Overlay | null {
  const st = get();
  if (!Object.keys(st.run.traces).length) return null;
  const o: Overlay = { key, name, kind: 'saved', eta: st.run.eta, traces: { ...st.run.traces } as Overlay['traces'], visible: true };
  set({ saved: [...st.saved, o] });
  return o;
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

/**
 * A drawn trace as the worker needs it for a file: only its samples (a view's buffers are grown ahead
 * and a structured clone copies whole buffers) and none of the drawing geometry.
 */
function plainTraces(traces: Overlay['traces']): Partial<Record<FlowId, Trace>> {
  const out: Partial<Record<FlowId, Trace>> = {};
  for (const [id, tr] of Object.entries(traces) as [FlowId, ViewTrace][]) {
    const cols = sliceColumns(tr, 0, tr.length);
    out[id] = { flow: id, length: tr.length, stride: tr.stride, wDim: tr.wDim, projected: tr.projected, eigK: tr.eigK, stopped: tr.stopped, ...cols } as Trace;
  }
  return out;
}

/**
 * What a JSON export adds to the worker's current run (README.md "Run file", schema 2): the fork
 * history and the ghosts drawn (the worker holds only the current segment), and the saved runs.
 */
function exportExtras(): { history?: HistoryInput; saved?: SavedInput[] } {
  const st = get();
  const s = st.settings;
  const forks = st.run.mode === 'horizon' ? s.forks : undefined;
  const history: HistoryInput | undefined =
    forks?.length || st.ghosts.length
      ? {
          ...(s.start ? { start: [...s.start] } : {}),
          end: runEnd(st.run),
          ...(forks?.length ? { forks: forks.map((f) => ({ ...f })) } : {}),
          ghosts: st.ghosts.map((o) => ({ eta: o.eta, traces: plainTraces(o.traces) })),
        }
      : undefined;
  const saved = st.saved.map((o) => ({ name: o.name, eta: o.eta, traces: plainTraces(o.traces) }));
  return { ...(history ? { history } : {}), ...(saved.length ? { saved } : {}) };
}

/**
 * Export the current run (whole computed horizon) in the CLI's run-file format, or CSV. JSON also
 * holds the run's fork history with its ghosts and the saved runs (schema 2 when there are any), so
 * importing the file restores the page; CSV holds the current run only.
 */
export async function exportRun(format: 'json' | 'csv'): Promise<string | null> {
  try {
    const extras = format === 'json' ? exportExtras() : {};
    const m = await request<'export'>({ type: 'export', reqId: nextReqId(), runId: get().run.runId, format, ...extras });
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

function viewTraces(chunks: TraceChunk[]): Overlay['traces'] {
  const traces: Overlay['traces'] = {};
  for (const c of chunks) traces[c.flow] = applyChunk(undefined, c);
  return traces;
}

/**
 * The page's settings for an imported run with a fork history, checked by the link's own schema (what
 * it refuses is reported as a link's ignored fields are); null when the run is a network's (their forks
 * are not replayed), its problem is unknown here, or its history does not start at step 0.
 */
function restoredSettings(r: ImportedRestore, eta: number): { settings: Settings; ignored: string[] } | null {
  // A problem this page does not know (a newer version's file): its run stays an overlay.
  if (!r.forks?.length || !getProblemSpec(r.problem.id)) return null;
  const prev = get().settings;
  // The file writes the start out; the problem's own default start stays "default" (null), as the link had it.
  const dflt = getProblemSpec(r.problem.id)?.defaults.start;
  const own = r.start && !(dflt && dflt.length === r.start.length && dflt.every((v, i) => v === r.start![i]));
  const next: Settings = {
    ...prev,
    problem: r.problem.id,
    params: { ...r.problem.params },
    choices: { ...(r.problem.choices ?? {}) },
    expr: r.problem.expr,
    eta,
    start: own ? [...r.start!] : null,
    steps: r.end,
    flows: [...r.flows],
    flowOptions: structuredClone(r.flowOptions),
    forks: r.forks.map((f) => ({ ...f })),
  };
  if (modeFor(next) !== 'horizon') return null;
  return parseUrl(toUrl(next));
}

/**
 * Import a run file: parsed, validated and thinned in the worker (the page stays responsive), with a
 * status line meanwhile. A file with a fork history (schema 2, 1-D/2-D) restores the page: its settings
 * and fork history are applied as a link's are, so the worker rebuilds the same run and ghosts (float64,
 * deterministic: the numbers in the file) and η changes fork it as before. Any other file becomes an
 * overlay (and its ghosts too). Saved runs in the file join the saved runs. Returns the key of the
 * overlay the file's run became, 'restored', or null with a message shown.
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
    const stamp = `${Date.now()}-${get().saved.length}`;
    const name = `${m.label}, η = ${fmtEta(m.eta)}`;
    const saved: Overlay[] = (m.saved ?? []).map((o, i) => ({ key: `saved-${stamp}-${i}`, name: o.name, kind: 'saved', eta: o.eta, traces: viewTraces(o.traces), visible: true }));
    const thinned = m.kept < m.samples ? ` (${groupThousands(m.samples)} samples thinned to ${groupThousands(m.kept)})` : '';
    const withSaved = saved.length ? ` and ${saved.length} saved run${saved.length > 1 ? 's' : ''}` : '';
    const restore = m.restore ? restoredSettings(m.restore, m.eta) : null;
    if (restore) {
      const prev = get().settings;
      const next = restore.settings;
      const notices = restore.ignored.length ? [...get().notices, `Parts of ${filename} were ignored and their defaults used: ${restore.ignored.join('; ')}.`] : get().notices;
      set({ settings: next, notices, saved: [...get().saved, ...saved] });
      if (problemKey(next) !== problemKey(prev)) requestGrid(next);
      startFromLink(next, { play: true });
      writeUrl(get().settings, 'push');
      const n = next.forks?.length ?? 0;
      set({ toast: { text: `Imported ${filename}: ${name}, with ${n} fork${n === 1 ? '' : 's'} restored${withSaved}.`, error: false } });
      return 'restored';
    }
    const o: Overlay = { key: `imported-${stamp}`, name, kind: 'imported', eta: m.eta, traces: viewTraces(m.traces), visible: true };
    // Ghosts of a run the page does not rebuild: overlays too, named by their steps.
    const ghosts: Overlay[] = (m.segments ?? [])
      .filter((g) => g.traces.length)
      .map((g, i) => ({ key: `imported-${stamp}-${i}`, name: `${m.label}, η = ${fmtEta(g.eta)} (steps ${g.t0}–${g.t0 + g.steps})`, kind: 'imported', eta: g.eta, traces: viewTraces(g.traces), visible: true }));
    const withGhosts = ghosts.length ? ` and ${ghosts.length} earlier segment${ghosts.length > 1 ? 's' : ''}` : '';
    set({ saved: [...get().saved, ...ghosts, o, ...saved], toast: { text: `Imported ${filename}: ${o.name}${withGhosts}${withSaved}.${thinned}`, error: false } });
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
