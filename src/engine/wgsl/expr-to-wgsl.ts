/**
 * mathjs expression trees → WGSL (float32) code with common-subexpression elimination.
 *
 * The trees are the same symbolic derivatives the float64 path compiles (problems/custom.ts, via
 * `compileExpression(...).formulas`, re-parsed), so one source defines a problem on the CPU and on the
 * GPU. The generator mirrors problems/expr-compile.ts: structurally equal subtrees become one `let`.
 *
 * What WGSL cannot say (each raises `WgslUnsupported` with a sentence for the page; the CPU fallback
 * then runs the problem):
 *  - a power whose exponent is not a numeric constant, unless its base is a positive constant
 *    (WGSL's pow is exp2(y·log2 x): NaN for a negative base, where float64 Math.pow(−2, 3) = −8);
 *  - numeric constants outside float32's range (|v| > 3.4e38, or non-zero below 1.2e-38) and NaN/∞;
 *  - anything but numbers, x, y, parameters, pi, e, the five operators and the FUNCTIONS table.
 * Integer powers become products (exact signs, like the float64 path's `x * x`); other constant powers
 * go through pow, NaN for a negative base exactly where float64's Math.pow is NaN.
 */
import type { MathNode } from 'mathjs';
import { CONSTANTS } from '../problems/expr-compile.ts';

/** An expression (or a derivative of it) that WGSL cannot express; `message` is for people. */
export class WgslUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WgslUnsupported';
  }
}

type N = MathNode & Record<string, unknown>;

const F32_MAX = 3.4028234663852886e38;
const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** A float literal WGSL parses as f32 (always with '.' or 'e', so it is never an integer). */
export function f32Literal(v: number): string {
  if (!Number.isFinite(v)) throw new WgslUnsupported(`the constant ${v} has no float32 value`);
  const a = Math.abs(v);
  if (a > F32_MAX) throw new WgslUnsupported(`the constant ${v} is beyond float32's range (±3.4e38)`);
  if (a !== 0 && a < F32_MIN_NORMAL) throw new WgslUnsupported(`the constant ${v} is below float32's smallest normal number (1.2e-38)`);
  let s = String(a);
  if (!/[.e]/.test(s)) s += '.0';
  return v < 0 || Object.is(v, -0) ? `(-${s})` : s;
}

/** One-argument functions as WGSL expressions of their argument (f32). */
const WGSL_FUNCTIONS: Record<string, (a: string) => string> = {
  sin: (a) => `sin(${a})`,
  cos: (a) => `cos(${a})`,
  tan: (a) => `tan(${a})`,
  sec: (a) => `(1.0 / cos(${a}))`,
  csc: (a) => `(1.0 / sin(${a}))`,
  cot: (a) => `(1.0 / tan(${a}))`,
  asin: (a) => `asin(${a})`,
  acos: (a) => `acos(${a})`,
  atan: (a) => `atan(${a})`,
  sinh: (a) => `sinh(${a})`,
  cosh: (a) => `cosh(${a})`,
  tanh: (a) => `tanh(${a})`,
  sech: (a) => `(1.0 / cosh(${a}))`,
  csch: (a) => `(1.0 / sinh(${a}))`,
  coth: (a) => `(1.0 / tanh(${a}))`,
  asinh: (a) => `asinh(${a})`,
  acosh: (a) => `acosh(${a})`,
  atanh: (a) => `atanh(${a})`,
  exp: (a) => `exp(${a})`,
  log: (a) => `log(${a})`,
  log10: (a) => `(log(${a}) * 0.4342944819032518)`,
  log2: (a) => `log2(${a})`,
  sqrt: (a) => `sqrt(${a})`,
  cbrt: (a) => `(sign(${a}) * pow(abs(${a}), 0.3333333333333333))`,
  abs: (a) => `abs(${a})`,
  square: (a) => `(${a} * ${a})`,
  cube: (a) => `(${a} * ${a} * ${a})`,
};

function constValue(node: MathNode): number | undefined {
  const n = node as N;
  if (node.type === 'ConstantNode' && typeof n.value === 'number') return n.value as number;
  if (node.type === 'ParenthesisNode') return constValue(n.content as MathNode);
  if (node.type === 'OperatorNode' && n.fn === 'unaryMinus') {
    const v = constValue((n.args as MathNode[])[0]);
    return v === undefined ? undefined : -v;
  }
  if (node.type === 'SymbolNode' && Object.hasOwn(CONSTANTS, n.name as string)) return CONSTANTS[n.name as string];
  return undefined;
}

/** Generates the body of one WGSL function from several trees (outputs share temporaries). */
export class WgslGenerator {
  private readonly lines: string[] = [];
  private readonly temps = new Map<string, string>();
  /**
   * @param slots variable/parameter name → WGSL expression that reads it (e.g. x → `w.x`, a → `prm[0]`).
   */
  constructor(private readonly slots: Map<string, string>) {}

  emit(node: MathNode): string {
    const n = node as N;
    switch (node.type) {
      case 'ConstantNode':
        if (typeof n.value === 'number') return f32Literal(n.value);
        throw new WgslUnsupported(`the constant ${node.toString()} is not a number`);
      case 'SymbolNode': {
        const name = n.name as string;
        const s = this.slots.get(name);
        if (s !== undefined) return s;
        if (Object.hasOwn(CONSTANTS, name)) return f32Literal(CONSTANTS[name]);
        throw new WgslUnsupported(`the symbol '${name}' is not a variable or parameter`);
      }
      case 'ParenthesisNode':
        return this.emit(n.content as MathNode);
      case 'OperatorNode':
        return this.temp(this.operator(n.fn as string, n.args as MathNode[]));
      case 'FunctionNode': {
        const name = (n.fn as { name?: string }).name ?? '';
        const argNodes = n.args as MathNode[];
        if (name === 'log' && argNodes.length === 2) {
          const [a, b] = argNodes.map((x) => this.emit(x));
          return this.temp(`log(${a}) / log(${b})`);
        }
        if (argNodes.length === 1 && Object.hasOwn(WGSL_FUNCTIONS, name)) return this.temp(WGSL_FUNCTIONS[name](this.emit(argNodes[0])));
        throw new WgslUnsupported(`the function '${name}' has no WGSL form here`);
      }
      default:
        throw new WgslUnsupported(`'${node.toString()}' (${node.type}) has no WGSL form`);
    }
  }

  private operator(fn: string, argNodes: MathNode[]): string {
    if (fn === 'pow') return this.power(argNodes);
    const a = argNodes.map((x) => this.emit(x));
    if (a.length === 1) {
      if (fn === 'unaryMinus') return `-${a[0]}`;
      if (fn === 'unaryPlus') return a[0];
      throw new WgslUnsupported(`the operator '${fn}' has no WGSL form`);
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
    }
    throw new WgslUnsupported(`the operator '${fn}' has no WGSL form`);
  }

  /** u^k: integer k by repeated squaring (exact signs), other constants through pow (base must be ≥ 0). */
  private power(argNodes: MathNode[]): string {
    if (argNodes.length !== 2) throw new WgslUnsupported('a power needs two operands');
    const k = constValue(argNodes[1]);
    const baseConst = constValue(argNodes[0]);
    if (k === undefined) {
      if (baseConst !== undefined && baseConst > 0) {
        // c^u = exp(u·ln c): defined for every u, as in float64.
        return `exp(${this.emit(argNodes[1])} * ${f32Literal(Math.log(baseConst))})`;
      }
      throw new WgslUnsupported(
        `the power ${argNodes[0].toString()}^(${argNodes[1].toString()}) has a variable exponent; WGSL's pow is undefined for a negative base`,
      );
    }
    const u = this.emit(argNodes[0]);
    if (Number.isInteger(k) && Math.abs(k) <= 64) {
      if (k === 0) return '1.0';
      const p = this.intPower(u, Math.abs(k));
      return k > 0 ? p : `1.0 / (${p})`;
    }
    if (k === 0.5) return `sqrt(${u})`;
    if (k === -0.5) return `1.0 / sqrt(${u})`;
    if (!Number.isInteger(k)) {
      // float64: Math.pow(negative, non-integer) is NaN; so is WGSL's exp2(k·log2 u): both paths see divergence.
      return `pow(${u}, ${f32Literal(k)})`;
    }
    throw new WgslUnsupported(`the power ${argNodes[0].toString()}^${k} has too large an integer exponent for float32`);
  }

  /** u^n for n ≥ 1 as products of temporaries (binary powering). */
  private intPower(u: string, n: number): string {
    if (n === 1) return u;
    if (n === 2) return `${u} * ${u}`;
    if (n === 3) return `${u} * ${u} * ${u}`;
    const half = this.temp(this.intPower(u, Math.floor(n / 2)));
    return n % 2 === 0 ? `${half} * ${half}` : `${half} * ${half} * ${u}`;
  }

  private temp(code: string): string {
    const hit = this.temps.get(code);
    if (hit) return hit;
    const name = `t${this.temps.size}`;
    this.temps.set(code, name);
    this.lines.push(`  let ${name} = ${code};`);
    return name;
  }

  /** The statements so far (indented two spaces). */
  statements(): string[] {
    return this.lines.slice();
  }
}

/**
 * One WGSL function `fn name(w: vec2f) -> type` returning `wrap(values)`, where values are the trees'
 * WGSL expressions. Variables x → w.x, y → w.y; parameters → prm[i] (a module-scope storage array).
 */
export function wgslFunction(
  name: string,
  returnType: string,
  nodes: MathNode[],
  paramNames: string[],
  wrap: (values: string[]) => string,
): string {
  const slots = new Map<string, string>([
    ['x', 'w.x'],
    ['y', 'w.y'],
  ]);
  paramNames.forEach((p, i) => slots.set(p, `prm[${i}]`));
  const gen = new WgslGenerator(slots);
  const outs = nodes.map((n) => gen.emit(n));
  return [`fn ${name}(w: vec2f) -> ${returnType} {`, ...gen.statements(), `  return ${wrap(outs)};`, '}'].join('\n');
}
