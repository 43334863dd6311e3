/**
 * Network problems for the problem registry (kind 'network'). Each `create` builds the seeded dataset,
 * the float64 `MlpProblem` and the seeded initial weights (the instance's `start`).
 *
 * Presets (docs/equations.md §6), with the GD edge-of-stability onset measured by scripts/accuracy.ts and
 * test/nn-registry.test.ts (first step with λ_max > 2/η):
 * - mlp-chebyshev: 1→30→20→1 tanh on T_4 at 20 points, η = 0.2: onset at step 325, then λ_max hovers at 10.
 * - mlp-teacher:   8→16→16→1 tanh on a teacher of the same shape (weights ×2.75), η = 0.1: onset at
 *   step 290, overshoot to 1.16 × 2/η, then hovers at 20. (With teacher weights ×1 the targets are so
 *   small that the net never sharpens to 2/η = 20 at all: λ_max stays below 4 for 3000 steps.)
 * - mlp (general): defaults moons, 2→16→16→1 tanh, η = 0.2: onset at step 154.
 */
import { InputError, type ChoiceSpec, type ParamSpec, type ProblemInstance, type ProblemSettings, type ProblemSpec } from '../types.ts';
import { resolveParams } from '../problems/params.ts';
import { chebyshevData, circlesData, moonsData, teacherData } from './datasets.ts';
import { initWeights } from './init.ts';
import { MlpProblem } from './mlp.ts';
import type { Activation, Dataset } from './mlp-spec.ts';

const SEED: ParamSpec = { key: 'seed', label: 'init seed', default: 1, min: 0, max: 1_000_000, step: 1, integer: true, help: 'Seed of the initial weights.' };
const DATA_SEED: ParamSpec = { key: 'dataSeed', label: 'data seed', default: 1, min: 0, max: 1_000_000, step: 1, integer: true, help: 'Seed of the dataset (inputs, noise, teacher weights).' };
const INIT_SCALE: ParamSpec = {
  key: 'initScale',
  label: 'init scale',
  default: 1,
  min: 0.05,
  max: 5,
  log: true,
  help: 'Weights start as N(0, scale²/fan-in); biases start at 0.',
};
const DEGREE: ParamSpec = { key: 'degree', label: 'Chebyshev degree k', default: 4, min: 0, max: 12, step: 1, integer: true, help: 'Target T_k(x) on 20 points of [−1, 1].' };
const TEACHER_SCALE: ParamSpec = {
  key: 'teacherScale',
  label: 'teacher weight scale',
  default: 2.75,
  min: 0.1,
  max: 5,
  help: 'The teacher’s weights are N(0, scale²/fan-in): larger means larger, harder targets and more sharpening.',
};

const ACTIVATION_CHOICE: ChoiceSpec = {
  key: 'activation',
  label: 'activation',
  default: 'tanh',
  choices: [
    { value: 'tanh', label: 'tanh' },
    { value: 'gelu', label: 'GELU (tanh approximation)' },
    { value: 'softplus', label: 'softplus' },
  ],
};
const DATASET_CHOICE: ChoiceSpec = {
  key: 'dataset',
  label: 'dataset',
  default: 'moons',
  choices: [
    { value: 'moons', label: 'two moons (n = 200, ±1)' },
    { value: 'circles', label: 'circles (n = 200, ±1)' },
    { value: 'teacher', label: 'teacher–student (d = 8, n = 128)' },
    { value: 'chebyshev', label: 'Chebyshev T_k (20 points)' },
  ],
};

function resolveChoices(spec: ProblemSpec, settings: ProblemSettings): Record<string, string> {
  const given = settings.choices ?? {};
  const out: Record<string, string> = {};
  for (const c of spec.choices ?? []) {
    const v = c.key in given ? given[c.key] : c.default;
    if (!c.choices.some((o) => o.value === v)) {
      throw new InputError(`'${String(v)}' is not a ${c.label} of '${spec.id}' (choose one of: ${c.choices.map((o) => o.value).join(', ')}).`);
    }
    out[c.key] = v;
  }
  for (const k of Object.keys(given)) {
    if (!(k in out)) throw new InputError(`Unknown setting '${k}' for '${spec.id}'.`);
  }
  return out;
}

function makeData(dataset: string, p: Record<string, number>, activation: Activation): Dataset {
  switch (dataset) {
    case 'chebyshev':
      return chebyshevData(p.degree ?? DEGREE.default);
    case 'teacher':
      return teacherData(p.dataSeed, 128, 8, [16, 16], activation, p.teacherScale ?? TEACHER_SCALE.default);
    case 'moons':
      return moonsData(p.dataSeed);
    case 'circles':
      return circlesData(p.dataSeed);
    default:
      throw new InputError(`Unknown dataset '${dataset}'.`);
  }
}

function build(spec: ProblemSpec, settings: ProblemSettings, sizesOf: (d: Dataset, p: Record<string, number>) => number[], dataset: string | null): ProblemInstance {
  if (settings.id !== undefined && settings.id !== spec.id) throw new InputError(`Settings for '${settings.id}' were given to '${spec.id}'.`);
  const params = resolveParams(spec, settings);
  const choices = resolveChoices(spec, settings);
  const activation = (choices.activation ?? 'tanh') as Activation;
  const ds = dataset ?? choices.dataset;
  const data = makeData(ds, { dataSeed: 1, ...params }, activation);
  const sizes = sizesOf(data, params);
  const problem = new MlpProblem({ sizes, activation }, data);
  const start = initWeights(problem.arch, params.seed, params.initScale);
  const label = `${spec.name}: ${sizes.join('→')} ${activation} on ${data.name} (P = ${problem.dim})`;
  return { problem, settings: { ...settings, id: spec.id, params, ...(spec.choices ? { choices } : {}) }, start, label };
}

const chebyshevSpec: ProblemSpec = {
  id: 'mlp-chebyshev',
  name: 'MLP on Chebyshev',
  description: '1→30→20→1 tanh network fitting T_k on 20 points; at η = 0.2 it sharpens into the edge of stability.',
  kind: 'network',
  params: [DEGREE, SEED, INIT_SCALE],
  defaults: { eta: 0.2, start: [], steps: 1500 },
  create: (s) => build(chebyshevSpec, s, () => [1, 30, 20, 1], 'chebyshev'),
};

const teacherSpec: ProblemSpec = {
  id: 'mlp-teacher',
  name: 'MLP teacher–student',
  description: '8→16→16→1 tanh student learning a teacher of the same shape from 128 Gaussian inputs; η = 0.1.',
  kind: 'network',
  params: [SEED, DATA_SEED, INIT_SCALE, TEACHER_SCALE],
  defaults: { eta: 0.1, start: [], steps: 1500 },
  create: (s) => build(teacherSpec, s, () => [8, 16, 16, 1], 'teacher'),
};

const generalSpec: ProblemSpec = {
  id: 'mlp',
  name: 'MLP',
  description: 'A full-batch MSE network of your shape on a seeded dataset (moons, circles, teacher, Chebyshev).',
  kind: 'network',
  params: [
    { key: 'depth', label: 'hidden layers', default: 2, min: 1, max: 4, step: 1, integer: true },
    { key: 'width', label: 'width', default: 16, min: 1, max: 256, step: 1, integer: true, help: 'Units per hidden layer.' },
    SEED,
    // Each dataset's own parameters apply only to it (the page hides the others, links leave them out);
    // the Chebyshev targets are fixed points, with no data seed.
    { ...DATA_SEED, when: { choice: 'dataset', in: ['moons', 'circles', 'teacher'] } },
    INIT_SCALE,
    { ...DEGREE, when: { choice: 'dataset', in: ['chebyshev'] } },
    { ...TEACHER_SCALE, when: { choice: 'dataset', in: ['teacher'] } },
  ],
  choices: [DATASET_CHOICE, ACTIVATION_CHOICE],
  defaults: { eta: 0.2, start: [], steps: 1500 },
  create: (s) =>
    build(generalSpec, s, (d, p) => [d.d, ...Array.from({ length: p.depth }, () => p.width), d.o], null),
};

/** Network problems (listed after the toys in the problem registry). */
export const NETWORK_PROBLEMS: ProblemSpec[] = [chebyshevSpec, teacherSpec, generalSpec];
