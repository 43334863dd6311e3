/**
 * Generates the stored runs the lesson scenes open on: public/runs/<id>.json (run-file schema 1), one per
 * distinct scene state in the lessons registry (src/lessons/). `npm run stored-runs`; `-- <id> …` for
 * some only. test/lessons.test.ts recomputes a sample of each and fails when one is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { storedRuns } from '../src/lessons/registry.ts';
import { computeStoredRun } from '../src/lessons/stored-build.ts';

const OUT = join(import.meta.dirname, '..', 'public', 'runs');
mkdirSync(OUT, { recursive: true });
const only = process.argv.slice(2);
for (const [id, state] of storedRuns()) {
  if (only.length && !only.includes(id)) continue;
  const t0 = performance.now();
  const file = computeStoredRun(state);
  const text = JSON.stringify({ ...file, state });
  writeFileSync(join(OUT, `${id}.json`), text);
  console.log(`${id}: ${(text.length / 1024).toFixed(0)} KiB, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
