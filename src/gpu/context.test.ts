// Device acquisition without a GPU: the errors a person sees, and the small pure helpers of src/gpu/.
import { describe, expect, it } from 'vitest';
import { GpuLimitError, GpuUnavailableError } from '../core/errors';
import { acquireBrowserGpu } from './browser-gpu';
import { packUniform } from './buffers';
import { createGpuContext } from './context';
import { dispatchGrid } from './dispatch';
import { helpersNamedIn, withHelpers } from './wgsl';

describe('createGpuContext', () => {
  it('says how to enable WebGPU when there is no adapter', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const err = await createGpuContext(noAdapter).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuUnavailableError);
    expect((err as GpuUnavailableError).code).toBe('gpu-unavailable');
    expect((err as Error).message).toMatch(/Chrome or Edge 113 or newer/);
    expect((err as Error).message).toMatch(/chrome:\/\/flags\/#enable-unsafe-webgpu/);
    expect((err as Error).message).toMatch(/'webgpu' package/);
    expect((err as Error).message).toMatch(/no WebGPU adapter was found/);
  });

  it('reports a missing navigator.gpu', async () => {
    await expect(createGpuContext(undefined)).rejects.toThrow(/navigator.gpu is missing/);
    if (!('gpu' in (globalThis.navigator ?? {}))) expect(() => acquireBrowserGpu()).toThrow(GpuUnavailableError);
  });

  it('requests the adapter limits for large buffers', async () => {
    let asked: Record<string, number> | undefined;
    const limits = { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535 };
    const device = {
      limits: { ...limits, maxStorageBuffersPerShaderStage: 8, maxComputeWorkgroupSizeX: 256, maxComputeInvocationsPerWorkgroup: 256, minUniformBufferOffsetAlignment: 256 },
      features: new Set<string>(),
      lost: new Promise(() => {}),
      destroy() {},
    };
    const adapter = {
      limits,
      info: { vendor: 'v', architecture: 'a', description: 'd' },
      requestDevice: async (d: GPUDeviceDescriptor) => ((asked = d.requiredLimits as Record<string, number>), device),
    };
    const ctx = await createGpuContext({ requestAdapter: async () => adapter } as unknown as GPU);
    expect(asked).toEqual(limits);
    expect(ctx.adapterInfo).toEqual({ vendor: 'v', architecture: 'a', description: 'd', isFallbackAdapter: false });
    expect(ctx.limits.maxStorageBufferBindingSize).toBe(2 ** 30);
  });
});

describe('gpu helpers', () => {
  it('packs uniform fields in order, padded to 16 bytes', () => {
    const bytes = packUniform([['u32', 7], ['i32', -2], ['f32', 0.5], ['u32', 0xffffffff], ['u32', 1]]);
    expect(bytes.byteLength).toBe(32);
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(0, true), view.getInt32(4, true), view.getFloat32(8, true), view.getUint32(12, true), view.getUint32(16, true)]).toEqual([
      7, -2, 0.5, 0xffffffff, 1,
    ]);
    expect(() => packUniform([['u32', -1]])).toThrow(/not a u32/);
  });

  it('folds large dispatches into x·y and refuses impossible ones', () => {
    expect(dispatchGrid(10, 65535, 'x')).toEqual([10, 1]);
    expect(dispatchGrid(0, 65535, 'x')).toEqual([1, 1]);
    expect(dispatchGrid(100_000, 65535, 'x')).toEqual([50000, 2]);
    expect(dispatchGrid(70, 9, 'x')).toEqual([9, 8]);
    expect(() => dispatchGrid(82, 9, 'quantizing')).toThrow(GpuLimitError);
    expect(() => dispatchGrid(82, 9, 'quantizing')).toThrow(/quantizing needs 82 workgroups, more than this GPU can dispatch \(9² = 81\)/);
  });

  it('prepends the helpers a WGSL header names, in order', () => {
    const kernel = '// Helpers: common/a.wgsl, common/b.wgsl\nfn main() {}';
    expect(helpersNamedIn(kernel)).toEqual(['common/a.wgsl', 'common/b.wgsl']);
    expect(helpersNamedIn('// Helpers: none\n')).toEqual([]);
    expect(withHelpers(kernel, { 'common/a.wgsl': 'A', 'common/b.wgsl': 'B' })).toBe(`A\nB\n${kernel}`);
    expect(() => withHelpers(kernel, { 'common/a.wgsl': 'A' })).toThrow(/common\/b.wgsl is named in a header but was not given/);
  });
});
