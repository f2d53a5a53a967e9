// The CLI's GPU: Dawn in Node through the `webgpu` package, one device per run. When the adapter
// is SwiftShader (no GPU driver; bin/studio.mjs adds it as a fallback) the CLI says so on stderr.
import { createGpuContext, type GpuContext } from '../gpu/context';
import { acquireNodeGpu } from '../gpu/node-gpu';

export async function nodeGpuContext(): Promise<GpuContext> {
  const ctx = await createGpuContext(await acquireNodeGpu());
  const { vendor, architecture, description } = ctx.adapterInfo;
  if (/swiftshader/i.test(`${architecture} ${description}`) && !process.env.STUDIO_QUIET_GPU) {
    process.stderr.write(`studio: no GPU found; running WebGPU on SwiftShader (CPU): ${description || vendor}\n`);
  }
  return ctx;
}
