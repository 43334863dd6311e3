/** The URL schema (src/state/url.ts): round trip, field-by-field validation, versioning. */
import { describe, expect, it } from 'vitest';
import { ENGINE_CHOICES } from '../src/engine/gpu/engine-backend.ts';
import { getProblemSpec } from '../src/engine/problems/registry.ts';
import { defaultSettings, problemDefaults, type Settings } from '../src/state/settings.ts';
import { parseUrl, toUrl } from '../src/state/url.ts';

describe('URL state', () => {
  it('an empty query opens the defaults (the valley in the EoS regime, playing) without a notice', () => {
    const r = parseUrl('');
    expect(r.ignored).toEqual([]);
    expect(r.settings).toEqual(defaultSettings());
    expect(r.settings.problem).toBe('valley');
    expect(r.settings.play).toBe(true);
  });

  it('round-trips everything a person can set', () => {
    const s: Settings = {
      ...defaultSettings(),
      problem: 'quartic',
      params: { S: 2.7, Q: 0.5 },
      eta: 0.9,
      start: [0.015],
      steps: 345,
      flows: ['gd', 'rod-flow'],
      flowOptions: { 'rod-flow': { form: 'vector', backwardError: false }, 'central-flow': { substeps: 8 } },
      timeAxis: 'eta',
      log: ['sharpness'],
      speed: 20,
      play: false,
      hide: ['problem', 'eta'],
    };
    const url = toUrl(s);
    expect(url.startsWith('#v=1&')).toBe(true);
    const back = parseUrl(url);
    expect(back.ignored).toEqual([]);
    expect(back.settings).toEqual(s);
  });

  it('numbers round-trip to the last bit (a shared link reproduces the run), and short ones stay short', () => {
    const s: Settings = { ...defaultSettings(), problem: 'valley', eta: 0.30000000000000004, start: [0.123456789012345, -1 / 3] };
    const url = toUrl(s);
    const back = parseUrl(url);
    expect(back.ignored).toEqual([]);
    expect(back.settings.start).toEqual([0.123456789012345, -1 / 3]);
    expect(back.settings.eta).toBe(0.30000000000000004);
    expect(toUrl({ ...s, eta: 0.3, start: [0.218, -0.05] })).toContain('eta=0.3&start=0.218%2C-0.05&');
  });

  it('a custom expression and its own parameters round-trip', () => {
    const s: Settings = { ...defaultSettings(), problem: 'custom', expr: 'b*(x^2 - 1)^2 + y^2', params: { b: 0.25 }, start: [0.3, -0.1] };
    const back = parseUrl(toUrl(s));
    expect(back.ignored).toEqual([]);
    expect(back.settings).toEqual(s);
  });

  it('ignores each bad field with its reason and keeps the good ones', () => {
    const r = parseUrl('?v=1&problem=quartic&eta=abc&steps=2.5&p.S=99&p.Q=0.5&p.nope=1&start=1,2&flows=gd,warp&time=hours&log=loss&speed=-1&hide=all&o.rod-flow.form=matrix&o.gd.zap=1&o.warp.x=1&zzz=1');
    const s = r.settings;
    expect(s.problem).toBe('quartic');
    expect(s.params).toEqual({ Q: 0.5 });
    expect(s.log).toEqual(['loss']);
    expect(s.eta).toBe(defaultSettings().eta === 0.3 ? 1 : s.eta); // quartic's own default η
    const text = r.ignored.join(' | ');
    for (const part of ['eta=abc', 'steps=2.5', 'p.S=99 (outside', "p.nope (quartic has no parameter 'nope')", 'start=1,2 (quartic needs 1 coordinate)', 'flows=gd,warp', 'time=hours', 'speed=-1', 'hide=all', 'o.rod-flow.form=matrix (expected one of', "o.gd.zap (gd has no option 'zap')", 'o.warp.x (no such flow)', 'zzz (unknown setting)']) {
      expect(text).toContain(part);
    }
    expect(r.ignored).toHaveLength(13);
  });

  it('an unknown problem falls back to the default problem with a notice', () => {
    const r = parseUrl('?v=1&problem=teapot&eta=0.25');
    expect(r.settings.problem).toBe('valley');
    expect(r.settings.eta).toBe(0.25);
    expect(r.ignored[0]).toContain('problem=teapot (no such problem)');
  });

  it('an unsupported version opens the defaults and says so', () => {
    const r = parseUrl('?v=7&problem=quartic&eta=1');
    expect(r.settings).toEqual(defaultSettings());
    expect(r.ignored).toHaveLength(1);
    expect(r.ignored[0]).toContain('v=7');
  });

  it('rejects out-of-range values rather than clamping them', () => {
    const r = parseUrl('?v=1&eta=-1&steps=1000000000&start=1e300,0');
    expect(r.settings.eta).toBe(defaultSettings().eta);
    expect(r.settings.steps).toBe(defaultSettings().steps);
    expect(r.settings.start).toBeNull();
    expect(r.ignored).toHaveLength(3);
  });

  it('never throws on garbage', () => {
    for (const q of ['?%%%', '?v=1&eta=%E0%A4%A', '?&&&=&', '?v=1&start=,,,', '?v=1&p.=3', '?v=1&o.=1&o..=2', '?v=1&expr=' + 'x'.repeat(500)]) {
      expect(() => parseUrl(q)).not.toThrow();
    }
  });

  describe('fork history (η changed mid-run)', () => {
    const base = (): Settings => ({ ...defaultSettings(), eta: 0.25, steps: 2000 });

    it('round-trips to the last bit, in order, and is left out when the run was never forked', () => {
      const s: Settings = { ...base(), forks: [{ t: 117, eta: 0.30000000000000004 }, { t: 402, eta: 1 / 3 }] };
      const url = toUrl(s);
      expect(new URLSearchParams(url).get('fork')).toBe('117:0.30000000000000004,402:0.3333333333333333');
      const back = parseUrl(url);
      expect(back.ignored).toEqual([]);
      expect(back.settings).toEqual(s);
      expect(back.settings.forks![1].eta).toBe(1 / 3);
      // No forks: no field, and an old link parses to settings without the key (what it meant before).
      expect(toUrl(base())).not.toContain('fork=');
      expect(toUrl({ ...base(), forks: [] })).not.toContain('fork=');
      expect('forks' in parseUrl(toUrl(base())).settings).toBe(false);
    });

    it('each bad value is ignored with its reason, and the link opens as if the field were absent', () => {
      const cases: [string, string][] = [
        ['abc', 'expected time:η pairs'],
        ['', 'expected time:η pairs'],
        ['100', 'expected time:η pairs'],
        ['100:0.3:1', 'expected time:η pairs'],
        ['100:0', 'η must be positive'],
        ['100:-0.3', 'η must be positive'],
        ['100:2000', 'η must be at most 1000'],
        ['100:x', 'η: not a finite number'],
        ['100:', 'η: not a finite number'],
        [':0.3', 'fork time: not a finite number'],
        ['1.5:0.3', 'fork time: must be an integer'],
        ['0:0.3', 'fork time: must be at least 1'],
        ['200:0.3,100:0.2', 'fork times must increase'],
        ['100:0.3,100:0.2', 'fork times must increase'],
        ['2000:0.3', 'a fork at step 2000 is not before the step budget 2000'],
        [Array.from({ length: 101 }, (_, i) => `${i + 1}:0.3`).join(','), 'more than 100 forks'],
      ];
      for (const [raw, why] of cases) {
        const r = parseUrl(`?v=1&problem=valley&eta=0.25&steps=2000&speed=5&fork=${encodeURIComponent(raw)}`);
        expect(r.ignored, raw).toHaveLength(1);
        expect(r.ignored[0], raw).toContain(why);
        expect(r.ignored[0].startsWith('fork='), raw).toBe(true);
        // The rest of the link applies; the fork field is as if absent.
        expect(r.settings, raw).toEqual({ ...base(), speed: 5 });
      }
    });

    it('the step budget that bounds the fork times is the link’s own (whatever the field order)', () => {
      const r = parseUrl('?v=1&fork=1500:0.3&problem=valley&steps=2000&eta=0.25');
      expect(r.ignored).toEqual([]);
      expect(r.settings.forks).toEqual([{ t: 1500, eta: 0.3 }]);
      expect(parseUrl('?v=1&fork=1500:0.3&problem=valley&eta=0.25').ignored[0]).toContain('not before the step budget 600');
    });

    it('networks leave their forks out of links, and a link that has some says they were ignored', () => {
      const net: Settings = { ...problemDefaults(getProblemSpec('mlp-chebyshev')!), forks: [{ t: 10, eta: 0.1 }] };
      expect(toUrl(net)).not.toContain('fork=');
      const r = parseUrl('?v=1&problem=mlp-chebyshev&fork=10:0.1');
      expect(r.settings.forks).toBeUndefined();
      expect(r.ignored).toEqual(['fork (a network run is not rebuilt from its forks)']);
    });
  });

  describe('engine (networks only)', () => {
    const net = (): Settings => problemDefaults(getProblemSpec('mlp-chebyshev')!);

    it('every engine choice round-trips; the float64 default is left out so older links are unchanged', () => {
      for (const engine of ENGINE_CHOICES) {
        const s: Settings = engine === 'float64' ? net() : { ...net(), engine };
        const url = toUrl(s);
        expect(url.includes('engine=')).toBe(engine !== 'float64');
        const back = parseUrl(url);
        expect(back.ignored).toEqual([]);
        expect(back.settings).toEqual(s);
      }
      // An explicit engine=float64 is the default, not a setting of its own.
      const r = parseUrl('?v=1&problem=mlp-chebyshev&engine=float64');
      expect(r.ignored).toEqual([]);
      expect(r.settings.engine).toBeUndefined();
      expect(toUrl(r.settings)).not.toContain('engine=');
    });

    it('a bad engine is ignored with the choices listed, and the rest of the link applies', () => {
      const r = parseUrl('?v=1&problem=mlp-chebyshev&eta=0.05&engine=turbo');
      expect(r.settings.problem).toBe('mlp-chebyshev');
      expect(r.settings.eta).toBe(0.05);
      expect(r.settings.engine).toBeUndefined();
      expect(r.ignored).toHaveLength(1);
      expect(r.ignored[0]).toBe(`engine=turbo (expected one of ${ENGINE_CHOICES.join(', ')})`);
      expect(ENGINE_CHOICES.length).toBeGreaterThanOrEqual(6); // float64, auto and the four tfjs backends
    });

    it('an engine on a problem without a network is ignored with a notice, and never written', () => {
      const r = parseUrl('?v=1&problem=valley&engine=wasm');
      expect(r.settings.engine).toBeUndefined();
      expect(r.ignored).toEqual(['engine=wasm (only network problems have an engine choice)']);
      expect(toUrl({ ...defaultSettings(), engine: 'wasm' })).not.toContain('engine=');
    });
  });
});

describe('URL state in the fragment (issue 12 row 1)', () => {
  it('links are written as a fragment, and old query links open the same settings', () => {
    const s: Settings = { ...defaultSettings(), problem: 'quartic', eta: 0.9, start: [0.015], steps: 345 };
    const frag = toUrl(s);
    expect(frag.startsWith('#v=1&')).toBe(true);
    expect(parseUrl(frag).settings).toEqual(s);
    expect(parseUrl('?' + frag.slice(1)).settings).toEqual(s);
    expect(parseUrl(frag.slice(1)).settings).toEqual(s);
  });

  it('a link with a very long value still parses (the fragment never reaches a server) and says what it ignored', () => {
    const long = 'x'.repeat(10_000);
    const r = parseUrl(`#v=1&problem=custom&expr=${long}&eta=0.2`);
    expect(r.settings.eta).toBe(0.2);
    expect(r.settings.expr).toBeUndefined();
    expect(r.ignored.join(' ')).toContain('longer than 400 characters');
    // A long fork history: 100 forks round-trip.
    const forks = Array.from({ length: 100 }, (_, i) => ({ t: 10 * (i + 1), eta: 0.3 - i * 1e-3 }));
    const s: Settings = { ...defaultSettings(), steps: 2000, forks };
    expect(parseUrl(toUrl(s)).settings.forks).toEqual(forks);
  });

  it("the lessons' caption key is not an unknown setting", () => {
    expect(parseUrl('#v=1&problem=valley&caption=hello').ignored).toEqual([]);
  });
});
