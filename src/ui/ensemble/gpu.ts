/**
 * The WebGPU side of ensembles: one device (navigator.gpu directly, or a device handed over by a tfjs
 * WebGPU backend loaded in this thread), one shader module per problem expression, one pipeline per
 * flow, and a batch runner that dispatches a kernel chunk by chunk until the horizon.
 * A lost device is dropped with its pipelines; the next batch creates both again (and a batch that was
 * running when the device was lost is retried once on the new one).
 */
/// <reference types="@webgpu/types" />
import { CFG_BYTES, CHUNK_STEPS, ENTRY, WORKGROUP, ensembleModule } from '../../engine/wgsl/kernels.ts';
import { sharpWindow, strideOf, type EnsembleFlow } from '../../engine/ensemble/trajectories.ts';
import type { EnsembleProblem } from '../../engine/ensemble/problem.ts';

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

interface ModuleEntry {
  layout: GPUBindGroupLayout;
  pipelines: Partial<Record<EnsembleFlow, GPUComputePipeline>>;
  module: GPUShaderModule;
}

let sharedDevice: GPUDevice | null = null;

/**
 * Use this device (e.g. the tfjs WebGPU backend's, `tf.backend().device`) instead of requesting one.
 * In this page tfjs runs in the simulation worker, whose device cannot cross threads, so the ensembles
 * request their own unless a caller in this thread hands one over.
 */
export function shareDevice(device: GPUDevice): void {
  sharedDevice = device;
}

/** A device from a tfjs WebGPU backend loaded in this thread as a global (UMD build), if any. */
function tfjsDevice(): GPUDevice | null {
  const tf = (globalThis as { tf?: { findBackend?(n: string): unknown } }).tf;
  const b = tf?.findBackend?.('webgpu') as { device?: GPUDevice } | undefined;
  return b?.device ?? null;
}

export class GpuEnsemble {
  private device: GPUDevice | null = null;
  private readonly modules = new Map<string, ModuleEntry>();
  /** How many times the device was lost and re-created (tests, diagnostics). */
  losses = 0;
  adapterName = '';
  /** A software adapter (SwiftShader …): kernels run on the CPU's cores. */
  software = false;

  static available(): boolean {
    return typeof navigator !== 'undefined' && !!navigator.gpu;
  }

  /** The device, created (or re-created after a loss) on demand. Null when WebGPU is missing. */
  async getDevice(): Promise<GPUDevice | null> {
    if (this.device) return this.device;
    let dev = sharedDevice ?? tfjsDevice();
    if (!dev) {
      if (!GpuEnsemble.available()) return null;
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) return null;
      const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
      this.adapterName = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : '';
      this.software = !!(info as GPUAdapterInfo & { isFallbackAdapter?: boolean })?.isFallbackAdapter || /swiftshader|llvmpipe|software/i.test(this.adapterName);
      dev = await adapter.requestDevice();
    }
    this.device = dev;
    void dev.lost.then(() => {
      if (this.device === dev) {
        this.device = null;
        this.modules.clear();
        this.losses++;
        if (sharedDevice === dev) sharedDevice = null;
      }
    });
    return dev;
  }

  /** For tests: lose the device on purpose (the next batch must recover). */
  async loseDevice(): Promise<void> {
    const d = await this.getDevice();
    d?.destroy();
  }

  /** The compiled module for a problem; throws with the compiler's message when WGSL is rejected. */
  private async moduleFor(device: GPUDevice, p: EnsembleProblem): Promise<ModuleEntry> {
    const key = `${p.dim}\u0000${p.wgsl.source}`;
    const hit = this.modules.get(key);
    if (hit) return hit;
    const code = ensembleModule(p.wgsl.source!, p.dim);
    const module = device.createShaderModule({ code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) throw new Error(`The GPU rejected this problem's WGSL: ${errors[0].message} (line ${errors[0].lineNum}).`);
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
        { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
      ],
    });
    const entry: ModuleEntry = { layout, pipelines: {}, module };
    this.modules.set(key, entry);
    return entry;
  }

  private async pipelineFor(device: GPUDevice, p: EnsembleProblem, flow: EnsembleFlow): Promise<{ pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }> {
    const m = await this.moduleFor(device, p);
    let pipeline = m.pipelines[flow];
    if (!pipeline) {
      pipeline = await device.createComputePipelineAsync({
        layout: device.createPipelineLayout({ bindGroupLayouts: [m.layout] }),
        compute: { module: m.module, entryPoint: ENTRY[flow] },
      });
      m.pipelines[flow] = pipeline;
    }
    return { pipeline, layout: m.layout };
  }

  /** Compile check for a problem (the WGSL generator's output through the browser's compiler). */
  async compile(p: EnsembleProblem): Promise<string[]> {
    const device = await this.getDevice();
    if (!device || !p.wgsl.source) return ['no device or no WGSL'];
    const module = device.createShaderModule({ code: ensembleModule(p.wgsl.source, p.dim) });
    const info = await module.getCompilationInfo();
    return info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}: ${m.message}`);
  }

  /**
   * Integrates the trajectories `inputs` ((η, x0, y0) each) of `flow` for `steps` steps; resolves with
   * their records (trajectories.ts layout, float32). Checks `isCancelled` before every chunk.
   */
  async runBatch(p: EnsembleProblem, flow: EnsembleFlow, inputs: Float32Array, steps: number, isCancelled: () => boolean, retry = true): Promise<Float32Array> {
    try {
      return await this.runOnce(p, flow, inputs, steps, isCancelled);
    } catch (e) {
      if (e instanceof Cancelled || !retry) throw e;
      // A lost device: drop it and run the batch again on a fresh one.
      if (!this.device) return this.runBatch(p, flow, inputs, steps, isCancelled, false);
      throw e;
    }
  }

  private async runOnce(p: EnsembleProblem, flow: EnsembleFlow, inputs: Float32Array, steps: number, isCancelled: () => boolean): Promise<Float32Array> {
    const device = await this.getDevice();
    if (!device) throw new Error('WebGPU is not available.');
    const { pipeline, layout } = await this.pipelineFor(device, p, flow);
    const n = inputs.length / 3;
    const stride = strideOf(flow);
    const U = GPUBufferUsage;
    const cfg = device.createBuffer({ size: CFG_BYTES, usage: U.UNIFORM | U.COPY_DST });
    const inp = device.createBuffer({ size: Math.max(16, inputs.byteLength), usage: U.STORAGE | U.COPY_DST });
    const st = device.createBuffer({ size: n * stride * 4, usage: U.STORAGE | U.COPY_SRC });
    const prmData = new Float32Array(Math.max(4, p.paramValues.length));
    prmData.set(p.paramValues);
    const prm = device.createBuffer({ size: prmData.byteLength, usage: U.STORAGE | U.COPY_DST });
    const read = device.createBuffer({ size: n * stride * 4, usage: U.MAP_READ | U.COPY_DST });
    const buffers = [cfg, inp, st, prm, read];
    try {
      device.queue.writeBuffer(inp, 0, inputs as Float32Array<ArrayBuffer>);
      device.queue.writeBuffer(prm, 0, prmData);
      const bind = device.createBindGroup({
        layout,
        entries: [cfg, inp, st, prm].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const end = flow === 'gd' ? steps + 1 : steps;
      const chunk = CHUNK_STEPS[flow];
      const groups = Math.ceil(n / WORKGROUP);
      for (let k0 = 0; k0 < end; k0 += chunk) {
        if (isCancelled()) throw new Cancelled();
        device.queue.writeBuffer(cfg, 0, new Uint32Array([n, steps, k0, Math.min(end, k0 + chunk), sharpWindow(steps), 0, 0, 0]));
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bind);
        pass.dispatchWorkgroups(groups);
        pass.end();
        if (k0 + chunk >= end) enc.copyBufferToBuffer(st, 0, read, 0, n * stride * 4);
        device.queue.submit([enc.finish()]);
        // One chunk in flight at a time: cancel takes effect within one chunk.
        await device.queue.onSubmittedWorkDone();
        if (!this.device) throw new Error('The GPU device was lost.');
      }
      await read.mapAsync(GPUMapMode.READ);
      const out = new Float32Array(read.getMappedRange().slice(0));
      read.unmap();
      return out;
    } finally {
      for (const b of buffers) b.destroy();
    }
  }
}

let shared: GpuEnsemble | null = null;
export function gpuEnsemble(): GpuEnsemble {
  return (shared ??= new GpuEnsemble());
}
