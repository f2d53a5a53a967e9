// Wrapper for shaders/ggml/dequantize-legacy.wgsl (F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) and
// shaders/ggml/dequantize-kquant.wgsl (Q2_K…Q6_K): ggml tensor bytes → float32 on the GPU, bit for
// bit equal to dequantizeGgmlRef (src/quant/ggml/ggml-codec.ts; docs/FORMATS.md §4.2–4.5). Both
// kernels share one bind-group layout and Params. Sizes are bytes unless named otherwise.
import legacyCode from '../../../shaders/ggml/dequantize-legacy.wgsl?raw';
import kquantCode from '../../../shaders/ggml/dequantize-kquant.wgsl?raw';
import f16Bits from '../../../shaders/ggml/common/f16-bits.wgsl?raw';
import { GpuLimitError, ShapeError, throwIfAborted, UnsupportedModelError } from '../../core/errors';
import { ggmlTypeByName, type GgmlTypeInfo } from '../../core/ggml-types';
import { createBuffer, destroyBuffers, passByteLimit, readBuffers, uniformBuffer, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';

const HELPERS = { 'ggml/common/f16-bits.wgsl': f16Bits };

/** The kernels with their helpers prepended. */
export const DEQUANTIZE_LEGACY_SHADER = withHelpers(legacyCode, HELPERS);
export const DEQUANTIZE_KQUANT_SHADER = withHelpers(kquantCode, HELPERS);

type Kernel = 'legacy' | 'kquant';

/** ggml types the GPU dequantizes, and which kernel does it. */
const KERNEL_OF: Readonly<Record<string, Kernel>> = {
  F16: 'legacy', BF16: 'legacy', Q8_0: 'legacy', Q4_0: 'legacy', Q4_1: 'legacy', Q5_0: 'legacy', Q5_1: 'legacy',
  Q2_K: 'kquant', Q3_K: 'kquant', Q4_K: 'kquant', Q5_K: 'kquant', Q6_K: 'kquant',
};

/** Type names dequantizeGgmlGpu accepts. */
export const GPU_DEQUANTIZE_TYPES: readonly string[] = Object.keys(KERNEL_OF);

const WG_SIZE = 64;

/** Everything about one dequantization that does not depend on the bytes. */
export interface GgmlDequantizePlan {
  type: GgmlTypeInfo;
  kernel: Kernel;
  numel: number;
  byteLength: number;
  dispatch: [number, number];
  constants: Record<string, number>;
}

/** Checks type, sizes and device limits; touches no GPU object. */
export function planDequantizeGgmlGpu(ctx: GpuContext, typeName: string, byteLength: number, numel: number): GgmlDequantizePlan {
  const kernel = Object.hasOwn(KERNEL_OF, typeName) ? KERNEL_OF[typeName] : undefined;
  const type = ggmlTypeByName(typeName);
  if (!kernel || !type) {
    throw new UnsupportedModelError(
      `dequantizing ggml type ${typeName} on the GPU is not implemented (GPU types: ${GPU_DEQUANTIZE_TYPES.join(', ')}); ` +
        'use dequantizeGgmlRef',
      { dtype: typeName },
    );
  }
  if (!Number.isSafeInteger(numel) || numel < 0 || numel % type.blockSize !== 0) {
    throw new ShapeError(`${typeName} needs a whole number of ${type.blockSize}-element blocks, got ${numel} elements`, {
      numel,
      blockSize: type.blockSize,
    });
  }
  const expected = (numel / type.blockSize) * type.blockBytes;
  if (byteLength !== expected) {
    throw new ShapeError(`${numel} elements of ${typeName} take ${expected} bytes, got ${byteLength}`, { byteLength, expected });
  }
  const largest = Math.max(Math.ceil(byteLength / 4) * 4, numel * 4);
  const { maxStorageBufferBindingSize: maxBinding, maxBufferSize } = ctx.limits;
  if (largest > maxBinding || largest > maxBufferSize) {
    throw new GpuLimitError(
      `dequantizing ${numel} ${typeName} elements needs a ${largest}-byte GPU buffer, but this GPU binds at most ` +
        `${Math.min(maxBinding, maxBufferSize)} bytes (maxStorageBufferBindingSize); split the tensor`,
      { bytes: largest, maxStorageBufferBindingSize: maxBinding },
    );
  }
  const dispatch = dispatchGrid(
    Math.ceil(numel / WG_SIZE),
    ctx.limits.maxComputeWorkgroupsPerDimension,
    `dequantizing ${numel} ${typeName} elements`,
  );
  return { type, kernel, numel, byteLength, dispatch, constants: { WG_SIZE, TYPE: type.id } };
}

function layoutOf(ctx: GpuContext): GPUBindGroupLayout {
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  return ctx.pipelines.layout('ggml/dequantize', [entry(0, 'uniform'), entry(1, 'read-only-storage'), entry(2, 'storage')]);
}

/** The compiled pipeline for a plan's kernel and type (cached on the context). */
export function dequantizePipeline(ctx: GpuContext, plan: GgmlDequantizePlan): Promise<GPUComputePipeline> {
  const code = plan.kernel === 'legacy' ? DEQUANTIZE_LEGACY_SHADER : DEQUANTIZE_KQUANT_SHADER;
  return ctx.pipelines.pipeline(`ggml/dequantize-${plan.kernel}`, code, layoutOf(ctx), plan.constants);
}

/** Params in struct order (`Params` of both dequantize kernels). */
function packParams(plan: GgmlDequantizePlan): ['u32', number][] {
  return [['u32', plan.numel]];
}

/** The buffers of one dequantize dispatch: params, blocks in, float32 values out. */
export interface GgmlDequantizeBuffers {
  params: GPUBuffer;
  input: GPUBuffer;
  values: GPUBuffer;
}

/** The plan's uniform buffer. */
export function dequantizeParamsBuffer(ctx: GpuContext, plan: GgmlDequantizePlan): GPUBuffer {
  return uniformBuffer(ctx, packParams(plan), 'ggml dequantize params');
}

/** Records the plan's dispatch into `encoder` (the pass below, and bench/gpu.ts timing the kernel alone). */
export function encodeDequantizeGgml(ctx: GpuContext, plan: GgmlDequantizePlan, pipeline: GPUComputePipeline, encoder: GPUCommandEncoder, b: GgmlDequantizeBuffers): void {
  const pass = encoder.beginComputePass({ label: 'ggml dequantize' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    ctx.device.createBindGroup({
      label: 'ggml dequantize',
      layout: layoutOf(ctx),
      entries: [b.params, b.input, b.values].map((buffer, binding) => ({ binding, resource: { buffer } })),
    }),
  );
  pass.dispatchWorkgroups(plan.dispatch[0], plan.dispatch[1]);
  pass.end();
}

/**
 * Decodes `numel` elements of ggml type `typeName` (raw tensor bytes, rows end to end) to float32
 * on the GPU; equal bit for bit to dequantizeGgmlRef. A tensor whose float32 values pass the
 * device's binding limit is decoded in slices of whole blocks (blocks decode independently).
 * UnsupportedModelError for types without a GPU kernel (callers fall back to the reference),
 * ShapeError when the sizes disagree.
 */
export async function dequantizeGgmlGpu(
  ctx: GpuContext,
  typeName: string,
  bytes: Uint8Array,
  numel: number,
  opts: { signal?: AbortSignal } = {},
): Promise<Float32Array> {
  const unbound = { ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: Infinity, maxBufferSize: Infinity } };
  const { type } = planDequantizeGgmlGpu(unbound, typeName, bytes.byteLength, numel); // type and sizes, for the whole tensor
  const limit = passByteLimit(ctx);
  if (Math.max(numel * 4, bytes.byteLength) <= limit) return dequantizeGgmlPass(ctx, typeName, bytes, numel, opts);
  const blocksPerPass = Math.floor(limit / Math.max(type.blockSize * 4, type.blockBytes));
  if (blocksPerPass === 0) {
    throw new GpuLimitError(`dequantizing ${typeName}: one block of ${type.blockSize} values (${type.blockSize * 4} bytes) is more than this GPU binds (${limit} bytes)`, { bytes: type.blockSize * 4, maxStorageBufferBindingSize: limit });
  }
  const out = new Float32Array(numel);
  const blocks = numel / type.blockSize;
  for (let b = 0; b < blocks; b += blocksPerPass) {
    const n = Math.min(blocksPerPass, blocks - b);
    const part = await dequantizeGgmlPass(ctx, typeName, bytes.subarray(b * type.blockBytes, (b + n) * type.blockBytes), n * type.blockSize, opts);
    out.set(part, b * type.blockSize);
  }
  return out;
}

/** One GPU pass of dequantizeGgmlGpu over blocks that fit the device's limits. */
async function dequantizeGgmlPass(ctx: GpuContext, typeName: string, bytes: Uint8Array, numel: number, opts: { signal?: AbortSignal }): Promise<Float32Array> {
  const plan = planDequantizeGgmlGpu(ctx, typeName, bytes.byteLength, numel);
  if (numel === 0) return new Float32Array(0);
  throwIfAborted(opts.signal);
  const pipeline = await dequantizePipeline(ctx, plan);
  throwIfAborted(opts.signal);
  const [out] = await withGpuErrorScopes(ctx, `dequantizing ${numel} ${typeName} elements`, async () => {
    const owned: GPUBuffer[] = [];
    try {
      const params = dequantizeParamsBuffer(ctx, plan);
      owned.push(params);
      const input = uploadStorage(ctx, bytes, `ggml ${typeName} blocks`);
      owned.push(input);
      const values = createBuffer(ctx, numel * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'ggml dequantized values');
      owned.push(values);
      const encoder = ctx.device.createCommandEncoder({ label: 'ggml dequantize' });
      encodeDequantizeGgml(ctx, plan, pipeline, encoder, { params, input, values });
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [{ buffer: values, byteLength: numel * 4 }]);
    } finally {
      destroyBuffers(...owned);
    }
  });
  throwIfAborted(opts.signal);
  return new Float32Array(out.buffer, 0, numel);
}
