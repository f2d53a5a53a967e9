// Shared plumbing of the linear-algebra wrappers: explicit bind-group layouts (binding 0 = the
// Params uniform), one compute pass that records many small dispatches with their own Params
// buffers, and the device-limit checks each wrapper runs before touching the GPU. Sizes in bytes.
import { GpuLimitError } from '../../core/errors';
import { destroyBuffers, uniformBuffer, type UniformField } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';

export type StorageKind = 'read-only-storage' | 'storage';

/** The layout `key`: binding 0 a uniform, then one storage binding per entry of `storage`. */
export function linalgLayout(ctx: GpuContext, key: string, storage: readonly StorageKind[]): GPUBindGroupLayout {
  return ctx.pipelines.layout(key, [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
    ...storage.map((type, i) => ({ binding: i + 1, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
  ]);
}

/** A compiled kernel with the layout it was built against. */
export interface Kernel {
  key: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export async function compileKernel(
  ctx: GpuContext,
  key: string,
  code: string,
  storage: readonly StorageKind[],
  constants: Record<string, number>,
): Promise<Kernel> {
  const layout = linalgLayout(ctx, key, storage);
  return { key, layout, pipeline: await ctx.pipelines.pipeline(key, code, layout, constants) };
}

/**
 * Records dispatches into one compute pass of `encoder`. Each dispatch gets a fresh Params buffer;
 * `destroy()` frees them once the submission has completed.
 */
export class PassRecorder {
  private readonly created: GPUBuffer[] = [];
  private pass: GPUComputePassEncoder | null = null;

  constructor(
    readonly ctx: GpuContext,
    readonly encoder: GPUCommandEncoder,
  ) {}

  /** Dispatches `kernel` with Params `fields` (struct order) and storage buffers for bindings 1…. */
  dispatch(kernel: Kernel, fields: readonly UniformField[], buffers: readonly GPUBuffer[], workgroups: readonly [number, number]): void {
    const params = uniformBuffer(this.ctx, fields, `${kernel.key} params`);
    this.created.push(params);
    const bindGroup = this.ctx.device.createBindGroup({
      label: kernel.key,
      layout: kernel.layout,
      entries: [params, ...buffers].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    this.pass ??= this.encoder.beginComputePass({ label: 'linalg' });
    this.pass.setPipeline(kernel.pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(workgroups[0], workgroups[1]);
  }

  /** Ends the open pass (before copies, or before `encoder.finish()`). */
  endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  destroy(): void {
    destroyBuffers(...this.created);
    this.created.length = 0;
  }
}

/** Throws GpuLimitError when one buffer of `bytes` cannot be created and bound on this device. */
export function checkBindingSize(ctx: GpuContext, bytes: number, what: string): void {
  const { maxStorageBufferBindingSize: maxBinding, maxBufferSize } = ctx.limits;
  const limit = Math.min(maxBinding, maxBufferSize);
  if (bytes > limit) {
    throw new GpuLimitError(
      `${what} needs a ${bytes}-byte GPU buffer, but this GPU binds at most ${limit} bytes (maxStorageBufferBindingSize); ` +
        'use a smaller layer or a GPU with larger limits',
      { bytes, maxStorageBufferBindingSize: maxBinding },
    );
  }
}

/** Throws GpuLimitError when a workgroup of `invocations` is larger than the device allows. */
export function checkWorkgroupSize(ctx: GpuContext, invocations: number, what: string): void {
  const limit = Math.min(ctx.limits.maxComputeInvocationsPerWorkgroup, ctx.limits.maxComputeWorkgroupSizeX);
  if (invocations > limit) {
    throw new GpuLimitError(`${what} needs workgroups of ${invocations} invocations, but this GPU allows ${limit}`, {
      invocations,
      maxComputeInvocationsPerWorkgroup: limit,
    });
  }
}

/** A 2-D grid of tiles (x = columns, y = rows), checked against maxComputeWorkgroupsPerDimension. */
export function tileGrid(ctx: GpuContext, rows: number, cols: number, tile: number, what: string): [number, number] {
  const x = Math.max(1, Math.ceil(cols / tile));
  const y = Math.max(1, Math.ceil(rows / tile));
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (x > max || y > max) {
    throw new GpuLimitError(`${what} needs ${y} × ${x} tiles of ${tile}², more than this GPU dispatches per dimension (${max})`, {
      tiles: Math.max(x, y),
      maxPerDimension: max,
    });
  }
  return [x, y];
}
