// One WebGPU device for the whole studio (DESIGN "Parts": src/gpu/): adapter + device with the
// adapter's large-buffer limits requested (the defaults are the spec minimums, e.g. a 128 MiB
// binding), the adapter's identity for reports, and a cache of compiled pipelines.
import { GpuUnavailableError } from '../core/errors';
import { isCpuAdapter, type GpuAdapterIdentity } from '../core/gpu-adapter';

/** Limits the kernels check shapes against before touching the GPU (bytes / workgroup counts). */
export interface GpuContextLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeInvocationsPerWorkgroup: number;
  minUniformBufferOffsetAlignment: number;
}

export interface GpuContext {
  /** Kept referenced: in Node, the Dawn instance dies with it (tools/gpu/README.md). */
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly adapterInfo: GpuAdapterIdentity;
  readonly limits: GpuContextLimits;
  readonly features: ReadonlySet<string>;
  /** Compiled pipelines and layouts keyed by shader id + override constants. */
  readonly pipelines: PipelineCache;
  /** Set once the device is lost; kernels refuse to run after that. */
  lostReason: string | null;
  destroy(): void;
}

export interface GpuContextOptions {
  powerPreference?: GPUPowerPreference;
  /** Extra limits to request on top of the large-buffer ones (must be within the adapter's). */
  requiredLimits?: Record<string, number>;
  label?: string;
}

export const ENABLE_WEBGPU_HELP =
  'WebGPU is not available. Use Chrome or Edge 113 or newer (on Linux, enable ' +
  'chrome://flags/#enable-unsafe-webgpu and hardware acceleration), or run the command-line ' +
  "tool with Node and the 'webgpu' package (npm install webgpu).";

/** Requests an adapter and a device with the adapter's buffer and dispatch limits. */
export async function createGpuContext(gpu: GPU | undefined | null, opts: GpuContextOptions = {}): Promise<GpuContext> {
  if (!gpu) throw new GpuUnavailableError(`${ENABLE_WEBGPU_HELP} (navigator.gpu is missing)`);
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  } catch (e) {
    throw new GpuUnavailableError(`${ENABLE_WEBGPU_HELP} (requestAdapter failed: ${errorText(e)})`);
  }
  if (!adapter) throw new GpuUnavailableError(`${ENABLE_WEBGPU_HELP} (no WebGPU adapter was found)`);
  const a = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxBufferSize: a.maxBufferSize,
    maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
    maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
    ...opts.requiredLimits,
  };
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, label: opts.label ?? 'compression-studio' });
  } catch (e) {
    throw new GpuUnavailableError(`${ENABLE_WEBGPU_HELP} (requestDevice failed: ${errorText(e)})`);
  }
  const d = device.limits;
  const info = adapter.info as GPUAdapterInfo | undefined;
  const ctx: GpuContext = {
    gpu,
    adapter,
    device,
    adapterInfo: {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      description: info?.description ?? '',
      // Older browsers and Dawn builds put the flag on the adapter itself.
      isFallbackAdapter: isCpuAdapter(info?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter, info?.vendor ?? '', info?.architecture ?? '', info?.description ?? ''),
    },
    limits: {
      maxBufferSize: d.maxBufferSize,
      maxStorageBufferBindingSize: d.maxStorageBufferBindingSize,
      maxComputeWorkgroupsPerDimension: d.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: d.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupSizeX: d.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: d.maxComputeInvocationsPerWorkgroup,
      minUniformBufferOffsetAlignment: d.minUniformBufferOffsetAlignment,
    },
    features: new Set(device.features as unknown as Iterable<string>),
    pipelines: new PipelineCache(device),
    lostReason: null,
    destroy() {
      ctx.pipelines.clear();
      device.destroy();
    },
  };
  void device.lost.then((info) => {
    ctx.lostReason = `${info.reason}: ${info.message}`;
  });
  return ctx;
}

/** Compiled compute pipelines and bind-group layouts, created once per key. */
export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  constructor(private readonly device: GPUDevice) {}

  layout(key: string, entries: GPUBindGroupLayoutEntry[]): GPUBindGroupLayout {
    let l = this.layouts.get(key);
    if (!l) {
      l = this.device.createBindGroupLayout({ label: key, entries });
      this.layouts.set(key, l);
    }
    return l;
  }

  /** The pipeline for `code` + `constants`; compiled (async) on first use. */
  pipeline(
    key: string,
    code: string,
    layout: GPUBindGroupLayout,
    constants: Record<string, number>,
  ): Promise<GPUComputePipeline> {
    const fullKey = `${key}|${Object.entries(constants)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`;
    let p = this.pipelines.get(fullKey);
    if (!p) {
      const module = this.device.createShaderModule({ label: key, code });
      p = this.device.createComputePipelineAsync({
        label: fullKey,
        layout: this.device.createPipelineLayout({ label: key, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main', constants },
      });
      // A failed compile must not stay cached.
      p.catch(() => this.pipelines.delete(fullKey));
      this.pipelines.set(fullKey, p);
    }
    return p;
  }

  clear(): void {
    this.pipelines.clear();
    this.layouts.clear();
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
