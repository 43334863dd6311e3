/**
 * Once per `vitest run`:
 *  - the built CLI (build/cli/, bin/cli-build.mjs) is brought up to date here, before any test spawns
 *    `bin/rodflow.mjs`, so parallel CLI tests never rebuild it at once;
 *  - a private directory for the page's build is chosen and handed to the browser tests (`inject`,
 *    test/e2e/harness.ts). The first browser file to need the page builds it there under a lock, the
 *    others reuse it, and it is removed at the end: one `vite build` per run instead of one per file,
 *    and two runs at once never share or delete each other's build.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM helper without types
import { freshEntry } from '../bin/cli-fresh.mjs';
// @ts-expect-error plain ESM helper without types
import { buildCli } from '../bin/cli-build.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's page build lives (built on first use by startHarness). */
    pageBuildDir: string;
  }
}

const ROOT = join(import.meta.dirname, '..');

export default async function setup(project: TestProject): Promise<() => void> {
  if (!freshEntry()) {
    try {
      await buildCli();
    } catch (e) {
      // bin/rodflow.mjs then runs the sources through tsx; test/bin-build.test.ts reports the failure.
      console.warn(`[global-setup] CLI build failed: ${(e as Error).message}`);
    }
  }
  const cache = join(ROOT, 'node_modules', '.cache', 'rodflow-e2e');
  mkdirSync(cache, { recursive: true });
  removeOrphans(cache);
  const dir = join(cache, `run-${process.pid}-${Date.now()}`);
  project.provide('pageBuildDir', dir);
  return () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.lock`, { recursive: true, force: true });
  };
}

/** Page builds of runs whose process is gone (killed before their teardown) are removed. */
function removeOrphans(cache: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(cache);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^run-(\d+)-/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(cache, name), { recursive: true, force: true });
    }
  }
}
