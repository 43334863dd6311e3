import { defineConfig } from 'vitest/config';
import { scaled } from './test/timeouts.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
  },
});
