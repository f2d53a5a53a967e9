// Wrappers for AWQ's two searches on the GPU (shaders/quant/awq-delta.wgsl, awq-row-loss.wgsl,
// awq-clip.wgsl), the same math as src/quant/awq.ts: the scale search uploads the weights sharing
// an input and its Hessian once and scores each candidate s with two dispatches per weight (δ,
// then the tiled δ·H·δᵀ with its row sums); the clip search scores every (row, group, ratio) in one
// dispatch. The CPU picks the least error from what comes back, as the reference does. On a
// llama.cpp type the candidate's δ comes from llama.cpp's quantizer (the CPU reference codec: its
// scale searches are not one WGSL pass) and only the δHδᵀ product runs on the GPU.
// Sizes are bytes unless named otherwise.
import deltaCode from '../../../shaders/quant/awq-delta.wgsl?raw';
import rowLossCode from '../../../shaders/quant/awq-row-loss.wgsl?raw';
import clipCode from '../../../shaders/quant/awq-clip.wgsl?raw';
import roundHalfAway from '../../../shaders/common/round-half-away.wgsl?raw';
import divRn from '../../../shaders/common/div-rn.wgsl?raw';
import groupParams from '../../../shaders/common/group-params.wgsl?raw';
import { GpuLimitError, ShapeError, throwIfAborted } from '../../core/errors';
import { createBuffer, destroyBuffers, readBuffers, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';
import { type AwqGrid, type AwqTarget, type AwqWeight, awqClipRatios, awqGgmlDeltaRef, type CandidateLoss } from '../../quant/awq';
import { checkBindingSize, compileKernel, type Kernel, PassRecorder } from '../linalg/passes';

const GRID_HELPERS = { 'common/round-half-away.wgsl': roundHalfAway, 'common/div-rn.wgsl': divRn, 'common/group-params.wgsl': groupParams };
export const AWQ_DELTA_SHADER = withHelpers(deltaCode, GRID_HELPERS);
export const AWQ_ROW_LOSS_SHADER = rowLossCode;
export const AWQ_CLIP_SHADER = withHelpers(clipCode, GRID_HELPERS);
const WG_SIZE = 64;
const TILE = 16;

const asBytes = (a: Float32Array) => new Uint8Array(a.buffer as ArrayBuffer, a.byteOffset, a.byteLength);

function checkGrid(grid: AwqGrid, cols: number, what: string): number {
  if (![2, 3, 4, 8].includes(grid.bits)) throw new ShapeError(`${what}: bits must be 2, 3, 4 or 8, got ${grid.bits}`);
  if (!Number.isSafeInteger(grid.groupSize) || grid.groupSize < 1) throw new ShapeError(`${what}: group size ${grid.groupSize} is not a positive integer`);
  return Math.ceil(cols / grid.groupSize);
}

/** The scale search's candidate error on the GPU; `destroy()` frees the uploaded weights and Hessian. */
export interface AwqCandidateLossGpu {
  loss: CandidateLoss;
  destroy(): void;
}

/**
 * Uploads `weights` (all taking the same `cols` inputs) and H [cols][cols] and returns the
 * candidate error Σ_weights Σ_rows δ H δᵀ of any s, as awqCandidateLossRef computes it.
 */
export async function awqCandidateLossGpu(ctx: GpuContext, weights: readonly AwqWeight[], h: Float32Array, target: AwqTarget, signal?: AbortSignal): Promise<AwqCandidateLossGpu> {
  const cols = Math.round(Math.sqrt(h.length));
  const what = `AWQ's scale search over ${cols} inputs`;
  if (cols * cols !== h.length) throw new ShapeError(`${what}: the Hessian has ${h.length} elements, not a square`);
  const ggml = 'ggml' in target ? target.ggml : undefined;
  const grid: AwqGrid = 'ggml' in target ? { bits: 8, groupSize: cols, symmetric: false } : target; // the grid is unused for llama.cpp types
  const groupsPerRow = checkGrid(grid, cols, what);
  checkBindingSize(ctx, h.byteLength, what);
  for (const w of weights) {
    if (w.cols !== cols || w.values.length !== w.rows * cols) throw new ShapeError(`${what}: a ${w.rows}×${w.cols} weight does not take those inputs`);
    checkBindingSize(ctx, w.values.byteLength, what);
    if (w.rows * cols > 0xffffffff) throw new GpuLimitError(`${what}: a ${w.rows}×${cols} weight is too large to index with 32-bit GPU integers; split the tensor`);
  }
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  const colTiles = Math.ceil(cols / TILE);
  const [deltaKernel, lossKernel] = await Promise.all([
    compileKernel(ctx, 'quant/awq-delta', AWQ_DELTA_SHADER, ['read-only-storage', 'read-only-storage', 'storage'], { WG_SIZE, BITS: grid.bits, SYMMETRIC: grid.symmetric ? 1 : 0 }),
    compileKernel(ctx, 'quant/awq-row-loss', AWQ_ROW_LOSS_SHADER, ['read-only-storage', 'read-only-storage', 'storage'], { WG_SIZE: TILE * TILE, TILE }),
  ]);
  throwIfAborted(signal);
  const hBuf = uploadStorage(ctx, asBytes(h), 'awq hessian');
  const wBufs = weights.map((w, i) => uploadStorage(ctx, asBytes(w.values), `awq weight ${i}`));
  const maxRows = Math.max(...weights.map((w) => w.rows));
  const sBuf = createBuffer(ctx, cols * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'awq scales');
  const deltaBuf = createBuffer(ctx, maxRows * cols * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'awq delta');
  const partialBufs = weights.map((w, i) => createBuffer(ctx, w.rows * colTiles * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, `awq partial ${i}`));

  const loss: CandidateLoss = (_weights, s) =>
    withGpuErrorScopes(ctx, what, async () => {
      throwIfAborted(signal);
      ctx.device.queue.writeBuffer(sBuf, 0, asBytes(s));
      // One submission per weight: the δ buffer is reused, and a pass orders its dispatches.
      for (let i = 0; i < weights.length; i++) {
        const { rows } = weights[i];
        if (ggml) ctx.device.queue.writeBuffer(deltaBuf, 0, asBytes(awqGgmlDeltaRef(weights[i].values, rows, cols, s, ggml)));
        const encoder = ctx.device.createCommandEncoder({ label: 'awq candidate' });
        const rec = new PassRecorder(ctx, encoder);
        try {
          if (!ggml) dispatchDelta(rec, deltaKernel, rows, cols, grid.groupSize, groupsPerRow, [wBufs[i], sBuf, deltaBuf], maxDim, what);
          rec.dispatch(lossKernel, [['u32', rows], ['u32', cols], ['u32', colTiles]], [deltaBuf, hBuf, partialBufs[i]], [colTiles, rowTiles(rows, maxDim, what)]);
          rec.endPass();
          ctx.device.queue.submit([encoder.finish()]);
        } finally {
          rec.destroy();
        }
      }
      const parts = await readBuffers(ctx, weights.map((w, i) => ({ buffer: partialBufs[i], byteLength: w.rows * colTiles * 4 })));
      let total = 0;
      for (const p of parts) for (const v of new Float32Array(p.buffer)) total += v;
      return total;
    });
  return { loss, destroy: () => destroyBuffers(hBuf, sBuf, deltaBuf, ...wBufs, ...partialBufs) };
}

function rowTiles(rows: number, maxDim: number, what: string): number {
  const n = Math.ceil(rows / TILE);
  if (n > maxDim) throw new GpuLimitError(`${what}: ${rows} rows need ${n} workgroup rows, more than this GPU dispatches (${maxDim}); split the tensor`);
  return n;
}

function dispatchDelta(rec: PassRecorder, kernel: Kernel, rows: number, cols: number, groupSize: number, groupsPerRow: number, buffers: GPUBuffer[], maxDim: number, what: string): void {
  const grid = dispatchGrid(Math.ceil((rows * groupsPerRow) / WG_SIZE), maxDim, what);
  rec.dispatch(kernel, [['u32', rows], ['u32', cols], ['u32', groupSize], ['u32', groupsPerRow]], buffers, grid);
}

/** δ of one candidate on the GPU (the delta pass alone, for its test against awqDeltaRef). */
export async function awqDeltaGpu(ctx: GpuContext, w: Float32Array, rows: number, cols: number, s: Float32Array, grid: AwqGrid): Promise<Float32Array> {
  const what = `AWQ's δ of a ${rows}×${cols} weight`;
  const groupsPerRow = checkGrid(grid, cols, what);
  const kernel = await compileKernel(ctx, 'quant/awq-delta', AWQ_DELTA_SHADER, ['read-only-storage', 'read-only-storage', 'storage'], { WG_SIZE, BITS: grid.bits, SYMMETRIC: grid.symmetric ? 1 : 0 });
  const [bytes] = await withGpuErrorScopes(ctx, what, async () => {
    const wBuf = uploadStorage(ctx, asBytes(w), 'awq weight');
    const sBuf = uploadStorage(ctx, asBytes(s), 'awq scales');
    const out = createBuffer(ctx, rows * cols * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'awq delta');
    const encoder = ctx.device.createCommandEncoder({ label: 'awq delta' });
    const rec = new PassRecorder(ctx, encoder);
    try {
      dispatchDelta(rec, kernel, rows, cols, grid.groupSize, groupsPerRow, [wBuf, sBuf, out], ctx.limits.maxComputeWorkgroupsPerDimension, what);
      rec.endPass();
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [{ buffer: out, byteLength: rows * cols * 4 }]);
    } finally {
      rec.destroy();
      destroyBuffers(wBuf, sBuf, out);
    }
  });
  return new Float32Array(bytes.buffer);
}

/** The clip search's errors [rows][groups][ratios] on the GPU, as awqClipLossRef (float32 sums). */
export async function awqClipLossGpu(ctx: GpuContext, w: Float32Array, rows: number, cols: number, h: Float32Array, grid: AwqGrid, signal?: AbortSignal): Promise<Float32Array> {
  const what = `AWQ's clip search on a ${rows}×${cols} weight`;
  const groupsPerRow = checkGrid(grid, cols, what);
  if (w.length !== rows * cols || h.length !== cols * cols) throw new ShapeError(`${what}: got ${w.length} weights and a Hessian of ${h.length}`);
  const ratios = Float32Array.from(awqClipRatios());
  const count = rows * groupsPerRow * ratios.length;
  checkBindingSize(ctx, h.byteLength, what);
  checkBindingSize(ctx, count * 4, what);
  const kernel = await compileKernel(ctx, 'quant/awq-clip', AWQ_CLIP_SHADER, ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'], { WG_SIZE, BITS: grid.bits, SYMMETRIC: grid.symmetric ? 1 : 0 });
  throwIfAborted(signal);
  const dispatch = dispatchGrid(Math.ceil(count / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, what);
  const [bytes] = await withGpuErrorScopes(ctx, what, async () => {
    const wBuf = uploadStorage(ctx, asBytes(w), 'awq weight');
    const hBuf = uploadStorage(ctx, asBytes(h), 'awq hessian');
    const rBuf = uploadStorage(ctx, asBytes(ratios), 'awq clip ratios');
    const out = createBuffer(ctx, count * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'awq clip loss');
    const encoder = ctx.device.createCommandEncoder({ label: 'awq clip' });
    const rec = new PassRecorder(ctx, encoder);
    try {
      rec.dispatch(kernel, [['u32', rows], ['u32', cols], ['u32', grid.groupSize], ['u32', groupsPerRow], ['u32', ratios.length]], [wBuf, hBuf, rBuf, out], dispatch);
      rec.endPass();
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [{ buffer: out, byteLength: count * 4 }]);
    } finally {
      rec.destroy();
      destroyBuffers(wBuf, hBuf, rBuf, out);
    }
  });
  throwIfAborted(signal);
  return new Float32Array(bytes.buffer);
}
