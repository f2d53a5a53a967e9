// Wrapper for shaders/ggml/quantize-legacy.wgsl (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1), quantize-q2_k.wgsl,
// quantize-q3_k.wgsl, quantize-q4_k-q5_k.wgsl and quantize-q6_k.wgsl: float32 rows → ggml block bytes
// on the GPU, equal to quantizeGgmlRef (src/quant/ggml/ggml-codec.ts; docs/FORMATS.md §4.4–4.5; legacy
// byte for byte, k-quants best-effort, see the tests). With an importance vector (llama-quantize
// --imatrix): quantize-importance-legacy.wgsl, -q2_k.wgsl, -q3_k.wgsl, -k4-k5.wgsl, and Q6_K's
// kernel with IMPORTANCE set.
// The kernels share one bind-group layout (binding 3, the importance, is a 4-byte placeholder for
// the kernels that do not read it) and Params. Other types throw UnsupportedModelError so callers
// fall back to the reference. Sizes are bytes unless named otherwise.
import legacyCode from '../../../shaders/ggml/quantize-legacy.wgsl?raw';
import q6kCode from '../../../shaders/ggml/quantize-q6_k.wgsl?raw';
import q4kq5kCode from '../../../shaders/ggml/quantize-q4_k-q5_k.wgsl?raw';
import q3kCode from '../../../shaders/ggml/quantize-q3_k.wgsl?raw';
import q2kCode from '../../../shaders/ggml/quantize-q2_k.wgsl?raw';
import importanceK4K5Code from '../../../shaders/ggml/quantize-importance-k4-k5.wgsl?raw';
import importanceQ2KCode from '../../../shaders/ggml/quantize-importance-q2_k.wgsl?raw';
import importanceQ3KCode from '../../../shaders/ggml/quantize-importance-q3_k.wgsl?raw';
import importanceLegacyCode from '../../../shaders/ggml/quantize-importance-legacy.wgsl?raw';
import sqrtRn from '../../../shaders/ggml/common/sqrt-rn.wgsl?raw';
import f16Bits from '../../../shaders/ggml/common/f16-bits.wgsl?raw';
import divRn from '../../../shaders/common/div-rn.wgsl?raw';
import roundHalfAway from '../../../shaders/common/round-half-away.wgsl?raw';
import { GpuLimitError, ShapeError, throwIfAborted, UnsupportedModelError } from '../../core/errors';
import { ggmlTypeByName, type GgmlTypeInfo } from '../../core/ggml-types';
import { createBuffer, destroyBuffers, passByteLimit, readBuffers, uniformBuffer, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';

const HELPERS = {
  'common/round-half-away.wgsl': roundHalfAway,
  'common/div-rn.wgsl': divRn,
  'ggml/common/f16-bits.wgsl': f16Bits,
  'ggml/common/sqrt-rn.wgsl': sqrtRn,
};

/** The kernels with their helpers prepended. */
export const QUANTIZE_LEGACY_SHADER = withHelpers(legacyCode, HELPERS);
export const QUANTIZE_Q6_K_SHADER = withHelpers(q6kCode, HELPERS);
export const QUANTIZE_Q4_K_Q5_K_SHADER = withHelpers(q4kq5kCode, HELPERS);
export const QUANTIZE_Q3_K_SHADER = withHelpers(q3kCode, HELPERS);
export const QUANTIZE_Q2_K_SHADER = withHelpers(q2kCode, HELPERS);
export const QUANTIZE_IMPORTANCE_K4_K5_SHADER = withHelpers(importanceK4K5Code, HELPERS);
export const QUANTIZE_IMPORTANCE_Q2_K_SHADER = withHelpers(importanceQ2KCode, HELPERS);
export const QUANTIZE_IMPORTANCE_Q3_K_SHADER = withHelpers(importanceQ3KCode, HELPERS);
export const QUANTIZE_IMPORTANCE_LEGACY_SHADER = withHelpers(importanceLegacyCode, HELPERS);

interface KernelChoice {
  key: string;
  code: string;
  /** The kernel serves several types, picked by its TYPE override (the ggml_type id). */
  typed: boolean;
  /** One invocation per row instead of per block (a sum over the whole row comes first). */
  perRow?: boolean;
  /** Invocations per block (one per sub-block), instead of one; a divisor of WG_SIZE. */
  threadsPerBlock?: number;
}

const LEGACY: KernelChoice = { key: 'ggml/quantize-legacy', code: QUANTIZE_LEGACY_SHADER, typed: true };
const Q4_K_Q5_K: KernelChoice = { key: 'ggml/quantize-q4_k-q5_k', code: QUANTIZE_Q4_K_Q5_K_SHADER, typed: true, threadsPerBlock: 8 };

/** ggml types the GPU quantizes, and the kernel for each. */
const KERNEL_OF: Readonly<Record<string, KernelChoice>> = {
  Q8_0: LEGACY, Q4_0: LEGACY, Q4_1: LEGACY, Q5_0: LEGACY, Q5_1: LEGACY,
  Q4_K: Q4_K_Q5_K, Q5_K: Q4_K_Q5_K,
  Q2_K: { key: 'ggml/quantize-q2_k', code: QUANTIZE_Q2_K_SHADER, typed: false, threadsPerBlock: 16 },
  Q3_K: { key: 'ggml/quantize-q3_k', code: QUANTIZE_Q3_K_SHADER, typed: false, threadsPerBlock: 16 },
  Q6_K: { key: 'ggml/quantize-q6_k', code: QUANTIZE_Q6_K_SHADER, typed: false, threadsPerBlock: 16 },
};

/** Type names quantizeGgmlGpu accepts. */
export const GPU_QUANTIZE_TYPES: readonly string[] = Object.keys(KERNEL_OF);

/** Importance-weighted kernels (llama-quantize --imatrix), and the override that selects the weighting. */
const IMPORTANCE_LEGACY: KernelChoice = { key: 'ggml/quantize-importance-legacy', code: QUANTIZE_IMPORTANCE_LEGACY_SHADER, typed: true, perRow: true };
const IMPORTANCE_KERNEL_OF: Readonly<Record<string, KernelChoice & { flag?: string }>> = {
  Q4_0: IMPORTANCE_LEGACY, Q4_1: IMPORTANCE_LEGACY, Q5_0: IMPORTANCE_LEGACY, Q5_1: IMPORTANCE_LEGACY,
  Q2_K: { key: 'ggml/quantize-importance-q2_k', code: QUANTIZE_IMPORTANCE_Q2_K_SHADER, typed: false, threadsPerBlock: 16 },
  Q3_K: { key: 'ggml/quantize-importance-q3_k', code: QUANTIZE_IMPORTANCE_Q3_K_SHADER, typed: false, threadsPerBlock: 16 },
  Q4_K: { key: 'ggml/quantize-importance-k4-k5', code: QUANTIZE_IMPORTANCE_K4_K5_SHADER, typed: true, threadsPerBlock: 8 },
  Q5_K: { key: 'ggml/quantize-importance-k4-k5', code: QUANTIZE_IMPORTANCE_K4_K5_SHADER, typed: true, threadsPerBlock: 8 },
  Q6_K: { ...KERNEL_OF.Q6_K, flag: 'IMPORTANCE' },
};

/** Type names quantizeGgmlGpu accepts with an importance vector (the others: the reference). */
export const GPU_IMPORTANCE_TYPES: readonly string[] = Object.keys(IMPORTANCE_KERNEL_OF);

const WG_SIZE = 64;

/** Everything about one quantization that does not depend on the values. */
export interface GgmlQuantizePlan {
  type: GgmlTypeInfo;
  blocks: number;
  /** Output bytes (blocks · blockBytes). */
  byteLength: number;
  dispatch: [number, number];
  constants: Record<string, number>;
  /** The kernel (its pipeline key and source). */
  kernel: KernelChoice;
  /** With importance: blocks per row (the importance vector holds rowBlocks · blockSize weights). */
  rowBlocks?: number;
}

/** Checks type, sizes and device limits; touches no GPU object. `rowLength`: the importance vector's length, when weighted. */
export function planQuantizeGgmlGpu(ctx: GpuContext, typeName: string, numel: number, rowLength?: number): GgmlQuantizePlan {
  const type = ggmlTypeByName(typeName);
  const kernels = rowLength === undefined ? KERNEL_OF : IMPORTANCE_KERNEL_OF;
  if (!type || !Object.hasOwn(kernels, typeName)) {
    const what = rowLength === undefined ? 'ggml type' : 'importance-weighted ggml type';
    const list = rowLength === undefined ? GPU_QUANTIZE_TYPES : GPU_IMPORTANCE_TYPES;
    throw new UnsupportedModelError(`quantizing to ${what} ${typeName} on the GPU is not implemented (GPU types: ${list.join(', ')}); use quantizeGgmlRef`, { dtype: typeName });
  }
  if (rowLength !== undefined && (rowLength <= 0 || rowLength % type.blockSize !== 0 || numel % rowLength !== 0)) {
    throw new ShapeError(`${typeName}: ${numel} values are not whole rows of ${rowLength} (the importance vector's length) in blocks of ${type.blockSize}`, { numel, rowLength });
  }
  if (!Number.isSafeInteger(numel) || numel < 0 || numel % type.blockSize !== 0) {
    throw new ShapeError(`${typeName} needs a multiple of ${type.blockSize} elements, got ${numel}`, {
      numel,
      blockSize: type.blockSize,
    });
  }
  const blocks = numel / type.blockSize;
  const byteLength = blocks * type.blockBytes;
  const largest = Math.max(numel * 4, Math.ceil(byteLength / 4) * 4);
  const { maxStorageBufferBindingSize: maxBinding, maxBufferSize } = ctx.limits;
  if (largest > maxBinding || largest > maxBufferSize) {
    throw new GpuLimitError(
      `quantizing ${numel} values to ${typeName} needs a ${largest}-byte GPU buffer, but this GPU binds at most ` +
        `${Math.min(maxBinding, maxBufferSize)} bytes (maxStorageBufferBindingSize); split the tensor`,
      { bytes: largest, maxStorageBufferBindingSize: maxBinding },
    );
  }
  const kernel = kernels[typeName];
  const invocations = kernel.perRow && rowLength ? numel / rowLength : blocks * (kernel.threadsPerBlock ?? 1);
  const dispatch = dispatchGrid(
    Math.ceil(invocations / WG_SIZE),
    ctx.limits.maxComputeWorkgroupsPerDimension,
    `quantizing ${numel} values to ${typeName}`,
  );
  const constants: Record<string, number> = kernel.typed ? { WG_SIZE, TYPE: type.id } : { WG_SIZE };
  const flag = rowLength === undefined ? undefined : IMPORTANCE_KERNEL_OF[typeName].flag;
  if (flag) constants[flag] = 1;
  return { type, blocks, byteLength, dispatch, constants, kernel, ...(rowLength !== undefined ? { rowBlocks: rowLength / type.blockSize } : {}) };
}

function layoutOf(ctx: GpuContext): GPUBindGroupLayout {
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  return ctx.pipelines.layout('ggml/quantize', [entry(0, 'uniform'), entry(1, 'read-only-storage'), entry(2, 'storage'), entry(3, 'read-only-storage')]);
}

/** The compiled pipeline for a plan's kernel (cached on the context). */
export function quantizePipeline(ctx: GpuContext, plan: GgmlQuantizePlan): Promise<GPUComputePipeline> {
  return ctx.pipelines.pipeline(plan.kernel.key, plan.kernel.code, layoutOf(ctx), plan.constants);
}

/** Params in struct order (`Params` of the quantize kernels; those without importance stop after opaque_zero). */
function packParams(plan: GgmlQuantizePlan): ['u32', number][] {
  return [
    ['u32', plan.blocks],
    ['u32', 0], // opaque_zero
    ['u32', plan.rowBlocks ?? 1],
  ];
}

/** The buffers of one quantize dispatch: params, float32 values in, zero-filled blocks out, importance (4 unused bytes without). */
export interface GgmlQuantizeBuffers {
  params: GPUBuffer;
  input: GPUBuffer;
  blocks: GPUBuffer;
  importance: GPUBuffer;
}

/** The plan's uniform buffer. */
export function quantizeParamsBuffer(ctx: GpuContext, plan: GgmlQuantizePlan): GPUBuffer {
  return uniformBuffer(ctx, packParams(plan), 'ggml quantize params');
}

/** Records the plan's dispatch into `encoder` (the pass below, and bench/gpu.ts timing the kernel alone). */
export function encodeQuantizeGgml(ctx: GpuContext, plan: GgmlQuantizePlan, pipeline: GPUComputePipeline, encoder: GPUCommandEncoder, b: GgmlQuantizeBuffers): void {
  const pass = encoder.beginComputePass({ label: 'ggml quantize' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    ctx.device.createBindGroup({
      label: 'ggml quantize',
      layout: layoutOf(ctx),
      entries: [b.params, b.input, b.blocks, b.importance].map((buffer, binding) => ({ binding, resource: { buffer } })),
    }),
  );
  pass.dispatchWorkgroups(plan.dispatch[0], plan.dispatch[1]);
  pass.end();
}

/** Index of the first NaN or ±Infinity, or −1. */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/**
 * Values per GPU pass: all of them when their float32 buffer fits the device's binding and buffer
 * limits, else as many whole rows (with importance: its rows) or whole blocks as fit — blocks are
 * quantized independently, so the passes' bytes laid end to end are the whole tensor's. An 8 B
 * model's 128256 × 4096 embedding is 2.1 GB as float32, past the 1 GiB many GPUs bind.
 */
export function ggmlQuantizeSliceLength(ctx: GpuContext, typeName: string, numel: number, rowLength?: number): number {
  const limit = passByteLimit(ctx);
  if (numel * 4 <= limit) return numel;
  const unit = rowLength ?? ggmlTypeByName(typeName)?.blockSize ?? numel;
  const units = Math.floor(limit / 4 / unit);
  if (units === 0) {
    throw new GpuLimitError(`quantizing to ${typeName}: one row of ${unit} values (${unit * 4} bytes) is more than this GPU binds (${limit} bytes)`, { bytes: unit * 4, maxStorageBufferBindingSize: limit });
  }
  return units * unit;
}

/**
 * Quantizes float32 values (rows of whole blocks, end to end) into ggml type `typeName` on the
 * GPU — weighted by `importance` (one weight per column of a row) when given, as llama-quantize
 * --imatrix does; the bytes equal quantizeGgmlRef's. A tensor past the device's binding limit goes
 * in slices of whole rows (ggmlQuantizeSliceLength). UnsupportedModelError for types without a GPU
 * kernel, ShapeError for a partial block, rows the importance does not fit, or a non-finite value.
 */
export async function quantizeGgmlGpu(
  ctx: GpuContext,
  typeName: string,
  values: Float32Array,
  opts: { signal?: AbortSignal; importance?: Float32Array } = {},
): Promise<Uint8Array> {
  planQuantizeGgmlGpu({ ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: Infinity, maxBufferSize: Infinity } }, typeName, values.length, opts.importance?.length); // type and shape, for the whole tensor
  const bad = firstNonFinite(values);
  if (bad >= 0) {
    throw new ShapeError(`cannot quantize to ${typeName}: value ${values[bad]} at element ${bad} is not finite`, { element: bad });
  }
  const slice = ggmlQuantizeSliceLength(ctx, typeName, values.length, opts.importance?.length);
  if (slice >= values.length) return quantizeGgmlPass(ctx, typeName, values, opts);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < values.length; at += slice) parts.push(await quantizeGgmlPass(ctx, typeName, values.subarray(at, Math.min(values.length, at + slice)), opts));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** One GPU pass of quantizeGgmlGpu over values that fit the device's limits. */
async function quantizeGgmlPass(ctx: GpuContext, typeName: string, values: Float32Array, opts: { signal?: AbortSignal; importance?: Float32Array }): Promise<Uint8Array> {
  const plan = planQuantizeGgmlGpu(ctx, typeName, values.length, opts.importance?.length);
  if (plan.blocks === 0) return new Uint8Array(0);
  throwIfAborted(opts.signal);
  const pipeline = await quantizePipeline(ctx, plan);
  throwIfAborted(opts.signal);
  const [out] = await withGpuErrorScopes(ctx, `quantizing ${values.length} values to ${typeName}`, async () => {
    const owned: GPUBuffer[] = [];
    try {
      const params = quantizeParamsBuffer(ctx, plan);
      owned.push(params);
      const input = uploadStorage(ctx, new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 'ggml quantize values');
      owned.push(input);
      // New buffers are zero-filled, which the kernel's atomicOr relies on.
      const blocks = createBuffer(ctx, plan.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, `ggml ${typeName} blocks`);
      owned.push(blocks);
      const weights = opts.importance ? uploadStorage(ctx, new Uint8Array(opts.importance.buffer, opts.importance.byteOffset, opts.importance.byteLength), 'ggml importance') : createBuffer(ctx, 4, GPUBufferUsage.STORAGE, 'ggml importance (unused)');
      owned.push(weights);
      const encoder = ctx.device.createCommandEncoder({ label: 'ggml quantize' });
      encodeQuantizeGgml(ctx, plan, pipeline, encoder, { params, input, blocks, importance: weights });
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [{ buffer: blocks, byteLength: plan.byteLength }]);
    } finally {
      destroyBuffers(...owned);
    }
  });
  throwIfAborted(opts.signal);
  return out;
}
