/** Measurements for the browser bench and the tests (window.__rodflow.perf), and frame timing helpers. */

export const perf = {
  /** Drag event → first frame drawn with the recomputed trajectory, ms. */
  drag: [] as number[],
  /** Drag event → frame drawn with the whole recomputed horizon, ms. */
  dragFull: [] as number[],
  dragMark: new Map<number, number>(),
  dragFullMark: new Map<number, number>(),
  /** Run request posted → its first chunk received from the worker, ms (worker latency). */
  firstChunk: [] as number[],
  runPosted: new Map<number, number>(),
  /** Worker compute time of each chunk, ms. */
  sliceMs: [] as number[],
  /** The worker's own part of firstChunk (request received → first chunk posted), ms. */
  workerFirst: [] as number[],
  chunks: 0,
  /**
   * Where a drag's first frame spends its time, per drag: [pointer event → run request posted,
   * posted → first chunk arrives on the main thread, arrival → its commit starts, commit → page
   * rendered and plots drawn, → the frame that shows them is done], ms.
   */
  dragParts: [] as number[][],
  partMark: new Map<number, number[]>(),
  /** Time stamp of the last pointer event (a drag's latency is measured from it). */
  lastPointerTs: 0,
};

/** Record pointer time stamps: pointerrawupdate comes first (not aligned to frames) and may already move the start. */
export function trackPointer(): void {
  for (const t of ['pointerrawupdate', 'pointermove'])
    window.addEventListener(t, (e) => (perf.lastPointerTs = e.timeStamp), { capture: true, passive: true });
}

/** Runs `f` after the current frame has been produced (a macrotask queued from a rAF callback). */
let afterFrameChannel: MessageChannel | null = null;
const afterFrameQueue: (() => void)[] = [];
function afterFrame(f: () => void): void {
  if (!afterFrameChannel) {
    afterFrameChannel = new MessageChannel();
    afterFrameChannel.port1.onmessage = () => afterFrameQueue.splice(0).forEach((g) => g());
  }
  afterFrameQueue.push(f);
  afterFrameChannel.port2.postMessage(0);
}

/** `f` once the frame that shows what was just drawn is produced: this one (inside a rAF) or the next. */
export function onFrameDone(inFrame: boolean, f: () => void): void {
  if (inFrame) afterFrame(f);
  else requestAnimationFrame(() => afterFrame(f));
}
