// Which WebGPU adapter the studio got, as plain data the page, the CLI and reports share.
// A fallback adapter (SwiftShader, llvmpipe, WARP: WebGPU emulated on the CPU) works but is far
// slower than onnxruntime's wasm build for evaluation, so "Auto" must not take it for a GPU.

export interface GpuAdapterIdentity {
  vendor: string;
  architecture: string;
  description: string;
  /** The browser's own flag (GPUAdapterInfo.isFallbackAdapter), or a known CPU rasterizer by name. */
  isFallbackAdapter: boolean;
}

/** What the worker found when it asked for a GPU. */
export type GpuStatus =
  | { available: true; adapter: GpuAdapterIdentity; /** Set when an earlier device was lost and this one replaced it. */ reacquiredAfter?: string }
  | { available: false; reason: string };

/** Adapters that emulate WebGPU on the CPU, by the names they report. */
const CPU_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/** Whether an adapter is a CPU emulation: its fallback flag, or its name when the browser does not set it. */
export function isCpuAdapter(flag: boolean | undefined, ...names: string[]): boolean {
  return flag === true || CPU_ADAPTER.test(names.join(' '));
}

/** An adapter in words: its description, else vendor and architecture ("google swiftshader"). */
export function adapterName(a: GpuAdapterIdentity): string {
  return a.description || [a.vendor, a.architecture].filter(Boolean).join(' ') || 'GPU';
}
