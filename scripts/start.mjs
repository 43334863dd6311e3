#!/usr/bin/env node
/**
 * `npm start`: build the explorable with Vite, then serve dist/ on 127.0.0.1 and print the URL.
 * PORT=8080 npm start picks the port (default 5173, or a free one if that is taken).
 * `--no-build` serves an existing dist/.
 * RODFLOW_DIST=dir builds to and serves that directory instead of dist/ (the tests use a private one,
 * so two test runs at once never write the same files).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPage } from './build-page.mjs';
import { serveDist } from './serve-dist.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.RODFLOW_DIST ? resolve(process.env.RODFLOW_DIST) : join(root, 'dist');

if (!process.argv.includes('--no-build')) {
  console.log('Building the explorable (vite build)…');
  if (buildPage(dist, { stdio: 'inherit' }) !== null) {
    console.error('The build failed; see above.');
    process.exit(1);
  }
}
if (!existsSync(join(dist, 'index.html'))) {
  console.error('dist/index.html is missing: run without --no-build.');
  process.exit(1);
}

const wanted = Number(process.env.PORT ?? 5173);
let served;
try {
  served = await serveDist(dist, wanted);
} catch (e) {
  if (e && e.code === 'EADDRINUSE') served = await serveDist(dist, 0);
  else throw e;
}
console.log(`\nRod Flow Explorer is running at ${served.url}\n(Ctrl+C to stop)`);
