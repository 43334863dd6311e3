import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core machines: browser tests run in their own files; keep parallelism modest.
    maxWorkers: 2,
  },
});
