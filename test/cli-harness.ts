/**
 * Runs the CLI's main() in-process with stdout/stderr captured (a spawn costs seconds; this costs the
 * run). Not re-entrant: one call at a time per process.
 */
import { main } from '../src/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** An exception that escaped main() (a bug: main must turn everything into a code and a line). */
  thrown?: unknown;
  ms: number;
}

export async function runCli(argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const grab = (sink: string[]) =>
    ((chunk: string | Uint8Array) => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = grab(out);
  process.stderr.write = grab(err);
  const t0 = performance.now();
  let code = -1;
  let thrown: unknown;
  try {
    code = await main(argv);
  } catch (e) {
    thrown = e;
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
  return { code, stdout: out.join(''), stderr: err.join(''), ms: performance.now() - t0, ...(thrown !== undefined ? { thrown } : {}) };
}

/** The README's promise for bad input: exit 2, exactly one line on stderr starting "rodflow: ", no stack. */
export function isOneLineUsageError(r: CliResult): boolean {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  return r.code === 2 && r.thrown === undefined && lines.length === 1 && lines[0].startsWith('rodflow: ') && !/\n\s+at /.test(r.stderr);
}
