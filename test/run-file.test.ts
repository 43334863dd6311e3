import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { flowsToTraces, historySegments, parseRunFile, runFileForks, runFileToCsv, runFileTraces, runToJson, type RunFile, type RunLike } from '../src/engine/run-file.ts';
import { openSession, type Session } from '../src/engine/session.ts';
import { InputError, type FlowId, type Problem, type RunConfig, type Trace } from '../src/engine/types.ts';
import { createWorkerHost, type WorkerHost } from '../src/worker/host.ts';
import type { FromWorker, ToWorker } from '../src/worker/protocol.ts';
import { applyChunk, type ViewTrace } from '../src/state/trace-buffer.ts';

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
    ['{"schema":3}', /Unsupported run file schema 3; this version reads schemas 1 and 2/],
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
      ['schema is an object without a string form', (f) => (f.schema = { toString: 'x' }), /schema version \(schema\): expected the number 1 or 2, got an object/],
      ['schema is the text "1"', (f) => (f.schema = '1'), /schema version \(schema\): expected the number 1 or 2, got the text "1"/],
      ['ragged eigenvalue rows', (f) => f.flows.gd.eigenvalues[2].pop(), /eigenvalues \(flows\.gd\.eigenvalues\) row 2 has 1 value but row 0 has 2/],
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

/** A traced run cut at step t, as the page's ghost is (state/runs.ts forkRun: samples up to the fork). */
function cut(traces: Partial<Record<FlowId, Trace>>, t: number): Partial<Record<FlowId, Trace>> {
  const out: Partial<Record<FlowId, Trace>> = {};
  for (const [id, tr] of Object.entries(traces) as [FlowId, Trace][]) {
    let n = 0;
    while (n < tr.length && tr.t[n] <= t) n++;
    out[id] = { ...tr, length: n };
  }
  return out;
}

/** The samples of a trace, column by column (NaN as null, as a file holds them). */
function samples(tr: Trace): Record<string, (number | null)[]> {
  const col = (a: Float64Array | undefined, w: number) => (a ? Array.from(a.subarray(0, tr.length * w), (v) => (Number.isFinite(v) ? v : null)) : []);
  return { t: col(tr.t, 1), w: col(tr.w, tr.wDim), loss: col(tr.loss, 1), sharpness: col(tr.sharpness, tr.eigK), osc: col(tr.osc, 1), dist: col(tr.dist, 1), delta: col(tr.delta, tr.wDim) };
}

/**
 * A run forked twice as the page does it (the worker's session.forkConfig): η = 0.3 from step 0, forked
 * at 12 to η = 0.25, forked at 30 to η = 0.2; the ghosts are the earlier runs cut at their fork.
 */
function forkedRun(): { session: Session; forks: { t: number; eta: number }[]; ghosts: { eta: number; traces: Partial<Record<FlowId, Trace>> }[] } {
  const cfg: RunConfig = { problem: { id: 'valley', params: { a: 0.5 } }, eta: 0.3, start: [0.2, 0.2], steps: 60, flows: ['gd', 'gradient-flow', 'central-flow', 'rod-flow'] };
  const forks = [{ t: 12, eta: 0.3 }, { t: 30, eta: 0.25 }];
  let session = openSession(cfg, 'horizon');
  const ghosts = [];
  for (const [i, f] of forks.entries()) {
    session.runner.advance(1e6);
    ghosts.push({ eta: f.eta, traces: cut(session.runner.traces, f.t) });
    session = openSession(session.forkConfig(f.t, i + 1 < forks.length ? forks[i + 1].eta : 0.2, false), 'horizon');
  }
  session.runner.advance(1e6);
  return { session, forks, ghosts };
}

describe('run file schema 2: a forked run\'s history and saved runs (issue 9 item 11)', () => {
  it('a forked run round-trips through JSON: the fork history and every ghost come back equal', () => {
    const { session, forks, ghosts } = forkedRun();
    const saved = [{ name: 'my run', eta: 0.3, traces: cut(ghosts[0].traces, 8) }];
    const written = runToJson(session.runner, { history: { start: [0.2, 0.2], end: 60, forks, ghosts }, saved });
    expect(written.schema).toBe(2);
    expect(written.t0).toBe(30);
    expect(written.steps).toBe(30);
    const file = parseRunFile(JSON.stringify(written));
    expect(file.history?.segments.map((g) => [g.t0, g.eta, g.steps])).toEqual([[0, 0.3, 12], [12, 0.25, 18]]);
    expect(file.history?.start).toEqual([0.2, 0.2]);
    expect(file.history?.end).toBe(60);
    expect(runFileForks(file)).toEqual(forks);
    file.history!.segments.forEach((seg, i) => {
      const back = flowsToTraces(seg.flows!);
      expect(Object.keys(back).sort()).toEqual(Object.keys(ghosts[i].traces).sort());
      for (const [id, tr] of Object.entries(ghosts[i].traces) as [FlowId, Trace][]) {
        expect(tr.length).toBeGreaterThan(5);
        expect(samples(back[id]!)).toEqual(samples(tr));
      }
    });
    // The current segment is the worker's run, as before.
    const cur = runFileTraces(file);
    for (const [id, tr] of Object.entries(session.runner.traces) as [FlowId, Trace][]) expect(samples(cur[id]!)).toEqual(samples(tr));
    expect(file.saved).toHaveLength(1);
    expect(file.saved![0].name).toBe('my run');
    expect(samples(flowsToTraces(file.saved![0].flows)['rod-flow']!)).toEqual(samples(saved[0].traces['rod-flow']!));
  });

  it('a run without history or saved runs is written as schema 1, exactly as before', () => {
    const { session } = forkedRun();
    expect(runToJson(session.runner).schema).toBe(1);
    expect(runToJson(session.runner, { saved: [] })).toEqual(runToJson(session.runner));
    expect(Object.keys(runToJson(session.runner))).not.toContain('history');
  });

  it('old schema-1 files still parse: a stored lesson run and the README example', () => {
    const stored = parseRunFile(readFileSync(new URL('../public/runs/quadratic-0-9.json', import.meta.url), 'utf8'));
    expect(stored.schema).toBe(1);
    expect(stored.history).toBeUndefined();
    expect(runFileForks(stored)).toBeUndefined();
    const readme = parseRunFile('{"schema":1,"problem":{"id":"valley","params":{"a":0.5},"label":"valley (a=0.5)","dim":2},"eta":0.3,"start":[0.2,0.2],"steps":0,"t0":0,"flows":{}}');
    expect(readme.eta).toBe(0.3);
  });

  it('without a fork history (a network\'s forks), the ghosts alone make the segments, each ending where the next begins', () => {
    const { ghosts } = forkedRun();
    // The page dropped the first ghost: the second segment starts at step 12.
    const segs = historySegments(30, { end: 60, ghosts: [ghosts[1]] });
    expect(segs.map((g) => [g.t0, g.eta, g.steps])).toEqual([[12, 0.25, 18]]);
    // With forks, a ghost the page no longer draws leaves its segment without flows.
    const withForks = historySegments(30, { end: 60, forks: [{ t: 12, eta: 0.3 }, { t: 30, eta: 0.25 }], ghosts: [ghosts[1]] });
    expect(withForks.map((g) => [g.t0, g.flows === undefined])).toEqual([[0, true], [12, false]]);
    const file = parseRunFile(JSON.stringify(runToJson(forkedRun().session.runner, { history: { end: 60, ghosts: [ghosts[1]] } })));
    expect(runFileForks(file)).toBeUndefined(); // does not start at step 0: not a history the page replays
  });

  describe('a malformed history gets one clear message naming the field', () => {
    const base = () => {
      const { session, forks, ghosts } = forkedRun();
      return JSON.parse(JSON.stringify(runToJson(session.runner, { history: { end: 60, forks, ghosts }, saved: [{ name: 's', eta: 0.3, traces: ghosts[0].traces }] })));
    };
    const cases: [string, (f: any) => unknown, RegExp][] = [
      ['segments that leave a gap', (f) => (f.history.segments[0].steps = 10), /earlier segment 0 \(history\.segments\[0\]\) ends at step 10 \(t0 \+ steps\) but earlier segment 1 starts at step 12/],
      ['a last segment that does not reach the current run', (f) => (f.history.segments[1].steps = 17), /earlier segment 1 \(history\.segments\[1\]\) ends at step 29 .* but the current run starts \(t0\) at step 30/],
      ['a history in a schema-1 file', (f) => (f.schema = 1), /a fork history \(history\) needs schema 2, but the file says schema 1/],
      ['a segment\'s η as text', (f) => (f.history.segments[1].eta = '0.25'), /earlier segment 1: the step size η \(history\.segments\[1\]\.eta\): expected a number, got the text "0\.25"/],
      ['a ghost column of the wrong length', (f) => f.history.segments[0].flows['rod-flow'].loss.pop(), /earlier segment 0: Rod Flow's losses \(history\.segments\[0\]\.flows\.rod-flow\.loss\) has 12 entries but the times \(t\) have 13/],
      ['a ghost outside its segment', (f) => (f.history.segments[0].flows.gd.t = f.history.segments[0].flows.gd.t.map((t: number) => t + 5)), /Gradient descent's times \(history\.segments\[0\]\.flows\.gd\.t\) run from 5 to 17, outside the segment's steps 0–12/],
      ['no segments', (f) => (f.history.segments = []), /the earlier segments \(history\.segments\): expected at least one segment/],
      ['a missing end', (f) => delete f.history.end, /the end of the clock \(history\.end\) is missing/],
      ['a start of the wrong length', (f) => (f.history.start = [1]), /the start point at step 0 \(history\.start\) has 1 coordinates but the problem dimension/],
      ['a __proto__ key in a segment', (f) => (f.history.segments[0] = JSON.parse('{"__proto__": 1, "t0": 0, "eta": 0.3, "steps": 12}')), /earlier segment 0 \(history\.segments\[0\]\.__proto__\): '__proto__' is not a name/],
      ['a saved run without a name', (f) => delete f.saved[0].name, /saved run 0: the name \(saved\[0\]\.name\) is missing/],
    ];
    it.each(cases)('%s', (_name, mutate, msg) => {
      const f = base();
      mutate(f);
      let err: unknown;
      try {
        parseRunFile(JSON.stringify(f));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      const m = (err as Error).message;
      expect(m).toMatch(msg);
      expect(m).not.toContain('\n');
      expect(m.length).toBeLessThan(400);
    });
  });
});

describe('the worker exports the whole history and imports it back (host.ts)', () => {
  let host: WorkerHost | null = null;
  afterEach(() => host?.close());

  it('export with the page\'s forks and ghosts → import gives the segments, the saved runs and the settings that rebuild the run', async () => {
    const got: FromWorker[] = [];
    let wake = () => {};
    host = createWorkerHost((m) => {
      got.push(m);
      wake();
    });
    const send = (m: ToWorker) => host!.onMessage(m);
    const until = async (pred: (m: FromWorker) => boolean): Promise<FromWorker> => {
      for (let i = 0; i < 2000; i++) {
        const hit = got.find(pred);
        if (hit) return hit;
        await new Promise<void>((res) => ((wake = res), setTimeout(res, 20)));
      }
      throw new Error('timed out waiting for a worker message');
    };
    const done = (runId: number) => (m: FromWorker) => m.type === 'chunk' && m.runId === runId && m.done;
    /** The page's view of a run (trace-buffer.ts), cut at t as forkRun cuts a ghost. */
    const view = (runId: number, t: number) => {
      const out: Partial<Record<FlowId, ViewTrace>> = {};
      for (const m of got) if (m.type === 'chunk' && m.runId === runId) for (const c of m.chunks) out[c.flow] = applyChunk(m.reset ? undefined : out[c.flow], c);
      return cut(out, t);
    };
    send({ type: 'run', runId: 1, mode: 'horizon', config: { problem: { id: 'valley', params: { a: 0.5 } }, eta: 0.3, start: [0.2, 0.2], steps: 60, flows: ['gd', 'rod-flow'] } });
    await until(done(1));
    send({ type: 'fork', runId: 2, fromRunId: 1, t: 12, eta: 0.25, sameBase: false });
    await until(done(2));
    send({ type: 'fork', runId: 3, fromRunId: 2, t: 30, eta: 0.2, sameBase: false });
    await until(done(3));
    const forks = [{ t: 12, eta: 0.3 }, { t: 30, eta: 0.25 }];
    const ghosts = [{ eta: 0.3, traces: view(1, 12) }, { eta: 0.25, traces: view(2, 30) }];
    send({ type: 'export', reqId: 7, runId: 3, format: 'json', history: { start: [0.2, 0.2], end: 60, forks, ghosts }, saved: [{ name: 'kept', eta: 0.3, traces: view(1, 5) }] });
    const ex = await until((m) => m.type === 'export' && m.reqId === 7);
    if (ex.type !== 'export') throw new Error('no export');
    expect(ex.filename).toBe('rodflow-valley-eta0.2-2forks.json');
    const file = parseRunFile(ex.text);
    expect(file.schema).toBe(2);
    expect([file.t0, file.steps, file.eta]).toEqual([30, 30, 0.2]);
    expect(runFileForks(file)).toEqual(forks);

    send({ type: 'import', reqId: 8, text: ex.text });
    const im = await until((m) => m.type === 'imported' && m.reqId === 8);
    if (im.type !== 'imported') throw new Error('no import');
    expect(im.restore).toEqual({ problem: { id: 'valley', params: { a: 0.5 } }, start: [0.2, 0.2], end: 60, flows: ['gd', 'rod-flow'], flowOptions: {}, forks });
    expect(im.segments?.map((g) => [g.t0, g.eta, g.steps])).toEqual([[0, 0.3, 12], [12, 0.25, 18]]);
    im.segments!.forEach((g, i) => {
      for (const c of g.traces) {
        const tr = applyChunk(undefined, c);
        expect(samples(tr)).toEqual(samples(ghosts[i].traces[c.flow]!));
        expect(c.centre).toBeDefined(); // drawn like a live ghost (the rod's geometry)
      }
    });
    expect(im.saved?.map((o) => [o.name, o.eta, o.traces.length])).toEqual([['kept', 0.3, 2]]);
    // CSV stays the current run alone.
    send({ type: 'export', reqId: 9, runId: 3, format: 'csv', history: { end: 60, forks, ghosts } });
    const csv = await until((m) => m.type === 'export' && m.reqId === 9);
    expect(csv.type === 'export' && csv.text.split('\n').filter((l) => l.startsWith('gd,')).length).toBe(31);
  });
});
