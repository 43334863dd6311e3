/**
 * Seeded expression fuzzing (issue 12): a grammar-based generator of loss expressions, token-level
 * mutations of them, and the known escapes and blow-ups; `checkExpr` runs one through the same path
 * as the page and the CLI (createProblem, then derivatives and a few GD steps) and says whether the
 * contract held: a clear one-line InputError or a working problem, never another exception.
 * Used by test/fuzz-expr.test.ts (short) and scripts/fuzz.ts (long).
 */
import { derivative, parse } from 'mathjs';
import { derivativeSizeBound, treeSize } from '../src/engine/problems/expr-budget.ts';
import { inspectExpression } from '../src/engine/problems/custom.ts';
import { SUPPORTED_FUNCTIONS } from '../src/engine/problems/expr-compile.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { createRunner } from '../src/engine/runner.ts';
import { mulberry32 } from '../src/engine/rng.ts';
import { InputError } from '../src/engine/types.ts';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const NUMBERS = ['0', '1', '2', '0.5', '3.25', '1e-3', '1e300', '1e-300', '1e308', '1e309', '7', '0.1', '100', '1e6'];
const SYMBOLS = ['x', 'x', 'x', 'x', 'x', 'y', 'y', 'y', 'y', 'a', 'b', 'pi', 'e', 'z', 'λ', '__proto__', 'constructor', 'toString', 'valueOf', 'Infinity', 'NaN', 'i', 'true'];
const BAD_FUNCTIONS = ['foo', 'import', 'evaluate', 'constructor', 'toString', 'hasOwnProperty', 'nthRoot', 'gamma', 'max', 'pow', 'sign'];
const OPS = ['+', '-', '*', '/', '^', '^', '*', '+'];
/** Characters a mutation may insert: operators, brackets, quotes, separators, unicode. */
const JUNK = ['(', ')', '[', ']', '{', '}', ',', ';', '=', '"', "'", '.', '!', '?', ':', '%', '&', '|', '<', '>', '\\', '#', '@', '`', 'ü', '∑', '\u0000', '\n', ' ', 'e', '1', 'x'];

/** A random expression from the grammar (mostly valid, sometimes with unknown names or functions). */
export function genExpr(r: Rand, depth = 0): string {
  const leaf = depth > 4 || r() < 0.25 + 0.1 * depth;
  if (leaf) return r() < 0.5 ? pick(r, NUMBERS) : pick(r, SYMBOLS);
  const k = r();
  if (k < 0.45) return `${genExpr(r, depth + 1)} ${pick(r, OPS)} ${genExpr(r, depth + 1)}`;
  if (k < 0.75) return `${pick(r, SUPPORTED_FUNCTIONS)}(${genExpr(r, depth + 1)})`;
  if (k < 0.8) return `log(${genExpr(r, depth + 1)}, ${genExpr(r, depth + 1)})`;
  if (k < 0.85) return `-${genExpr(r, depth + 1)}`;
  if (k < 0.9) return `(${genExpr(r, depth + 1)})`;
  if (k < 0.95) return `${genExpr(r, depth + 1)}^(${pick(r, ['1/3', '2/3', '1/5', '0.5', '-1', '2', '1.4', 'y', '1/2'])})`;
  return `${pick(r, BAD_FUNCTIONS)}(${genExpr(r, depth + 1)})`;
}

/** Token-level mutation: delete, duplicate, or insert junk at a random place. */
export function mutate(r: Rand, s: string): string {
  const i = Math.floor(r() * (s.length + 1));
  const m = r();
  if (m < 0.35 && s.length) return s.slice(0, i) + s.slice(i + 1);
  if (m < 0.5) return s.slice(0, i) + s.slice(i, i + 1 + Math.floor(r() * 5)) + s.slice(i);
  return s.slice(0, i) + pick(r, JUNK) + s.slice(i);
}

const product = (n: number) => Array.from({ length: n }, (_, k) => `sin(${k + 1}*x+y)`).join('*');
const nest = (f: string, n: number) => `${f}(`.repeat(n) + 'x' + ')'.repeat(n);

/** The known escapes and blow-ups (issue 12 and the mathjs security notes), tried first by every run. */
export const KNOWN_ESCAPES: readonly string[] = [
  'import({}, {override: true})', 'evaluate("1+1")', 'cos.constructor("return process")()', 'x.constructor', 'x["constructor"]',
  'x.toString()', 'sin.apply(x)', '[1, 2]', 'matrix([1, 2])', '"text"', "'text'", 'a = 1', 'f(x) = x^2', 'x; y', 'x\ny',
  'createUnit("foo")', 'simplify("x")', 'parse("x")', 'compile("x")', '__proto__', 'constructor', 'toString', 'x + __proto__',
  '{a: 1}', 'x ? y : 1', '1:3', 'x!', 'x == y', 'x and y', 'not x', 'x to cm', '5 cm', 'i', 'x + i', 'Infinity', 'NaN', 'null',
  'true', 'undefined', "x'", 'x ^ ^ 2', '', '   ', ')', '(((', 'cbrt(x)^2', 'x^(1/3)', '1/x', '0/0', '1e300*x^2', 'x^1e308',
  'log(0*x)', 'sqrt(-1-x^2)', 'exp(exp(exp(x)))', nest('sin', 79), nest('exp', 30), product(30), product(60),
  Array(30).fill('x').join('^'), 'x+'.repeat(60_000) + 'x', '('.repeat(500) + 'x' + ')'.repeat(500), '-'.repeat(999) + 'x',
  Array.from({ length: 200 }, (_, k) => `${k}*x^${k % 4}`).join('+'), 'x'.repeat(1000),
];

export interface ExprCase {
  expr: string;
  params: Record<string, number>;
}

/** `n` cases from `seed`: the known escapes first, then grammar output, half of it mutated. */
export function exprCases(seed: number, n: number): ExprCase[] {
  const r = mulberry32(seed);
  const out: ExprCase[] = KNOWN_ESCAPES.slice(0, n).map((expr) => ({ expr, params: {} }));
  while (out.length < n) {
    let expr = genExpr(r);
    const muts = r() < 0.5 ? 0 : 1 + Math.floor(r() * 3);
    for (let i = 0; i < muts; i++) expr = mutate(r, expr);
    const params: Record<string, number> = {};
    // Give the names a person would be asked for values, sometimes out of range or extra.
    for (const name of ['a', 'b', 'z', 'λ']) if (expr.includes(name) && r() < 0.8) params[name] = pick(r, [1, 0.5, -2, 1e300, 0]);
    if (r() < 0.05) params[pick(r, ['__proto__', 'constructor', 'x', 'a b'])] = 1;
    out.push({ expr, params });
  }
  return out;
}

export type Outcome =
  | { kind: 'ok'; ms: number }
  | { kind: 'refused'; ms: number; message: string }
  | { kind: 'violation'; ms: number; message: string };

/** A refusal must be one clear line: a sentence, no newline, no stack, no "[object …]", no mathjs internals. */
export function badMessage(message: string): string | undefined {
  if (!message || message.trim() === '') return 'empty message';
  if (message.includes('\n')) return 'message spans several lines';
  if (/\bat .*:\d+:\d+/.test(message)) return 'message carries a stack';
  if (/\[object |TypeError|ReferenceError|Cannot read prop|is not a function/.test(message)) return 'message leaks internals';
  if (message.length > 1500) return 'message too long';
  return undefined;
}

/**
 * One expression through createProblem, then every derivative at a few points and 20 GD steps.
 * Evaluation may give NaN (the flows stop with a reason); nothing may throw but InputError at build.
 */
export function checkExpr(c: ExprCase, seed = 1): Outcome {
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  let inst;
  try {
    inst = createProblem({ id: 'custom', expr: c.expr, params: c.params });
  } catch (e) {
    if (!(e instanceof InputError)) return { kind: 'violation', ms: ms(), message: `build threw ${String((e as Error)?.name)}: ${String((e as Error)?.message).slice(0, 300)}` };
    const bad = badMessage(e.message);
    return bad ? { kind: 'violation', ms: ms(), message: `${bad}: ${e.message.slice(0, 300)}` } : { kind: 'refused', ms: ms(), message: e.message };
  }
  try {
    const p = inst.problem;
    const r = mulberry32(seed);
    for (let i = 0; i < 3; i++) {
      const w = Float64Array.from({ length: p.dim }, () => 4 * r() - 2);
      const v = Float64Array.from({ length: p.dim }, () => 2 * r() - 1);
      p.loss(w);
      p.grad(w);
      p.hvp(w, v);
      p.third(w, v, v);
    }
    const run = createRunner({ problem: { id: 'custom', expr: c.expr, params: c.params }, eta: 0.05, steps: 20, flows: ['gd'] });
    run.advance(20);
    const gd = run.traces.gd!;
    for (let i = 0; i < gd.length; i++) {
      if (!Number.isFinite(gd.loss[i]) && !gd.stopped) return { kind: 'violation', ms: ms(), message: `non-finite loss recorded at t=${gd.t[i]} without a stop reason` };
    }
  } catch (e) {
    return { kind: 'violation', ms: ms(), message: `after a successful build: ${String((e as Error)?.name)}: ${String((e as Error)?.message).slice(0, 300)}` };
  }
  return { kind: 'ok', ms: ms() };
}

/**
 * The derivative-size bound must never be below the real size (else the budget would not bound the
 * compile time). Returns a description of a counterexample, or undefined. Only for expressions that
 * inspect cleanly and avoid the rewritten functions (log2, square, cube).
 */
export function checkBound(expr: string): string | undefined {
  if (/log2|square|cube/.test(expr) || expr.length > 300) return undefined;
  try {
    inspectExpression(expr);
  } catch {
    return undefined;
  }
  let node = parse(expr);
  for (let order = 0; order < 2; order++) {
    for (const v of ['x', 'y']) {
      const bound = derivativeSizeBound(node, v);
      if (bound > 20_000) return undefined;
      let d;
      try {
        d = derivative(node, v, { simplify: false });
      } catch {
        return undefined;
      }
      const real = treeSize(d);
      if (bound < real) return `bound ${bound} < real ${real} for ∂${v} of order ${order + 1} of ${expr}`;
    }
    node = derivative(node, 'x', { simplify: false });
  }
  return undefined;
}

export interface FuzzStats {
  inputs: number;
  ok: number;
  refused: number;
  violations: { input: string; message: string }[];
  slowest: { ms: number; input: string };
  peakRssMB: number;
}

export function newStats(): FuzzStats {
  return { inputs: 0, ok: 0, refused: 0, violations: [], slowest: { ms: 0, input: '' }, peakRssMB: 0 };
}

export function record(stats: FuzzStats, input: string, o: Outcome): void {
  stats.inputs++;
  if (o.kind === 'ok') stats.ok++;
  else if (o.kind === 'refused') stats.refused++;
  else stats.violations.push({ input: input.slice(0, 200), message: o.message });
  if (o.ms > stats.slowest.ms) stats.slowest = { ms: o.ms, input: input.slice(0, 120) };
  stats.peakRssMB = Math.max(stats.peakRssMB, process.memoryUsage().rss / 2 ** 20);
}
