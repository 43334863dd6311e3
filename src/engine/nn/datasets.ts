/**
 * Datasets made in code from a seed (no downloads): every example is a pure function of the settings.
 * Inputs n×d and targets n×o, row-major float64 (the `Dataset` of mlp-spec.ts).
 */
import { InputError } from '../types.ts';
import type { Activation, Dataset } from './mlp-spec.ts';
import { initWeights, mlpForward } from './init.ts';
import { normal, uniform } from './rng.ts';

export type DatasetId = 'chebyshev' | 'teacher' | 'moons' | 'circles';
export const DATASET_IDS: readonly DatasetId[] = ['chebyshev', 'teacher', 'moons', 'circles'];

/** Chebyshev polynomial T_k(x) by its three-term recurrence (exact for |x| ≤ 1, any k ≥ 0). */
export function chebyshevT(k: number, x: number): number {
  if (k === 0) return 1;
  let a = 1;
  let b = x;
  for (let i = 1; i < k; i++) {
    const c = 2 * x * b - a;
    a = b;
    b = c;
  }
  return b;
}

/** T_k on n equally spaced points of [−1, 1] (endpoints included). 1-D in, 1-D out. */
export function chebyshevData(k: number, n = 20): Dataset {
  if (!Number.isInteger(k) || k < 0 || k > 50) throw new InputError(`Chebyshev degree must be an integer in [0, 50] (got ${k}).`);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = n === 1 ? 0 : -1 + (2 * i) / (n - 1);
    y[i] = chebyshevT(k, x[i]);
  }
  return { name: `chebyshev T${k}`, n, d: 1, o: 1, x, y };
}

/**
 * Teacher–student regression: x ~ N(0, I_d), y = teacher(x) where the teacher is an MLP d→[hidden]→1
 * with its own seeded weights (init scale 1, biases drawn too so the target is not odd).
 */
export function teacherData(
  seed: number,
  n = 128,
  d = 8,
  hidden: number[] = [16, 16],
  activation: Activation = 'tanh',
  teacherScale = 1,
): Dataset {
  const g = normal(seed * 7919 + 1);
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = g();
  const arch = { sizes: [d, ...hidden, 1], activation };
  const wt = initWeights(arch, seed * 7919 + 2, teacherScale, 0.5);
  const y = mlpForward(arch, wt, x, n);
  return { name: 'teacher', n, d, o: 1, x, y };
}

/** Two interleaved half-moons in 2-D with Gaussian noise, labels ±1 (n/2 each). */
export function moonsData(seed: number, n = 200, noise = 0.1): Dataset {
  const u = uniform(seed * 104729 + 3);
  const g = normal(seed * 104729 + 4);
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const upper = i < n / 2;
    const t = Math.PI * u();
    const px = upper ? Math.cos(t) : 1 - Math.cos(t);
    const py = upper ? Math.sin(t) : 0.5 - Math.sin(t);
    // Centred and scaled to unit-ish range so one init scale suits every dataset.
    x[2 * i] = (px - 0.5 + noise * g()) / 1.0;
    x[2 * i + 1] = (py - 0.25 + noise * g()) / 0.5;
    y[i] = upper ? 1 : -1;
  }
  return { name: 'moons', n, d: 2, o: 1, x, y };
}

/** Two concentric circles (radii 1 and 0.5) with Gaussian noise, labels +1 outer / −1 inner. */
export function circlesData(seed: number, n = 200, noise = 0.05): Dataset {
  const u = uniform(seed * 15485863 + 5);
  const g = normal(seed * 15485863 + 6);
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const outer = i < n / 2;
    const r = outer ? 1 : 0.5;
    const t = 2 * Math.PI * u();
    x[2 * i] = r * Math.cos(t) + noise * g();
    x[2 * i + 1] = r * Math.sin(t) + noise * g();
    y[i] = outer ? 1 : -1;
  }
  return { name: 'circles', n, d: 2, o: 1, x, y };
}
