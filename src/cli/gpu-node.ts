// The CLI's GPU: Dawn in Node through the `webgpu` package, one device per run. When the adapter
// is a CPU fallback such as SwiftShader (no GPU driver; bin/studio.mjs adds it as a fallback) the CLI says so on stderr.
import { adapterName } from '../core/gpu-adapter';
import { createGpuContext, type GpuContext } from '../gpu/context';
import { acquireNodeGpu } from '../gpu/node-gpu';

export async function nodeGpuContext(): Promise<GpuContext> {
  const ctx = await createGpuContext(await acquireNodeGpu());
  if (ctx.adapterInfo.isFallbackAdapter && !process.env.STUDIO_QUIET_GPU) {
    process.stderr.write(`studio: no GPU found; running WebGPU on a CPU fallback adapter: ${adapterName(ctx.adapterInfo)}\n`);
  }
  return ctx;
}
