/**
 * A loss typed by a person: an expression in x (and optionally y) with named parameters, e.g.
 * "a*x^2 + b*cos(y)" with params { a: 1, b: 0.5 }. Parsed by mathjs, differentiated symbolically up to
 * third order (mathjs `derivative`, each result cleaned up by `fold`, see expr-simplify.ts for why not
 * mathjs' `simplify`), and each derivative order compiled once into one fast evaluator
 * (expr-compile.ts). Parameters stay symbolic, so a parameter change reuses the cached derivatives.
 * Stated limits (expr-budget.ts): 1000 characters, parentheses nested at most 100 deep, and at most
 * 60,000 nodes over all derivative formulas, checked before each derivative is taken, so any
 * accepted expression compiles in well under 2 s and anything bigger is refused in one line.
 */
import type { MathNode } from 'mathjs';
import { mathjs } from './mathjs-lazy.ts';
import { InputError, type ProblemInstance, type ProblemSettings, type ProblemSpec } from '../types.ts';
import { CONSTANTS, SUPPORTED_FUNCTIONS, compileBatch, type CompiledBatch } from './expr-compile.ts';
import { fold } from './expr-simplify.ts';
import { checkText, derivativeSizeBound, DerivativeBudget } from './expr-budget.ts';
import { FieldProblem, type ScalarField } from './field.ts';
import { fmt, resolveParams } from './params.ts';

export const CUSTOM_DEFAULT_EXPR = '(1 - a*x^2 - y^2)^2';
export const CUSTOM_DEFAULT_PARAMS: Record<string, number> = { a: 0.5 };
const START_2D = [0.2, 0.2];
const START_1D = [0.5];
const WINDOW: [number, number] = [-2, 2];

const ALLOWED_OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus']);
const IDENT = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The compiled derivatives of one expression: index by order, components in field.ts layout. */
export interface CompiledExpr {
  dim: 1 | 2;
  /** Slot order: x, y, then parameter names. */
  slots: Map<string, number>;
  /** Each writes its components (field.ts layout) into out[0..]. */
  f: CompiledBatch;
  g: CompiledBatch;
  h: CompiledBatch;
  t: CompiledBatch;
  /** The derivative formulas after clean-up (`fold`), for display and tests. */
  formulas: { f: string; g: string[]; h: string[]; t: string[] };
}

/** 0-based position of the first whole-word occurrence of `name` used as a symbol (not a call). */
function symbolPosition(src: string, name: string): number | undefined {
  const re = new RegExp(`(?<![\\p{L}\\p{N}_$.])${escapeRe(name)}(?![\\p{L}\\p{N}_$])(?!\\s*\\()`, 'u');
  const m = re.exec(src);
  return m ? m.index : undefined;
}

function functionPosition(src: string, name: string): number | undefined {
  const re = new RegExp(`(?<![\\p{L}\\p{N}_$.])${escapeRe(name)}\\s*\\(`, 'u');
  const m = re.exec(src);
  return m ? m.index : undefined;
}

/** Text quoted in a message: one line (whitespace runs and control characters become one space), at most 60 characters. */
function show(text: string): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

function at(pos: number | undefined): string {
  return pos === undefined ? '' : ` at char ${pos + 1}`;
}

/** Names a parameter may not take: they live on every object's prototype (own-property lookups only). */
function reservedName(name: string): boolean {
  return name in Object.prototype || name === 'prototype';
}

function parseExpr(src: string): MathNode {
  if (src.trim() === '') throw new InputError('The expression is empty: type a loss in x (and y), e.g. x^2/2.', 0);
  checkText(src);
  let root: MathNode;
  try {
    root = mathjs().parse(src);
  } catch (e) {
    const err = e as Error & { char?: number };
    if (typeof err.char === 'number') {
      // mathjs counts characters from 1; InputError.position is 0-based.
      const pos = Math.max(0, Math.min(src.length, err.char - 1));
      const what = show(err.message.replace(/\s*\(char \d+\)\s*$/, ''));
      throw new InputError(`${what} at char ${err.char}.`, pos);
    }
    // A stack overflow of the recursive parser (deep nesting) lands here too.
    throw new InputError(`Could not parse the expression: ${show(err.message)}`);
  }
  return root;
}

/** Reject everything but arithmetic on numbers, x, y, parameters, constants and supported functions. */
function validate(src: string, root: MathNode, paramNames: Set<string>): { usesY: boolean } {
  let usesY = false;
  root.traverse((node, path, parent) => {
    const n = node as MathNode & Record<string, unknown>;
    switch (node.type) {
      case 'ConstantNode':
        if (typeof n.value !== 'number') {
          throw new InputError(`Only numbers are allowed as constants (found ${show(node.toString())}).`);
        }
        return;
      case 'SymbolNode': {
        const name = n.name as string;
        if (parent?.type === 'FunctionNode' && path === 'fn') return; // checked at the FunctionNode
        if (name === 'x') return;
        if (name === 'y') {
          usesY = true;
          return;
        }
        if (paramNames.has(name) || Object.hasOwn(CONSTANTS, name)) return;
        const pos = symbolPosition(src, name);
        const known = [...paramNames];
        throw new InputError(
          `Unknown symbol '${show(name)}'${at(pos)}: the variables are x and y` +
            (known.length ? `, the parameters ${known.join(', ')}` : ' (define a parameter to use other names)') +
            ', constants pi and e.',
          pos,
        );
      }
      case 'FunctionNode': {
        const name = (n.fn as { name?: string }).name ?? '?';
        const nargs = (n.args as MathNode[]).length;
        const ok = (SUPPORTED_FUNCTIONS.includes(name) && nargs === 1) || (name === 'log' && nargs === 2);
        if (!ok) {
          const pos = functionPosition(src, name);
          throw new InputError(
            SUPPORTED_FUNCTIONS.includes(name)
              ? `Function '${show(name)}'${at(pos)} takes one argument (got ${nargs}).`
              : `Unknown function '${show(name)}'${at(pos)}; available: ${SUPPORTED_FUNCTIONS.join(', ')}.`,
            pos,
          );
        }
        return;
      }
      case 'OperatorNode':
        if (!ALLOWED_OPERATORS.has(n.fn as string)) {
          const op = n.op as string;
          const i = src.indexOf(op);
          const pos = i >= 0 ? i : undefined;
          throw new InputError(`Operator '${op}'${at(pos)} is not supported; use + - * / ^.`, pos);
        }
        return;
      case 'ParenthesisNode':
        return;
      default:
        throw new InputError(`'${show(node.toString())}' is not allowed: write a single expression in x and y.`);
    }
  });
  return { usesY };
}

/**
 * Functions mathjs cannot differentiate, rewritten into ones it can (identities on the reals):
 * log2(u) = log(u, 2), square(u) = u^2, cube(u) = u^3.
 */
function rewrite(node: MathNode): MathNode {
  return node.transform((n) => {
    if (n.type !== 'FunctionNode') return n;
    const fnode = n as MathNode & { fn: { name?: string }; args: MathNode[] };
    const [u] = fnode.args;
    const { ConstantNode, FunctionNode, OperatorNode } = mathjs();
    const c = (v: number) => new ConstantNode(v) as unknown as MathNode;
    switch (fnode.fn.name) {
      case 'log2':
        return new FunctionNode('log', [rewrite(u), c(2)] as never) as unknown as MathNode;
      case 'square':
        return new OperatorNode('^', 'pow', [rewrite(u), c(2)] as never) as unknown as MathNode;
      case 'cube':
        return new OperatorNode('^', 'pow', [rewrite(u), c(3)] as never) as unknown as MathNode;
      default:
        return n;
    }
  });
}

/** ∂node/∂v, cleaned up; refused (InputError) before it starts if it would pass the size budget. */
function differentiate(node: MathNode, v: string, budget: DerivativeBudget): MathNode {
  const bound = derivativeSizeBound(node, v);
  budget.before(bound);
  let d: MathNode;
  try {
    d = fold(mathjs().derivative(node, v, { simplify: false }));
  } catch (e) {
    throw new InputError(`Cannot differentiate the expression: ${show((e as Error).message)}`);
  }
  budget.settle(bound, d);
  return d;
}

const cache = new Map<string, CompiledExpr>();
/** Refusals too: retyping an expression refused by the size budget answers at once. */
const refused = new Map<string, InputError>();
const CACHE_MAX = 32;

/**
 * What an expression needs before it can be built: its dimension and the names it uses besides x, y,
 * pi and e (the UI offers these as parameters). Throws InputError only for syntax errors, unsupported
 * functions or operators and empty input; unknown names are listed, not rejected.
 */
export function inspectExpression(src: string): { dim: 1 | 2; params: string[] } {
  const root = parseExpr(src);
  const names = new Set<string>();
  root.traverse((node, path, parent) => {
    if (node.type !== 'SymbolNode' || (parent?.type === 'FunctionNode' && path === 'fn')) return;
    const name = (node as MathNode & { name: string }).name;
    if (name !== 'x' && name !== 'y' && !Object.hasOwn(CONSTANTS, name)) names.add(name);
  });
  const params = [...names].sort();
  const { usesY } = validate(src, root, new Set(params));
  return { dim: usesY ? 2 : 1, params };
}

/** Parse, validate, differentiate to third order and compile. Cached by expression and parameter names. */
export function compileExpression(src: string, paramNames: string[]): CompiledExpr {
  const names = [...paramNames].sort();
  for (const p of names) {
    if (!IDENT.test(p)) throw new InputError(`Parameter name '${show(p)}' is not a valid identifier.`);
    if (p === 'x' || p === 'y') throw new InputError(`'${p}' is a variable and cannot be a parameter name.`);
    if (reservedName(p)) throw new InputError(`Parameter name '${p}' is reserved; choose another name.`);
  }
  const key = `${src}\u0000${names.join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const no = refused.get(key);
  if (no) throw new InputError(no.message, no.position);
  try {
    return compileFresh(src, names, key);
  } catch (e) {
    if (e instanceof InputError) {
      if (refused.size >= CACHE_MAX) refused.delete(refused.keys().next().value as string);
      refused.set(key, e);
    }
    throw e;
  }
}

function compileFresh(src: string, names: string[], key: string): CompiledExpr {
  const parsed = parseExpr(src);
  const { usesY } = validate(src, parsed, new Set(names));
  const root = fold(rewrite(parsed));
  const dim: 1 | 2 = usesY ? 2 : 1;
  const vars = dim === 2 ? ['x', 'y'] : ['x'];
  const slots = new Map<string, number>([
    ['x', 0],
    ['y', 1],
  ]);
  names.forEach((p, i) => slots.set(p, 2 + i));
  const budget = new DerivativeBudget();
  const d = (node: MathNode, v: string) => differentiate(node, v, budget);

  // Mixed partials are taken along a fixed path (x before y), so each of the 1+2+3+4 components is
  // differentiated once: g_x, g_y; h_xx = ∂x g_x, h_xy = ∂y g_x, h_yy = ∂y g_y; t_xxx = ∂x h_xx,
  // t_xxy = ∂y h_xx, t_xyy = ∂y h_xy, t_yyy = ∂y h_yy.
  const g = vars.map((v) => d(root, v));
  const h = dim === 2 ? [d(g[0], 'x'), d(g[0], 'y'), d(g[1], 'y')] : [d(g[0], 'x')];
  const t = dim === 2 ? [d(h[0], 'x'), d(h[0], 'y'), d(h[1], 'y'), d(h[2], 'y')] : [d(h[0], 'x')];
  const out: CompiledExpr = {
    dim,
    slots,
    f: compileBatch([root], slots),
    g: compileBatch(g, slots),
    h: compileBatch(h, slots),
    t: compileBatch(t, slots),
    formulas: {
      f: root.toString(),
      g: g.map((n) => n.toString()),
      h: h.map((n) => n.toString()),
      t: t.map((n) => n.toString()),
    },
  };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, out);
  return out;
}

/** A ScalarField over a compiled expression with the parameter values bound into its slot vector. */
function expressionField(ce: CompiledExpr, params: Record<string, number>): ScalarField {
  const env = new Float64Array(ce.slots.size);
  for (const [name, i] of ce.slots) if (i >= 2) env[i] = params[name];
  const { f, g, h, t } = ce;
  const fo = new Float64Array(1);
  return {
    dim: ce.dim,
    f: (x, y) => {
      env[0] = x;
      env[1] = y;
      f(env, fo);
      return fo[0];
    },
    g: (x, y, o) => {
      env[0] = x;
      env[1] = y;
      g(env, o);
    },
    h: (x, y, o) => {
      env[0] = x;
      env[1] = y;
      h(env, o);
    },
    t: (x, y, o) => {
      env[0] = x;
      env[1] = y;
      t(env, o);
    },
  };
}

/** Loss range over the x window for 1-D plots, from finite samples, padded 5%. */
function lossRange(field: ScalarField): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i <= 200; i++) {
    const v = field.f(WINDOW[0] + ((WINDOW[1] - WINDOW[0]) * i) / 200, 0);
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo - 1, lo + 1] : [-1, 1];
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

export const CUSTOM: ProblemSpec = {
  id: 'custom',
  name: 'Custom expression',
  description: 'Your own loss in x (and y) with named parameters; derivatives up to third order are taken symbolically.',
  kind: 'custom',
  params: [],
  defaults: { eta: 0.3, start: START_2D, steps: 1000, window: { x: WINDOW, y: WINDOW } },
  create(settings: ProblemSettings): ProblemInstance {
    const usingDefault = settings.expr === undefined;
    const expr = usingDefault ? CUSTOM_DEFAULT_EXPR : settings.expr;
    if (typeof expr !== 'string') throw new InputError('The expression must be text.');
    const given = usingDefault ? { ...CUSTOM_DEFAULT_PARAMS, ...settings.params } : (settings.params ?? {});
    for (const k of Object.keys(given)) {
      if (reservedName(k)) throw new InputError(`Parameter name '${k}' is reserved; choose another name.`);
    }
    const params = resolveParams(CUSTOM, { ...settings, params: given }, true);
    const ce = compileExpression(expr, Object.keys(params));
    const field = expressionField(ce, params);
    const start = Float64Array.from(ce.dim === 2 ? START_2D : START_1D);

    // Reject an expression that is not finite where the run starts, with the offending quantity named.
    const y0 = ce.dim === 2 ? start[1] : 0;
    const at0 = ce.dim === 2 ? `(x, y) = (${fmt(start[0])}, ${fmt(start[1])})` : `x = ${fmt(start[0])}`;
    const gb = new Float64Array(2);
    const hb = new Float64Array(3);
    const tb = new Float64Array(4);
    const f0 = field.f(start[0], y0);
    field.g(start[0], y0, gb);
    field.h(start[0], y0, hb);
    field.t(start[0], y0, tb);
    const checks: [string, number[]][] = [
      ['loss', [f0]],
      ['gradient', [...gb.subarray(0, ce.dim)]],
      ['Hessian', [...hb.subarray(0, ce.dim === 2 ? 3 : 1)]],
      ['third derivative', [...tb.subarray(0, ce.dim === 2 ? 4 : 1)]],
    ];
    for (const [what, vals] of checks) {
      if (vals.some((v) => !Number.isFinite(v))) {
        throw new InputError(`The ${what} of '${show(expr)}' is not finite at the start ${at0}.`);
      }
    }

    const paramText = Object.entries(params)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(', ');
    return {
      problem: new FieldProblem(field),
      settings: { ...settings, id: 'custom', expr, params },
      start,
      label: paramText ? `${expr} (${paramText})` : expr,
      window: ce.dim === 2 ? { x: WINDOW, y: WINDOW } : { x: WINDOW, y: lossRange(field) },
    };
  },
};
