/**
 * mathjs, loaded where it is needed. Only custom expressions use it (parse, derivative, node
 * constructors), and evaluating it costs about a second in a browser worker (typed-function builds
 * every signature), which every worker start would otherwise pay before its first toy run
 * (docs/architecture.md, "Start-up"). So:
 *  - in Node (tests, the CLI, scripts) it is loaded when this module is, and everything is synchronous;
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
  if (!lib) throw new Error('mathjs is not loaded yet: await loadMathjs() before compiling an expression');
  return lib;
}

// Node has no first paint to protect: load it now, so the synchronous API works in every script.
if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') await loadMathjs();
