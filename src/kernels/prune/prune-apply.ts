// Wrapper for shaders/prune/prune-apply.wgsl: zeroes the pruned weights of the row-major copy,
// writes the packed mask (bit e % 32 of word ⌊e / 32⌋ = pruned) and counts the zeros, given the cut
// (unstructured) or the N:M group rule; as applyMaskRef ∘ pruneMaskRef (src/quant/prune/prune-select.ts).
import shaderCode from '../../../shaders/prune/prune-apply.wgsl?raw';
import { uniformBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';

export const PRUNE_APPLY_SHADER = shaderCode;
const WG_SIZE = 64;
/** Storage buffers the kernel binds. */
export const PRUNE_APPLY_STORAGE_BUFFERS = 5;

/** What decides a pruned element. */
export interface PruneApplyRule {
  nm: boolean;
  /** Elements per scope (tensor: rows·cols; row: cols); ignored for N:M. */
  scopeLength: number;
  /** Pruned per scope or per N:M group; 0 prunes nothing. */
  k: number;
  /** N:M group size (1 otherwise). */
  m: number;
}

export interface PruneApplyBuffers {
  keys: GPUBuffer;
  /** Select [scopes] from radix-select or row-select; any 16-byte buffer for N:M or k = 0. */
  state: GPUBuffer;
  values: GPUBuffer;
  mask: GPUBuffer;
  /** u32 [1], 0 before the pass. */
  zeros: GPUBuffer;
}

export function maskWordsOf(count: number): number {
  return Math.ceil(count / 32);
}

/** One invocation per mask word (GpuLimitError past maxComputeWorkgroupsPerDimension²). */
export function pruneApplyDispatch(ctx: GpuContext, count: number): [number, number] {
  return dispatchGrid(Math.ceil(maskWordsOf(count) / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, `pruning ${count} weights`);
}

/** Params in struct order (shaders/prune/prune-apply.wgsl `Params`). */
function packParams(rows: number, cols: number, rule: PruneApplyRule): ['u32', number][] {
  const count = rows * cols;
  return [
    ['u32', count],
    ['u32', cols],
    ['u32', rule.nm ? count : rule.scopeLength],
    ['u32', rule.k],
    ['u32', rule.m],
    ['u32', maskWordsOf(count)],
  ];
}

function layoutOf(ctx: GpuContext): GPUBindGroupLayout {
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  return ctx.pipelines.layout('prune/prune-apply', [
    entry(0, 'uniform'),
    entry(1, 'read-only-storage'),
    entry(2, 'read-only-storage'),
    entry(3, 'storage'),
    entry(4, 'storage'),
    entry(5, 'storage'),
  ]);
}

export function pruneApplyPipeline(ctx: GpuContext, nm: boolean): Promise<GPUComputePipeline> {
  return ctx.pipelines.pipeline('prune/prune-apply', shaderCode, layoutOf(ctx), { WG_SIZE, N_M: nm ? 1 : 0 });
}

/** Encodes the pass; returns the buffers it created (destroy them after the submission). */
export function encodePruneApply(
  ctx: GpuContext,
  pipeline: GPUComputePipeline,
  encoder: GPUCommandEncoder,
  rows: number,
  cols: number,
  rule: PruneApplyRule,
  buffers: PruneApplyBuffers,
): GPUBuffer[] {
  const params = uniformBuffer(ctx, packParams(rows, cols, rule), 'prune-apply params');
  const [x, y] = pruneApplyDispatch(ctx, rows * cols);
  const pass = encoder.beginComputePass({ label: 'prune-apply' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, ctx.device.createBindGroup({
    label: 'prune-apply',
    layout: layoutOf(ctx),
    entries: [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: buffers.keys } },
      { binding: 2, resource: { buffer: buffers.state } },
      { binding: 3, resource: { buffer: buffers.values } },
      { binding: 4, resource: { buffer: buffers.mask } },
      { binding: 5, resource: { buffer: buffers.zeros } },
    ],
  }));
  pass.dispatchWorkgroups(x, y);
  pass.end();
  return [params];
}
