/**
 * Limits that keep compiling a typed expression bounded in time and memory (the page must never
 * freeze on what a person typed; see docs/numerics.md, "expression limits").
 *
 * Symbolic derivatives can grow without bound: a product of k factors has k terms per order, a
 * chain of d nested functions grows like d^(order+1), x^x^… doubles per order. mathjs' `derivative`
 * cannot be interrupted, so before each derivative is taken its size is bounded from above
 * (`derivativeSizeBound`, which mirrors mathjs' rules node by node) and refused if the running total
 * would pass MAX_DERIVATIVE_NODES. Every later stage (clean-up, code generation, display) is linear in
 * the tree size, so the whole compile is bounded by a constant times the budget.
 */
import type { MathNode } from 'mathjs';
import { InputError } from '../types.ts';
import { groupThousands } from '../format.ts';

/** Longest expression text accepted (characters). */
export const MAX_EXPR_LENGTH = 1000;
/** Deepest nesting of parentheses and brackets (the parser recurses per level). */
export const MAX_EXPR_DEPTH = 100;
/** Largest total size (tree nodes) of the ten derivative formulas up to third order. */
export const MAX_DERIVATIVE_NODES = 60_000;

type N = MathNode & Record<string, unknown>;

function children(node: MathNode): MathNode[] {
  const n = node as N;
  if (node.type === 'ParenthesisNode') return [n.content as MathNode];
  if (node.type === 'OperatorNode' || node.type === 'FunctionNode') return n.args as MathNode[];
  return [];
}

/** Nodes of the tree as printed/evaluated (shared subtrees counted once per occurrence); stops counting past `cap`. */
export function treeSize(node: MathNode, cap = Infinity): number {
  let count = 0;
  const stack: MathNode[] = [node];
  while (stack.length && count <= cap) {
    const n = stack.pop()!;
    count++;
    for (const c of children(n)) stack.push(c);
  }
  return count;
}

/** Depth of the tree (a leaf has depth 1); iterative, so a degenerate tree cannot overflow the stack. */
export function treeDepth(node: MathNode): number {
  let max = 0;
  const stack: [MathNode, number][] = [[node, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    for (const c of children(n)) stack.push([c, d + 1]);
  }
  return max;
}

interface Est {
  /** Tree size of the node. */
  s: number;
  /** Whether the node depends on the variable. */
  dep: boolean;
  /** Upper bound on the tree size of its derivative (before clean-up). */
  d: number;
}

/**
 * An upper bound on the number of nodes of mathjs' `derivative(node, v, { simplify: false })`.
 * Per rule (s = size of an argument, D = size of its derivative; constants in v give the single node 0):
 * sum/difference 1 + ΣD; product rule 1 + Σ_i (1 + Σ_{j≠i} s_j + D_i) (which also bounds the
 * constant-factor shortcut); quotient D_a + D_b + s_a + 2 s_b + 6; power D_a + D_b + 3 s_a + 2 s_b + 8
 * (the functional rule, which bounds the constant-base and constant-exponent ones); a function
 * f(u): D_u + 2 s_u + 8 (sec, csc, sech, csch and abs repeat u twice, the rest once); log(u, v) as
 * log(u)/log(v). Checked against the real sizes in test/custom-expr-limits.test.ts.
 */
export function derivativeSizeBound(node: MathNode, v: string): number {
  return estimate(node, v).d;
}

function estimate(node: MathNode, v: string): Est {
  const n = node as N;
  switch (node.type) {
    case 'ConstantNode':
      return { s: 1, dep: false, d: 1 };
    case 'SymbolNode':
      return { s: 1, dep: n.name === v, d: 1 };
    case 'ParenthesisNode': {
      const c = estimate(n.content as MathNode, v);
      // mathjs differentiates inside parentheses without asking whether the content is constant.
      return { s: c.s + 1, dep: c.dep, d: c.d + 1 };
    }
    case 'OperatorNode':
    case 'FunctionNode': {
      const args = (n.args as MathNode[]).map((a) => estimate(a, v));
      const s = 1 + args.reduce((t, a) => t + a.s, 0);
      const dep = args.some((a) => a.dep);
      if (!dep) return { s, dep, d: 1 };
      const S = s - 1;
      const D = args.reduce((t, a) => t + a.d, 0);
      let d: number;
      if (node.type === 'FunctionNode') {
        // log(u, v) is differentiated as log(u)/log(v): a quotient of two one-argument functions.
        d = args.length === 2 ? D + 2 * args[0].s + 4 * args[1].s + 40 : D + 2 * S + 8;
      } else {
        switch (n.fn) {
          case 'multiply':
            d = 1 + args.reduce((t, a) => t + 1 + (S - a.s) + a.d, 0);
            break;
          case 'divide':
            d = D + args[0].s + 2 * (args[1]?.s ?? 0) + 6;
            break;
          case 'pow':
            d = D + 3 * args[0].s + 2 * (args[1]?.s ?? 0) + 8;
            break;
          default:
            // add, subtract, unary minus/plus
            d = 1 + D;
        }
      }
      return { s, dep, d };
    }
    default:
      // validate() admits no other node types; count them generously.
      return { s: 1, dep: true, d: 1 };
  }
}

/**
 * Refuse text that is too long or nested too deeply before it is parsed (so the recursive parser,
 * clean-up and differentiation run on a bounded stack).
 */
export function checkText(src: string): void {
  if (src.length > MAX_EXPR_LENGTH) {
    throw new InputError(`The expression is ${src.length} characters long; the limit is ${MAX_EXPR_LENGTH}.`, MAX_EXPR_LENGTH);
  }
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth > MAX_EXPR_DEPTH) {
      throw new InputError(`The expression nests parentheses more than ${MAX_EXPR_DEPTH} deep (at char ${i + 1}).`, i);
    }
  }
}

/** Running total of derivative sizes for one compile; refuses before a derivative that would pass the budget. */
export class DerivativeBudget {
  used = 0;
  constructor(private readonly limit = MAX_DERIVATIVE_NODES) {}

  /** Call before differentiating, with the derivative's size bound (derivativeSizeBound). */
  before(bound: number): void {
    this.charge(bound);
  }

  /** Call with each derivative after clean-up; replaces the bound charged for it by its real size. */
  settle(bound: number, node: MathNode): void {
    this.used -= bound;
    this.charge(treeSize(node, this.limit));
  }

  private charge(nodes: number): void {
    this.used += nodes;
    if (this.used > this.limit) {
      throw new InputError(
        `The expression's derivatives up to third order would be too large to compile (over ${groupThousands(this.limit)} terms): ` +
          'simplify it, e.g. fewer nested functions or fewer factors in a product.',
      );
    }
  }
}
