// Wrapper for shaders/linalg/radix-select-histogram.wgsl + radix-select-pick.wgsl: the exact k-th
// smallest (0-based) of rows × cols non-negative f32 values on the GPU, four 8-bit rounds, the
// result staying in the select buffer (u32 [256] = its bits) for the next kernel; sparseGptRef's
// `sort(scores)[floor(numel·sparsity)]` (src/quant/linalg/sparsegpt.ts).
import histogramCode from '../../../shaders/linalg/radix-select-histogram.wgsl?raw';
import pickCode from '../../../shaders/linalg/radix-select-pick.wgsl?raw';
import { ShapeError, throwIfAborted } from '../../core/errors';
import { createBuffer, destroyBuffers, readBuffers, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { checkBindingSize, checkWorkgroupSize, compileKernel, type Kernel, PassRecorder } from './passes';

export const RADIX_SELECT_HISTOGRAM_SHADER = histogramCode;
export const RADIX_SELECT_PICK_SHADER = pickCode;
const WG_SIZE = 256;
/** Values each histogram invocation counts, on average: bounds the workgroups of one pass. */
const ITEMS_PER_THREAD = 8;
/** u32 words of the select buffer: 256 bins, prefix, rank left. */
export const SELECT_WORDS = 258;
/** Index of the selected value's bits in the select buffer. */
export const SELECT_RESULT_WORD = 256;

export interface RadixSelectKernels {
  histogram: Kernel;
  pick: Kernel;
}

export async function radixSelectKernels(ctx: GpuContext): Promise<RadixSelectKernels> {
  checkWorkgroupSize(ctx, WG_SIZE, 'the radix selection');
  const [histogram, pick] = await Promise.all([
    compileKernel(ctx, 'linalg/radix-select-histogram', histogramCode, ['read-only-storage', 'storage'], { WG_SIZE }),
    compileKernel(ctx, 'linalg/radix-select-pick', pickCode, ['storage'], { WG_SIZE }),
  ]);
  return { histogram, pick };
}

/** A strided rows × cols view of f32 values (elements). */
export interface SelectView {
  rows: number;
  cols: number;
  offset: number;
  rowStride: number;
}

/** Throws ShapeError unless 0 ≤ rank < rows·cols < 2³². */
export function checkSelect(view: SelectView, rank: number): void {
  const total = view.rows * view.cols;
  if (total > 0xffffffff) throw new ShapeError(`radix selection over ${total} values needs 32-bit indices; split the block`);
  if (!Number.isSafeInteger(rank) || rank < 0 || rank >= total) throw new ShapeError(`selection rank must be in [0, ${total}), got ${rank}`);
}

/**
 * Records the four rounds selecting the rank-th smallest value of `view` in `values`. `select`
 * (SELECT_WORDS u32, STORAGE) must hold a zero histogram; the rounds leave it zeroed again.
 */
export function encodeRadixSelect(rec: PassRecorder, k: RadixSelectKernels, values: GPUBuffer, view: SelectView, rank: number, select: GPUBuffer): void {
  checkSelect(view, rank);
  const total = view.rows * view.cols;
  const workgroups = Math.max(1, Math.min(Math.ceil(total / (WG_SIZE * ITEMS_PER_THREAD)), rec.ctx.limits.maxComputeWorkgroupsPerDimension));
  for (let round = 0; round < 4; round++) {
    rec.dispatch(
      k.histogram,
      [
        ['u32', view.rows],
        ['u32', view.cols],
        ['u32', view.offset],
        ['u32', view.rowStride],
        ['u32', round],
      ],
      [values, select],
      [workgroups, 1],
    );
    rec.dispatch(
      k.pick,
      [
        ['u32', rank],
        ['u32', round],
      ],
      [select],
      [1, 1],
    );
  }
}

/** sorted(values)[rank] of non-negative, non-NaN values, selected on the GPU (exact). */
export async function kthSmallestGpu(ctx: GpuContext, values: Float32Array, rank: number, opts: { signal?: AbortSignal } = {}): Promise<number> {
  const view = { rows: 1, cols: values.length, offset: 0, rowStride: values.length };
  checkSelect(view, rank);
  checkBindingSize(ctx, values.byteLength, `selecting among ${values.length} values`);
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= 0)) throw new ShapeError(`radix selection needs non-negative values, got ${values[i]} at ${i}`);
  }
  throwIfAborted(opts.signal);
  const kernels = await radixSelectKernels(ctx);
  throwIfAborted(opts.signal);
  const [bits] = await withGpuErrorScopes(ctx, `selecting among ${values.length} values`, async () => {
    const input = uploadStorage(ctx, new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 'radix-select values');
    const select = createBuffer(ctx, SELECT_WORDS * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'radix-select state');
    const encoder = ctx.device.createCommandEncoder({ label: 'radix-select' });
    const rec = new PassRecorder(ctx, encoder);
    try {
      encodeRadixSelect(rec, kernels, input, view, rank, select);
      rec.endPass();
      ctx.device.queue.submit([encoder.finish()]);
      const [state] = await readBuffers(ctx, [{ buffer: select, byteLength: SELECT_WORDS * 4 }]);
      return [new Uint32Array(state.buffer)[SELECT_RESULT_WORD]];
    } finally {
      rec.destroy();
      destroyBuffers(input, select);
    }
  });
  return new Float32Array(new Uint32Array([bits]).buffer)[0];
}
