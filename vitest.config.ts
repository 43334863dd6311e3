import { defineConfig } from 'vitest/config';
import { scaled } from './test/timeouts.ts';

/**
 * Pure engine and plot-math test files: they keep no module state between tests that another file could
 * see (no worker link, no tfjs backend registry, no child process), so they share one module graph per
 * vitest worker (isolate: false) instead of importing the engine afresh for every file.
 */
const SHARED = [
  'test/flows-{central,central-igr,gd,gradient,ode,rod}.test.ts',
  'test/{linalg,lanczos,qp,theorems,problems,grid,eta,runner,session,run-file,watchdog}.test.ts',
  'test/plots-*.test.ts',
  'test/nn-{accuracy,mlp,registry}.test.ts',
  'test/custom-expr*.test.ts',
  'test/fuzz-{expr,run-file,url}.test.ts',
  'test/wgsl-*.test.ts',
  'test/ensemble-*.test.ts',
  'test/cli-args.test.ts',
];

export default defineConfig({
  test: {
    environment: 'node',
    // The budget (docs/architecture.md, "Tests"): no test over 20 s on a quiet 2-core machine, and the
    // suite must pass with two copies running at once (scaled only on an oversubscribed machine:
    // test/timeouts.ts). Long accuracy and float32 runs live in
    // `npm run accuracy` / `npm run bench`; a test that needs more than this is a test to shorten.
    testTimeout: scaled(20_000),
    // Hooks launch Chromium and, in the first browser file of a run, wait for the one shared page build
    // (test/global-setup.ts; `vite build` is ~5 s quiet and several times that on a busy machine).
    hookTimeout: scaled(60_000),
    // Gives every run a private build dir for the page (two `npm test` runs never share one) and
    // builds the CLI once, before any test spawns it.
    globalSetup: ['test/global-setup.ts'],
    // 2-core machines: browser tests run in their own files; keep parallelism modest.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'engine', include: SHARED, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: SHARED } },
    ],
  },
});
