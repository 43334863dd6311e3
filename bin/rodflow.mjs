#!/usr/bin/env node
// `rodflow`: runs the built CLI (build/cli/, made by `npm ci` through package.json's `prepare`) when it
// matches the sources; otherwise rebuilds it, and if that is impossible (no esbuild, read-only
// install) runs the TypeScript sources through tsx. Never runs a build older than the sources.
import { pathToFileURL } from 'node:url';
import { freshEntry } from './cli-fresh.mjs';

let entry = freshEntry();
if (!entry && process.env.RODFLOW_NO_REBUILD !== '1') {
  try {
    const { buildCli } = await import('./cli-build.mjs');
    entry = await buildCli();
  } catch {
    entry = null;
  }
}
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
