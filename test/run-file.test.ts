import { describe, expect, it } from 'vitest';
import { parseRunFile, runFileToCsv, runFileTraces, runToJson, type RunLike } from '../src/engine/run-file.ts';
import { InputError, type Problem, type Trace } from '../src/engine/types.ts';

function trace(flow: Trace['flow'], n: number): Trace {
  const w = new Float64Array(n * 2).map((_, i) => Math.sin(i));
  return {
    flow, length: n, stride: 2, wDim: 2, projected: false,
    t: Float64Array.from({ length: n }, (_, i) => 2 * i),
    w,
    ...(flow === 'gd' || flow === 'rod-flow' ? { delta: w.map((v) => v / 10) } : {}),
    loss: Float64Array.from({ length: n }, (_, i) => 1 / (i + 1)),
    predictedLoss: Float64Array.from({ length: n }, (_, i) => (i === 3 ? NaN : 1 / (i + 2))),
    sharpness: Float64Array.from({ length: 2 * n }, (_, i) => 7 - i / 100),
    eigK: 2,
    osc: Float64Array.from({ length: n }, (_, i) => i * 0.01),
    dist: Float64Array.from({ length: n }, (_, i) => (flow === 'gd' ? 0 : i * 0.1)),
    stopped: flow === 'rod-flow' ? { step: 8, reason: 'loss became non-finite at step 8' } : null,
  };
}

const problem = { dim: 2 } as Problem;
const run: RunLike = {
  config: { problem: { id: 'valley', params: { a: 0.5 } }, eta: 0.3, start: [0.2, 0.2], steps: 10, flows: ['gd', 'central-flow', 'rod-flow'] },
  instance: { problem, settings: { id: 'valley', params: { a: 0.5 } }, start: new Float64Array([0.2, 0.2]), label: 'valley (a=0.5)' },
  traces: { gd: trace('gd', 5), 'central-flow': trace('central-flow', 5), 'rod-flow': trace('rod-flow', 5) },
  step: 10,
};

describe('run file (schema 1)', () => {
  it('round-trips traces through JSON text, NaN included', () => {
    const text = JSON.stringify(runToJson(run));
    const file = parseRunFile(text);
    expect(file.schema).toBe(1);
    expect(file.problem).toMatchObject({ id: 'valley', params: { a: 0.5 }, dim: 2 });
    expect(file.flows['central-flow']?.sigma2).toBeDefined();
    expect(file.flows['rod-flow']?.delta2).toBeDefined();
    expect(file.flows.gd?.delta).toHaveLength(5);
    const back = runFileTraces(file);
    for (const id of ['gd', 'central-flow', 'rod-flow'] as const) {
      const a = run.traces[id]!;
      const b = back[id]!;
      expect(b.length).toBe(a.length);
      expect(b.stride).toBe(a.stride);
      expect(Array.from(b.w)).toEqual(Array.from(a.w));
      expect(Array.from(b.sharpness)).toEqual(Array.from(a.sharpness));
      expect(Number.isNaN(b.predictedLoss[3])).toBe(true);
      expect(b.stopped).toEqual(a.stopped);
    }
  });

  it('writes CSV with one row per flow sample and a header', () => {
    const csv = runFileToCsv(runToJson(run)).trim().split('\n');
    expect(csv[0]).toBe('flow,t,loss,predicted_loss,sharpness,osc,dist_to_gd,w0,w1,delta0,delta1');
    expect(csv).toHaveLength(1 + 15);
    expect(csv[1].startsWith('gd,0,1,0.5,7,0,0,')).toBe(true);
    expect(csv.find((l) => l.startsWith('central-flow,6,'))!.split(',')[3]).toBe(''); // NaN → empty cell
  });

  const bad: [string, RegExp][] = [
    ['{not json', /Not a JSON file/],
    ['{"schema":2}', /Unsupported run file schema 2/],
    ['{"schema":1,"problem":{"id":"x","params":{},"dim":1},"eta":-1,"steps":1,"flows":{}}', /eta/],
    ['{"schema":1,"problem":{"id":"x","params":{},"dim":1},"eta":1,"steps":1,"flows":{"sgd":{}}}', /flows/],
  ];
  it.each(bad)('rejects %s with a clear message', (text, msg) => {
    expect(() => parseRunFile(text)).toThrow(InputError);
    expect(() => parseRunFile(text)).toThrow(msg);
  });

  it('rejects columns of different lengths', () => {
    const file = runToJson(run);
    file.flows.gd!.loss.pop();
    expect(() => parseRunFile(JSON.stringify(file))).toThrow(/losses \(flows\.gd\.loss\) has 4 entries but the times \(t\) have 5/);
  });

  describe('the schema states every shape and range, in the page\'s words (issue 12 row 13)', () => {
    const base = () => JSON.parse(JSON.stringify(runToJson(run)));
    const cases: [string, (f: any) => unknown, RegExp][] = [
      ['schema is an object without a string form', (f) => (f.schema = { toString: 'x' }), /schema version \(schema\): expected the number 1, got an object/],
      ['schema is the text "1"', (f) => (f.schema = '1'), /schema version \(schema\): expected the number 1, got the text "1"/],
      ['ragged eigenvalue rows', (f) => f.flows.gd.eigenvalues[2].pop(), /eigenvalues \(flows\.gd\.eigenvalues\) row 2 has 1 values but row 0 has 2/],
      ['ragged δ rows', (f) => f.flows.gd.delta[1].push(3), /rod vectors δ \(flows\.gd\.delta\) row 1 has 3 values; expected 2/],
      ['empty state rows', (f) => f.flows.gd.w.forEach((r: number[]) => r.splice(0)), /states \(flows\.gd\.w\) row 0 has 0 values; expected 2/],
      ['η = 1e308', (f) => (f.eta = 1e308), /step size η \(eta\): expected at most 1000, got 1e\+308/],
      ['dim = 1e15', (f) => (f.problem.dim = 1e15), /problem dimension \(problem\.dim\): expected at most/],
      ['a __proto__ parameter', (f) => (f.problem.params = JSON.parse('{"__proto__": 1}')), /problem parameters \(problem\.params/],
      ['times going back', (f) => (f.flows.gd.t[3] = 0), /times \(flows\.gd\.t\) must not decrease/],
      ['a missing η', (f) => delete f.eta, /step size η \(eta\) is missing/],
      ['a start of the wrong length', (f) => (f.start = [1, 2, 3]), /start point \(start\) has 3 coordinates/],
      ['a top-level list', () => undefined, /expected an object, got a list of 0/],
    ];
    it.each(cases)('%s', (_name, mutate, msg) => {
      let f = base();
      if (_name === 'a top-level list') f = [];
      else mutate(f);
      let err: unknown;
      try {
        parseRunFile(JSON.stringify(f));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(msg);
    });
  });
});
