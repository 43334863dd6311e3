/**
 * Is the built CLI (build/cli/, made by bin/cli-build.mjs) built from the sources as they are now?
 * Kept free of dependencies so that answering costs a few milliseconds: it hashes the ~50 source files
 * that the build recorded and compares with the hash stored at build time (content, not mtimes, so a
 * fresh clone or a checkout that touches files without changing them does not force a rebuild).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const BUILD_DIR = join(ROOT, 'build', 'cli');
export const ENTRY = join(BUILD_DIR, 'rodflow.js');

/** sha256 over each file's project-relative path and content; a missing file hashes as "missing". */
export function hashInputs(inputs) {
  const h = createHash('sha256');
  for (const f of inputs) {
    h.update(f + '\0');
    try {
      h.update(readFileSync(join(ROOT, f)));
    } catch {
      h.update('\0missing\0');
    }
    h.update('\0');
  }
  return h.digest('hex');
}

/** The built entry if it exists and matches the sources, else null. */
export function freshEntry() {
  let meta;
  try {
    meta = JSON.parse(readFileSync(join(BUILD_DIR, 'inputs.json'), 'utf8'));
  } catch {
    return null;
  }
  if (!meta || !Array.isArray(meta.inputs) || typeof meta.hash !== 'string') return null;
  return hashInputs(meta.inputs) === meta.hash ? ENTRY : null;
}
