/**
 * URL fuzzing in the page (issue 12): a seeded link (test/fuzz-url-gen.ts) opened in the built page
 * must give a working page — the app mounted (its store hook window.__rodflow), HTTP 200, and a run
 * that started (or stopped with its reason), with every ignored part of the link shown as a notice —
 * within a bounded time, with no uncaught error and no console error.
 * Used by test/e2e/hardening.test.ts (a few links) and `npm run fuzz -- --page N` (scripts/fuzz.ts).
 */
import type { CDPSession, Page } from 'playwright-core';

export type PageOutcome =
  | { kind: 'ok' | 'notice'; ms: number; status: number; notices: number; message?: string }
  | { kind: 'crash' | 'blank' | 'stuck' | 'error'; ms: number; status: number; message: string };

/**
 * One page reused across links. Its listeners collect the errors of the link being opened; a page that
 * crashed is replaced by a fresh one in the same context.
 */
export class LinkOpener {
  errors: string[] = [];
  /** Errors that came after a link's result (while its run went on), each with its link. */
  late: string[] = [];
  private last = '';
  private crashed = false;
  private cdp: CDPSession | null = null;
  private constructor(
    public page: Page,
    private readonly base: string,
  ) {}

  static async start(page: Page, base: string): Promise<LinkOpener> {
    const o = new LinkOpener(page, base);
    await o.watch(page);
    return o;
  }

  private async watch(page: Page): Promise<void> {
    this.page = page;
    this.crashed = false;
    page.on('pageerror', (e) => this.errors.push(String(e).slice(0, 300)));
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(m.text().slice(0, 300));
    });
    page.on('crash', () => (this.crashed = true));
    this.cdp = null;
  }

  /** The page's main-thread JS heap in use, in MB (CDP Runtime.getHeapUsage), or NaN if unavailable. */
  async heapMB(): Promise<number> {
    try {
      this.cdp ??= await this.page.context().newCDPSession(this.page);
      const { usedSize } = (await this.cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      return usedSize / 2 ** 20;
    } catch {
      return NaN;
    }
  }

  /** Opens `link` (a `#…` or `?…` suffix of the page's address) and waits up to boundMs for a working state. */
  async open(link: string, boundMs: number): Promise<PageOutcome> {
    if (this.crashed || this.page.isClosed()) {
      const old = this.page;
      await this.watch(await old.context().newPage());
      await old.close().catch(() => undefined);
    }
    // Through about:blank: a link that differs only in its fragment must still load the page anew.
    await this.page.goto('about:blank');
    for (const e of this.errors) this.late.push(`${e} (after ${this.last.slice(0, 100)})`);
    this.errors = [];
    this.last = link;
    const t0 = Date.now();
    const ms = () => Date.now() - t0;
    let status = 0;
    try {
      const resp = await this.page.goto(this.base + link, { waitUntil: 'load', timeout: boundMs });
      status = resp?.status() ?? 0;
    } catch (e) {
      if (this.crashed) return { kind: 'crash', ms: ms(), status, message: `the page crashed while loading: ${String(e).slice(0, 160)}` };
      return { kind: 'stuck', ms: ms(), status, message: `did not load within ${boundMs} ms: ${String(e).slice(0, 160)}` };
    }
    if (status !== 200) return { kind: 'blank', ms: ms(), status, message: `HTTP ${status}` };
    type Working = { notices: number; error: string | null };
    let state: Working | null = null;
    try {
      const left = Math.max(1, boundMs - ms());
      const h = await this.page.waitForFunction(
        () => {
          const s = (window as any).__rodflow?.store.getState();
          if (!s) return false;
          // A run that started (its first chunk landed) or stopped with its reason; each notice shown.
          const ran = s.run.done || s.run.error || s.run.frontier > s.run.t0;
          const shown = document.querySelectorAll('[data-testid="url-notice"]').length === s.notices.length;
          return ran && shown ? { notices: s.notices.length as number, error: s.run.error ? String(s.run.error.message ?? s.run.error) : null } : false;
        },
        null,
        { timeout: left, polling: 50 },
      );
      state = (await h.jsonValue()) as Working;
    } catch (e) {
      if (this.crashed) return { kind: 'crash', ms: ms(), status, message: `the page crashed: ${String(e).slice(0, 160)}` };
    }
    const took = ms();
    if (this.errors.length) return { kind: 'error', ms: took, status, message: this.errors[0] };
    if (!state) {
      const mounted = await this.page.evaluate(() => ({ app: !!(window as any).__rodflow, text: document.body?.innerText.length ?? 0 })).catch(() => ({ app: false, text: 0 }));
      if (!mounted.app || mounted.text < 100) return { kind: 'blank', ms: took, status, message: `no app after ${took} ms (${mounted.text} characters of text)` };
      return { kind: 'stuck', ms: took, status, message: `the app mounted but no run started within ${boundMs} ms` };
    }
    return state.notices || state.error
      ? { kind: 'notice', ms: took, status, notices: state.notices, message: state.error ?? undefined }
      : { kind: 'ok', ms: took, status, notices: 0 };
  }
}
