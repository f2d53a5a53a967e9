// Wrapper for shaders/prune/row-select.wgsl: the per-row cut of unstructured pruning with scope
// 'row' (one workgroup per row runs the radix select of radix-select.ts in workgroup memory); the
// k-th entry of each row's order in pruneMaskRef (src/quant/prune/prune-select.ts). Sizes are bytes.
import shaderCode from '../../../shaders/prune/row-select.wgsl?raw';
import { createBuffer, uniformBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { indexDigitsOf, SELECT_STATE_BYTES } from './radix-select';

export const ROW_SELECT_SHADER = shaderCode;
export const ROW_SELECT_WG_SIZE = 256;

/** One workgroup per row (GpuLimitError past maxComputeWorkgroupsPerDimension²). */
export function rowSelectDispatch(ctx: GpuContext, rows: number): [number, number] {
  return dispatchGrid(rows, ctx.limits.maxComputeWorkgroupsPerDimension, `selecting the pruning threshold of ${rows} rows`);
}

/** Params in struct order (shaders/prune/row-select.wgsl `Params`). */
function packParams(rows: number, cols: number, k: number): ['u32', number][] {
  return [
    ['u32', rows],
    ['u32', cols],
    ['u32', k],
    ['u32', indexDigitsOf(cols)],
  ];
}

function layoutOf(ctx: GpuContext): GPUBindGroupLayout {
  return ctx.pipelines.layout('prune/row-select', [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
    { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
  ]);
}

export function rowSelectPipeline(ctx: GpuContext): Promise<GPUComputePipeline> {
  return ctx.pipelines.pipeline('prune/row-select', shaderCode, layoutOf(ctx), { WG_SIZE: ROW_SELECT_WG_SIZE });
}

/**
 * Encodes the per-row select of the k-th (1 ≤ k < cols) smallest key of every row. Returns the cut
 * buffer (Select [rows], STORAGE) followed by every buffer created (destroy them after the submission).
 */
export function encodeRowSelect(
  ctx: GpuContext,
  pipeline: GPUComputePipeline,
  encoder: GPUCommandEncoder,
  keys: GPUBuffer,
  rows: number,
  cols: number,
  k: number,
): { state: GPUBuffer; created: GPUBuffer[] } {
  const state = createBuffer(ctx, rows * SELECT_STATE_BYTES, GPUBufferUsage.STORAGE, 'prune row cuts');
  const params = uniformBuffer(ctx, packParams(rows, cols, k), 'row-select params');
  const [x, y] = rowSelectDispatch(ctx, rows);
  const pass = encoder.beginComputePass({ label: 'row-select' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, ctx.device.createBindGroup({
    label: 'row-select',
    layout: layoutOf(ctx),
    entries: [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: keys } },
      { binding: 2, resource: { buffer: state } },
    ],
  }));
  pass.dispatchWorkgroups(x, y);
  pass.end();
  return { state, created: [state, params] };
}
