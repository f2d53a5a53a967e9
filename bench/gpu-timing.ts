// Shared by the GPU benchmarks (bench/kernels.ts, bench/gpu.ts): picking a Vulkan driver when none
// is chosen (SwiftShader here; on the GPU machine .gpu/enter.sh selects NVIDIA's), and timing work
// on the GPU queue.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { GpuContext } from '../src/gpu/context';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SWIFTSHADER_LIBS = '/usr/lib/chromium'; // holds a libvulkan.so.1 where the system has none
/** Each measurement repeats the work until about this long (ms), within [MIN_REPS, MAX_REPS]. */
const TARGET_MS = 1500;
const MIN_REPS = 3;
const MAX_REPS = 2000;

/** Without a Vulkan driver chosen, use Chromium's SwiftShader (re-running with its loader if needed). */
export function chooseVulkanDriver(): void {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || !existsSync(SWIFTSHADER_ICD)) return;
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const systemLoader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(existsSync);
  const ldPath = process.env.LD_LIBRARY_PATH ?? '';
  if (!systemLoader && !ldPath.split(':').includes(SWIFTSHADER_LIBS)) {
    // The dynamic loader reads LD_LIBRARY_PATH only at start-up: run again with it set.
    const env = { ...process.env, LD_LIBRARY_PATH: ldPath ? `${SWIFTSHADER_LIBS}:${ldPath}` : SWIFTSHADER_LIBS };
    const child = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env });
    process.exit(child.status ?? 1);
  }
}

/** Mean ms per repetition of `encode` (GPU time as seen by onSubmittedWorkDone), after a warm-up; `targetMs` bounds the total. */
export async function timeGpu(ctx: GpuContext, encode: (e: GPUCommandEncoder) => void, targetMs = TARGET_MS): Promise<{ ms: number; reps: number }> {
  const run = async (reps: number) => {
    const encoder = ctx.device.createCommandEncoder();
    for (let i = 0; i < reps; i++) encode(encoder);
    const t0 = performance.now();
    ctx.device.queue.submit([encoder.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  await run(1);
  const once = await run(1);
  const reps = Math.min(MAX_REPS, Math.max(MIN_REPS, Math.ceil(targetMs / Math.max(once, 1e-3))));
  return { ms: (await run(reps)) / reps, reps };
}
