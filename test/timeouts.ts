/**
 * Test timeouts and their scale. The budget (docs/architecture.md, Tests) is 20 s a test on a quiet
 * 2-core machine. On an oversubscribed machine (load average above the core count, e.g. several
 * people's test runs at once on a shared VM) every timeout is scaled by load/cores, at most 3×, so a
 * machine far busier than the budget's "two copies of `npm test`" reports slow tests as slow rather than
 * failing them; on a quiet machine the scale is 1 and the budget holds as written.
 * RODFLOW_TEST_TIMEOUT_SCALE=1 forces the budget (or any other scale).
 */
import { availableParallelism, loadavg } from 'node:os';

export const TIMEOUT_SCALE =
  Number(process.env.RODFLOW_TEST_TIMEOUT_SCALE) || Math.min(3, Math.max(1, loadavg()[0] / availableParallelism()));

/** A timeout in ms, scaled like the configured default (for tests and hooks that set their own). */
export const scaled = (ms: number): number => Math.round(ms * TIMEOUT_SCALE);
