/**
 * Compiles mathjs expression trees into fast float64 evaluators over a Float64Array of slot values
 * (x, y, then parameters).
 *
 * Why not mathjs `compile().evaluate(scope)`: it dispatches through typed-function on every node and
 * reads a scope object (~1 µs per node); the flows evaluate derivatives millions of times.
 *
 * Primary route, `compileBatch`: generate one JS function per derivative order that evaluates all its
 * components with common-subexpression elimination (structurally equal subtrees are computed once,
 * which matters because symbolic derivatives repeat the same factors many times). The generated source
 * contains only numeric literals, `e[i]` slot reads, arithmetic and calls of the fixed FUNCTIONS table;
 * it never contains user text, so there is nothing to inject.
 * Fallback (a Content-Security-Policy that forbids `new Function`, or a node the generator does not
 * know): a tree of closures (`compileNode`), ~10× slower but equivalent; nodes it does not know go to
 * mathjs' own evaluator. mathjs results that are complex (sqrt/log/pow of negatives) are NaN here,
 * which the flows treat as divergence.
 */
import type { MathNode } from 'mathjs';

export type Compiled = (env: Float64Array) => number;
/** Evaluates several expressions at once into `out[0..]`. */
export type CompiledBatch = (env: Float64Array, out: Float64Array) => void;

/** Functions the evaluators know, as float64 implementations (user-facing ones plus what derivatives produce). */
export const FUNCTIONS: Record<string, (v: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  sec: (v) => 1 / Math.cos(v),
  csc: (v) => 1 / Math.sin(v),
  cot: (v) => 1 / Math.tan(v),
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  sech: (v) => 1 / Math.cosh(v),
  csch: (v) => 1 / Math.sinh(v),
  coth: (v) => 1 / Math.tanh(v),
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  log2: Math.log2,
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  abs: Math.abs,
  square: (v) => v * v,
  cube: (v) => v * v * v,
};

/**
 * Odd roots are real: u^(p/q) with q odd is sign(u)^p·|u|^(p/q) for u < 0 (so cbrt(u) = u^(1/3) and
 * its derivatives, written by mathjs with u^(2/3), u^(-5/3), …, are finite for negative u), as on the
 * real line; Math.pow would give NaN. Applies to constant exponents; q is looked for among the odd
 * numbers up to ODD_ROOT_MAX_Q.
 */
const ODD_ROOT_MAX_Q = 99;

/** For a constant exponent k = p/q (q odd, 3 ≤ q ≤ 99, lowest terms): the parity of p; else undefined. */
export function oddRoot(k: number): 'even' | 'odd' | undefined {
  if (!Number.isFinite(k) || Number.isInteger(k) || Math.abs(k) > 2 ** 40) return undefined;
  for (let q = 3; q <= ODD_ROOT_MAX_Q; q += 2) {
    const pq = k * q;
    const p = Math.round(pq);
    if (Math.abs(pq - p) <= 1e-9 * Math.max(1, Math.abs(pq))) return p % 2 === 0 ? 'even' : 'odd';
  }
  return undefined;
}

/** u^k on the reals, with odd roots of negative numbers real (see above). */
export function realPow(u: number, k: number): number {
  if (!(u < 0)) return Math.pow(u, k);
  const root = oddRoot(k);
  if (root === undefined) return Math.pow(u, k);
  const m = Math.pow(-u, k);
  return root === 'odd' ? -m : m;
}

/** What a person may call (one argument each; `log(u, base)` also takes two). */
export const SUPPORTED_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

/** Named constants a user may write (unless a parameter of the same name shadows them). */
export const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

type N = MathNode & Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Code generation with common-subexpression elimination

class Unsupported extends Error {}

function literal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  const s = String(v);
  return v < 0 || Object.is(v, -0) ? `(${s})` : s;
}

class Generator {
  private readonly lines: string[] = [];
  private readonly temps = new Map<string, string>();
  constructor(private readonly slots: Map<string, number>) {}

  /** Emit `node`; returns an identifier or literal holding its value. */
  emit(node: MathNode): string {
    const n = node as N;
    switch (node.type) {
      case 'ConstantNode':
        if (typeof n.value === 'number') return literal(n.value);
        throw new Unsupported('non-numeric constant');
      case 'SymbolNode': {
        const name = n.name as string;
        const i = this.slots.get(name);
        if (i !== undefined) return `s${i}`;
        if (Object.hasOwn(CONSTANTS, name)) return literal(CONSTANTS[name]);
        throw new Unsupported(`symbol ${name}`);
      }
      case 'ParenthesisNode':
        return this.emit(n.content as MathNode);
      case 'OperatorNode':
        return this.temp(this.operator(n.fn as string, n.args as MathNode[]));
      case 'FunctionNode': {
        const name = (n.fn as { name?: string }).name ?? '';
        const args = (n.args as MathNode[]).map((a) => this.emit(a));
        if (name === 'log' && args.length === 2) return this.temp(`Math.log(${args[0]}) / Math.log(${args[1]})`);
        if (args.length === 1 && Object.hasOwn(FUNCTIONS, name)) return this.temp(`F.${name}(${args[0]})`);
        throw new Unsupported(`function ${name}`);
      }
      default:
        throw new Unsupported(node.type);
    }
  }

  private operator(fn: string, argNodes: MathNode[]): string {
    const a = argNodes.map((x) => this.emit(x));
    if (a.length === 1) {
      if (fn === 'unaryMinus') return `-${a[0]}`;
      if (fn === 'unaryPlus') return a[0];
      throw new Unsupported(fn);
    }
    const joined = (sym: string) => a.join(` ${sym} `);
    switch (fn) {
      case 'add':
        return joined('+');
      case 'multiply':
        return joined('*');
      case 'subtract':
        if (a.length === 2) return `${a[0]} - ${a[1]}`;
        break;
      case 'divide':
        if (a.length === 2) return `${a[0]} / ${a[1]}`;
        break;
      case 'pow': {
        if (a.length !== 2) break;
        const ex = argNodes[1] as N;
        const k = ex.type === 'ConstantNode' && typeof ex.value === 'number' ? (ex.value as number) : undefined;
        // Small integer powers are the common case in derivatives: multiply instead of Math.pow.
        if (k === 2) return `${a[0]} * ${a[0]}`;
        if (k === 3) return `${a[0]} * ${a[0]} * ${a[0]}`;
        if (k === 4) return `(${a[0]} * ${a[0]}) * (${a[0]} * ${a[0]})`;
        if (k === -1) return `1 / ${a[0]}`;
        if (k === -2) return `1 / (${a[0]} * ${a[0]})`;
        if (k === 0.5) return `Math.sqrt(${a[0]})`;
        const root = k === undefined ? undefined : oddRoot(k);
        if (root === 'even') return `Math.pow(Math.abs(${a[0]}), ${a[1]})`;
        if (root === 'odd') return `(${a[0]} < 0 ? -Math.pow(-${a[0]}, ${a[1]}) : Math.pow(${a[0]}, ${a[1]}))`;
        return `Math.pow(${a[0]}, ${a[1]})`;
      }
    }
    throw new Unsupported(fn);
  }

  /** Reuse the temporary holding `code` if it was computed before (CSE); else allocate one. */
  private temp(code: string): string {
    const hit = this.temps.get(code);
    if (hit) return hit;
    const name = `t${this.temps.size}`;
    this.temps.set(code, name);
    this.lines.push(`const ${name} = ${code};`);
    return name;
  }

  body(outputs: string[]): string {
    const reads = [...this.slots.values()].map((i) => `const s${i} = e[${i}];`);
    const writes = outputs.map((v, i) => `o[${i}] = ${v};`);
    return [...reads, ...this.lines, ...writes].join('\n');
  }
}

let codegenAllowed: boolean | undefined;

/** Whether `new Function` works here (false under a CSP without 'unsafe-eval'). */
function canCodegen(): boolean {
  if (codegenAllowed === undefined) {
    try {
      codegenAllowed = new Function('return 1')() === 1;
    } catch {
      codegenAllowed = false;
    }
  }
  return codegenAllowed;
}

/** For tests: force the closure route (`false`) or restore auto-detection (`undefined`). */
export function setCodegen(allowed: boolean | undefined): void {
  codegenAllowed = allowed;
}

/** One evaluator for all `nodes`, writing node i's value to out[i]. */
export function compileBatch(nodes: MathNode[], slots: Map<string, number>): CompiledBatch {
  if (canCodegen()) {
    try {
      const gen = new Generator(slots);
      const outs = nodes.map((node) => gen.emit(node));
      const make = new Function('F', `"use strict"; return function (e, o) {\n${gen.body(outs)}\n};`);
      return make(FUNCTIONS) as CompiledBatch;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  const fs = nodes.map((node) => compileNode(node, slots));
  return (e, o) => {
    for (let i = 0; i < fs.length; i++) o[i] = fs[i](e);
  };
}

// ---------------------------------------------------------------------------------------------
// Closure tree (fallback)

export function compileNode(node: MathNode, slots: Map<string, number>): Compiled {
  const n = node as N;
  switch (node.type) {
    case 'ConstantNode': {
      const v = n.value;
      if (typeof v === 'number') return () => v;
      break;
    }
    case 'SymbolNode': {
      const name = n.name as string;
      const i = slots.get(name);
      if (i !== undefined) return (e) => e[i];
      if (Object.hasOwn(CONSTANTS, name)) {
        const v = CONSTANTS[name];
        return () => v;
      }
      break;
    }
    case 'ParenthesisNode':
      return compileNode(n.content as MathNode, slots);
    case 'OperatorNode': {
      const args = (n.args as MathNode[]).map((a) => compileNode(a, slots));
      const op = closureOperator(n.fn as string, args, n.args as MathNode[]);
      if (op) return op;
      break;
    }
    case 'FunctionNode': {
      const name = (n.fn as { name?: string }).name;
      const args = n.args as MathNode[];
      if (name === 'log' && args.length === 2) {
        const a = compileNode(args[0], slots);
        const b = compileNode(args[1], slots);
        return (e) => Math.log(a(e)) / Math.log(b(e));
      }
      if (name && args.length === 1 && Object.hasOwn(FUNCTIONS, name)) {
        const f = FUNCTIONS[name];
        const a = compileNode(args[0], slots);
        return (e) => f(a(e));
      }
      break;
    }
  }
  return mathjsFallback(node, slots);
}

function closureOperator(fn: string, a: Compiled[], nodes: MathNode[]): Compiled | null {
  if (a.length === 1) {
    const [u] = a;
    if (fn === 'unaryMinus') return (e) => -u(e);
    if (fn === 'unaryPlus') return u;
    return null;
  }
  if (a.length !== 2) {
    if (fn === 'add') return (e) => a.reduce((s, f) => s + f(e), 0);
    if (fn === 'multiply') return (e) => a.reduce((s, f) => s * f(e), 1);
    return null;
  }
  const [p, q] = a;
  switch (fn) {
    case 'add':
      return (e) => p(e) + q(e);
    case 'subtract':
      return (e) => p(e) - q(e);
    case 'multiply':
      return (e) => p(e) * q(e);
    case 'divide':
      return (e) => p(e) / q(e);
    case 'pow': {
      const ex = nodes[1] as N;
      if (ex.type === 'ConstantNode' && ex.value === 2) {
        return (e) => {
          const v = p(e);
          return v * v;
        };
      }
      if (ex.type === 'ConstantNode' && typeof ex.value === 'number' && oddRoot(ex.value) !== undefined) {
        const k = ex.value;
        return (e) => realPow(p(e), k);
      }
      return (e) => Math.pow(p(e), q(e));
    }
    default:
      return null;
  }
}

/** mathjs' own evaluator for a subtree neither compiler knows; non-real results become NaN. */
function mathjsFallback(node: MathNode, slots: Map<string, number>): Compiled {
  const code = node.compile();
  const names = [...slots.entries()];
  const scope: Record<string, number> = {};
  return (e) => {
    for (const [name, i] of names) scope[name] = e[i];
    const r: unknown = code.evaluate(scope);
    return typeof r === 'number' ? r : NaN;
  };
}
