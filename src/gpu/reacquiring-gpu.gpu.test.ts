// Device loss on a real device: the context that lost its device refuses work with the reason,
// and the holder hands the next action a fresh device that works. Also: the adapter's identity
// says whether it is a CPU fallback the way the browser does.
import { expect, it } from 'vitest';
import { GpuUnavailableError } from '../core/errors';
import { acquireBrowserGpu } from './browser-gpu';
import { createBuffer, readBuffers, uploadBytes, withGpuErrorScopes } from './buffers';
import { createGpuContext, type GpuContext } from './context';
import { ReacquiringGpu } from './reacquiring-gpu';
import { gpuForTests } from './testing';

const probe = await gpuForTests(acquireBrowserGpu);
probe.ctx?.destroy();
const gpuIt = probe.ctx ? it : it.skip;

async function roundTrip(ctx: GpuContext): Promise<number[]> {
  return withGpuErrorScopes(ctx, 'a round trip', async () => {
    const buffer = createBuffer(ctx, 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, 'round trip');
    uploadBytes(ctx, buffer, new Uint8Array([9, 8, 7, 6]));
    const [bytes] = await readBuffers(ctx, [{ buffer, byteLength: 4 }]);
    buffer.destroy();
    return Array.from(bytes);
  });
}

gpuIt('gives the next action a new device after the device is lost', async () => {
  const holder = new ReacquiringGpu(() => createGpuContext(acquireBrowserGpu()));
  const first = await holder.get();
  expect(await holder.get()).toBe(first);
  expect(await roundTrip(first)).toEqual([9, 8, 7, 6]);

  first.device.destroy();
  await first.device.lost;
  const refused = await roundTrip(first).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(GpuUnavailableError);
  expect((refused as Error).message).toMatch(/device was lost during a round trip \(destroyed/);

  const second = await holder.get();
  expect(second).not.toBe(first);
  expect(holder.reacquiredAfter).toMatch(/^destroyed/);
  expect(await roundTrip(second)).toEqual([9, 8, 7, 6]);
  second.destroy();
});

gpuIt("reports the browser's fallback flag", async () => {
  const adapter = (await acquireBrowserGpu().requestAdapter({ powerPreference: 'high-performance' }))!;
  const ctx = await createGpuContext(acquireBrowserGpu());
  expect(ctx.adapterInfo.isFallbackAdapter).toBe(adapter.info.isFallbackAdapter || /swiftshader/i.test(adapter.info.architecture));
  ctx.destroy();
});
