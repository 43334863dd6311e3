import type { EvalCounters, Problem, Vec } from '../types.ts';

/**
 * A scalar loss of one or two variables given by its derivatives up to third order, written as plain
 * numbers so that evaluation allocates nothing. Toys hand-derive these; custom expressions compile them.
 *
 * Layout of the output buffers (1-D fields use only index 0 and ignore `y`, which is passed as 0):
 *  g: [∂x, ∂y]   h: [xx, xy, yy]   t: [xxx, xxy, xyy, yyy]
 */
export interface ScalarField {
  readonly dim: 1 | 2;
  f(x: number, y: number): number;
  g(x: number, y: number, o: Float64Array): void;
  h(x: number, y: number, o: Float64Array): void;
  t(x: number, y: number, o: Float64Array): void;
}

export function newCounters(): EvalCounters {
  return { loss: 0, grad: 0, hvp: 0, third: 0, hessian: 0 };
}

/**
 * Wraps a ScalarField as a `Problem`. Hessian-vector and third-derivative products are contracted
 * from the symmetric tensors, read into locals first so that `out` may alias an input.
 */
export class FieldProblem implements Problem {
  readonly dim: number;
  readonly counters: EvalCounters = newCounters();
  private readonly field: ScalarField;
  // Scratch shared by the calls of one problem (a problem is used by one thread at a time).
  private readonly sh = new Float64Array(3);
  private readonly st = new Float64Array(4);

  constructor(field: ScalarField) {
    this.field = field;
    this.dim = field.dim;
  }

  loss(w: Vec): number {
    this.counters.loss++;
    return this.field.f(w[0], this.dim === 2 ? w[1] : 0);
  }

  grad(w: Vec, out?: Vec): Vec {
    this.counters.grad++;
    const o = out ?? new Float64Array(this.dim);
    // Safe when `out` aliases `w`: the field receives x and y by value.
    this.field.g(w[0], this.dim === 2 ? w[1] : 0, o);
    return o;
  }

  hvp(w: Vec, v: Vec, out?: Vec): Vec {
    this.counters.hvp++;
    const o = out ?? new Float64Array(this.dim);
    const h = this.sh;
    if (this.dim === 1) {
      this.field.h(w[0], 0, h);
      o[0] = h[0] * v[0];
    } else {
      this.field.h(w[0], w[1], h);
      const v0 = v[0];
      const v1 = v[1];
      o[0] = h[0] * v0 + h[1] * v1;
      o[1] = h[1] * v0 + h[2] * v1;
    }
    return o;
  }

  third(w: Vec, a: Vec, b: Vec, out?: Vec): Vec {
    this.counters.third++;
    const o = out ?? new Float64Array(this.dim);
    const t = this.st;
    if (this.dim === 1) {
      this.field.t(w[0], 0, t);
      o[0] = t[0] * a[0] * b[0];
    } else {
      this.field.t(w[0], w[1], t);
      const a0 = a[0];
      const a1 = a[1];
      const b0 = b[0];
      const b1 = b[1];
      const p00 = a0 * b0;
      const pmix = a0 * b1 + a1 * b0;
      const p11 = a1 * b1;
      o[0] = t[0] * p00 + t[1] * pmix + t[2] * p11;
      o[1] = t[1] * p00 + t[2] * pmix + t[3] * p11;
    }
    return o;
  }

  hessian(w: Vec, out?: Vec): Vec {
    this.counters.hessian = (this.counters.hessian ?? 0) + 1;
    const n = this.dim;
    const o = out ?? new Float64Array(n * n);
    const h = this.sh;
    this.field.h(w[0], n === 2 ? w[1] : 0, h);
    if (n === 1) {
      o[0] = h[0];
    } else {
      o[0] = h[0];
      o[1] = h[1];
      o[2] = h[1];
      o[3] = h[2];
    }
    return o;
  }
}
