// Wrapper for shaders/ggml/quantize-importance-k4-k5.wgsl: float32 rows → importance-weighted ggml
// Q4_K / Q5_K blocks on the GPU (llama-quantize --imatrix), equal to quantizeGgmlRef(type, x,
// importance) (src/quant/ggml/importance-quantize.ts; k-quants best-effort, see the tests). The
// other importance-weighted types have no kernel yet: callers use the reference for them.
import code from '../../../shaders/ggml/quantize-importance-k4-k5.wgsl?raw';
import sqrtRn from '../../../shaders/ggml/common/sqrt-rn.wgsl?raw';
import f16Bits from '../../../shaders/ggml/common/f16-bits.wgsl?raw';
import divRn from '../../../shaders/common/div-rn.wgsl?raw';
import { GpuLimitError, ShapeError, throwIfAborted, UnsupportedModelError } from '../../core/errors';
import { ggmlTypeByName } from '../../core/ggml-types';
import { createBuffer, destroyBuffers, readBuffers, uniformBuffer, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';

export const QUANTIZE_IMPORTANCE_K4_K5_SHADER = withHelpers(code, {
  'common/div-rn.wgsl': divRn,
  'ggml/common/f16-bits.wgsl': f16Bits,
  'ggml/common/sqrt-rn.wgsl': sqrtRn,
});

/** Types quantizeGgmlImportanceGpu accepts. */
export const GPU_IMPORTANCE_TYPES: readonly string[] = ['Q4_K', 'Q5_K'];

const WG_SIZE = 64;

function layoutOf(ctx: GpuContext): GPUBindGroupLayout {
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  return ctx.pipelines.layout('ggml/quantize-importance', [entry(0, 'uniform'), entry(1, 'read-only-storage'), entry(2, 'storage'), entry(3, 'read-only-storage')]);
}

/**
 * Quantizes rows of `importance.length` float32 values (end to end) into ggml `typeName` weighted
 * by `importance` (one weight per column), as llama-quantize --imatrix does. UnsupportedModelError
 * for types without a kernel; ShapeError for rows that are not whole super-blocks or non-finite values.
 */
export async function quantizeGgmlImportanceGpu(
  ctx: GpuContext,
  typeName: string,
  values: Float32Array,
  importance: Float32Array,
  opts: { signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const type = ggmlTypeByName(typeName);
  if (!type || !GPU_IMPORTANCE_TYPES.includes(typeName)) {
    throw new UnsupportedModelError(`importance-weighted ${typeName} has no GPU kernel (GPU: ${GPU_IMPORTANCE_TYPES.join(', ')}); use quantizeGgmlRef`, { dtype: typeName });
  }
  const cols = importance.length;
  if (cols === 0 || cols % type.blockSize !== 0 || values.length % cols !== 0) {
    throw new ShapeError(`${typeName}: ${values.length} values are not whole rows of ${cols} (the importance vector's length) in blocks of ${type.blockSize}`, { numel: values.length, rowLength: cols });
  }
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ShapeError(`cannot quantize to ${typeName}: value ${values[bad]} at element ${bad} is not finite`, { element: bad });
  const blocks = values.length / type.blockSize;
  if (blocks === 0) return new Uint8Array(0);
  const byteLength = blocks * type.blockBytes;
  const largest = Math.max(values.length * 4, byteLength);
  const maxBinding = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
  if (largest > maxBinding) {
    throw new GpuLimitError(`quantizing ${values.length} values to ${typeName} needs a ${largest}-byte GPU buffer, but this GPU binds at most ${maxBinding} bytes; split the tensor`, { bytes: largest, maxStorageBufferBindingSize: maxBinding });
  }
  const dispatch = dispatchGrid(Math.ceil(blocks / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, `quantizing ${values.length} values to ${typeName}`);
  throwIfAborted(opts.signal);
  const pipeline = await ctx.pipelines.pipeline('ggml/quantize-importance-k4-k5', QUANTIZE_IMPORTANCE_K4_K5_SHADER, layoutOf(ctx), { WG_SIZE, TYPE: type.id });
  throwIfAborted(opts.signal);
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const [out] = await withGpuErrorScopes(ctx, `quantizing ${values.length} values to importance-weighted ${typeName}`, async () => {
    const owned: GPUBuffer[] = [];
    try {
      const params = uniformBuffer(ctx, [['u32', blocks], ['u32', 0], ['u32', cols / type.blockSize]], 'ggml importance quantize params');
      owned.push(params);
      const input = uploadStorage(ctx, bytes(values), 'ggml importance quantize values');
      owned.push(input);
      // New buffers are zero-filled, which the kernel's atomicOr relies on.
      const result = createBuffer(ctx, byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, `ggml ${typeName} blocks`);
      owned.push(result);
      const weights = uploadStorage(ctx, bytes(importance), 'ggml importance');
      owned.push(weights);
      const encoder = ctx.device.createCommandEncoder({ label: 'ggml importance quantize' });
      const pass = encoder.beginComputePass({ label: 'ggml importance quantize' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, ctx.device.createBindGroup({
        label: 'ggml importance quantize',
        layout: layoutOf(ctx),
        entries: [params, input, result, weights].map((buffer, binding) => ({ binding, resource: { buffer } })),
      }));
      pass.dispatchWorkgroups(dispatch[0], dispatch[1]);
      pass.end();
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [{ buffer: result, byteLength }]);
    } finally {
      destroyBuffers(...owned);
    }
  });
  throwIfAborted(opts.signal);
  return out;
}
