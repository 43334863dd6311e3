/**
 * The page's production build, one function for `npm start` (scripts/start.mjs) and the browser tests
 * (test/e2e/harness.ts): what the tests drive is what `npm start` serves.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `vite build` into outDir. NODE_ENV is set to production: vitest sets NODE_ENV=test, and a child
 * build that inherits it bundles React's development build (slower, and not the page users get).
 * Returns null on success, else the build's output (with stdio 'inherit' the output went to the console).
 */
export function buildPage(outDir, { logLevel = 'warn', stdio = 'pipe' } = {}) {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', logLevel, '--outDir', outDir, '--emptyOutDir'], {
    cwd: root,
    stdio,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status === 0) return null;
  return `vite build exited with ${r.status ?? r.signal}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`;
}
