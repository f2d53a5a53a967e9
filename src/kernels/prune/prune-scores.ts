// Wrapper for shaders/prune/prune-scores.wgsl: magnitude or Wanda (Sun et al. 2023) score bits of
// W[rows][cols], read in its storage layout and dtype, and a row-major float32 copy of W; the same
// scores as pruneScoresRef (src/quant/prune/prune-select.ts). Sizes are bytes unless named otherwise.
import shaderCode from '../../../shaders/prune/prune-scores.wgsl?raw';
import f16Bits from '../../../shaders/ggml/common/f16-bits.wgsl?raw';
import type { WeightLayout } from '../../core/model-index';
import type { PruneScore } from '../../quant/prune/prune-select';
import { uniformBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';

/** The kernel with its helpers prepended. */
export const PRUNE_SCORES_SHADER = withHelpers(shaderCode, { 'ggml/common/f16-bits.wgsl': f16Bits });

const WG_SIZE = 64;
/** Storage buffers the kernel binds (checked against maxStorageBuffersPerShaderStage). */
export const PRUNE_SCORES_STORAGE_BUFFERS = 5;

export interface PruneScoresBuffers {
  /** W in storage order (f32, or f16 pairs per u32 word). */
  weights: GPUBuffer;
  /** Bytes of `weights` to bind (a multiple of 4). */
  weightBytes: number;
  /** f32 ‖X_j‖₂ [cols] for Wanda; any 4-byte buffer for magnitude. */
  norms: GPUBuffer;
  keys: GPUBuffer;
  values: GPUBuffer;
  /** u32 [1], 0xffffffff before the pass. */
  status: GPUBuffer;
}

/** Workgroups for a W of `numel` elements (GpuLimitError past maxComputeWorkgroupsPerDimension²). */
export function pruneScoresDispatch(ctx: GpuContext, layout: WeightLayout): [number, number] {
  const { rows, cols } = layout;
  return dispatchGrid(Math.ceil((rows * cols) / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, `scoring a ${rows}×${cols} weight`);
}

/** Reads along rows when W is stored [cols][rows] (rowStride < colStride), so reads coalesce. */
function rowFastest(layout: WeightLayout): boolean {
  return layout.rows > 1 && layout.rowStride < layout.colStride;
}

/** Params in struct order (shaders/prune/prune-scores.wgsl `Params`). */
function packParams(layout: WeightLayout): ['u32', number][] {
  return [
    ['u32', layout.rows],
    ['u32', layout.cols],
    ['u32', layout.rowStride],
    ['u32', layout.colStride],
    ['u32', rowFastest(layout) ? 1 : 0],
  ];
}

function layoutOf(ctx: GpuContext): GPUBindGroupLayout {
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  return ctx.pipelines.layout('prune/prune-scores', [
    entry(0, 'uniform'),
    entry(1, 'read-only-storage'),
    entry(2, 'read-only-storage'),
    entry(3, 'storage'),
    entry(4, 'storage'),
    entry(5, 'storage'),
  ]);
}

/** The compiled variant for an input dtype and score (cached on the context). */
export function pruneScoresPipeline(ctx: GpuContext, dtype: 'f32' | 'f16', score: PruneScore): Promise<GPUComputePipeline> {
  return ctx.pipelines.pipeline('prune/prune-scores', PRUNE_SCORES_SHADER, layoutOf(ctx), {
    WG_SIZE,
    INPUT_F16: dtype === 'f16' ? 1 : 0,
    WANDA: score === 'wanda' ? 1 : 0,
  });
}

/** Encodes the scoring pass; returns the buffers it created (destroy them after the submission). */
export function encodePruneScores(
  ctx: GpuContext,
  pipeline: GPUComputePipeline,
  encoder: GPUCommandEncoder,
  layout: WeightLayout,
  buffers: PruneScoresBuffers,
): GPUBuffer[] {
  const params = uniformBuffer(ctx, packParams(layout), 'prune-scores params');
  const bindGroup = ctx.device.createBindGroup({
    label: 'prune-scores',
    layout: layoutOf(ctx),
    entries: [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: buffers.weights, size: buffers.weightBytes } },
      { binding: 2, resource: { buffer: buffers.norms } },
      { binding: 3, resource: { buffer: buffers.keys } },
      { binding: 4, resource: { buffer: buffers.values } },
      { binding: 5, resource: { buffer: buffers.status } },
    ],
  });
  const [x, y] = pruneScoresDispatch(ctx, layout);
  const pass = encoder.beginComputePass({ label: 'prune-scores' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(x, y);
  pass.end();
  return [params];
}
