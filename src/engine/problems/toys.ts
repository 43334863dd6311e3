/**
 * The toy potentials of docs/equations.md §5, with hand-derived derivatives up to third order in float64.
 * Each field writes plain numbers into caller buffers (see field.ts) so evaluation allocates nothing.
 * Every formula is checked against central finite differences in test/problems.test.ts.
 */
import type { ParamSpec, ProblemInstance, ProblemSettings, ProblemSpec } from '../types.ts';
import { FieldProblem, type ScalarField } from './field.ts';
import { makeLabel, resolveParams } from './params.ts';

// ---------------------------------------------------------------------------------------------
// Fields

/** ½λx².  L' = λx, L'' = λ, L''' = 0. */
export function quadraticField(lambda: number): ScalarField {
  return {
    dim: 1,
    f: (x) => 0.5 * lambda * x * x,
    g: (x, _y, o) => {
      o[0] = lambda * x;
    },
    h: (_x, _y, o) => {
      o[0] = lambda;
    },
    t: (_x, _y, o) => {
      o[0] = 0;
    },
  };
}

/**
 * ½ wᵀAw with A = R diag(λ₁, λ₂) Rᵀ, R the rotation by θ (radians): λ₁'s eigenvector is (cos θ, sin θ).
 * A₁₁ = λ₁c² + λ₂s², A₁₂ = (λ₁ − λ₂)cs, A₂₂ = λ₁s² + λ₂c².
 */
export function quadratic2dField(l1: number, l2: number, theta: number): ScalarField {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const a11 = l1 * c * c + l2 * s * s;
  const a12 = (l1 - l2) * c * s;
  const a22 = l1 * s * s + l2 * c * c;
  return {
    dim: 2,
    f: (x, y) => 0.5 * (a11 * x * x + 2 * a12 * x * y + a22 * y * y),
    g: (x, y, o) => {
      o[0] = a11 * x + a12 * y;
      o[1] = a12 * x + a22 * y;
    },
    h: (_x, _y, o) => {
      o[0] = a11;
      o[1] = a12;
      o[2] = a22;
    },
    t: (_x, _y, o) => {
      o[0] = 0;
      o[1] = 0;
      o[2] = 0;
      o[3] = 0;
    },
  };
}

/** (S/2)x² − (Q/4)x⁴.  L' = Sx − Qx³, L'' = S − 3Qx², L''' = −6Qx. */
export function quarticField(S: number, Q: number): ScalarField {
  return {
    dim: 1,
    f: (x) => {
      const x2 = x * x;
      return 0.5 * S * x2 - 0.25 * Q * x2 * x2;
    },
    g: (x, _y, o) => {
      o[0] = S * x - Q * x * x * x;
    },
    h: (x, _y, o) => {
      o[0] = S - 3 * Q * x * x;
    },
    t: (x, _y, o) => {
      o[0] = -6 * Q * x;
    },
  };
}

/**
 * k·x²/√(1+x²), u = 1 + x²:
 *  L' = k x(2 + x²) u^{-3/2},  L'' = k (2 − x²) u^{-5/2},  L''' = 3k x(x² − 4) u^{-7/2}.
 * Curvature 2k at 0, decaying (and negative past |x| = √2). A symmetric GD 2-cycle ±x satisfies
 * x − ηL'(x) = −x, i.e. L'(x)/x = 2/η: the mean curvature across the cycle is 2/η.
 */
export function softWellField(k: number): ScalarField {
  return {
    dim: 1,
    f: (x) => {
      const x2 = x * x;
      return (k * x2) / Math.sqrt(1 + x2);
    },
    g: (x, _y, o) => {
      const x2 = x * x;
      const u = 1 + x2;
      o[0] = (k * x * (2 + x2)) / (u * Math.sqrt(u));
    },
    h: (x, _y, o) => {
      const x2 = x * x;
      const u = 1 + x2;
      o[0] = (k * (2 - x2)) / (u * u * Math.sqrt(u));
    },
    t: (x, _y, o) => {
      const x2 = x * x;
      const u = 1 + x2;
      o[0] = (3 * k * x * (x2 - 4)) / (u * u * u * Math.sqrt(u));
    },
  };
}

/**
 * (1 − a x² − y²)², r = 1 − a x² − y², ∇r = (−2ax, −2y), ∇²r = diag(−2a, −2):
 *  g = 2r∇r = (−4a x r, −4 y r)
 *  H = 2∇r∇rᵀ + 2r∇²r:  xx = 8a²x² − 4a r,  xy = 8a x y,  yy = 8y² − 4r
 *  T: xxx = 24a²x, xxy = 8a y, xyy = 8a x, yyy = 24 y.
 * On the minimum set r = 0 (an ellipse) H = 2∇r∇rᵀ, so S = 2|∇r|² = 8(a²x² + y²).
 */
export function valleyField(a: number): ScalarField {
  return {
    dim: 2,
    f: (x, y) => {
      const r = 1 - a * x * x - y * y;
      return r * r;
    },
    g: (x, y, o) => {
      const r = 1 - a * x * x - y * y;
      o[0] = -4 * a * x * r;
      o[1] = -4 * y * r;
    },
    h: (x, y, o) => {
      const r = 1 - a * x * x - y * y;
      o[0] = 8 * a * a * x * x - 4 * a * r;
      o[1] = 8 * a * x * y;
      o[2] = 8 * y * y - 4 * r;
    },
    t: (x, y, o) => {
      o[0] = 24 * a * a * x;
      o[1] = 8 * a * y;
      o[2] = 8 * a * x;
      o[3] = 24 * y;
    },
  };
}

/**
 * ½y²x² + x − c·y: the sharpness along x is y², and the descent direction in y (−∂y = c − x²y) keeps
 * sharpening until GD's oscillation in x feeds back (self-stabilization).
 *  g = (y²x + 1, x²y − c),  H: xx = y², xy = 2xy, yy = x²,  T: xxx = 0, xxy = 2y, xyy = 2x, yyy = 0.
 */
export function selfStabField(c: number): ScalarField {
  return {
    dim: 2,
    f: (x, y) => 0.5 * y * y * x * x + x - c * y,
    g: (x, y, o) => {
      o[0] = y * y * x + 1;
      o[1] = x * x * y - c;
    },
    h: (x, y, o) => {
      o[0] = y * y;
      o[1] = 2 * x * y;
      o[2] = x * x;
    },
    t: (x, y, o) => {
      o[0] = 0;
      o[1] = 2 * y;
      o[2] = 2 * x;
      o[3] = 0;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Specs

type FieldMaker = (p: Record<string, number>) => ScalarField;

function toySpec(
  base: Omit<ProblemSpec, 'kind' | 'create'> & { dim: 1 | 2 },
  make: FieldMaker,
): ProblemSpec {
  const spec: ProblemSpec = {
    ...base,
    kind: 'toy',
    create(settings: ProblemSettings): ProblemInstance {
      const params = resolveParams(spec, settings);
      const problem = new FieldProblem(make(params));
      return {
        problem,
        settings: { ...settings, id: spec.id, params },
        start: Float64Array.from(spec.defaults.start),
        label: makeLabel(spec.id, params),
        window: spec.defaults.window,
      };
    },
  };
  return spec;
}

const deg = Math.PI / 180;

function param(key: string, label: string, def: number, min: number, max: number, step: number, help?: string): ParamSpec {
  return { key, label, default: def, min, max, step, help };
}

export const QUADRATIC = toySpec(
  {
    id: 'quadratic',
    name: 'Quadratic 1-D',
    description: '½λx²: GD converges iff λ < 2/η, and past it oscillates with growing amplitude.',
    dim: 1,
    params: [param('lambda', 'λ (curvature)', 1, -2, 10, 0.01)],
    defaults: { eta: 1.9, start: [1], steps: 60, window: { x: [-1.5, 1.5], y: [-0.1, 1.2] } },
  },
  (p) => quadraticField(p.lambda),
);

export const QUADRATIC_2D = toySpec(
  {
    id: 'quadratic-2d',
    name: 'Quadratic 2-D (rotated)',
    description: '½(λ₁x₁² + λ₂x₂²) rotated by θ: with λ₂ < 2/η < λ₁ GD is unstable along one axis only.',
    dim: 2,
    params: [
      param('l1', 'λ₁', 2.05, -2, 10, 0.01),
      param('l2', 'λ₂', 0.5, -2, 10, 0.01),
      param('theta', 'θ (degrees)', 30, -180, 180, 1, 'Rotation of the eigenbasis; λ₁ lies along (cos θ, sin θ).'),
    ],
    defaults: { eta: 1, start: [0.3, 1], steps: 40, window: { x: [-3, 3], y: [-3, 3] } },
  },
  (p) => quadratic2dField(p.l1, p.l2, p.theta * deg),
);

export const QUARTIC = toySpec(
  {
    id: 'quartic',
    name: 'Quartic 1-D',
    description: '(S/2)x² − (Q/4)x⁴: for 2 < ηS < 3 GD settles in a 2-cycle x² = (S − 2/η)/Q; past ηS = 3 the cycle turns lopsided, then period-doubles (ηS ≈ 3.24).',
    dim: 1,
    params: [
      param('S', 'S (curvature at 0)', 2.5, 0.01, 10, 0.01),
      param('Q', 'Q (quartic softening)', 1, 0.01, 10, 0.01),
    ],
    defaults: { eta: 1, start: [0.01], steps: 100, window: { x: [-1.3, 1.3], y: [-0.2, 1.7] } },
  },
  (p) => quarticField(p.S, p.Q),
);

export const SOFT_WELL = toySpec(
  {
    id: 'soft-well',
    name: 'Soft well',
    description: 'k·x²/√(1+x²): curvature 2k at 0, flat far away; with η > 1/k GD leaves 0 and settles in a 2-cycle whose mean curvature is 2/η.',
    dim: 1,
    params: [param('k', 'k (scale)', 1, 0.05, 10, 0.01)],
    defaults: { eta: 1.5, start: [0.1], steps: 60, window: { x: [-3, 3], y: [-0.1, 3] } },
  },
  (p) => softWellField(p.k),
);

export const VALLEY = toySpec(
  {
    id: 'valley',
    name: 'Valley 2-D',
    description: '(1 − a x² − y²)²: minima on an ellipse with sharpness 8(a²x² + y²); EoS drives GD along it to flatter points.',
    dim: 2,
    params: [param('a', 'a (ellipse x-stiffness)', 0.5, 0.05, 4, 0.01)],
    defaults: { eta: 0.3, start: [0.2, 0.2], steps: 2000, window: { x: [-0.3, 1.4], y: [-0.3, 1.3] } },
  },
  (p) => valleyField(p.a),
);

export const SELF_STAB = toySpec(
  {
    id: 'self-stab',
    name: 'Self-stabilization 2-D',
    description: '½y²x² + x − c·y: the sharpness y² grows until GD oscillates in x, which pushes y back; GD hovers at y ≈ √(2/η).',
    dim: 2,
    params: [param('c', 'c (sharpening drive)', 0.3, 0.01, 5, 0.01)],
    defaults: { eta: 0.01, start: [0, 12], steps: 3000, window: { x: [-1.8, 1.8], y: [11.5, 15.5] } },
  },
  (p) => selfStabField(p.c),
);

export const TOY_PROBLEMS: ProblemSpec[] = [QUADRATIC, QUADRATIC_2D, QUARTIC, SOFT_WELL, VALLEY, SELF_STAB];
