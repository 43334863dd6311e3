/**
 * A lesson's η sweep (bifurcation diagram), computed live by the explorer's ensemble code: the same job
 * as the explorer's `view=sweep` (ui/ensemble/sweep-job.ts), run by startEnsemble on the path 'auto'
 * picks (the CPU pool here; WebGPU on a hardware adapter), drawn by the explorer's SweepAttractorPlot.
 * GD's attractor shows first, then Rod Flow's rod ends and Central Flow's centre ± σ as they finish.
 * Leaving the scene cancels the run; coming back resumes it from the ensemble cache.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { setEta } from '../../state/controller.ts';
import { problemSettingsOf } from '../../state/selectors.ts';
import { useApp } from '../../state/store.ts';
import { sweepSeries } from '../../engine/ensemble/views.ts';
import type { EnsembleFlow } from '../../engine/ensemble/trajectories.ts';
import { marginFor, SweepAttractorPlot } from '../ensemble/EnsemblePlots.tsx';
import { cpuPool } from '../ensemble/cpu-pool.ts';
import { jobKey, startEnsemble, type EnsembleRun } from '../ensemble/run.ts';
import { sweepJobFor } from '../ensemble/sweep-job.ts';
import { useElementWidth } from '../plots/dom.ts';
import '../ensemble/ensemble.css';

const FLOWS: EnsembleFlow[] = ['gd', 'rod-flow', 'central-flow'];

/** `height`: the frame's height (FitCell's share of the stage); `textPx`: the axes' text size. */
export function SweepPlot({ height, textPx, presenter }: { height: number; textPx?: number; presenter: boolean }) {
  const settings = useApp((s) => s.settings);
  const startUsed = useApp((s) => s.startUsed);
  const ref = useRef<HTMLDivElement>(null);
  const width = useElementWidth(ref);
  const problem = useMemo(() => problemSettingsOf(settings), [settings]);
  const start = settings.start ?? startUsed;
  const job = useMemo(() => sweepJobFor(problem, start, settings.eta), [problem, start, settings.eta]);
  const key = JSON.stringify(job);
  const [run, setRun] = useState<EnsembleRun | null>(null);
  const [version, setVersion] = useState(0);
  // Time from the scene's mount (or the job's change) to GD's attractor drawn and to every flow done.
  const [times, setTimes] = useState<{ first?: number; done?: number }>({});

  useEffect(() => {
    if (!job) return;
    cpuPool().warm();
    const t0 = performance.now();
    let first: number | undefined;
    setTimes({});
    const h = startEnsemble(job, FLOWS, 'auto', (r) => {
      const gd = r.flows.gd;
      if (first === undefined && gd && gd.done > 0) {
        first = performance.now() - t0;
        setTimes({ first });
      }
      if (FLOWS.every((f) => r.flows[f]?.done === r.n)) setTimes({ first, done: performance.now() - t0 });
      setRun(r);
      setVersion((v) => v + 1);
    });
    setRun(h.run);
    return () => h.cancel();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const current = run && job && run.key === jobKey(job, 'auto') ? run : null;
  // Recomputed once per batch (version), not on every playback frame.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const series = useMemo(() => (job && current ? sweepSeries(job, current.flows) : null), [key, current, version]);
  const M = marginFor(textPx);
  const area = Math.max(80, height - M.top - M.bottom);
  const total = run ? FLOWS.length * run.n : 0;
  const done = run ? FLOWS.reduce((a, f) => a + (run.flows[f]?.done ?? 0), 0) : 0;
  const computing = !!job && !run?.error && (!run || done < total);
  // On a projector the line shows only while the sweep computes (or fails): the room needs the height.
  const status = !job
    ? 'This problem has no η sweep.'
    : run?.error
      ? run.error
      : computing
        ? `Computing the sweep: ${done}/${total || '…'} trajectories`
        : presenter
          ? ''
          : `${job.n} step sizes × ${job.steps} steps in ${((times.done ?? 0) / 1000).toFixed(2)} s. Ran on ${run!.note}. Click the plot to set η.`;
  return (
    <div
      ref={ref}
      className="lesson-sweep"
      data-testid="lesson-sweep"
      data-done={done}
      data-total={total}
      data-path={run?.path ?? ''}
      data-first-ms={times.first === undefined ? '' : times.first.toFixed(0)}
      data-done-ms={times.done === undefined ? '' : times.done.toFixed(0)}
    >
      {series && job && width > 0 ? (
        <SweepAttractorPlot
          s={series}
          etaLo={job.etaLo}
          etaHi={job.etaHi}
          eta={settings.eta}
          width={width}
          height={area}
          textPx={textPx}
          yLabel={presenter ? 'x' : undefined}
          dim={job.start.length === 2 ? 2 : 1}
          version={version}
          onPickEta={(e) => setEta(e)}
        />
      ) : (
        <div className="ens-frame" style={{ height }} />
      )}
      {status && (
        <p className="lesson-sweep-status" role="status">
          {status}
        </p>
      )}
    </div>
  );
}
