/**
 * Throughput of each flow on each toy problem in this runtime (Node or a browser), and the headline
 * figure: all four flows over 2000 steps of the 2-D valley (target < 20 ms, so that a drag can
 * recompute the whole horizon within one frame).
 */
import { PROBLEMS } from '../src/engine/problems/registry.ts';
import { createRunner } from '../src/engine/runner.ts';
import { FLOW_IDS, type FlowId, type RunConfig } from '../src/engine/types.ts';
import { median, table } from './util.ts';

function timeRun(config: RunConfig, reps: number): number {
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    createRunner(config).advance(config.steps);
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function runToyBench(): Promise<void> {
  const steps = 2000;
  const rows: string[][] = [];
  for (const spec of PROBLEMS.filter((p) => p.kind === 'toy')) {
    const row = [spec.id];
    let gdRate = NaN;
    for (const flow of FLOW_IDS as readonly FlowId[]) {
      const config: RunConfig = { problem: { id: spec.id }, eta: spec.defaults.eta, steps, flows: [flow] };
      timeRun(config, 2); // warm-up: let the JIT settle on this problem and flow
      const ms = timeRun(config, 7);
      const rate = (steps / ms) * 1000;
      if (flow === 'gd') gdRate = rate;
      row.push(`${Math.round(rate).toLocaleString('en-US')}${flow === 'gd' ? '' : ` (${(gdRate / rate).toFixed(1)}×)`}`);
    }
    rows.push(row);
  }
  console.log(`\nSteps per second, ${steps} steps, one flow at a time (× = cost relative to GD):`);
  console.log(table(['problem', ...FLOW_IDS], rows));

  const valley: RunConfig = { problem: { id: 'valley' }, eta: 0.3, start: [0.2, 0.2], steps, flows: [...FLOW_IDS] };
  for (let i = 0; i < 3; i++) createRunner(valley).advance(steps);
  const ms = timeRun(valley, 15);
  console.log(`\nAll four flows, ${steps} steps of the valley (a=0.5, η=0.3): median ${ms.toFixed(1)} ms (target < 20 ms: ${ms < 20 ? 'met' : 'NOT met'})`);
}
