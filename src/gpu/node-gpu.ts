// WebGPU in Node for the CLI and benchmarks: Dawn through the `webgpu` package, loaded lazily so
// browser bundles never see it. Keep the returned GPU referenced while its device is in use
// (GpuContext.gpu does): when it is collected the Dawn instance dies and the process aborts.
// Environment: Dawn picks a Vulkan driver through the loader. Without a GPU (CI, this repo's dev
// box) set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader from Debian's
// chromium package); the vitest node project and bench/kernels.ts do that. See TESTING.md §2.
import { GpuUnavailableError } from '../core/errors';
import { ENABLE_WEBGPU_HELP } from './context';

/** Dawn's GPU object, with the WebGPU globals (GPUBufferUsage, …) installed on globalThis. */
export async function acquireNodeGpu(flags: string[] = []): Promise<GPU> {
  let mod: { create(options: string[]): GPU; globals: object };
  try {
    mod = (await import('webgpu')) as typeof mod;
  } catch (e) {
    throw new GpuUnavailableError(
      `${ENABLE_WEBGPU_HELP} (could not load the 'webgpu' package: ${e instanceof Error ? e.message : String(e)})`,
    );
  }
  Object.assign(globalThis, mod.globals);
  return mod.create(flags);
}
