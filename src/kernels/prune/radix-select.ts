// Wrapper for shaders/prune/radix-histogram.wgsl + radix-select.wgsl: the per-tensor cut of
// unstructured pruning, i.e. the k-th smallest composite key (score bits, row-major index), found on
// the GPU by 8-bit radix-select passes (a histogram, then a pick) instead of a sort. Equal to the
// k-th entry of pruneMaskRef's order (src/quant/prune/prune-select.ts). Sizes are bytes.
import histogramCode from '../../../shaders/prune/radix-histogram.wgsl?raw';
import selectCode from '../../../shaders/prune/radix-select.wgsl?raw';
import { createBuffer, uniformBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';

export const RADIX_HISTOGRAM_SHADER = histogramCode;
export const RADIX_SELECT_SHADER = selectCode;

/** WGSL `Select`: prefix_key, prefix_index, rank, done (u32 each). */
export const SELECT_STATE_BYTES = 16;
export const RADIX_BINS = 256;
export const HISTOGRAM_WG_SIZE = 256;
const ITEMS_PER_THREAD = 16;
const SELECT_WG_SIZE = 1;

/** One 8-bit digit of the 64-bit composite key (score bits above, index below). */
export interface RadixDigit {
  fromIndex: boolean;
  shift: number;
  /** Score bits chosen before this digit. */
  keyMask: number;
  /** Index bits chosen before this digit. */
  indexMask: number;
}

/** 8-bit digits needed for indices 0 … count − 1. */
export function indexDigitsOf(count: number): number {
  let bits = 0;
  for (let v = count - 1; v > 0; v = Math.floor(v / 2)) bits++;
  return Math.ceil(bits / 8);
}

/** Mask of the bits at and above `bit` (0 when bit ≥ 32), as a u32. */
function bitsFrom(bit: number): number {
  return bit >= 32 ? 0 : (0xffffffff << bit) >>> 0;
}

/** The digits, most significant first: 4 of the score bits, then those of the index. */
export function radixDigits(count: number): RadixDigit[] {
  const digits: RadixDigit[] = [];
  for (const shift of [24, 16, 8, 0]) digits.push({ fromIndex: false, shift, keyMask: bitsFrom(shift + 8), indexMask: 0 });
  for (let d = indexDigitsOf(count) - 1; d >= 0; d--) {
    const shift = 8 * d;
    digits.push({ fromIndex: true, shift, keyMask: 0xffffffff, indexMask: bitsFrom(shift + 8) });
  }
  return digits;
}

/** Histogram workgroups for `count` elements (GpuLimitError past maxComputeWorkgroupsPerDimension²). */
export function radixHistogramDispatch(ctx: GpuContext, count: number): [number, number] {
  return dispatchGrid(
    Math.ceil(count / (HISTOGRAM_WG_SIZE * ITEMS_PER_THREAD)),
    ctx.limits.maxComputeWorkgroupsPerDimension,
    `selecting the pruning threshold of ${count} scores`,
  );
}

/** Params in struct order (the same `Params` in both shaders). */
function packParams(count: number, digit: RadixDigit): ['u32', number][] {
  return [
    ['u32', count],
    ['u32', digit.keyMask],
    ['u32', digit.indexMask],
    ['u32', digit.fromIndex ? 1 : 0],
    ['u32', digit.shift],
  ];
}

function histogramLayout(ctx: GpuContext): GPUBindGroupLayout {
  return ctx.pipelines.layout('prune/radix-histogram', [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
    { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
  ]);
}

function selectLayout(ctx: GpuContext): GPUBindGroupLayout {
  return ctx.pipelines.layout('prune/radix-select', [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
    { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
    { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
  ]);
}

export interface RadixSelectPipelines {
  histogram: GPUComputePipeline;
  select: GPUComputePipeline;
}

/** Both compiled pipelines (cached on the context). */
export async function radixSelectPipelines(ctx: GpuContext): Promise<RadixSelectPipelines> {
  const [histogram, select] = await Promise.all([
    ctx.pipelines.pipeline('prune/radix-histogram', histogramCode, histogramLayout(ctx), {
      WG_SIZE: HISTOGRAM_WG_SIZE,
      ITEMS_PER_THREAD,
    }),
    ctx.pipelines.pipeline('prune/radix-select', selectCode, selectLayout(ctx), { WG_SIZE: SELECT_WG_SIZE }),
  ]);
  return { histogram, select };
}

/** A Select state (STORAGE | COPY_SRC) ready for a search of the k-th (k ≥ 1) smallest key. */
export function createSelectState(ctx: GpuContext, k: number): GPUBuffer {
  const state = createBuffer(ctx, SELECT_STATE_BYTES, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, 'prune cut');
  ctx.device.queue.writeBuffer(state, 0, new Uint32Array([0, 0, k, 0]));
  return state;
}

/**
 * Encodes every histogram + pick pass over `count` keys; afterwards `state` (from createSelectState)
 * holds the cut. Returns the buffers it created (destroy them after the submission).
 */
export function encodeTensorSelect(
  ctx: GpuContext,
  pipelines: RadixSelectPipelines,
  encoder: GPUCommandEncoder,
  keys: GPUBuffer,
  state: GPUBuffer,
  count: number,
): GPUBuffer[] {
  const hist = createBuffer(ctx, RADIX_BINS * 4, GPUBufferUsage.STORAGE, 'prune radix histogram');
  const created: GPUBuffer[] = [hist];
  const [x, y] = radixHistogramDispatch(ctx, count);
  for (const digit of radixDigits(count)) {
    const params = uniformBuffer(ctx, packParams(count, digit), 'radix-select params');
    created.push(params);
    const pass = encoder.beginComputePass({ label: `radix-select digit ${digit.fromIndex ? 'index' : 'score'} >> ${digit.shift}` });
    pass.setPipeline(pipelines.histogram);
    pass.setBindGroup(0, ctx.device.createBindGroup({
      label: 'radix-histogram',
      layout: histogramLayout(ctx),
      entries: [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: keys } },
        { binding: 2, resource: { buffer: state } },
        { binding: 3, resource: { buffer: hist } },
      ],
    }));
    pass.dispatchWorkgroups(x, y);
    pass.setPipeline(pipelines.select);
    pass.setBindGroup(0, ctx.device.createBindGroup({
      label: 'radix-select',
      layout: selectLayout(ctx),
      entries: [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: hist } },
        { binding: 2, resource: { buffer: state } },
      ],
    }));
    pass.dispatchWorkgroups(1);
    pass.end();
  }
  return created;
}
