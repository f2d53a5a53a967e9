// The CLI path: Dawn through the `webgpu` package (SwiftShader here, via the node project's
// VK_ICD_FILENAMES), running the RTN kernel against the reference.
import { afterAll, describe, expect, it } from 'vitest';
import { f16ArrayToF32, f32ArrayToF16 } from '../core/float16';
import { compareRtn, seededWeights } from '../kernels/quant/rtn-compare';
import { quantizeRtnGpu } from '../kernels/quant/rtn';
import { quantizeRtnRef } from '../quant/rtn';
import type { RtnSettings } from '../core/compressed-tensor';
import { acquireNodeGpu } from './node-gpu';
import { gpuForTests } from './testing';

const { ctx, skipReason } = await gpuForTests(() => acquireNodeGpu());
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

describe('acquireNodeGpu', () => {
  (ctx ? it : it.skip)('gives a device with the adapter buffer limits', () => {
    expect(ctx!.limits.maxStorageBufferBindingSize).toBe(ctx!.adapter.limits.maxStorageBufferBindingSize);
    expect(ctx!.limits.maxBufferSize).toBe(ctx!.adapter.limits.maxBufferSize);
    expect(typeof ctx!.adapterInfo.vendor).toBe('string');
  });

  (ctx ? it : it.skip).each([
    ['f32', { bits: 4, symmetric: false, group: 32 }],
    ['f16', { bits: 8, symmetric: true, group: 'per-channel' }],
    ['f32', { bits: 3, symmetric: true, group: 'per-channel' }],
  ] as [('f32' | 'f16'), RtnSettings][])('quantizes %s %o like the reference', async (dtype, scheme) => {
    const [rows, cols] = [24, 150];
    const stored = seededWeights(rows * cols, 42);
    const layout = { rows, cols, rowStride: 1, colStride: rows }; // ONNX MatMul B [K, N]
    const halves = f32ArrayToF16(stored);
    const bytes = dtype === 'f32' ? new Uint8Array(stored.buffer) : new Uint8Array(halves.buffer);
    const values = dtype === 'f32' ? stored : f16ArrayToF32(halves);
    const gpu = await quantizeRtnGpu(ctx!, { bytes, dtype, layout }, scheme);
    const cmp = compareRtn(gpu, quantizeRtnRef(values, layout, scheme), values, layout);
    expect(cmp.failures).toEqual([]);
  });
});
