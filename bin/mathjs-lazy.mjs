/**
 * The built CLI's stand-in for `mathjs` (bin/cli-build.mjs aliases the package to this file). mathjs
 * builds every one of its typed functions when it is imported, which is most of the CLI's start-up
 * time, yet only custom expressions use it. Here the same package (its CommonJS build, the same
 * sources) is loaded on first use; functions and node classes delegate to it unchanged.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let loaded;
const math = () => (loaded ??= require('mathjs'));

const lazyFunction = (name) => (...args) => math()[name](...args);

/** A class whose `new`, statics and `instanceof` all reach the real class, loaded on first touch. */
const lazyClass = (name) =>
  new Proxy(function () {}, {
    construct: (_t, args) => Reflect.construct(math()[name], args),
    apply: (_t, self, args) => Reflect.apply(math()[name], self, args),
    get: (_t, key) => Reflect.get(math()[name], key),
    has: (_t, key) => Reflect.has(math()[name], key),
  });

export const parse = lazyFunction('parse');
export const derivative = lazyFunction('derivative');
export const ConstantNode = lazyClass('ConstantNode');
export const FunctionNode = lazyClass('FunctionNode');
export const OperatorNode = lazyClass('OperatorNode');
