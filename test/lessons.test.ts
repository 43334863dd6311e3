/**
 * The lessons registry (src/lessons): its shape, its equations, every number its captions state (checked
 * against the engine, to the precision printed), and the stored runs the scenes open on (recomputed and
 * compared, so a stale stored run fails here; `npm run stored-runs` regenerates them).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../src/engine/flows/registry.ts';
import { parseRunFile, type FlowRecord, type RunFile } from '../src/engine/run-file.ts';
import { Runner } from '../src/engine/runner.ts';
import { FLOW_IDS } from '../src/engine/types.ts';
import { allScenes, LANDING_RUN, LANDING_STATE, LANDING_STEP, LESSONS, storedRuns } from '../src/lessons/registry.ts';
import { LessonsSchema } from '../src/lessons/schema.ts';
import { LESSONS_DATA } from '../src/lessons/lessons.ts';
import { captionFacts, captionText, TEX_MACROS } from '../src/lessons/tex.ts';
import { computeStoredRun, configFromState, isNetworkState, strideFor } from '../src/lessons/stored-build.ts';
import { gdIterate, measureFlowCost } from '../src/lessons/cost.ts';
import { jobInputs } from '../src/engine/ensemble/jobs.ts';
import { ensembleProblem } from '../src/engine/ensemble/problem.ts';
import { FLOW_STRIDE, GD_STRIDE, REC, Trajectories } from '../src/engine/ensemble/trajectories.ts';
import { sweepSeries } from '../src/engine/ensemble/views.ts';
import { sweepJobFor } from '../src/ui/ensemble/sweep-job.ts';
import { parseUrl } from '../src/state/url.ts';

const RUNS = join(import.meta.dirname, '..', 'public', 'runs');
const loadRun = (id: string): RunFile & { state?: string } => {
  const text = readFileSync(join(RUNS, `${id}.json`), 'utf8');
  return { ...parseRunFile(text), state: (JSON.parse(text) as { state?: string }).state };
};

describe('lessons registry', () => {
  it('has the eight lessons of issue 8, numbered in order, each scene valid', () => {
    expect(LESSONS.map((l) => l.id)).toEqual(['two-over-eta', 'sharpening', 'self-stabilization', 'rod', 'quartic', 'valley', 'networks', 'cost']);
    for (const { scene } of allScenes()) {
      // Every field of the state is one the page reads (configFromState throws on an ignored field).
      expect(() => configFromState(scene.state), scene.id).not.toThrow();
      expect(scene.plots.length).toBeGreaterThan(0);
    }
  });

  it('rejects a malformed lesson with a readable message', () => {
    const bad = structuredClone(LESSONS_DATA);
    (bad[0].scenes[0] as { plots: unknown[] }).plots = [];
    (bad[1].scenes[0] as { tryThis?: string }).tryThis = 'x';
    const r = LessonsSchema.safeParse(bad);
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('0.scenes.0.plots');
    expect(paths).toContain('1.scenes.0.tryThis');
    const twice = structuredClone(LESSONS_DATA);
    twice[2].scenes[1].id = twice[2].scenes[0].id;
    expect(LessonsSchema.safeParse(twice).success).toBe(false);
  });

  it('the URL schema carries lesson, scene and presenter and gives them back', async () => {
    const { toUrl } = await import('../src/state/url.ts');
    const p = parseUrl(`?${LESSONS[1].scenes[0].state}&lesson=2&scene=1&presenter=1`);
    expect(p.ignored).toEqual([]);
    expect(p.settings).toMatchObject({ lesson: '2', scene: 1, presenter: true });
    expect(parseUrl(toUrl(p.settings)).settings).toMatchObject({ lesson: '2', scene: 1, presenter: true });
    const bad = parseUrl('?v=1&lesson=../x&scene=0');
    expect(bad.ignored.length).toBe(2);
    expect(bad.settings.lesson).toBeUndefined();
  });

  it('every equation typesets with KaTeX, and the colour macros use the flow registry colours', () => {
    for (const { lesson, scene } of allScenes())
      for (const tex of scene.equations) {
        expect(() => katex.renderToString(tex, { displayMode: true, throwOnError: true, macros: { ...TEX_MACROS } }), `${lesson.id}/${scene.id}: ${tex}`).not.toThrow();
      }
    const macro: Record<string, string> = { gd: '\\gd', 'gradient-flow': '\\gf', 'central-flow': '\\cf', 'rod-flow': '\\rf' };
    for (const f of FLOWS) {
      const html = katex.renderToString(`${macro[f.id]}{x}`, { macros: { ...TEX_MACROS } });
      expect(html.toLowerCase(), f.id).toContain(`color:${f.color.toLowerCase()}`);
    }
  });

  it('a caption states no number that is not checked: facts are marked, the rest are the state’s own inputs', () => {
    for (const { lesson, scene } of allScenes()) {
      const inputs = new Set(scene.state.split('&').flatMap((kv) => kv.split('=')[1]?.split(/[,:]/) ?? []));
      for (const text of [scene.caption, scene.tryThis ?? '']) {
        const rest = text
          .replace(/\[\[[^\]]+\]\]/g, ' ')
          .replace(/\d+(→\d+)+/g, ' ') // network shapes, e.g. 8→16→16→1
          .replace(/\b2\/[ηλ]/g, ' '); // the edge 2/η, 2/λ
        for (const m of rest.matchAll(/\d+(\.\d+)?/g)) {
          const v = m[0];
          const small = !v.includes('.') && Number(v) <= 4; // ½, ηS = 3, 4 Euler substeps
          expect(small || inputs.has(v), `${lesson.id}/${scene.id}: unchecked number ${v} in "${text}"`).toBe(true);
        }
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------
// The numbers the captions state. Each entry lists, in caption order, the values the engine computes.

type Rec = FlowRecord;
const lastOf = (r: Rec, k: 'loss' | 'predictedLoss' | 'sharpness' | 'dist' | 'delta2' | 'sigma2') => (r[k] as (number | null)[])[r.t.length - 1]!;
const onsetOf = (r: Rec, eta: number) => r.t[r.sharpness.findIndex((s) => (s ?? 0) > 2 / eta)]!;
function run(state: string, steps?: number): Runner {
  const cfg = configFromState(state);
  if (steps !== undefined) cfg.steps = steps;
  const r = new Runner(cfg);
  r.advance(cfg.steps);
  return r;
}
const trEnd = (r: Runner, f: (typeof FLOW_IDS)[number]) => {
  const tr = r.traces[f]!;
  const n = tr.length - 1;
  return { w: Array.from(tr.w.subarray(n * tr.wDim, (n + 1) * tr.wDim)), loss: tr.loss[n], pl: tr.predictedLoss[n], s: tr.sharpness[n * tr.eigK], osc: tr.osc[n], dist: tr.dist[n] };
};
/** Mean over the samples after `from` of a flow's distance to GD, as a ratio to gradient flow's. */
function distRatio(file: RunFile, flow: 'central-flow' | 'rod-flow', from: number): number {
  const a = file.flows[flow]!;
  const g = file.flows['gradient-flow']!;
  let s = 0;
  let sg = 0;
  a.t.forEach((t, i) => {
    if (t! >= from) {
      s += a.dist[i]!;
      sg += g.dist[i]!;
    }
  });
  return s / sg;
}
const sceneState = (lesson: string, scene: string) => LESSONS.find((l) => l.id === lesson)!.scenes.find((s) => s.id === scene)!.state;

const FACTS: Record<string, () => number[]> = {
  'two-over-eta/shrink': () => {
    const r = run(sceneState('two-over-eta', 'shrink'), 1).traces.gd!;
    return [r.w[1] / r.w[0]];
  },
  'two-over-eta/flip': () => {
    const r = run(sceneState('two-over-eta', 'flip'), 1).traces.gd!;
    return [r.w[1] / r.w[0]];
  },
  'two-over-eta/diverge': () => {
    const r = run(sceneState('two-over-eta', 'diverge'), 1).traces.gd!;
    return [2 / 2.1, r.w[1] / r.w[0]];
  },
  'sharpening/sharpen': () => {
    // The onset is recomputed live (GD alone to just past it); the 800-step gradient-flow value comes from
    // the stored run, which the stored-run test below recomputes on a prefix.
    const st = sceneState('sharpening', 'sharpen');
    const live = run(st.replace('flows=gd,gradient-flow', 'flows=gd'), 330).traces.gd!;
    let onset = NaN;
    for (let i = 0; i < live.length; i++)
      if (live.sharpness[i * live.eigK] > 2 / 0.2) {
        onset = live.t[i];
        break;
      }
    const file = loadRun('chebyshev');
    expect(onsetOf(file.flows.gd!, 0.2)).toBe(onset);
    return [2 / 0.2, lastOf(file.flows['gradient-flow']!, 'sharpness'), onset];
  },
  'sharpening/loss': () => {
    const gd = loadRun('chebyshev').flows.gd!;
    const i = gd.t.indexOf(onsetOf(gd, 0.2));
    return [gd.predictedLoss[i]!, lastOf(gd, 'predictedLoss')];
  },
  'self-stabilization/rise': () => {
    const gd = run(LANDING_STATE.replace(/flows=[^&]*/, 'flows=gd'), 800).traces.gd!;
    let onset = NaN;
    for (let i = 0; i < gd.length; i++)
      if (gd.sharpness[i * gd.eigK] > 200) {
        onset = gd.t[i];
        break;
      }
    return [2 / 0.01, onset];
  },
  'self-stabilization/catapult': () => {
    const gd = run(LANDING_STATE.replace(/flows=[^&]*/, 'flows=gd'), 1200).traces.gd!;
    let sMax = -Infinity, sAt = 0, oMax = -Infinity, oAt = 0;
    for (let i = 0; i < gd.length; i++) {
      const s = gd.sharpness[i * gd.eigK];
      if (s > sMax) [sMax, sAt] = [s, gd.t[i]];
      if (gd.osc[i] > oMax) [oMax, oAt] = [gd.osc[i], gd.t[i]];
    }
    return [sMax, sAt, oAt, oMax];
  },
  'self-stabilization/push-back': () => {
    const file = loadRun(LANDING_RUN);
    const gd = file.flows.gd!;
    const n = gd.t.length - 1;
    const cf = file.flows['central-flow']!;
    // Central Flow's σ² against the closed form c/y at y² = 2/η (c = 0.3).
    expect(lastOf(cf, 'sigma2')).toBeCloseTo(0.3 / Math.sqrt(2 / 0.01), 4);
    return [gd.w[n][1]!, Math.sqrt(2 / 0.01), lastOf(cf, 'sigma2')];
  },
  'rod/rod-flow': () => [trEnd(run(sceneState('rod', 'rod-flow')), 'rod-flow').dist],
  'quartic/two-cycle': () => {
    const r = run(sceneState('quartic', 'two-cycle'));
    expect(trEnd(r, 'rod-flow').osc).toBeCloseTo(trEnd(r, 'gd').osc, 10);
    return [trEnd(r, 'gd').osc];
  },
  'quartic/central': () => {
    const r = run(sceneState('quartic', 'central'));
    const cf = trEnd(r, 'central-flow');
    const gd = trEnd(r, 'gd');
    // The closed forms (S = 2.5, Q = 1, η = 1): x² = (S − 2/η)/(3Q), σ² = (S − Qx²)/(3Q).
    expect(cf.w[0] ** 2).toBeCloseTo(0.5 / 3, 10);
    expect(cf.osc).toBeCloseTo((2.5 - 0.5 / 3) / 3, 10);
    return [cf.w[0], cf.osc, gd.osc, cf.pl, gd.pl];
  },
  'quartic/split': () => {
    const r = run(sceneState('quartic', 'split'));
    const gd = r.traces.gd!;
    const n = gd.length - 1;
    const centre = gd.w[n] + gd.delta![n];
    expect(trEnd(r, 'rod-flow').dist).toBeLessThan(1e-9);
    return [gd.osc[n], Math.abs(centre)];
  },
  'quartic/sweep': () => {
    // The scene's sweep is the explorer's job for its state (sweep-job.ts), run here with the float64
    // trajectories the page's CPU pool runs.
    const cfg = configFromState(sceneState('quartic', 'sweep'));
    const { S, Q } = cfg.problem.params as { S: number; Q: number };
    const job = sweepJobFor(cfg.problem, cfg.start ?? [], cfg.eta)!;
    // The range shows the whole story: convergence below ηS = 2, the branch, and period doubling past 3.
    expect(job.etaLo * S).toBeLessThan(1.9);
    expect(job.etaHi * S).toBeGreaterThan(3.5);
    expect(job.n).toBeGreaterThanOrEqual(1024);
    const tr = new Trajectories(ensembleProblem(job.problem).field);
    const inputs = jobInputs(job, 0, job.n);
    const gd = new Float64Array(job.n * GD_STRIDE);
    for (let i = 0; i < job.n; i++) tr.run('gd', inputs[3 * i], inputs[3 * i + 1], inputs[3 * i + 2], job.steps, gd, i * GD_STRIDE);
    // Central Flow just past the edge only (the first η with ηS > 2): records [0, edge].
    const eta = Array.from({ length: job.n }, (_, i) => inputs[3 * i]);
    const edge = eta.findIndex((e) => e * S > 2);
    const cf = new Float64Array(job.n * FLOW_STRIDE);
    for (let i = 0; i <= edge; i++) tr.run('central-flow', inputs[3 * i], inputs[3 * i + 1], inputs[3 * i + 2], job.steps, cf, i * FLOW_STRIDE);
    const s = sweepSeries(job, { gd: { data: gd, done: job.n }, 'central-flow': { data: cf, done: edge + 1 } });
    // GD at the scene's η itself, on the branch x² = (S − 2/η)/Q.
    const one = new Float64Array(GD_STRIDE);
    tr.run('gd', cfg.eta, job.start[0], 0, job.steps, one, 0);
    const branch = Math.abs(one[8 + 2 * (REC - 1)]);
    expect(branch ** 2).toBeCloseTo((S - 2 / cfg.eta) / Q, 10);
    // Period doubling: the first η past ηS = 3 whose attractor is neither a fixed point nor a 2-cycle.
    const pd = eta.findIndex((e, i) => e * S > 3 && s.period[i] !== 1 && s.period[i] !== 2);
    // Central Flow's σ at the edge: the band's half-width, against the closed form √(S/(3Q)).
    const sigma = s.cf!.hi[edge] - s.cf!.c[edge];
    expect(sigma).toBeCloseTo(Math.sqrt(S / (3 * Q)), 2);
    return [branch, eta[pd] * S, sigma];
  },
  'valley/slide': () => {
    const r = run(sceneState('valley', 'slide'));
    return [2 / 0.3, trEnd(r, 'central-flow').w[0], trEnd(r, 'central-flow').w[1]].slice(0, 2);
  },
  'valley/ends': () => {
    const r = run(sceneState('valley', 'ends'));
    const gd = trEnd(r, 'gd');
    return [gd.w[0], gd.w[1], gd.s, trEnd(r, 'rod-flow').dist, trEnd(r, 'central-flow').dist, trEnd(r, 'gradient-flow').dist, trEnd(r, 'gradient-flow').s];
  },
  'networks/distance': () => {
    const f = loadRun('teacher');
    const on = onsetOf(f.flows.gd!, 0.1);
    return [on, distRatio(f, 'rod-flow', on), distRatio(f, 'central-flow', on)];
  },
  'networks/igr': () => {
    const f = loadRun('teacher-igr');
    const on = onsetOf(f.flows.gd!, 0.1);
    return [distRatio(f, 'central-flow', on), distRatio(loadRun('teacher'), 'rod-flow', on)];
  },
};

/** |computed − printed| within half a unit of the printed last digit. */
function agrees(printed: string, v: number): boolean {
  const p = Number(printed.replace('−', '-'));
  const dec = printed.includes('.') ? printed.split('.')[1].length : 0;
  return Math.abs(Math.abs(v) - Math.abs(p)) <= 0.5 * 10 ** -dec + 1e-12 && (p === 0 || Math.sign(v) === Math.sign(p) || printed.startsWith('±'));
}

describe('lesson captions: every stated number against the engine', () => {
  for (const { lesson, scene } of allScenes()) {
    const facts = captionFacts(scene.caption);
    const key = `${lesson.id}/${scene.id}`;
    if (!facts.length) continue;
    it(`${key}: ${facts.join(', ')}`, () => {
      const f = FACTS[key];
      expect(f, `no checker for ${key}`).toBeDefined();
      const values = f();
      expect(values.length, key).toBe(facts.length);
      facts.forEach((printed, i) => expect(agrees(printed, values[i]), `${key}: caption says ${printed}, engine ${values[i]}`).toBe(true));
    }, 20_000);
  }

  it('the annotation steps are the engine’s onset steps', () => {
    // The stored runs' onsets, to their stride: the annotated step is within the last stride before the
    // first stored sample above 2/η (the caption states the engine's exact step, checked above).
    const at = (id: string, eta: number) => ({ t: onsetOf(loadRun(id).flows.gd!, eta), stride: loadRun(id).flows.gd!.stride });
    const want: Record<string, { t: number; stride: number }> = { sharpening: at('chebyshev', 0.2), networks: at('teacher', 0.1), 'self-stabilization': at(LANDING_RUN, 0.01) };
    for (const { lesson, scene } of allScenes())
      for (const a of scene.annotations)
        if (a.kind === 'step' && a.label === 'onset') {
          const w = want[lesson.id];
          expect(a.t, `${lesson.id}/${scene.id}`).toBeLessThanOrEqual(w.t);
          expect(a.t, `${lesson.id}/${scene.id}`).toBeGreaterThan(w.t - w.stride);
        }
  });

  it('captionText drops the markers only', () => {
    expect(captionText('x = [[0.408]], y')).toBe('x = 0.408, y');
  });
});

// ------------------------------------------------------------------------------------------------

/** Stated tolerance: the stored numbers are the engine's float64 numbers rounded to 15 significant digits. */
const TOL = { toy: 1e-12, network: 1e-9 };
/** Steps recomputed per stored run (prefix): whole toy runs up to this, the first steps of a network. */
const PREFIX = { toy: 600, network: 8 };

function compareRecords(id: string, stored: FlowRecord, fresh: FlowRecord, tol: number): void {
  const at = new Map(fresh.t.map((t, i) => [t, i]));
  let compared = 0;
  stored.t.forEach((t, i) => {
    const j = at.get(t);
    if (j === undefined) return;
    compared++;
    const cols: [string, (number | null)[]][] = [['loss', stored.loss], ['predictedLoss', stored.predictedLoss], ['sharpness', stored.sharpness], ['dist', stored.dist]];
    for (const [name, col] of cols) {
      const a = col[i];
      const b = (fresh[name as 'loss'] as (number | null)[])[j];
      if (a === null || b === null) {
        expect(a, `${id} ${name} at t=${t}`).toBe(b);
        continue;
      }
      expect(Math.abs(a - b), `${id} ${name} at t=${t}: stored ${a}, engine ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
    }
    stored.w[i].forEach((a, k) => expect(Math.abs(a! - fresh.w[j][k]!), `${id} w at t=${t}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(fresh.w[j][k]!))));
  });
  expect(compared, `${id}: samples compared`).toBeGreaterThan(1);
}

describe('stored runs (public/runs): present, small, and what the engine computes today', () => {
  const runs = [...storedRuns()];
  it('every scene with a stored run has its file, made from the scene’s own state', () => {
    for (const [id, state] of runs) {
      const path = join(RUNS, `${id}.json`);
      expect(existsSync(path), `${path} missing: npm run stored-runs`).toBe(true);
      expect(statSync(path).size, `${id} is too big`).toBeLessThan(1_000_000);
      const f = loadRun(id);
      expect(f.state, `${id} was made from another state: npm run stored-runs`).toBe(state);
      const cfg = configFromState(state);
      expect(f.eta).toBe(cfg.eta);
      expect(Object.keys(f.flows).sort()).toEqual([...cfg.flows].sort());
      expect(f.steps).toBe(cfg.steps);
    }
  });

  for (const [id, state] of runs) {
    const net = isNetworkState(state);
    it(`${id}: a recomputed ${net ? `prefix (${PREFIX.network} steps)` : 'run'} matches to ${net ? TOL.network : TOL.toy}`, () => {
      const steps = net ? PREFIX.network : Math.min(PREFIX.toy, configFromState(state).steps);
      const fresh = computeStoredRun(state, steps);
      const stored = loadRun(id);
      for (const f of FLOW_IDS) {
        if (!stored.flows[f]) continue;
        compareRecords(`${id}/${f}`, stored.flows[f]!, fresh.flows[f]!, net ? TOL.network : TOL.toy);
      }
    }, 20_000);
  }

  it('the landing page opens at GD’s last catapult: the stored sample where its |δ|² peaks after step 2000', () => {
    const gd = loadRun(LANDING_RUN).flows.gd!;
    let best = -1;
    const d2 = gd.delta2!;
    for (let i = 0; i < gd.t.length; i++) if (gd.t[i] > 2000 && (best < 0 || d2[i]! > d2[best]!)) best = i;
    expect(gd.t[best]).toBe(LANDING_STEP);
    // A rod long enough to see across the valley: |δ| > 1.
    expect(d2[best]!).toBeGreaterThan(1);
  });

  it('stored runs keep an odd stride, so GD’s plane path alternates sides as GD does', () => {
    for (const id of storedRuns().keys()) for (const rec of Object.values(loadRun(id).flows)) if (rec) expect(rec.stride % 2, id).toBe(1);
    expect(strideFor(3000)).toBe(5);
    expect(strideFor(800)).toBe(1);
  });

  it('a stale stored run fails the comparison', () => {
    const state = storedRuns().get('quadratic-1-9')!;
    const stale = structuredClone(loadRun('quadratic-1-9'));
    stale.flows.gd!.loss[3] = stale.flows.gd!.loss[3]! * (1 + 1e-9);
    const fresh = computeStoredRun(state, 40);
    expect(() => compareRecords('stale', stale.flows.gd!, fresh.flows.gd!, TOL.toy)).toThrow();
  });
});

describe('lesson 8: cost from the engine’s counters', () => {
  it('GD costs one gradient (and one loss) per step; Central Flow uses third derivatives, Rod Flow none', () => {
    const state = LESSONS.find((l) => l.id === 'cost')!.scenes[0].state;
    const w = gdIterate(state, 5);
    const gd = measureFlowCost(state, 'gd', w, 2, 3);
    expect(gd.steady.counts).toMatchObject({ grad: 3, hvp: 0, third: 0 });
    const cf = measureFlowCost(state, 'central-flow', w, 1, 1);
    expect(cf.steady.counts.hvp).toBeGreaterThan(0);
    const rf = measureFlowCost(state, 'rod-flow', w, 1, 1);
    expect(rf.steady.counts.third).toBe(0);
    expect(rf.steady.counts.grad).toBeGreaterThan(0);
  }, 20_000);
});
