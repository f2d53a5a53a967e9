// Structured channel pruning of one MLP weight W[rows = out][cols = in] on the GPU, read in its storage
// layout and dtype: Σ W² per channel (shaders/prune/channel-sum-squares.wgsl) and the kept rows or
// columns as row-major float32 (shaders/prune/channel-gather.wgsl); bit for bit channelSumSquaresRef
// and gatherChannelsRef (src/quant/prune/channels.ts). Sizes are bytes unless named otherwise.
import sumSquaresCode from '../../../shaders/prune/channel-sum-squares.wgsl?raw';
import gatherCode from '../../../shaders/prune/channel-gather.wgsl?raw';
import f16Bits from '../../../shaders/ggml/common/f16-bits.wgsl?raw';
import { f16BitsToF32 } from '../../core/float16';
import { GpuLimitError, ShapeError, throwIfAborted } from '../../core/errors';
import type { WeightLayout } from '../../core/model-index';
import { type ChannelAxis, channelCount, checkChannelAxis, checkKeptChannels } from '../../quant/prune/channels';
import { nonFiniteWeightError } from '../../quant/prune/prune-select';
import {
  createBuffer,
  destroyBuffers,
  readBuffers,
  type ReadbackRange,
  uniformBuffer,
  uploadStorage,
  withGpuErrorScopes,
} from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';

/** The kernels with their helpers prepended. */
export const CHANNEL_SUM_SQUARES_SHADER = withHelpers(sumSquaresCode, { 'ggml/common/f16-bits.wgsl': f16Bits });
export const CHANNEL_GATHER_SHADER = withHelpers(gatherCode, { 'ggml/common/f16-bits.wgsl': f16Bits });

const WG_SIZE = 64;
/** Storage buffers each kernel binds (checked against maxStorageBuffersPerShaderStage). */
export const CHANNEL_STORAGE_BUFFERS = 3;
const NO_BAD_ELEMENT = 0xffffffff;
const U32_MAX = 0xffffffff;

export interface ChannelGpuInput {
  /** W in storage order, little-endian f32 or f16. */
  bytes: Uint8Array;
  dtype: 'f32' | 'f16';
  layout: WeightLayout;
}

/** What a channel kernel binds, checked against the device before anything is created. */
export interface ChannelGpuPlan {
  /** Channels along the axis: rows ('rows') or cols ('cols'). */
  channels: number;
  /** Bound bytes of the stored weight (a multiple of 4). */
  inputBytes: number;
  /** Bytes of the result: channels·4 (sums) or out_rows·out_cols·4 (gather). */
  outputBytes: number;
  /** Workgroups in x and y. */
  dispatch: [number, number];
}

/** Checks the layout against the bytes, the dtype and the axis; returns the bound input bytes. */
function checkInput(input: ChannelGpuInput, axis: ChannelAxis): number {
  const { rows, cols, rowStride, colStride } = input.layout;
  for (const [name, v, min] of [['rows', rows, 1], ['cols', cols, 1], ['rowStride', rowStride, 0], ['colStride', colStride, 0]] as const) {
    if (!Number.isSafeInteger(v) || v < min) throw new ShapeError(`weight layout ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  if (input.dtype !== 'f32' && input.dtype !== 'f16') {
    throw new ShapeError(`GPU channel pruning reads f32 or f16 weights, got ${String(input.dtype)}`);
  }
  checkChannelAxis(axis);
  const byteLength = input.bytes.byteLength;
  const elementBytes = input.dtype === 'f16' ? 2 : 4;
  if (byteLength % elementBytes !== 0) throw new ShapeError(`weight bytes (${byteLength}) are not a whole number of ${input.dtype} elements`);
  const numel = byteLength / elementBytes;
  const lastIndex = (rows - 1) * rowStride + (cols - 1) * colStride;
  if (lastIndex >= numel) {
    throw new ShapeError(
      `weight layout ${rows}×${cols} (strides ${rowStride}, ${colStride}) reaches stored element ${lastIndex}, ` +
        `but the tensor has ${numel} elements`,
      { rows, cols, numel },
    );
  }
  if (rows * cols > U32_MAX || lastIndex > U32_MAX) {
    throw new GpuLimitError(`a ${rows}×${cols} weight is too large to index with 32-bit GPU integers; split the tensor`, { rows, cols });
  }
  return Math.ceil(byteLength / 4) * 4;
}

/** GpuLimitError unless every buffer binds and the kernel's storage buffers fit one stage. */
function checkLimits(ctx: GpuContext, what: string, bufferBytes: number[]): void {
  const { maxStorageBufferBindingSize: maxBinding, maxBufferSize } = ctx.limits;
  const largest = Math.max(...bufferBytes);
  if (largest > maxBinding || largest > maxBufferSize) {
    throw new GpuLimitError(
      `${what} needs a ${largest}-byte GPU buffer, but this GPU binds at most ${Math.min(maxBinding, maxBufferSize)} bytes ` +
        '(maxStorageBufferBindingSize); split the tensor or use a GPU with larger limits',
      { bytes: largest, maxStorageBufferBindingSize: maxBinding },
    );
  }
  if (ctx.limits.maxStorageBuffersPerShaderStage < CHANNEL_STORAGE_BUFFERS) {
    throw new GpuLimitError(
      `GPU channel pruning binds ${CHANNEL_STORAGE_BUFFERS} storage buffers, but this GPU allows ` +
        `${ctx.limits.maxStorageBuffersPerShaderStage} per shader stage`,
    );
  }
}

/** Checks shapes and device limits for channelSumSquaresGpu and sizes it; touches no GPU object. */
export function planChannelSumSquaresGpu(ctx: GpuContext, input: ChannelGpuInput, axis: ChannelAxis): ChannelGpuPlan {
  const inputBytes = checkInput(input, axis);
  const { rows, cols } = input.layout;
  const channels = channelCount(rows, cols, axis);
  const what = `scoring the ${channels} channels of a ${rows}×${cols} ${input.dtype} weight`;
  checkLimits(ctx, what, [inputBytes, channels * 4]);
  const dispatch = dispatchGrid(Math.ceil(channels / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, what);
  return { channels, inputBytes, outputBytes: channels * 4, dispatch };
}

/** Checks shapes, `kept` and device limits for gatherChannelsGpu and sizes it; touches no GPU object. */
export function planGatherChannelsGpu(ctx: GpuContext, input: ChannelGpuInput, axis: ChannelAxis, kept: Uint32Array): ChannelGpuPlan {
  const inputBytes = checkInput(input, axis);
  const { rows, cols } = input.layout;
  const channels = channelCount(rows, cols, axis);
  checkKeptChannels(kept, channels);
  const what = `gathering ${kept.length} of the ${channels} channels of a ${rows}×${cols} ${input.dtype} weight`;
  const outputBytes = (axis === 'rows' ? kept.length * cols : rows * kept.length) * 4;
  checkLimits(ctx, what, [inputBytes, outputBytes, kept.length * 4]);
  const dispatch = dispatchGrid(Math.ceil(outputBytes / 4 / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, what);
  return { channels, inputBytes, outputBytes, dispatch };
}

function layoutOf(ctx: GpuContext, key: string, third: GPUBufferBindingType): GPUBindGroupLayout {
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  return ctx.pipelines.layout(key, [entry(0, 'uniform'), entry(1, 'read-only-storage'), entry(2, third), entry(3, 'storage')]);
}

const SUM_KEY = 'prune/channel-sum-squares';
const GATHER_KEY = 'prune/channel-gather';
const sumLayout = (ctx: GpuContext) => layoutOf(ctx, SUM_KEY, 'storage');
const gatherLayout = (ctx: GpuContext) => layoutOf(ctx, GATHER_KEY, 'read-only-storage');

/** The compiled Σ W² variant for an input dtype and axis (cached on the context). */
export function channelSumSquaresPipeline(ctx: GpuContext, dtype: 'f32' | 'f16', axis: ChannelAxis): Promise<GPUComputePipeline> {
  return ctx.pipelines.pipeline(SUM_KEY, CHANNEL_SUM_SQUARES_SHADER, sumLayout(ctx), {
    WG_SIZE,
    INPUT_F16: dtype === 'f16' ? 1 : 0,
    AXIS_ROWS: axis === 'rows' ? 1 : 0,
  });
}

/** The compiled gather variant for an input dtype and axis (cached on the context). */
export function gatherChannelsPipeline(ctx: GpuContext, dtype: 'f32' | 'f16', axis: ChannelAxis): Promise<GPUComputePipeline> {
  return ctx.pipelines.pipeline(GATHER_KEY, CHANNEL_GATHER_SHADER, gatherLayout(ctx), {
    WG_SIZE,
    INPUT_F16: dtype === 'f16' ? 1 : 0,
    AXIS_ROWS: axis === 'rows' ? 1 : 0,
  });
}

/** Params in struct order (shaders/prune/channel-sum-squares.wgsl `Params`). */
function packSumParams(layout: WeightLayout): ['u32', number][] {
  return [
    ['u32', layout.rows],
    ['u32', layout.cols],
    ['u32', layout.rowStride],
    ['u32', layout.colStride],
    ['u32', 0], // opaque_zero
  ];
}

/** Params in struct order (shaders/prune/channel-gather.wgsl `Params`). */
function packGatherParams(layout: WeightLayout, axis: ChannelAxis, kept: number): ['u32', number][] {
  const outRows = axis === 'rows' ? kept : layout.rows;
  // Walk the output rows first when W is stored [cols][rows] (rowStride < colStride), so reads coalesce.
  const rowFastest = outRows > 1 && layout.rowStride < layout.colStride;
  return [
    ['u32', outRows],
    ['u32', axis === 'rows' ? layout.cols : kept],
    ['u32', layout.rowStride],
    ['u32', layout.colStride],
    ['u32', rowFastest ? 1 : 0],
  ];
}

/** Bindings 2 and 3 of a pass, and what to read back after it. */
interface PassBuffers {
  binding2: GPUBuffer;
  binding3: GPUBuffer;
  read: ReadbackRange[];
}

/** One kernel's pass: its label, compiled variant, bind-group layout and packed Params. */
interface PassKernel {
  label: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  params: ['u32', number][];
}

/**
 * Uploads W, creates the pass's other buffers with `make` (its `own` marks each for destruction),
 * runs the kernel once over bindings 0–3 and returns the ranges read back; `what` names the work
 * in error messages.
 */
async function runPass(
  ctx: GpuContext,
  what: string,
  kernel: PassKernel,
  input: ChannelGpuInput,
  plan: ChannelGpuPlan,
  make: (own: (b: GPUBuffer) => GPUBuffer) => PassBuffers,
): Promise<Uint8Array<ArrayBuffer>[]> {
  const { label, pipeline, layout, params } = kernel;
  return withGpuErrorScopes(ctx, what, async () => {
    const owned: GPUBuffer[] = [];
    const own = (b: GPUBuffer) => {
      owned.push(b);
      return b;
    };
    try {
      const weights = own(uploadStorage(ctx, input.bytes, 'channel weights'));
      const uniforms = own(uniformBuffer(ctx, params, `${label} params`));
      const buffers = make(own);
      const bindGroup = ctx.device.createBindGroup({
        label,
        layout,
        entries: [
          { binding: 0, resource: { buffer: uniforms } },
          { binding: 1, resource: { buffer: weights, size: plan.inputBytes } },
          { binding: 2, resource: { buffer: buffers.binding2 } },
          { binding: 3, resource: { buffer: buffers.binding3 } },
        ],
      });
      const encoder = ctx.device.createCommandEncoder({ label: what });
      const pass = encoder.beginComputePass({ label });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...plan.dispatch);
      pass.end();
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, buffers.read);
    } finally {
      destroyBuffers(...owned);
    }
  });
}

/** Usage of a buffer that a kernel writes and the host reads back. */
const readableUsage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/**
 * Σ W² of every channel (rows of W for 'rows', columns for 'cols') of one weight stored as
 * `input.bytes`, as float32: bit for bit channelSumSquaresRef on the decoded row-major W. A non-finite
 * weight raises the reference's ShapeError (the lowest row-major one); an aborted signal raises
 * CancelledError before the GPU, after compiling and after the readback.
 */
export async function channelSumSquaresGpu(
  ctx: GpuContext,
  input: ChannelGpuInput,
  axis: ChannelAxis,
  signal?: AbortSignal,
): Promise<Float32Array<ArrayBuffer>> {
  const plan = planChannelSumSquaresGpu(ctx, input, axis);
  throwIfAborted(signal);
  const pipeline = await channelSumSquaresPipeline(ctx, input.dtype, axis);
  throwIfAborted(signal);
  const { rows, cols } = input.layout;
  const what = `scoring the ${plan.channels} channels of a ${rows}×${cols} weight`;
  const kernel = { label: 'channel-sum-squares', pipeline, layout: sumLayout(ctx), params: packSumParams(input.layout) };
  const [sumBytes, statusBytes] = await runPass(ctx, what, kernel, input, plan, (own) => {
    const sums = own(createBuffer(ctx, plan.outputBytes, readableUsage(), 'channel sums'));
    const status = own(createBuffer(ctx, 4, readableUsage(), 'channel status'));
    ctx.device.queue.writeBuffer(status, 0, new Uint32Array([NO_BAD_ELEMENT]));
    const read = [
      { buffer: sums, byteLength: plan.outputBytes },
      { buffer: status, byteLength: 4 },
    ];
    return { binding2: sums, binding3: status, read };
  });
  const bad = new Uint32Array(statusBytes.buffer)[0];
  if (bad !== NO_BAD_ELEMENT) {
    const r = Math.floor(bad / cols);
    const c = bad % cols;
    throw nonFiniteWeightError(readElement(input, r * input.layout.rowStride + c * input.layout.colStride), r, c);
  }
  throwIfAborted(signal);
  return new Float32Array(sumBytes.buffer);
}

/**
 * The kept channels of one weight stored as `input.bytes`, row-major float32: [kept.length][cols]
 * for 'rows', [rows][kept.length] for 'cols'; bit for bit gatherChannelsRef. `kept` must be strictly
 * ascending and in range (ShapeError); an aborted signal raises CancelledError as channelSumSquaresGpu.
 */
export async function gatherChannelsGpu(
  ctx: GpuContext,
  input: ChannelGpuInput,
  axis: ChannelAxis,
  kept: Uint32Array,
  signal?: AbortSignal,
): Promise<Float32Array<ArrayBuffer>> {
  const plan = planGatherChannelsGpu(ctx, input, axis, kept);
  throwIfAborted(signal);
  const pipeline = await gatherChannelsPipeline(ctx, input.dtype, axis);
  throwIfAborted(signal);
  const { rows, cols } = input.layout;
  const what = `gathering ${kept.length} of the ${plan.channels} channels of a ${rows}×${cols} weight`;
  const keptBytes = new Uint8Array(kept.buffer, kept.byteOffset, kept.byteLength);
  const kernel = { label: 'channel-gather', pipeline, layout: gatherLayout(ctx), params: packGatherParams(input.layout, axis, kept.length) };
  const [outBytes] = await runPass(ctx, what, kernel, input, plan, (own) => {
    const keptBuffer = own(uploadStorage(ctx, keptBytes, 'kept channels'));
    const out = own(createBuffer(ctx, plan.outputBytes, readableUsage(), 'gathered channels'));
    return { binding2: keptBuffer, binding3: out, read: [{ buffer: out, byteLength: plan.outputBytes }] };
  });
  throwIfAborted(signal);
  return new Float32Array(outBytes.buffer);
}

function readElement(input: ChannelGpuInput, element: number): number {
  const view = new DataView(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  if (input.dtype === 'f32') return view.getFloat32(element * 4, true);
  return f16BitsToF32(view.getUint16(element * 2, true));
}
