import { describe, expect, it } from 'vitest';
import { evaluate } from 'mathjs';
import { derivativeErrors, mulberry32, relErr } from '../src/engine/problems/fd-check.ts';
import { compileExpression, CUSTOM_DEFAULT_EXPR, inspectExpression } from '../src/engine/problems/custom.ts';
import { setCodegen, SUPPORTED_FUNCTIONS } from '../src/engine/problems/expr-compile.ts';
import { createProblem } from '../src/engine/problems/registry.ts';
import { InputError, type Problem } from '../src/engine/types.ts';

const custom = (expr: string, params: Record<string, number> = {}) => createProblem({ id: 'custom', expr, params });

function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('custom expression: derivatives', () => {
  it('matches hand-derived formulas for a*x^2 + b*cos(y)', () => {
    const a = 0.7;
    const b = -1.3;
    const { problem: p } = custom('a*x^2 + b*cos(y)', { a, b });
    expect(p.dim).toBe(2);
    const rand = mulberry32(1);
    for (let i = 0; i < 20; i++) {
      const x = 4 * rand() - 2;
      const y = 4 * rand() - 2;
      const w = Float64Array.of(x, y);
      expect(p.loss(w)).toBeCloseTo(a * x * x + b * Math.cos(y), 14);
      expect(relErr(p.grad(w), [2 * a * x, -b * Math.sin(y)])).toBeLessThan(1e-15);
      expect(relErr(p.hessian!(w), [2 * a, 0, 0, -b * Math.cos(y)])).toBeLessThan(1e-15);
      // T[e_y, e_y] = (∂yyx, ∂yyy) = (0, b sin y); T[e_x, e_x] = (∂xxx, ∂xxy) = (0, 0).
      const ey = Float64Array.of(0, 1);
      const ex = Float64Array.of(1, 0);
      expect(relErr(p.third(w, ey, ey), [0, b * Math.sin(y)])).toBeLessThan(1e-15);
      expect(relErr(p.third(w, ex, ex), [0, 0])).toBe(0);
    }
  });

  it('matches hand-derived formulas for sin(x)*exp(y) + x^3*y^2 (every mixed third derivative)', () => {
    const { problem: p } = custom('sin(x)*exp(y) + x^3*y^2');
    const rand = mulberry32(2);
    for (let i = 0; i < 20; i++) {
      const x = 3 * rand() - 1.5;
      const y = 3 * rand() - 1.5;
      const w = Float64Array.of(x, y);
      const [s, c, e] = [Math.sin(x), Math.cos(x), Math.exp(y)];
      expect(relErr(p.grad(w), [c * e + 3 * x * x * y * y, s * e + 2 * x ** 3 * y])).toBeLessThan(1e-14);
      const hxx = -s * e + 6 * x * y * y;
      const hxy = c * e + 6 * x * x * y;
      const hyy = s * e + 2 * x ** 3;
      expect(relErr(p.hessian!(w), [hxx, hxy, hxy, hyy])).toBeLessThan(1e-14);
      const txxx = -c * e + 6 * y * y;
      const txxy = -s * e + 12 * x * y;
      const txyy = c * e + 6 * x * x;
      const tyyy = s * e;
      // T[a,b]_k = Σ T_ijk a_i b_j, checked on a random pair.
      const a = Float64Array.of(rand() - 0.5, rand() - 0.5);
      const b = Float64Array.of(rand() - 0.5, rand() - 0.5);
      const mix = a[0] * b[1] + a[1] * b[0];
      const want = [
        txxx * a[0] * b[0] + txxy * mix + txyy * a[1] * b[1],
        txxy * a[0] * b[0] + txyy * mix + tyyy * a[1] * b[1],
      ];
      expect(relErr(p.third(w, a, b), want)).toBeLessThan(1e-14);
    }
  });

  it('the default expression is the valley and agrees with the hand-derived toy to round-off', () => {
    const inst = createProblem({ id: 'custom' });
    expect(inst.settings.expr).toBe(CUSTOM_DEFAULT_EXPR);
    const toy = createProblem({ id: 'valley', params: { a: 0.5 } }).problem;
    const p = inst.problem;
    const rand = mulberry32(3);
    for (let i = 0; i < 50; i++) {
      const w = Float64Array.of(3 * rand() - 1.5, 3 * rand() - 1.5);
      const v = Float64Array.of(rand() - 0.5, rand() - 0.5);
      expect(Math.abs(p.loss(w) - toy.loss(w))).toBeLessThan(1e-13);
      expect(relErr(p.grad(w), toy.grad(w))).toBeLessThan(1e-13);
      expect(relErr(p.hvp(w, v), toy.hvp(w, v))).toBeLessThan(1e-13);
      expect(relErr(p.third(w, v, w), toy.third(w, v, w))).toBeLessThan(1e-13);
    }
  });

  it('the 1-D soft well typed as an expression agrees with the hand-derived toy', () => {
    const p = custom('x^2/sqrt(1+x^2)').problem;
    const toy = createProblem({ id: 'soft-well', params: { k: 1 } }).problem;
    expect(p.dim).toBe(1);
    for (const x of [-3, -1.1, -0.2, 0, 0.4, 1.4142, 2.5]) {
      const w = Float64Array.of(x);
      const one = Float64Array.of(1);
      expect(relErr(p.grad(w), toy.grad(w))).toBeLessThan(1e-14);
      expect(relErr(p.hessian!(w), toy.hessian!(w))).toBeLessThan(1e-14);
      expect(relErr(p.third(w, one, one), toy.third(w, one, one))).toBeLessThan(1e-13);
    }
  });

  it('every supported function: derivatives agree with float64 finite differences', () => {
    // Each function composed with a polynomial so that all orders are non-trivial; points inside domains.
    const cases: [string, number, number][] = SUPPORTED_FUNCTIONS.map((f) => {
      const inner = ['acosh'].includes(f) ? '(1.5 + x^2 + 0.3*y)' : ['asin', 'acos', 'atanh'].includes(f) ? '(0.3*x + 0.2*y)' : '(0.5 + 0.3*x + 0.2*y^2)';
      return [`${f}${inner} + x*y`, 0.4, 0.7];
    });
    cases.push(['log(2 + x^2, 3) * y', 0.3, -0.8], ['e^x * pi * y^3', 0.2, 0.5], ['x^y', 1.3, 0.7], ['(x^2 + 1)^(-1.5) + 2^y', 0.6, 0.4]);
    const rand = mulberry32(4);
    for (const [expr, x0, y0] of cases) {
      const { problem: p } = custom(expr);
      for (let i = 0; i < 3; i++) {
        const w = Float64Array.of(x0 + 0.1 * (rand() - 0.5), y0 + 0.1 * (rand() - 0.5));
        const e = derivativeErrors(p, w, rand);
        // Same FD tolerance as the toys (see fd-check.ts).
        for (const [k, v] of Object.entries(e)) expect(v, `${k} of ${expr} at ${w}`).toBeLessThan(1e-6);
      }
    }
  });

  it('compiled closures evaluate exactly like mathjs itself', () => {
    const exprs = ['a*x^2 + b*cos(y)', 'sec(x) + csch(y) + coth(x+1)', 'sqrt(x^2+y^2) - cbrt(x) + abs(y)*square(x) + cube(y) - log2(x + 2)', 'log10(x+3) + log2(y+3)'];
    const rand = mulberry32(5);
    for (const expr of exprs) {
      const p = custom(expr, expr.includes('a*') ? { a: 1.7, b: -0.4 } : {}).problem;
      for (let i = 0; i < 10; i++) {
        const x = 2 * rand() - 1;
        const y = 2 * rand() - 1 + 0.01;
        const want = evaluate(expr, { x, y, a: 1.7, b: -0.4 }) as number;
        // Same formula, possibly a different association order: agreement to a few ulps.
        expect(Math.abs(p.loss(Float64Array.of(x, y)) - want)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want)));
      }
    }
  });
});

describe('custom expression: the closure fallback (used where new Function is forbidden)', () => {
  it('gives the same values as generated code for every derivative order', () => {
    const exprs = ['sin(x)*exp(y) + x^3*y^2', 'acosh(1.5 + x^2 + 0.3*y) + x*y', 'a*x^4 - log(2 + y^2, 3)'];
    const rand = mulberry32(9);
    for (const expr of exprs) {
      const fast = custom(expr, expr.startsWith('a*') ? { a: 0.8 } : {}).problem;
      setCodegen(false);
      let slow: Problem;
      try {
        // A distinct parameter name set defeats the cache, so this compiles afresh through closures.
        slow = custom(expr, expr.startsWith('a*') ? { a: 0.8, unused: 0 } : { unused: 0 }).problem;
      } finally {
        setCodegen(undefined);
      }
      for (let i = 0; i < 5; i++) {
        const w = Float64Array.of(rand() - 0.5, rand() - 0.5);
        const a = Float64Array.of(rand() - 0.5, rand() - 0.5);
        expect(slow.loss(w)).toBeCloseTo(fast.loss(w), 13);
        expect(relErr(slow.grad(w), fast.grad(w))).toBeLessThan(1e-13);
        expect(relErr(slow.hessian!(w), fast.hessian!(w))).toBeLessThan(1e-13);
        expect(relErr(slow.third(w, a, w), fast.third(w, a, w))).toBeLessThan(1e-13);
      }
    }
  });
});

describe('custom expression: dimension, parameters, caching', () => {
  it('is 1-D when only x appears and 2-D when y appears', () => {
    expect(custom('x^2').problem.dim).toBe(1);
    expect(custom('3').problem.dim).toBe(1);
    expect(custom('x^2 + y^2').problem.dim).toBe(2);
    expect(custom('y^2').problem.dim).toBe(2);
    expect(custom('x^2').start.length).toBe(1);
    const w1 = custom('x^4 - x^2').window!;
    expect(w1.y![0]).toBeLessThan(-0.25); // the sampled loss range includes the minimum −1/4
    expect(w1.y![1]).toBeGreaterThan(12); // and L(±2) = 12
  });

  it('binds parameter values per instance (compiled derivatives are shared)', () => {
    const p1 = custom('a*x^2', { a: 1 }).problem;
    const p2 = custom('a*x^2', { a: 3 }).problem;
    const w = Float64Array.of(2);
    expect(p1.loss(w)).toBe(4);
    expect(p2.loss(w)).toBe(12);
    expect(p1.hessian!(w)[0]).toBe(2);
    expect(p2.hessian!(w)[0]).toBe(6);
    expect(compileExpression('a*x^2', ['a'])).toBe(compileExpression('a*x^2', ['a']));
  });

  it('inspectExpression lists the names a person must give values for', () => {
    expect(inspectExpression('a*x^2 + b*cos(y) + pi')).toEqual({ dim: 2, params: ['a', 'b'] });
    expect(inspectExpression('x^2/sqrt(1 + k*x^2)')).toEqual({ dim: 1, params: ['k'] });
    expect(() => inspectExpression('x^2 +')).toThrow(InputError);
    expect(() => inspectExpression('foo(x)')).toThrow(/Unknown function 'foo'/);
  });

  it('labels the instance with its expression and parameters', () => {
    expect(custom('a*x^2', { a: 1.5 }).label).toBe('a*x^2 (a=1.5)');
    expect(custom('x^2').settings).toMatchObject({ id: 'custom', expr: 'x^2', params: {} });
  });
});

describe('custom expression: bad input gets a precise InputError', () => {
  it('syntax errors carry the character position', () => {
    const e = inputError(() => custom('2 * * x'));
    expect(e.message).toBe('Value expected at char 5.');
    expect(e.position).toBe(4);
    const f = inputError(() => custom('sin(x'));
    expect(f.message).toMatch(/Parenthesis \) expected at char 6/);
    expect(f.position).toBe(5);
    const g = inputError(() => custom('x +'));
    expect(g.message).toMatch(/Unexpected end of expression at char 4/);
    expect(g.position).toBe(3);
  });

  it('rejects empty input, unknown symbols and functions, other variables and constructs', () => {
    expect(inputError(() => custom('')).message).toMatch(/empty/);
    expect(inputError(() => custom('   ')).message).toMatch(/empty/);
    const z = inputError(() => custom('x^2 + z*y'));
    expect(z.message).toMatch(/^Unknown symbol 'z' at char 7: the variables are x and y/);
    expect(z.position).toBe(6);
    const withParams = inputError(() => custom('a*x + b', { a: 1 }));
    expect(withParams.message).toMatch(/Unknown symbol 'b' at char 7.*the parameters a/);
    const fn = inputError(() => custom('x + foo(x)'));
    expect(fn.message).toMatch(/^Unknown function 'foo' at char 5; available: sin, cos/);
    expect(fn.position).toBe(4);
    expect(inputError(() => custom('sin(x, y)')).message).toMatch(/Function 'sin' at char 1 takes one argument/);
    expect(inputError(() => custom('x!')).message).toMatch(/Operator '!' at char 2 is not supported/);
    expect(inputError(() => custom('x > 1')).message).toMatch(/Operator '>' at char 3 is not supported/);
    expect(inputError(() => custom('x = 3')).message).toMatch(/not allowed/);
    expect(inputError(() => custom('[x, y]')).message).toMatch(/not allowed/);
    expect(inputError(() => custom('"x"')).message).toMatch(/Only numbers/);
  });

  it('rejects expressions that are not finite at the start, and bad parameters', () => {
    expect(inputError(() => custom('log(x - 1)')).message).toBe("The loss of 'log(x - 1)' is not finite at the start x = 0.5.");
    expect(inputError(() => custom('sqrt(-1 - x^2 - y^2)')).message).toMatch(/not finite at the start \(x, y\) = \(0.2, 0.2\)/);
    expect(inputError(() => custom('1/(x - 0.5)')).message).toMatch(/loss .* not finite/);
    // abs is fine as a loss but its Hessian is not defined where x = 0 — here finite at 0.5.
    expect(custom('abs(x)').problem.dim).toBe(1);
    expect(inputError(() => custom('a*x^2', { a: NaN })).message).toMatch(/Parameter 'a' of 'custom' must be a finite number/);
    expect(inputError(() => custom('x^2', { x: 1 })).message).toMatch(/'x' is a variable/);
    expect(inputError(() => custom('x^2', { 'a b': 1 })).message).toMatch(/not a valid identifier/);
    // Greek parameter names work, and unknown Greek symbols are located.
    expect(custom('λ*x^2/2', { λ: 3 }).problem.hessian!(Float64Array.of(0.1))[0]).toBe(3);
    const greek = inputError(() => custom('x^2 + μ'));
    expect(greek.message).toMatch(/Unknown symbol 'μ' at char 7/);
    expect(greek.position).toBe(6);
  });
});

describe('custom expression: speed', () => {
  it('compiled evaluation is fast enough for the flows', () => {
    const p: Problem = custom('(1 - a*x^2 - y^2)^2', { a: 0.5 }).problem;
    const w = Float64Array.of(0.3, 0.2);
    const v = Float64Array.of(0.6, -0.8);
    const out = new Float64Array(2);
    const N = 500_000;
    for (let i = 0; i < 10000; i++) p.hvp(w, v, out);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) p.grad(w, out);
    const tg = ((performance.now() - t0) * 1e6) / N;
    const t1 = performance.now();
    for (let i = 0; i < N; i++) p.hvp(w, v, out);
    const th = ((performance.now() - t1) * 1e6) / N;
    console.log(`custom valley ns/call: grad ${tg.toFixed(1)}, hvp ${th.toFixed(1)}`);
    // Quiet machine: ~25 ns (generated code); mathjs' evaluate would be ~10 µs. Loose for a loaded box.
    expect(tg).toBeLessThan(5000);
    expect(th).toBeLessThan(5000);
  });
});
