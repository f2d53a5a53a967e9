// The CLI's GPU: Dawn in Node through the `webgpu` package, one device per run.
import { createGpuContext, type GpuContext } from '../gpu/context';
import { acquireNodeGpu } from '../gpu/node-gpu';

export async function nodeGpuContext(): Promise<GpuContext> {
  return createGpuContext(await acquireNodeGpu());
}
