import { describe, expect, it } from 'vitest';
import { parseRunArgs, UsageError } from '../src/cli/args.ts';

describe('rodflow run argument parsing', () => {
  it('builds a RunConfig from flags', () => {
    const a = parseRunArgs([
      '--problem', 'quartic', '--param', 'S=2.5', '--param', 'Q=1', '--eta', '1', '--start', '0.01',
      '--steps', '300', '--flows', 'gd,rod-flow', '--option', 'rod-flow.form=vector', '--option', 'rod-flow.backwardError=off',
      '--format', 'csv', '--out', 'x.csv',
    ]);
    expect(a.config).toEqual({
      problem: { id: 'quartic', params: { S: 2.5, Q: 1 } },
      eta: 1,
      start: [0.01],
      steps: 300,
      flows: ['gd', 'rod-flow'],
      flowOptions: { 'rod-flow': { form: 'vector', backwardError: false } },
    });
    expect(a.format).toBe('csv');
    expect(a.out).toBe('x.csv');
  });

  it('an expression alone selects the custom problem; defaults stay unset for the registry to fill', () => {
    const a = parseRunArgs(['--expr', 'a*x^2', '--param', 'a=2']);
    expect(a.config.problem).toEqual({ id: 'custom', params: { a: 2 }, expr: 'a*x^2' });
    expect(Number.isNaN(a.config.eta)).toBe(true);
    expect(a.config.flows).toEqual(['gd', 'gradient-flow', 'central-flow', 'rod-flow']);
    expect(a.format).toBe('json');
    expect(a.backend).toBe('float64');
  });

  it('--backend takes an engine choice', () => {
    for (const b of ['float64', 'auto', 'webgpu', 'webgl', 'wasm', 'cpu']) {
      expect(parseRunArgs(['--problem', 'mlp-teacher', '--backend', b]).backend).toBe(b);
    }
  });

  const bad: [string[], RegExp][] = [
    [['--eta', '1'], /--problem/],
    [['--problem', 'valley', '--eta', 'abc'], /--eta must be a finite number/],
    [['--problem', 'valley', '--eta=-1'], /positive/],
    [['--problem', 'valley', '--eta', '0'], /positive/],
    [['--problem', 'valley', '--steps', '1.5'], /integer/],
    [['--problem', 'valley', '--flows', 'gd,sgd'], /Unknown flow "sgd"/],
    [['--problem', 'valley', '--param', 'a'], /name=value/],
    [['--problem', 'valley', '--param', 'a=NaN'], /finite/],
    [['--problem', 'valley', '--start', '0.2,x'], /start coordinate/],
    [['--problem', 'valley', '--format', 'xml'], /json, csv or table/],
    [['--problem', 'valley', '--option', 'form=vector'], /<flow>\.<name>=<value>/],
    [['--problem', 'valley', '--bogus'], /bogus/],
    [['--problem', 'valley', '--backend', 'gpu'], /--backend must be float64, auto, webgpu, webgl, wasm, cpu/],
    [['--problem', 'valley', '--backend'], /backend/],
  ];
  it.each(bad)('rejects %j with a clear message', (argv, msg) => {
    expect(() => parseRunArgs(argv)).toThrow(UsageError);
    expect(() => parseRunArgs(argv)).toThrow(msg);
  });
});
