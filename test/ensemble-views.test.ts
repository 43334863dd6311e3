/**
 * The η sweep on the quartic in float64 (the CPU path's numbers): GD's 2-cycle branch against
 * x² = (S − 2/η)/Q for 2 < ηS < 3, symmetry breaking at ηS = 3 and period doubling after, convergence
 * below ηS = 2; Rod Flow's
 * rod on the branch; classes and the start map's layers on the valley.
 */
import { describe, expect, it } from 'vitest';
import { jobInputs, gdSummary, type MapJob, type SweepJob } from '../src/engine/ensemble/jobs.ts';
import { ensembleProblem } from '../src/engine/ensemble/problem.ts';
import { GD_STRIDE, FLOW_STRIDE, REC, Trajectories, strideOf, type EnsembleFlow } from '../src/engine/ensemble/trajectories.ts';
import { mapCsv, mapValues, sweepCsv, sweepSeries } from '../src/engine/ensemble/views.ts';

function runAll(job: SweepJob | MapJob, flows: EnsembleFlow[]) {
  const p = ensembleProblem(job.problem);
  const tr = new Trajectories(p.field);
  const n = job.kind === 'sweep' ? job.n : job.nx * job.ny;
  const inp = jobInputs(job, 0, n);
  const rec: Partial<Record<EnsembleFlow, { data: Float64Array; done: number }>> = {};
  for (const f of flows) {
    const data = new Float64Array(n * strideOf(f));
    for (let i = 0; i < n; i++) tr.run(f, inp[3 * i], inp[3 * i + 1], inp[3 * i + 2], job.steps, data, i * strideOf(f));
    rec[f] = { data, done: n };
  }
  return rec;
}

describe('η sweep on the quartic (S = 2.5, Q = 1, start 0.01)', () => {
  const S = 2.5;
  const Q = 1;
  const job: SweepJob = { kind: 'sweep', problem: { id: 'quartic' }, start: [0.01], etaLo: 0.4, etaHi: 1.6, n: 96, steps: 4096 };
  const rec = runAll(job, ['gd', 'rod-flow']);
  const s = sweepSeries(job, rec);
  it('GD: converges to 0 below ηS = 2, 2-cycle ±√((S − 2/η)/Q) for 2 < ηS < 3, symmetry breaking past 3, then period doubling', () => {
    let branch = 0;
    let four = 0;
    for (let i = 0; i < s.n; i++) {
      const eta = s.eta[i];
      const es = eta * S;
      const last = Array.from(s.attractor.subarray(i * REC, (i + 1) * REC));
      if (es < 1.95) {
        // Converged: "below the edge" while η·S/2 < EDGE_FRACTION (0.95), "at the edge" within 5% of it.
        expect(s.cls[i]).toBe(es < 1.9 ? 0 : 1);
        for (const v of last) expect(Math.abs(v)).toBeLessThan(1e-8);
      } else if (es > 2.05 && es < 2.95) {
        const amp = Math.sqrt((S - 2 / eta) / Q);
        expect(s.period[i]).toBe(2);
        expect(s.cls[i]).toBe(1);
        for (const v of last) expect(Math.abs(Math.abs(v) - amp)).toBeLessThan(1e-6 * amp);
        branch++;
      } else if (es > 3.05 && es < 3.2) {
        // The map x ↦ (1 − ηS)x + ηQx³ is odd: at ηS = 3 the symmetric 2-cycle breaks symmetry (a
        // pitchfork: a 2-cycle whose centre leaves 0), and period doubling follows (measured ≈ 3.24).
        expect(s.period[i]).toBe(2);
        expect(Math.abs(last[REC - 1] + last[REC - 2])).toBeGreaterThan(0.05);
      } else if (es > 3.28 && es < 3.6) {
        expect(s.period[i] === 1 || s.period[i] === 2).toBe(false);
        expect(s.cls[i]).toBe(2);
        four++;
      }
    }
    expect(branch).toBeGreaterThan(20);
    expect(four).toBeGreaterThan(3);
  });
  it('Rod Flow: centre 0 and ends on the branch for 2 < ηS < 3', () => {
    let n = 0;
    for (let i = 0; i < s.n; i++) {
      const es = s.eta[i] * S;
      if (es > 2.1 && es < 2.9) {
        const amp = Math.sqrt((S - 2 / s.eta[i]) / Q);
        expect(Math.abs(s.rod!.c[i])).toBeLessThan(1e-6);
        expect(Math.abs(s.rod!.hi[i] - amp)).toBeLessThan(1e-4 * amp);
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });
  it('time-averaged sharpness: λ₁ at 0 below the edge, below 2/η on the 2-cycle (its mean is S − 3Qδ²)', () => {
    for (let i = 0; i < s.n; i++) {
      const es = s.eta[i] * S;
      if (es < 1.95) expect(s.meanS[i]).toBeCloseTo(S, 8);
      if (es > 2.05 && es < 2.95) expect(s.meanS[i]).toBeCloseTo(S - 3 * (S - 2 / s.eta[i]), 6);
    }
  });
  it('CSV: a header, one row per η, 64 attractor columns', () => {
    const csv = sweepCsv(job, s).trim().split('\n');
    expect(csv.length).toBe(2 + job.n);
    expect(csv[1].split(',').length).toBe(11 + REC);
  });
});

describe('start map on the valley (η = 0.3), 16×16', () => {
  const job: MapJob = { kind: 'map', problem: { id: 'valley' }, eta: Math.fround(0.3), x: [-0.3, 1.4], y: [-0.3, 1.3], nx: 16, ny: 16, steps: 1024 };
  const rec = runAll(job, ['gd', 'rod-flow']);
  it('classes, η·S̄/2 ≤ 1 where GD settles, Rod Flow close to GD where GD converges', () => {
    const cls = mapValues(job, rec, 'class');
    const sh = mapValues(job, rec, 'sharpness');
    const rod = mapValues(job, rec, 'rod-flow');
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 256; i++) {
      counts[cls.cls[i]]++;
      if (cls.cls[i] === 1 || cls.cls[i] === 0) expect(sh.values[i]).toBeLessThanOrEqual(1 + 1e-6);
      if (cls.cls[i] === 1) expect(sh.values[i]).toBeGreaterThanOrEqual(0.95);
    }
    expect(counts[0]).toBeGreaterThan(10);
    expect(counts[1]).toBeGreaterThan(10);
    // GD's own record: the centre is the mean of its last pair.
    const g = gdSummary(rec.gd!.data, 0, job.eta);
    expect(g.centre[0]).toBe(0.5 * (rec.gd!.data[8 + 2 * (REC - 2)] + rec.gd!.data[8 + 2 * (REC - 1)]));
    const finite = Array.from(rod.values).filter(Number.isFinite);
    expect(finite.length).toBeGreaterThan(100);
    expect(mapCsv(job, { class: cls, sharpness: sh }).trim().split('\n').length).toBe(2 + 256);
    expect(GD_STRIDE).toBeGreaterThan(FLOW_STRIDE);
  });
  it('a map built batch by batch (the summaries kept per record array) = the map of the finished records', () => {
    for (const layer of ['class', 'sharpness', 'rod-flow'] as const) {
      const data = new Float64Array(rec.gd!.data.length).fill(NaN);
      const grow = { gd: { data, done: 0 }, 'rod-flow': rec['rod-flow'] };
      for (const done of [0, 100, 100, 256]) {
        data.set(rec.gd!.data.subarray(0, done * GD_STRIDE));
        grow.gd.done = done;
        const part = mapValues(job, grow, layer);
        const fresh = mapValues(job, { gd: { data: rec.gd!.data.slice(), done }, 'rod-flow': rec['rod-flow'] }, layer);
        expect([...part.values]).toEqual([...fresh.values]);
        expect([...part.cls]).toEqual([...fresh.cls]);
        expect(part.range).toEqual(fresh.range);
      }
    }
  });
});
