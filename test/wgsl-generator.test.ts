/**
 * The WGSL generator: golden output for small expressions, every toy and several custom expressions
 * parse with wgsl_reflect (a WGSL parser; Chromium's own compiler, Tint, checks the same modules in
 * test/e2e/ensemble.test.ts), unsupported expressions get a message, and the toys' symbolic
 * derivatives (the source of their WGSL) equal the hand-derived float64 fields of problems/toys.ts.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'mathjs';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { WgslUnsupported, wgslFunction, f32Literal } from '../src/engine/wgsl/expr-to-wgsl.ts';
import { expressionToWgsl, TOY_EXPRESSIONS } from '../src/engine/wgsl/problem-wgsl.ts';
import { ensembleModule, ENTRY } from '../src/engine/wgsl/kernels.ts';
import { ensembleProblem } from '../src/engine/ensemble/problem.ts';
import { compileExpression } from '../src/engine/problems/custom.ts';
import { mulberry32 } from '../src/engine/rng.ts';

const fn = (src: string, params: string[] = []) => wgslFunction('f', 'f32', [parse(src)], params, (v) => v[0]);

describe('WGSL generator: golden output', () => {
  it('a polynomial with a parameter: integer powers as products, shared subexpressions once', () => {
    expect(fn('a*x^2 + (x^2)*y', ['a'])).toBe(
      ['fn f(w: vec2f) -> f32 {', '  let t0 = w.x * w.x;', '  let t1 = prm[0] * t0;', '  let t2 = t0 * w.y;', '  let t3 = t1 + t2;', '  return t3;', '}'].join('\n'),
    );
  });
  it('functions, negative constants, reciprocal powers', () => {
    expect(fn('-3*sech(x) + x^-2 + log10(y)')).toBe(
      [
        'fn f(w: vec2f) -> f32 {',
        '  let t0 = -3.0;',
        '  let t1 = (1.0 / cosh(w.x));',
        '  let t2 = t0 * t1;',
        '  let t3 = 1.0 / (w.x * w.x);',
        '  let t4 = t2 + t3;',
        '  let t5 = (log(w.y) * 0.4342944819032518);',
        '  let t6 = t4 + t5;',
        '  return t6;',
        '}',
      ].join('\n'),
    );
  });
  it('x^7 by binary powering, 2^x through exp', () => {
    const src = fn('x^7 + 2^x');
    expect(src).toContain('let t0 = w.x * w.x * w.x;');
    expect(src).toContain('let t1 = t0 * t0 * w.x;');
    expect(src).toContain('exp(w.x * 0.6931471805599453)');
  });
  it('literals are always floats', () => {
    expect(f32Literal(2)).toBe('2.0');
    expect(f32Literal(-0.5)).toBe('(-0.5)');
    expect(f32Literal(1e-30)).toBe('1e-30');
    expect(() => f32Literal(1e39)).toThrow(WgslUnsupported);
  });
});

describe('WGSL generator: what it cannot express', () => {
  it.each([
    ['x^y', /variable exponent/],
    ['x^a', /variable exponent/],
    ['1e39*x^2', /beyond float32/],
    ['1e-40*x^2 + x^2', /below float32/],
  ])('%s → a clear message, CPU fallback', (expr, re) => {
    const params = expr.includes('a') && !expr.includes('e') ? ['a'] : [];
    const r = expressionToWgsl(expr, params);
    expect(r.source).toBeNull();
    expect(r.error).toMatch(re);
    expect(r.error).toMatch(/CPU \(float64\) runs it/);
  });
});

describe('WGSL modules parse (wgsl_reflect)', () => {
  const customs = ['x^2/2', 'sin(x)*cos(y) + 0.1*(x^2+y^2)', 'log(1 + exp(x)) + tanh(y)^2', 'cbrt(x)^2 + abs(y)^3', 'sqrt(1 + x^2 + y^2) - 0.3*atan(x*y)'];
  const all = [
    ...Object.entries(TOY_EXPRESSIONS).map(([id]) => ensembleProblem({ id }).wgsl),
    ...customs.map((e) => expressionToWgsl(e, [])),
  ];
  it.each(all.map((w, i) => [i, w] as const))('module %i parses with four functions and four kernels', (_i, w) => {
    expect(w.source).not.toBeNull();
    const reflect = new WgslReflect(ensembleModule(w.source!, w.dim));
    const names = reflect.functions.map((f) => f.name);
    for (const f of ['loss_f', 'grad_f', 'hess_f', 'third_f']) expect(names).toContain(f);
    expect(reflect.entry.compute.map((e) => e.name).sort()).toEqual(Object.values(ENTRY).sort());
  });
  it('a syntax error is caught by the parser (the check can fail)', () => {
    expect(() => new WgslReflect('fn f( -> f32 { return 1.0; }')).toThrow();
  });
});

describe('toy expressions (one source) = the hand-derived fields', () => {
  for (const id of Object.keys(TOY_EXPRESSIONS)) {
    it(`${id}: loss, gradient, Hessian, third derivatives agree in float64`, () => {
      const p = ensembleProblem({ id });
      const ce = compileExpression(p.expr, p.wgsl.paramNames);
      const env = new Float64Array(ce.slots.size);
      p.wgsl.paramNames.forEach((n, i) => (env[ce.slots.get(n)!] = p.paramValues[i]));
      const rnd = mulberry32(3);
      const [a, b] = [new Float64Array(4), new Float64Array(4)];
      const o = new Float64Array(1);
      for (let k = 0; k < 20; k++) {
        const x = rnd() * 3 - 1.5;
        const y = p.dim === 2 ? rnd() * 3 - 1.5 : 0;
        env[0] = x;
        env[1] = y;
        ce.f(env, o);
        const close = (u: number, v: number) => expect(Math.abs(u - v)).toBeLessThan(1e-10 * (1 + Math.abs(v)));
        close(o[0], p.field.f(x, y));
        const n = p.dim === 2 ? [2, 3, 4] : [1, 1, 1];
        for (const [which, m] of [['g', n[0]], ['h', n[1]], ['t', n[2]]] as const) {
          ce[which](env, a);
          p.field[which](x, y, b);
          for (let i = 0; i < m; i++) close(a[i], b[i]);
        }
      }
    });
  }
});
