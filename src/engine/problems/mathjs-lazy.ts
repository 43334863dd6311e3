/**
 * mathjs, loaded where it is needed. Only custom expressions use it (parse, derivative, node
 * constructors), and evaluating it costs about a second in a browser worker (typed-function builds
 * every signature), which every worker start would otherwise pay before its first toy run
 * (docs/architecture.md, "Start-up"). So:
 *  - in Node (tests, the CLI, scripts) it is required synchronously on first use: a test file or a CLI
 *    run that never compiles an expression never pays for it (~1 s alone, ~3 s per test file on a busy
 *    machine, and most test files reach the problem registry);
 *  - the page's main thread provides it at boot (src/main.tsx), as before;
 *  - a worker loads it on the first message that needs it (src/worker/sim.worker.ts) and calls the
 *    synchronous API after that.
 */
import type * as MathJs from 'mathjs';

export type MathJsLib = typeof MathJs;

let lib: MathJsLib | null = null;
let loading: Promise<MathJsLib> | null = null;

/** Load mathjs (once); resolves when `mathjs()` can be called. */
export function loadMathjs(): Promise<MathJsLib> {
  if (lib) return Promise.resolve(lib);
  loading ??= import('mathjs').then((m) => (lib = m as MathJsLib));
  return loading;
}

/** Hand over a statically imported mathjs (the page's main thread). */
export function provideMathjs(m: MathJsLib): void {
  lib = m;
}

export function mathjsReady(): boolean {
  return lib !== null;
}

/** The loaded library; a caller that runs before loadMathjs() resolved is a bug, said plainly. */
export function mathjs(): MathJsLib {
  lib ??= requireInNode();
  if (!lib) throw new Error('mathjs is not loaded yet: await loadMathjs() before compiling an expression');
  return lib;
}

/**
 * Node can load a package synchronously (its CommonJS build: the same sources). Reached through
 * `process.getBuiltinModule`, so that the page's bundle imports nothing from Node; null in a browser.
 */
function requireInNode(): MathJsLib | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  const { createRequire } = proc.getBuiltinModule('node:module') as typeof import('node:module');
  return createRequire(import.meta.url)('mathjs') as MathJsLib;
}

// A Node older than 20.16 has no getBuiltinModule: load it now, so the synchronous API works there too.
const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: unknown } }).process;
if (typeof proc?.versions?.node === 'string' && typeof proc.getBuiltinModule !== 'function') await loadMathjs();
