// Wrapper for shaders/quant/rtn.wgsl: round-to-nearest quantization of one weight on the GPU,
// equal to quantizeRtnRef (src/quant/rtn.ts) up to rare ±1 codes at rounding ties where a GPU
// fuses w·(1/scale) + zp into one fma. Sizes are bytes unless named otherwise.
import shaderCode from '../../../shaders/quant/rtn.wgsl?raw';
import roundHalfAway from '../../../shaders/common/round-half-away.wgsl?raw';
import divRn from '../../../shaders/common/div-rn.wgsl?raw';
import groupParams from '../../../shaders/common/group-params.wgsl?raw';
import { f16BitsToF32 } from '../../core/float16';
import { GpuLimitError, ShapeError, throwIfAborted } from '../../core/errors';
import type { WeightLayout } from '../../core/model-index';
import { type IntGroupTensor, type RtnSettings, storedBitsFor } from '../../core/compressed-tensor';
import { RTN_BITS } from '../../core/recipe';
import { groupSizeOf, packBlockOf, PACK_BLOCKS } from '../../quant/rtn';
import { createBuffer, destroyBuffers, passByteLimit, readBuffers, uniformBuffer, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';
import { encodeSumPairs, sumPairsPipeline } from '../reduce/sum-pairs';
import { rowSlice, rowsPerSlice } from './row-slices';

/** The kernel with its common/ helpers prepended. */
export const RTN_SHADER = withHelpers(shaderCode, {
  'common/round-half-away.wgsl': roundHalfAway,
  'common/div-rn.wgsl': divRn,
  'common/group-params.wgsl': groupParams,
});

const NO_BAD_ELEMENT = 0xffffffff;
const MAX_WG_SIZE = 256;

/**
 * [WG_SIZE, GROUP_THREADS]: a block is small, one invocation each. A per-channel row is long: 64
 * lanes split it by words, or, for [K, N] storage (row_fastest), 32 lanes × 8 neighbouring rows so
 * each read covers 8 consecutive floats (a 32-byte sector) and there are enough invocations.
 */
function threadShape(scheme: RtnSettings, rowFastest: boolean): [number, number] {
  if (scheme.group !== 'per-channel') return [64, 1];
  return rowFastest ? [MAX_WG_SIZE, 32] : [64, 64];
}

export interface RtnGpuInput {
  /** W in storage order, little-endian f32 or f16. */
  bytes: Uint8Array;
  dtype: 'f32' | 'f16';
  layout: WeightLayout;
}

/** Everything about one quantization that does not depend on the weight values. */
export interface RtnGpuPlan {
  layout: WeightLayout;
  dtype: 'f32' | 'f16';
  scheme: RtnSettings;
  storedBits: 2 | 4 | 8;
  groupSize: number;
  packBlock: number;
  groupsPerRow: number;
  paddedCols: number;
  /** Total groups (scale entries). */
  groups: number;
  inputBytes: number;
  codesBytes: number;
  /** Invocations sharing one group (see threadShape). */
  groupThreads: number;
  rowFastest: boolean;
  dispatch: [number, number];
  constants: Record<string, number>;
}

export interface RtnGpuBuffers {
  params: GPUBuffer;
  codes: GPUBuffer;
  scales: GPUBuffer;
  zeroPoints: GPUBuffer;
  partials: GPUBuffer;
  status: GPUBuffer;
}

/** Checks shapes, scheme and device limits and sizes everything; touches no GPU object. */
export function planRtnGpu(ctx: GpuContext, dtype: 'f32' | 'f16', byteLength: number, layout: WeightLayout, scheme: RtnSettings): RtnGpuPlan {
  const { rows, cols, rowStride, colStride } = layout;
  if (!(RTN_BITS as readonly number[]).includes(scheme.bits)) throw new ShapeError(`RTN bits must be ${RTN_BITS.join(', ')}, got ${scheme.bits}`);
  if (scheme.group !== 'per-channel' && !(PACK_BLOCKS as readonly number[]).includes(scheme.group)) {
    throw new ShapeError(`RTN group size must be one of ${PACK_BLOCKS.join(', ')} or 'per-channel', got ${scheme.group}`);
  }
  for (const [name, v, min] of [['rows', rows, 1], ['cols', cols, 1], ['rowStride', rowStride, 0], ['colStride', colStride, 0]] as const) {
    if (!Number.isSafeInteger(v) || v < min) throw new ShapeError(`weight layout ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  const elementBytes = dtype === 'f16' ? 2 : 4;
  if (dtype !== 'f32' && dtype !== 'f16') throw new ShapeError(`GPU RTN reads f32 or f16 weights, got ${String(dtype)}`);
  if (byteLength % elementBytes !== 0) {
    throw new ShapeError(`weight bytes (${byteLength}) are not a whole number of ${dtype} elements`);
  }
  const numel = byteLength / elementBytes;
  const lastIndex = (rows - 1) * rowStride + (cols - 1) * colStride;
  if (lastIndex >= numel) {
    throw new ShapeError(
      `weight layout ${rows}×${cols} (strides ${rowStride}, ${colStride}) reaches stored element ${lastIndex}, ` +
        `but the tensor has ${numel} elements`,
      { rows, cols, numel },
    );
  }
  const storedBits = storedBitsFor(scheme.bits);
  const groupSize = groupSizeOf(scheme, cols);
  const packBlock = packBlockOf(scheme, cols);
  const groupsPerRow = Math.ceil(cols / groupSize);
  const paddedCols = Math.ceil(cols / packBlock) * packBlock;
  const groups = rows * groupsPerRow;
  const inputBytes = Math.ceil(byteLength / 4) * 4;
  const codesBytes = (rows * paddedCols * storedBits) / 8;
  const { maxStorageBufferBindingSize: maxBinding, maxBufferSize } = ctx.limits;
  const largest = Math.max(inputBytes, codesBytes, groups * 8);
  if (largest > maxBinding || largest > maxBufferSize) {
    throw new GpuLimitError(
      `a ${rows}×${cols} ${dtype} weight needs a ${largest}-byte GPU buffer, but this GPU binds at most ` +
        `${Math.min(maxBinding, maxBufferSize)} bytes (maxStorageBufferBindingSize); split the tensor or use a GPU with larger limits`,
      { bytes: largest, maxStorageBufferBindingSize: maxBinding },
    );
  }
  if (lastIndex > 0xffffffff || groups * MAX_WG_SIZE > 0xffffffff) {
    throw new GpuLimitError(`a ${rows}×${cols} weight is too large to index with 32-bit GPU integers; split the tensor`);
  }
  const rowFastest = rows > 1 && rowStride < colStride;
  const [wgSize, groupThreads] = threadShape(scheme, rowFastest);
  const dispatch = dispatchGrid(
    Math.ceil((groups * groupThreads) / wgSize),
    ctx.limits.maxComputeWorkgroupsPerDimension,
    `quantizing a ${rows}×${cols} weight`,
  );
  return {
    layout, dtype, scheme, storedBits, groupSize, packBlock, groupsPerRow, paddedCols, groups, inputBytes, codesBytes,
    groupThreads, rowFastest, dispatch,
    constants: {
      WG_SIZE: wgSize,
      GROUP_THREADS: groupThreads,
      BITS: scheme.bits,
      SYMMETRIC: scheme.symmetric ? 1 : 0,
      INPUT_F16: dtype === 'f16' ? 1 : 0,
    },
  };
}

/** Params in struct order (shaders/quant/rtn.wgsl `Params`). */
function packParams(plan: RtnGpuPlan): ['u32', number][] {
  const { rows, cols, rowStride, colStride } = plan.layout;
  return [
    ['u32', rows],
    ['u32', cols],
    ['u32', rowStride],
    ['u32', colStride],
    ['u32', plan.groupSize],
    ['u32', plan.groupsPerRow],
    ['u32', plan.paddedCols],
    ['u32', plan.rowFastest ? 1 : 0],
  ];
}

function layoutOf(ctx: GpuContext): GPUBindGroupLayout {
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  return ctx.pipelines.layout('quant/rtn', [
    storage(0, 'uniform'),
    storage(1, 'read-only-storage'),
    storage(2, 'storage'),
    storage(3, 'storage'),
    storage(4, 'storage'),
    storage(5, 'storage'),
    storage(6, 'storage'),
  ]);
}

/** The compiled pipeline for a plan's variant (cached on the context). */
export function rtnPipeline(ctx: GpuContext, plan: RtnGpuPlan): Promise<GPUComputePipeline> {
  return ctx.pipelines.pipeline('quant/rtn', RTN_SHADER, layoutOf(ctx), plan.constants);
}

/** Output buffers (STORAGE | COPY_SRC) and params for one plan; status starts at "no bad element". */
export function createRtnBuffers(ctx: GpuContext, plan: RtnGpuPlan): RtnGpuBuffers {
  const out = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const status = createBuffer(ctx, 4, out | GPUBufferUsage.COPY_DST, 'rtn status');
  ctx.device.queue.writeBuffer(status, 0, new Uint32Array([NO_BAD_ELEMENT]));
  return {
    params: uniformBuffer(ctx, packParams(plan), 'rtn params'),
    codes: createBuffer(ctx, plan.codesBytes, out, 'rtn codes'),
    scales: createBuffer(ctx, plan.groups * 4, out, 'rtn scales'),
    zeroPoints: createBuffer(ctx, plan.groups * 4, out, 'rtn zero points'),
    partials: createBuffer(ctx, plan.groups * 8, out, 'rtn error partials'),
    status,
  };
}

/** Encodes one quantization pass reading `input` (the stored weight, STORAGE usage). */
export function encodeRtn(
  ctx: GpuContext,
  plan: RtnGpuPlan,
  pipeline: GPUComputePipeline,
  encoder: GPUCommandEncoder,
  input: GPUBuffer,
  buffers: RtnGpuBuffers,
): void {
  const bindGroup = ctx.device.createBindGroup({
    label: 'rtn',
    layout: layoutOf(ctx),
    entries: [
      { binding: 0, resource: { buffer: buffers.params } },
      { binding: 1, resource: { buffer: input, size: plan.inputBytes } },
      { binding: 2, resource: { buffer: buffers.codes } },
      { binding: 3, resource: { buffer: buffers.scales } },
      { binding: 4, resource: { buffer: buffers.zeroPoints } },
      { binding: 5, resource: { buffer: buffers.partials } },
      { binding: 6, resource: { buffer: buffers.status } },
    ],
  });
  const pass = encoder.beginComputePass({ label: 'rtn' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(plan.dispatch[0], plan.dispatch[1]);
  pass.end();
}

/**
 * Quantizes one weight (stored as `input.bytes`, mapped to W[rows][cols] by `input.layout`) with an
 * RTN scheme on the GPU. Same result as quantizeRtnRef; a non-finite weight raises ShapeError. A
 * weight whose buffers pass the device's binding limit goes in slices of whole rows (row-slices.ts):
 * the same codes, scales and zero points, the error summed over the slices.
 */
export async function quantizeRtnGpu(
  ctx: GpuContext,
  input: RtnGpuInput,
  scheme: RtnSettings,
  opts: { signal?: AbortSignal } = {},
): Promise<IntGroupTensor> {
  const unbound = { ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: Infinity, maxBufferSize: Infinity } };
  const whole = planRtnGpu(unbound, input.dtype, input.bytes.byteLength, input.layout, scheme); // shapes and scheme, for the whole weight
  const limit = passByteLimit(ctx);
  const { rows, cols } = input.layout;
  const elementBytes = input.dtype === 'f16' ? 2 : 4;
  const largest = Math.max(whole.inputBytes, whole.codesBytes, whole.groups * 8);
  if (largest <= limit) {
    const pass = await rtnPass(ctx, planRtnGpu(ctx, input.dtype, input.bytes.byteLength, input.layout, scheme), input, opts.signal);
    if (pass.badElement !== NO_BAD_ELEMENT) throw nonFiniteError(input, pass.badElement);
    return rtnTensor(whole, pass.codes, pass.scales, pass.zeroPoints, pass.errSq, pass.normSq);
  }
  const perRow = [cols * elementBytes, (whole.paddedCols * whole.storedBits) / 8, whole.groupsPerRow * 8];
  const sliceRows = rowsPerSlice(limit, perRow, 3); // 3: a slice's input is rounded up to whole words
  if (sliceRows === 0) {
    throw new GpuLimitError(
      `a ${rows}×${cols} ${input.dtype} weight: one row needs a ${Math.max(...perRow)}-byte GPU buffer, but this GPU binds at most ${limit} bytes (maxStorageBufferBindingSize)`,
      { bytes: Math.max(...perRow), maxStorageBufferBindingSize: limit },
    );
  }
  const rowCodeBytes = (whole.paddedCols * whole.storedBits) / 8;
  const codes = new Uint8Array(whole.codesBytes);
  const scales = new Float32Array(whole.groups);
  const zeroPoints = new Uint8Array(whole.groups);
  let errSq = 0;
  let normSq = 0;
  for (let row = 0; row < rows; row += sliceRows) {
    const slice = rowSlice(input.bytes, elementBytes, input.layout, row, Math.min(sliceRows, rows - row));
    const plan = planRtnGpu(ctx, input.dtype, slice.bytes.byteLength, slice.layout, scheme);
    const pass = await rtnPass(ctx, plan, { ...input, bytes: slice.bytes, layout: slice.layout }, opts.signal);
    if (pass.badElement !== NO_BAD_ELEMENT) throw nonFiniteError(input, slice.sourceElement(pass.badElement));
    codes.set(pass.codes, row * rowCodeBytes);
    scales.set(pass.scales, row * whole.groupsPerRow);
    zeroPoints.set(pass.zeroPoints, row * whole.groupsPerRow);
    errSq += pass.errSq;
    normSq += pass.normSq;
  }
  return rtnTensor(whole, codes, scales, zeroPoints, errSq, normSq);
}

/** What one GPU pass of quantizeRtnGpu reads back. */
interface RtnPassResult {
  codes: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array;
  errSq: number;
  normSq: number;
  /** The first non-finite stored element, or NO_BAD_ELEMENT. */
  badElement: number;
}

/** One GPU pass over a weight whose buffers fit the device's limits (`plan` was made for it). */
async function rtnPass(ctx: GpuContext, plan: RtnGpuPlan, input: RtnGpuInput, signal: AbortSignal | undefined): Promise<RtnPassResult> {
  throwIfAborted(signal);
  const { rows, cols } = input.layout;
  const [pipeline, sumPipeline] = await Promise.all([rtnPipeline(ctx, plan), sumPairsPipeline(ctx)]);
  throwIfAborted(signal);
  const read = await withGpuErrorScopes(ctx, `quantizing a ${rows}×${cols} weight`, async () => {
    const owned: GPUBuffer[] = [];
    try {
      const weights = uploadStorage(ctx, input.bytes, 'rtn weights');
      owned.push(weights);
      const buffers = createRtnBuffers(ctx, plan);
      owned.push(...Object.values(buffers));
      const encoder = ctx.device.createCommandEncoder({ label: 'rtn' });
      encodeRtn(ctx, plan, pipeline, encoder, weights, buffers);
      const sum = encodeSumPairs(ctx, sumPipeline, encoder, buffers.partials, plan.groups);
      owned.push(...sum.created);
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [
        { buffer: buffers.codes, byteLength: plan.codesBytes },
        { buffer: buffers.scales, byteLength: plan.groups * 4 },
        { buffer: buffers.zeroPoints, byteLength: plan.groups * 4 },
        { buffer: sum.total, byteLength: 8 },
        { buffer: buffers.status, byteLength: 4 },
      ]);
    } finally {
      destroyBuffers(...owned);
    }
  });
  throwIfAborted(signal);
  const [codes, scaleBytes, zpBytes, totalBytes, statusBytes] = read;
  const [errSq, normSq] = new Float32Array(totalBytes.buffer);
  return {
    codes,
    scales: new Float32Array(scaleBytes.buffer),
    zeroPoints: Uint8Array.from(new Uint32Array(zpBytes.buffer)),
    errSq,
    normSq,
    badElement: new Uint32Array(statusBytes.buffer)[0],
  };
}

/** The error for a non-finite weight at stored element `element` of the whole input. */
function nonFiniteError(input: RtnGpuInput, element: number): ShapeError {
  const v = readElement(input, element);
  return new ShapeError(`weight has a non-finite value (${v}) at stored element ${element}; cannot quantize`, { element });
}

/** The quantized weight of `plan` (made for the whole weight) from its read-back parts. */
function rtnTensor(plan: RtnGpuPlan, codes: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array, errSq: number, normSq: number): IntGroupTensor {
  const { rows, cols } = plan.layout;
  return {
    kind: 'int-groups',
    rows,
    cols,
    bits: plan.scheme.bits,
    storedBits: plan.storedBits,
    symmetric: plan.scheme.symmetric,
    groupSize: plan.groupSize,
    packBlock: plan.packBlock,
    codes,
    scales,
    zeroPoints,
    relError: normSq === 0 ? 0 : Math.sqrt(errSq / normSq),
  };
}

function readElement(input: RtnGpuInput, element: number): number {
  const view = new DataView(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  if (input.dtype === 'f32') return view.getFloat32(element * 4, true);
  return f16BitsToF32(view.getUint16(element * 2, true));
}
