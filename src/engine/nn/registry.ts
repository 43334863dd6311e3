import type { ProblemSpec } from '../types.ts';

/** Network problems (filled by the networks work; listed after the toys in the problem registry). */
export const NETWORK_PROBLEMS: ProblemSpec[] = [];
