// Wrapper for shaders/reduce/sum-pairs.wgsl: encodes passes that sum `count` vec2<f32> pairs of a
// storage buffer down to one pair (e.g. the (Σ(w − ŵ)², Σw²) error partials of quant/rtn.wgsl).
import shaderCode from '../../../shaders/reduce/sum-pairs.wgsl?raw';
import { assert } from '../../core/assert';
import { createBuffer, uniformBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';

export const SUM_PAIRS_SHADER = shaderCode;
const WG_SIZE = 64;
const ITEMS_PER_THREAD = 16;
const PAIR_BYTES = 8;

function layoutOf(ctx: GpuContext): GPUBindGroupLayout {
  return ctx.pipelines.layout('reduce/sum-pairs', [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
    { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
  ]);
}

/** Compiles (once per device) the pipeline `encodeSumPairs` uses. */
export function sumPairsPipeline(ctx: GpuContext): Promise<GPUComputePipeline> {
  return ctx.pipelines.pipeline('reduce/sum-pairs', shaderCode, layoutOf(ctx), { WG_SIZE, ITEMS_PER_THREAD });
}

/** Params in struct order. */
function packParams(count: number): ['u32', number][] {
  return [['u32', count]];
}

/**
 * Encodes the passes that reduce `count` (≥ 1) pairs in `src` to one pair. Returns the buffer whose
 * first 8 bytes hold the total (STORAGE | COPY_SRC) and every buffer it created, for the caller to
 * destroy after the submission completes.
 */
export function encodeSumPairs(
  ctx: GpuContext,
  pipeline: GPUComputePipeline,
  encoder: GPUCommandEncoder,
  src: GPUBuffer,
  count: number,
): { total: GPUBuffer; created: GPUBuffer[] } {
  assert(count >= 1, 'sum of zero pairs');
  const perWorkgroup = WG_SIZE * ITEMS_PER_THREAD;
  const created: GPUBuffer[] = [];
  let input = src;
  let n = count;
  do {
    const workgroups = Math.ceil(n / perWorkgroup);
    const output = createBuffer(
      ctx,
      workgroups * PAIR_BYTES,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      'sum-pairs out',
    );
    const params = uniformBuffer(ctx, packParams(n), 'sum-pairs params');
    created.push(output, params);
    const bindGroup = ctx.device.createBindGroup({
      layout: layoutOf(ctx),
      entries: [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: input } },
        { binding: 2, resource: { buffer: output } },
      ],
    });
    const pass = encoder.beginComputePass({ label: 'sum-pairs' });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y] = dispatchGrid(workgroups, ctx.limits.maxComputeWorkgroupsPerDimension, 'sum of error partials');
    pass.dispatchWorkgroups(x, y);
    pass.end();
    input = output;
    n = workgroups;
  } while (n > 1);
  return { total: input, created };
}
