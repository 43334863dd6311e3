/**
 * The built CLI (bin/cli-build.mjs → build/cli/, run by bin/rodflow.mjs): it builds from the sources
 * as they are, its freshness check notices any change of content, and it prints what the TypeScript
 * sources print when their `main` runs in-process (the same entry point, not bundled).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
// @ts-expect-error plain ESM helper without types
import { BUILD_DIR, ROOT, freshEntry, hashInputs } from '../bin/cli-fresh.mjs';
// @ts-expect-error plain ESM helper without types
import { buildCli } from '../bin/cli-build.mjs';

const node = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });

describe('built CLI', () => {
  it('is built from the current sources (global setup builds it; a failed build shows here)', async () => {
    // Sources edited since the global setup (a working tree in use) are rebuilt here; a build error throws.
    if (!freshEntry()) await buildCli();
    const entry = freshEntry() as string | null;
    expect(entry, 'build/cli is missing or stale: run `npm run build:cli` to see the error').not.toBeNull();
    const meta = JSON.parse(readFileSync(join(BUILD_DIR, 'inputs.json'), 'utf8')) as { inputs: string[] };
    expect(meta.inputs).toContain('src/cli/main.ts');
    expect(meta.inputs).toContain('bin/cli-build.mjs');
    // mathjs is loaded on first use, never at start-up (bin/mathjs-lazy.mjs).
    expect(readFileSync(entry!, 'utf8')).not.toMatch(/^import .* from "mathjs";$/m);
  });

  it('notices a change of content in any recorded file', () => {
    const dir = join(ROOT, 'node_modules', '.cache', `bin-build-test-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const rel = `node_modules/.cache/bin-build-test-${process.pid}/a.ts`;
    try {
      writeFileSync(join(ROOT, rel), 'export const a = 1;\n');
      const h1 = hashInputs([rel]);
      expect(hashInputs([rel])).toBe(h1);
      writeFileSync(join(ROOT, rel), 'export const a = 2;\n');
      expect(hashInputs([rel])).not.toBe(h1);
      rmSync(join(ROOT, rel));
      expect(hashInputs([rel])).not.toBe(h1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints what the sources print when run in-process (problems, flows, a usage error)', async () => {
    const { main } = await import('../src/cli/main.ts');
    for (const args of [['problems'], ['flows'], ['run', '--problem', 'no-such-problem']]) {
      const built = node(['bin/rodflow.mjs', ...args]);
      const out: string[] = [];
      const err: string[] = [];
      const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
      const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
      const c = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ') + '\n'));
      let code: number;
      try {
        code = await main(args);
      } finally {
        o.mockRestore();
        e.mockRestore();
        c.mockRestore();
      }
      expect(built.status, args.join(' ')).toBe(code);
      expect(built.stdout, args.join(' ')).toBe(out.join(''));
      expect(built.stderr, args.join(' ')).toBe(err.join(''));
    }
  });
});
