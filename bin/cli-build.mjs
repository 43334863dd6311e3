#!/usr/bin/env node
/**
 * Builds the CLI (src/cli) into build/cli/ with esbuild, so `rodflow` starts without tsx and without
 * transpiling TypeScript on every call. `npm ci` / `npm install` run it (package.json `prepare`).
 *
 * - Packages stay external (node_modules is there at run time); code splitting keeps the dynamic
 *   imports lazy, so tfjs loads only for `--backend`, never for `rodflow problems`.
 * - build/cli/inputs.json records a hash of every source file in the bundle; bin/cli-fresh.mjs
 *   recomputes it at start-up, so edited sources are never run from a stale build.
 * - The build is written to a private temporary folder and renamed into place, so two processes that
 *   rebuild at once never see each other's half-written files.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, ENTRY, ROOT, hashInputs } from './cli-fresh.mjs';

/** Build the CLI; resolves to the entry file's path. Throws if esbuild fails. */
export async function buildCli({ quiet = true } = {}) {
  const { build } = await import('esbuild');
  const tmp = `${BUILD_DIR}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { rodflow: 'src/cli/index.ts' },
      outdir: tmp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      metafile: true,
      logLevel: quiet ? 'error' : 'warning',
      plugins: [browserOnly, lazyMathjs],
    });
    const inputs = Object.keys(result.metafile.inputs)
      .filter((f) => !f.startsWith('browser-only:'))
      .map((f) => relative(ROOT, join(ROOT, f)))
      .sort();
    inputs.push(relative(ROOT, fileURLToPath(import.meta.url)));
    writeFileSync(join(tmp, 'inputs.json'), JSON.stringify({ hash: hashInputs(inputs), inputs }, null, 1) + '\n');
    mkdirSync(join(BUILD_DIR, '..'), { recursive: true });
    // Replace the old build in two renames; a concurrent reader that loses the race falls back to tsx.
    const old = `${BUILD_DIR}.old-${process.pid}-${Date.now()}`;
    try {
      renameSync(BUILD_DIR, old);
    } catch {
      /* no previous build */
    }
    try {
      renameSync(tmp, BUILD_DIR);
    } catch (e) {
      // Another process put its build there between our two renames; it was built from the same
      // sources unless they changed meanwhile, which the next start-up's hash check catches.
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(ENTRY)) throw e;
    }
    rmSync(old, { recursive: true, force: true });
    return ENTRY;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Modules named *.browser.ts (Vite `?url` asset imports) are only imported in the browser branch of
 * the code; in the bundle they become a stub that throws if ever reached in Node.
 */
const browserOnly = {
  name: 'browser-only',
  setup(b) {
    b.onResolve({ filter: /\.browser\.ts$/ }, (a) => ({ path: a.path, namespace: 'browser-only' }));
    b.onLoad({ filter: /.*/, namespace: 'browser-only' }, (a) => ({
      contents: `throw new Error(${JSON.stringify(`${a.path} is browser-only`)});`,
      loader: 'js',
    }));
  },
};

/** `mathjs` → bin/mathjs-lazy.mjs: the package loads on first use instead of at start-up. */
const lazyMathjs = {
  name: 'lazy-mathjs',
  setup(b) {
    b.onResolve({ filter: /^mathjs$/ }, () => ({ path: join(ROOT, 'bin', 'mathjs-lazy.mjs') }));
  },
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  try {
    const out = await buildCli({ quiet: false });
    console.log(`built ${relative(ROOT, out)} in ${Math.round(performance.now() - t0)} ms`);
  } catch (e) {
    // An install without devDependencies has no esbuild: not an error of the install (bin/rodflow.mjs
    // then runs the sources). Any other failure (a syntax error in src/cli's imports) is.
    if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes("'esbuild'")) {
      console.warn('rodflow: esbuild is not installed; the CLI will run its TypeScript sources.');
    } else {
      throw e;
    }
  }
}
