/**
 * Harness page for the plot components (npx vite → /dev/plots.html). Synthetic data only: the numbers
 * here are made up to look like the real traces (and a real GD run on the valley / quartic for the
 * landscape views); they test drawing, not dynamics.
 *
 * window.__bench(reps) measures the data-layer redraw of the 8×4096 plot; window.__cursorBench(reps) the
 * cost of moving the shared cursor across every plot.
 */
import { StrictMode, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { TimeSeriesPlot, ContourPlot, lastDrawMs, drawCount, plotPngBlob } from '../src/ui/plots/index.ts';
import type { PlotHandle, Series, Segment, Ellipse } from '../src/ui/plots/types.ts';
import { FLOW_COLORS, EXTRA_SERIES_COLORS, OKABE_ITO, FLOW_DASH, FLOW_LINE_DASH } from '../src/ui/palette.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const ETA = 0.3;
const EDGE = 2 / ETA;
const N = 1500;

function makeTimeSeries() {
  const r = rng(7);
  const t = Float64Array.from({ length: N }, (_, i) => i);
  const sig = (i: number, c: number, w: number) => 1 / (1 + Math.exp(-(i - c) / w));
  const gdS = new Float64Array(N * 2); // eigK = 2, interleaved like a Trace
  const gfS = new Float64Array(N);
  const cfS = new Float64Array(N);
  const rfS = new Float64Array(N);
  const gdL = new Float64Array(N);
  const gdLs = new Float64Array(N);
  const cfL = new Float64Array(N);
  const rfL = new Float64Array(N);
  const gfL = new Float64Array(N);
  const dGD = new Float64Array(N);
  const dRod = new Float64Array(N);
  const dCF = new Float64Array(N);
  const distGF = new Float64Array(N);
  const distCF = new Float64Array(N);
  const distRF = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const rise = 3 + 5 * sig(i, 300, 90);
    const cf = Math.min(rise, EDGE);
    cfS[i] = cf;
    gfS[i] = 3 + 7 * sig(i, 320, 120);
    const over = i > 390 ? 0.9 * Math.exp(-(i - 390) / 60) * Math.sin((i - 390) / 14) : 0;
    gdS[2 * i] = (i < 390 ? rise : EDGE + over) + 0.04 * (r() - 0.5) * (i > 390 ? 1 : 0);
    gdS[2 * i + 1] = 1.2 + 1.5 * sig(i, 500, 200);
    rfS[i] = i < 392 ? rise : EDGE + 0.5 * over;
    const base = 2 * Math.exp(-i / 250) + 0.02 * Math.exp(-i / 2000);
    const osc = i > 390 ? 0.04 * (1 - Math.exp(-(i - 390) / 40)) * Math.exp(-(i - 390) / 900) : 0;
    gdL[i] = base + (i % 2 === 0 ? 2 * osc : 0) + 0.002 * r();
    gdLs[i] = base + osc;
    cfL[i] = base + osc * 0.95;
    rfL[i] = base + osc * 1.02;
    gfL[i] = 2 * Math.exp(-i / 240) * (i > 1200 ? 0 : 1); // exact zeros late: clipped on the log axis
    dGD[i] = i > 390 ? 0.05 * (1 - Math.exp(-(i - 390) / 30)) * (1 + 0.3 * Math.sin(i / 3)) : 1e-6 * Math.exp(i / 40);
    dRod[i] = i > 392 ? 0.05 * (1 - Math.exp(-(i - 392) / 35)) : 1e-6 * Math.exp(i / 40.5);
    dCF[i] = i > 380 ? 0.048 * (1 - Math.exp(-(i - 380) / 10)) : 0;
    distGF[i] = i < 380 ? 1e-3 * i / 380 : 1e-3 + 0.6 * (1 - Math.exp(-(i - 380) / 300));
    distCF[i] = i < 380 ? 1e-4 : 0.02 + 0.05 * Math.exp(-(i - 380) / 50);
    distRF[i] = i < 380 ? 3e-5 : 0.004 + 0.02 * Math.exp(-(i - 380) / 40);
  }
  // A gap (NaN) in the rod's loss: e.g. samples the worker has not filled.
  for (let i = 700; i < 740; i++) rfL[i] = NaN;
  const rodShort = 1100; // rod flow stopped early: shorter series
  return { t, gdS, gfS, cfS, rfS, gdL, gdLs, cfL, rfL, gfL, dGD, dRod, dCF, distGF, distCF, distRF, rodShort };
}

// Real GD on the valley L = (1 − a x² − y²)², a = 0.5, η = 0.3, start (0.2, 0.2).
const A = 0.5;
function valleyLoss(x: number, y: number) {
  const r = 1 - A * x * x - y * y;
  return r * r;
}
function valleyGrad(x: number, y: number): [number, number] {
  const r = 1 - A * x * x - y * y;
  return [-4 * A * x * r, -4 * y * r];
}
function gdRun(x0: number, y0: number, steps: number) {
  const w = new Float64Array(2 * (steps + 1));
  const t = new Float64Array(steps + 1);
  w[0] = x0;
  w[1] = y0;
  for (let k = 0; k < steps; k++) {
    const [gx, gy] = valleyGrad(w[2 * k], w[2 * k + 1]);
    w[2 * k + 2] = w[2 * k] - ETA * gx;
    w[2 * k + 3] = w[2 * k + 1] - ETA * gy;
    t[k + 1] = k + 1;
  }
  return { w, t, n: steps + 1 };
}
function gfRun(x0: number, y0: number, steps: number) {
  const w = new Float64Array(2 * (steps + 1));
  const t = new Float64Array(steps + 1);
  let x = x0, y = y0;
  w[0] = x;
  w[1] = y;
  for (let k = 0; k < steps; k++) {
    for (let s = 0; s < 50; s++) {
      const [gx, gy] = valleyGrad(x, y);
      x -= (ETA / 50) * gx;
      y -= (ETA / 50) * gy;
    }
    w[2 * k + 2] = x;
    w[2 * k + 3] = y;
    t[k + 1] = k + 1;
  }
  return { w, t, n: steps + 1 };
}

const WIN = { x: [-1.6, 1.6] as [number, number], y: [-1.25, 1.25] as [number, number] };
function valleyGrid() {
  const nx = 161, ny = 126;
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const x = WIN.x[0] + (i * (WIN.x[1] - WIN.x[0])) / (nx - 1);
      const y = WIN.y[0] + (j * (WIN.y[1] - WIN.y[0])) / (ny - 1);
      values[j * nx + i] = valleyLoss(x, y);
    }
  return { nx, ny, values };
}

// Quartic 1-D: L = (S/2)x² − (Q/4)x⁴, S = Q = 1, η = 2.4 (ηS = 2.4: a stable GD 2-cycle at ±√(S−2/η)/Q).
const QS = 1, QQ = 1, QETA = 2.4;
const quarticL = (x: number) => (QS / 2) * x * x - (QQ / 4) * x ** 4;
function quartic() {
  const M = 400;
  const cx = new Float64Array(M), cy = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    cx[i] = -1.3 + (2.6 * i) / (M - 1);
    cy[i] = quarticL(cx[i]);
  }
  const K = 60;
  const gx = new Float64Array(K), gy = new Float64Array(K), gt = new Float64Array(K);
  let x = 0.08;
  for (let k = 0; k < K; k++) {
    gx[k] = x;
    gy[k] = quarticL(x);
    gt[k] = k;
    x = x - QETA * (QS * x - QQ * x ** 3);
  }
  // Rod centre: pair means, loss unknown → NaN (the plot places them on the curve).
  const rx = new Float64Array(K - 1), ry = new Float64Array(K - 1).fill(NaN), rt = new Float64Array(K - 1);
  for (let k = 0; k < K - 1; k++) {
    rx[k] = (gx[k] + gx[k + 1]) / 2;
    rt[k] = k;
  }
  return { cx, cy, gx, gy, gt, rx, ry, rt, K };
}

function benchSeries(seed: number): Series[] {
  const r = rng(seed);
  const n = 4096;
  const colors = [FLOW_COLORS.gd, FLOW_COLORS['gradient-flow'], FLOW_COLORS['central-flow'], FLOW_COLORS['rod-flow'], ...EXTRA_SERIES_COLORS];
  return colors.map((c, k) => {
    const x = new Float64Array(n), y = new Float64Array(n);
    let v = 0;
    for (let i = 0; i < n; i++) {
      x[i] = i;
      v += r() - 0.5;
      y[i] = Math.exp(-i / 2000) * (1 + k) + 0.05 * v + (k === 0 && i % 2 ? 0.3 : 0);
    }
    return { id: `s${k}`, label: `series ${k + 1}`, color: c, x, y, length: n };
  });
}

function App() {
  const d = useMemo(makeTimeSeries, []);
  const grid = useMemo(valleyGrid, []);
  const q = useMemo(quartic, []);
  const [cursor, setCursor] = useState<number | null>(null);
  const [start, setStart] = useState<number[]>([0.2, 0.2]);
  const [qStart, setQStart] = useState<number[]>([0.08]);
  const [bench, setBench] = useState(() => benchSeries(1));
  const [benchLog, setBenchLog] = useState(false);
  const lossRef = useRef<PlotHandle>(null);
  const planeRef = useRef<PlotHandle>(null);
  (window as unknown as Record<string, unknown>).__plotHandles = { loss: lossRef, plane: planeRef };

  const gd = useMemo(() => gdRun(start[0], start[1], 400), [start]);
  const gf = useMemo(() => gfRun(start[0], start[1], 400), [start]);
  // Stand-ins for the models: GD's pair centres (rod) and a 4-step average (central).
  const centres = useMemo(() => {
    const n = gd.n - 1;
    const w = new Float64Array(2 * n), t = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      w[2 * k] = (gd.w[2 * k] + gd.w[2 * k + 2]) / 2;
      w[2 * k + 1] = (gd.w[2 * k + 1] + gd.w[2 * k + 3]) / 2;
      t[k] = k;
    }
    const c = new Float64Array(2 * n);
    for (let k = 0; k < n; k++)
      for (const o of [0, 1]) {
        let s = 0, m = 0;
        for (let j = Math.max(0, k - 3); j <= k; j++) (s += w[2 * j + o]), m++;
        c[2 * k + o] = s / m;
      }
    return { w, c, t, n };
  }, [gd]);

  const tsSharp: Series[] = useMemo(
    () => [
      { id: 'gd', label: 'GD λ₁', color: FLOW_COLORS.gd, x: d.t, y: d.gdS, yStride: 2, length: N, width: 1.5 },
      { id: 'gd2', label: 'GD λ₂', color: FLOW_COLORS.gd, x: d.t, y: d.gdS, yStride: 2, yOffset: 1, length: N, dash: FLOW_DASH.secondary, width: 1.5 },
      { id: 'gf', label: 'gradient flow', color: FLOW_COLORS['gradient-flow'], dash: FLOW_LINE_DASH['gradient-flow'], x: d.t, y: d.gfS, length: N },
      { id: 'cf', label: 'central flow', color: FLOW_COLORS['central-flow'], x: d.t, y: d.cfS, length: N },
      { id: 'rf', label: 'rod flow', color: FLOW_COLORS['rod-flow'], x: d.t, y: d.rfS, length: d.rodShort },
    ],
    [d],
  );
  const tsLoss: Series[] = useMemo(
    () => [
      { id: 'gd', label: 'GD', color: FLOW_COLORS.gd, x: d.t, y: d.gdL, length: N, width: 1, opacity: 0.55 },
      { id: 'gds', label: 'GD smoothed', color: FLOW_COLORS.gd, x: d.t, y: d.gdLs, length: N, dash: FLOW_DASH.secondary },
      { id: 'gf', label: 'gradient flow', color: FLOW_COLORS['gradient-flow'], dash: FLOW_LINE_DASH['gradient-flow'], x: d.t, y: d.gfL, length: N },
      { id: 'cf', label: 'central flow (pred.)', color: FLOW_COLORS['central-flow'], x: d.t, y: d.cfL, length: N },
      { id: 'rf', label: 'rod flow (pred.)', color: FLOW_COLORS['rod-flow'], x: d.t, y: d.rfL, length: d.rodShort },
    ],
    [d],
  );
  const tsRod: Series[] = useMemo(
    () => [
      { id: 'gd', label: 'GD |δ|²', color: FLOW_COLORS.gd, x: d.t, y: d.dGD, length: N, width: 1.5 },
      { id: 'rf', label: 'rod flow |δ|²', color: FLOW_COLORS['rod-flow'], x: d.t, y: d.dRod, length: d.rodShort },
      { id: 'cf', label: 'central flow σ²', color: FLOW_COLORS['central-flow'], x: d.t, y: d.dCF, length: N, dash: FLOW_DASH.secondary },
    ],
    [d],
  );
  const tsDist: Series[] = useMemo(
    () => [
      { id: 'gf', label: 'gradient flow', color: FLOW_COLORS['gradient-flow'], dash: FLOW_LINE_DASH['gradient-flow'], x: d.t, y: d.distGF, length: N },
      { id: 'cf', label: 'central flow', color: FLOW_COLORS['central-flow'], x: d.t, y: d.distCF, length: N },
      { id: 'rf', label: 'rod flow', color: FLOW_COLORS['rod-flow'], x: d.t, y: d.distRF, length: d.rodShort },
    ],
    [d],
  );
  const ghost: Series[] = useMemo(
    () => [
      ...tsSharp,
      { id: 'ghost', label: 'GD, η = 0.25 (ghost)', color: FLOW_COLORS.gd, x: d.t, y: d.gfS.map((v) => Math.min(v, 8)), length: N, opacity: 0.25, width: 3 },
    ],
    [d, tsSharp],
  );

  const bad: Series[] = useMemo(
    () => [
      { id: 'a', label: 'NaNs', color: OKABE_ITO.orange, x: d.t, y: new Float64Array(N).fill(NaN), length: N },
      { id: 'b', label: 'zeros', color: OKABE_ITO.skyBlue, x: d.t, y: new Float64Array(N), length: N },
    ],
    [d],
  );
  const ct = cursor ?? 120;
  const k = Math.max(0, Math.min(gd.n - 2, Math.round(ct)));
  const paths: Series[] = useMemo(
    () => [
      { id: 'gd', label: 'GD', color: FLOW_COLORS.gd, x: gd.w, y: gd.w, xStride: 2, yStride: 2, yOffset: 1, length: gd.n, kind: 'line+points', width: 0.8, pointRadius: 2.2, t: gd.t },
      { id: 'gf', label: 'gradient flow', color: FLOW_COLORS['gradient-flow'], dash: FLOW_LINE_DASH['gradient-flow'], x: gf.w, y: gf.w, xStride: 2, yStride: 2, yOffset: 1, length: gf.n, t: gf.t, width: 2.5 },
      { id: 'cf', label: 'central flow', color: FLOW_COLORS['central-flow'], x: centres.c, y: centres.c, xStride: 2, yStride: 2, yOffset: 1, length: centres.n, t: centres.t, width: 2.5 },
      { id: 'rf', label: 'rod flow (centre)', color: FLOW_COLORS['rod-flow'], x: centres.w, y: centres.w, xStride: 2, yStride: 2, yOffset: 1, length: centres.n, t: centres.t, width: 2.5 },
    ],
    [gd, gf, centres],
  );
  const cx = centres.w[2 * k], cy = centres.w[2 * k + 1];
  const dx = (gd.w[2 * k + 2] - gd.w[2 * k]) / 2, dy = (gd.w[2 * k + 3] - gd.w[2 * k + 1]) / 2;
  const rods: Segment[] = [{ x1: cx - dx, y1: cy - dy, x2: cx + dx, y2: cy + dy, color: FLOW_COLORS['rod-flow'], label: 'rod w̄ ± δ' }];
  const ccx = centres.c[2 * k], ccy = centres.c[2 * k + 1];
  const segments: Segment[] = [
    { x1: ccx - 0.9 * dx, y1: ccy - 0.9 * dy, x2: ccx + 0.9 * dx, y2: ccy + 0.9 * dy, color: FLOW_COLORS['central-flow'], label: 'central ±σ (Σ eigvec)', dash: '4 3', width: 3 },
  ];
  const ellipses: Ellipse[] = [
    { cx: ccx, cy: ccy, rx: Math.hypot(dx, dy) * 0.9, ry: Math.hypot(dx, dy) * 0.2, angle: Math.atan2(dy, dx), color: FLOW_COLORS['central-flow'], label: 'central Σ ellipse' },
  ];

  const qPaths: Series[] = [
    { id: 'gd', label: 'GD iterates', color: FLOW_COLORS.gd, x: q.gx, y: q.gy, length: q.K, kind: 'points', pointRadius: 3.5, t: q.gt },
    { id: 'rf', label: 'rod centre', color: FLOW_COLORS['rod-flow'], x: q.rx, y: q.ry, length: q.K - 1, kind: 'points', pointRadius: 3, t: q.rt },
  ];
  const qk = Math.max(0, Math.min(q.K - 2, Math.round(ct / 25)));
  const qRods: Segment[] = [{ x1: q.gx[qk], y1: NaN, x2: q.gx[qk + 1], y2: NaN, color: FLOW_COLORS['rod-flow'], label: 'rod (GD pair)' }];

  (window as unknown as Record<string, unknown>).__bench = async (reps = 30) => {
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const s = benchSeries(100 + i);
      flushSync(() => setBench(s));
      times.push(lastDrawMs['bench']);
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
    times.sort((a, b) => a - b);
    return { median: times[times.length >> 1], max: times[times.length - 1], min: times[0] };
  };
  (window as unknown as Record<string, unknown>).__setBenchLog = (v: boolean) => flushSync(() => setBenchLog(v));
  (window as unknown as Record<string, unknown>).__drawCount = drawCount;
  (window as unknown as Record<string, unknown>).__cursorBench = async (reps = 60) => {
    const before = { ...drawCount };
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      flushSync(() => setCursor(100 + i * 20));
      times.push(performance.now() - t0);
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
    times.sort((a, b) => a - b);
    const min = times[0];
    const redraws: Record<string, number> = {};
    for (const k of Object.keys(drawCount)) if (drawCount[k] !== before[k]) redraws[k] = drawCount[k] - (before[k] ?? 0);
    return { median: times[times.length >> 1], max: times[times.length - 1], min, redraws };
  };
  (window as unknown as Record<string, unknown>).__setCursor = (v: number | null) => flushSync(() => setCursor(v));
  (window as unknown as Record<string, unknown>).__pngBase64 = async (sel: string) => {
    const el = document.querySelector(sel) as HTMLElement | null;
    if (!el) return null;
    const b = await plotPngBlob(el, 2);
    const buf = new Uint8Array(await b.arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i++) s += String.fromCharCode(buf[i]);
    return btoa(s);
  };
  (window as unknown as Record<string, unknown>).__pngSize = async () => {
    const el = planeRef.current?.element();
    if (!el) return null;
    const b = await plotPngBlob(el, 1);
    return { size: b.size, type: b.type };
  };

  return (
    <>
      <h1>Plot harness — synthetic data (η = {ETA}, 2/η = {EDGE.toFixed(3)})</h1>
      <div className="bar">
        cursor: <code data-testid="cursor">{cursor === null ? '—' : cursor.toFixed(1)}</code>
        <button onClick={() => lossRef.current?.exportSvg()}>export loss SVG (handle)</button>
      </div>
      <div className="grid">
        <TimeSeriesPlot
          id="sharpness"
          title="Sharpness"
          xLabel="step"
          yLabel="top eigenvalues of H"
          series={ghost}
          hLines={[{ y: EDGE, label: '2/η' }]}
          marks={[
            { x: 380, label: 'EoS: central', color: FLOW_COLORS['central-flow'] },
            { x: 390, label: 'EoS: GD', color: FLOW_COLORS.gd },
            { x: 392, label: 'EoS: rod', color: FLOW_COLORS['rod-flow'] },
            { x: 395, label: 'EoS: GD (η = 0.25)', color: '#888888' },
            { x: 1470, label: 'stopped', color: OKABE_ITO.reddishPurple },
          ]}
          cursorX={cursor}
          onCursor={setCursor}
        />
        <TimeSeriesPlot
          ref={lossRef}
          id="loss"
          title="Loss: GD raw and smoothed; each flow's own and predicted time-averaged loss"
          xLabel="step"
          yLabel="loss"
          logY
          series={tsLoss}
          cursorX={cursor}
          onCursor={setCursor}
        />
        <TimeSeriesPlot id="rod" title="Rod size" xLabel="step" yLabel="|δ|², σ²" logY series={tsRod} cursorX={cursor} onCursor={setCursor} />
        <TimeSeriesPlot id="dist" title="Distance from GD" xLabel="step" yLabel="‖w − w̄_GD‖" logY series={tsDist} cursorX={cursor} onCursor={setCursor} />
        <ContourPlot
          ref={planeRef}
          id="plane"
          title="Valley (1 − a x² − y²)², a = 0.5"
          window={WIN}
          grid={grid}
          paths={paths}
          rods={rods}
          segments={segments}
          ellipses={ellipses}
          cursorT={ct}
          start={start}
          onStartDrag={setStart}
          height={460}
        />
        <ContourPlot
          id="quartic"
          title="Quartic (S/2)x² − (Q/4)x⁴, ηS = 2.4"
          window={{ x: [-1.3, 1.3] }}
          curve={{ x: q.cx, y: q.cy }}
          paths={qPaths}
          rods={qRods}
          cursorT={ct / 25}
          start={qStart}
          onStartDrag={setQStart}
          height={460}
        />
        <div className="wide">
          <TimeSeriesPlot
            id="bench"
            title="8 series × 4096 points"
            xLabel="step"
            yLabel="value"
            series={bench}
            logY={benchLog}
            cursorX={cursor}
            onCursor={setCursor}
            height={300}
          />
        </div>
        <TimeSeriesPlot id="empty" title="Empty" xLabel="step" yLabel="loss" series={[]} />
        <TimeSeriesPlot
          id="nan"
          title="All NaN / non-positive on log"
          xLabel="step"
          yLabel="loss"
          logY
          series={bad}
        />
      </div>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
