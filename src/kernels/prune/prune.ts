// Pruning one weight W[rows = out][cols = in] on the GPU (shaders/prune/*.wgsl): magnitude or Wanda
// scores (Sun et al. 2023, "A Simple and Effective Pruning Approach for LLMs"), the cut of each scope
// found on the GPU by radix select on the score bits (per tensor or per row; ties → lower index), or
// the N:M rule per group of m columns, then the pruned W. Exactly pruneRef (src/quant/prune/prune-select.ts).
// Sizes are bytes unless named otherwise.
import { f16BitsToF32 } from '../../core/float16';
import { GpuLimitError, ShapeError, throwIfAborted } from '../../core/errors';
import type { WeightLayout } from '../../core/model-index';
import {
  checkPrunePattern,
  nonFiniteWeightError,
  prunedPerScope,
  type PrunePattern,
  type PruneScore,
  wandaNormsRef,
} from '../../quant/prune/prune-select';
import { createBuffer, destroyBuffers, readBuffers, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { encodePruneApply, maskWordsOf, PRUNE_APPLY_STORAGE_BUFFERS, pruneApplyDispatch, pruneApplyPipeline } from './prune-apply';
import { encodePruneScores, PRUNE_SCORES_STORAGE_BUFFERS, pruneScoresDispatch, pruneScoresPipeline } from './prune-scores';
import {
  createSelectState,
  encodeTensorSelect,
  HISTOGRAM_WG_SIZE,
  radixHistogramDispatch,
  radixSelectPipelines,
  SELECT_STATE_BYTES,
} from './radix-select';
import { encodeRowSelect, ROW_SELECT_WG_SIZE, rowSelectDispatch, rowSelectPipeline } from './row-select';
import { rowSlice, rowsPerSlice } from '../quant/row-slices';

const NO_BAD_ELEMENT = 0xffffffff;
const U32_MAX = 0xffffffff;

export interface PruneGpuInput {
  /** W in storage order, little-endian f32 or f16. */
  bytes: Uint8Array;
  dtype: 'f32' | 'f16';
  layout: WeightLayout;
}

export interface PruneGpuOptions {
  score: PruneScore;
  /** Wanda only: Σ_tokens x_j² per input column (float32); ignored for magnitude. */
  sumSquares?: Float32Array;
  pattern: PrunePattern;
  signal?: AbortSignal;
}

export interface PruneGpuResult {
  /** Pruned W, row-major [rows][cols] float32, +0 at every pruned place. */
  values: Float32Array<ArrayBuffer>;
  /** Elements equal to zero in `values`: the pruned ones plus weights that were already zero. */
  zeros: number;
  /** Pruned elements, bit e % 32 of word ⌊e / 32⌋ for row-major e (packMaskRef's packing). */
  mask: Uint32Array<ArrayBuffer>;
}

/** How the pruned elements are chosen: no element (k = 0), one cut, a cut per row, or N:M groups. */
export type PruneSelection = 'none' | 'tensor' | 'rows' | 'n:m';

/** Everything about one pruning that does not depend on the weight values. */
export interface PruneGpuPlan {
  layout: WeightLayout;
  dtype: 'f32' | 'f16';
  score: PruneScore;
  pattern: PrunePattern;
  /** rows·cols. */
  count: number;
  /** Pruned per scope (unstructured) or per N:M group. */
  k: number;
  selection: PruneSelection;
  /** ‖X_j‖₂ per column for Wanda (wandaNormsRef), else null. */
  norms: Float32Array<ArrayBuffer> | null;
  /** Bound bytes of the stored weight (a multiple of 4). */
  inputBytes: number;
}

/** Checks shapes, pattern, scores and device limits and sizes everything; touches no GPU object. */
export function planPruneGpu(
  ctx: GpuContext,
  dtype: 'f32' | 'f16',
  byteLength: number,
  layout: WeightLayout,
  opts: Pick<PruneGpuOptions, 'score' | 'sumSquares' | 'pattern'>,
): PruneGpuPlan {
  const { rows, cols, rowStride, colStride } = layout;
  for (const [name, v, min] of [['rows', rows, 1], ['cols', cols, 1], ['rowStride', rowStride, 0], ['colStride', colStride, 0]] as const) {
    if (!Number.isSafeInteger(v) || v < min) throw new ShapeError(`weight layout ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  if (dtype !== 'f32' && dtype !== 'f16') throw new ShapeError(`GPU pruning reads f32 or f16 weights, got ${String(dtype)}`);
  const elementBytes = dtype === 'f16' ? 2 : 4;
  if (byteLength % elementBytes !== 0) throw new ShapeError(`weight bytes (${byteLength}) are not a whole number of ${dtype} elements`);
  const numel = byteLength / elementBytes;
  const lastIndex = (rows - 1) * rowStride + (cols - 1) * colStride;
  if (lastIndex >= numel) {
    throw new ShapeError(
      `weight layout ${rows}×${cols} (strides ${rowStride}, ${colStride}) reaches stored element ${lastIndex}, ` +
        `but the tensor has ${numel} elements`,
      { rows, cols, numel },
    );
  }
  checkPrunePattern(opts.pattern, cols);
  if (opts.score !== 'magnitude' && opts.score !== 'wanda') {
    throw new ShapeError(`pruning score must be 'magnitude' or 'wanda', got ${String(opts.score)}`);
  }
  const norms = opts.score === 'wanda' ? wandaNormsRef(opts.sumSquares, cols) : null;
  const count = rows * cols;
  const k = prunedPerScope(opts.pattern, rows, cols);
  const selection: PruneSelection =
    opts.pattern.kind === 'n:m' ? 'n:m' : k === 0 ? 'none' : opts.pattern.scope === 'tensor' ? 'tensor' : 'rows';

  if (count > U32_MAX || lastIndex > U32_MAX) {
    throw new GpuLimitError(`a ${rows}×${cols} weight is too large to index with 32-bit GPU integers; split the tensor`, { rows, cols });
  }
  const inputBytes = Math.ceil(byteLength / 4) * 4;
  const { maxStorageBufferBindingSize: maxBinding, maxBufferSize } = ctx.limits;
  const largest = Math.max(inputBytes, count * 4, rows * SELECT_STATE_BYTES);
  if (largest > maxBinding || largest > maxBufferSize) {
    throw new GpuLimitError(
      `pruning a ${rows}×${cols} ${dtype} weight needs a ${largest}-byte GPU buffer, but this GPU binds at most ` +
        `${Math.min(maxBinding, maxBufferSize)} bytes (maxStorageBufferBindingSize); split the tensor or use a GPU with larger limits`,
      { bytes: largest, maxStorageBufferBindingSize: maxBinding },
    );
  }
  const storageBuffers = Math.max(PRUNE_SCORES_STORAGE_BUFFERS, PRUNE_APPLY_STORAGE_BUFFERS);
  if (ctx.limits.maxStorageBuffersPerShaderStage < storageBuffers) {
    throw new GpuLimitError(
      `GPU pruning binds ${storageBuffers} storage buffers, but this GPU allows ${ctx.limits.maxStorageBuffersPerShaderStage} per shader stage`,
    );
  }
  const wgSize = selection === 'tensor' ? HISTOGRAM_WG_SIZE : selection === 'rows' ? ROW_SELECT_WG_SIZE : 0;
  if (wgSize > ctx.limits.maxComputeWorkgroupSizeX || wgSize > ctx.limits.maxComputeInvocationsPerWorkgroup) {
    throw new GpuLimitError(
      `GPU pruning needs ${wgSize} invocations per workgroup, but this GPU allows ` +
        `${Math.min(ctx.limits.maxComputeWorkgroupSizeX, ctx.limits.maxComputeInvocationsPerWorkgroup)}`,
    );
  }
  // Each throws GpuLimitError when the work cannot be dispatched.
  pruneScoresDispatch(ctx, layout);
  pruneApplyDispatch(ctx, count);
  if (selection === 'tensor') radixHistogramDispatch(ctx, count);
  if (selection === 'rows') rowSelectDispatch(ctx, rows);
  return { layout, dtype, score: opts.score, pattern: opts.pattern, count, k, selection, norms, inputBytes };
}

/** The bytes of the largest buffer pruning one row of `cols` needs (pruned values, scores, a row's cut). */
function bytesPerRow(dtype: 'f32' | 'f16', cols: number): number {
  return Math.max(cols * (dtype === 'f16' ? 2 : 4), cols * 4, SELECT_STATE_BYTES);
}

/**
 * Whether pruneGpu can prune this weight: it fits the device's binding limit in one pass, or its
 * cut is per row or per N:M group, so it goes in slices of whole rows. A tensor-wide cut needs every
 * score at once; past the limit the caller runs the reference instead.
 */
export function pruneGpuFits(ctx: GpuContext, input: PruneGpuInput, pattern: PrunePattern): boolean {
  const limit = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
  const { rows, cols } = input.layout;
  if (pattern.kind === 'unstructured' && pattern.scope === 'tensor') return rows * bytesPerRow(input.dtype, cols) + 3 <= limit;
  return bytesPerRow(input.dtype, cols) + 3 <= limit;
}

/**
 * Prunes one weight (stored as `input.bytes`, mapped to W[rows][cols] by `input.layout`) on the GPU:
 * the same mask and values as pruneRef. A non-finite weight raises ShapeError; an aborted signal
 * raises CancelledError between the passes (scores, selection, apply). A weight past the device's
 * binding limit whose cut is per row or per N:M group goes in slices of whole rows (row-slices.ts);
 * a tensor-wide cut past it raises GpuLimitError (pruneGpuFits says so beforehand).
 */
export async function pruneGpu(ctx: GpuContext, input: PruneGpuInput, opts: PruneGpuOptions): Promise<PruneGpuResult> {
  const unbound = { ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: Infinity, maxBufferSize: Infinity } };
  const whole = planPruneGpu(unbound, input.dtype, input.bytes.byteLength, input.layout, opts); // shapes, pattern and scores, for the whole weight
  const limit = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
  const { rows, cols } = input.layout;
  const sliceRows = rowsPerSlice(limit, [bytesPerRow(input.dtype, cols)], 3);
  if (sliceRows >= rows || whole.selection === 'tensor') return prunePass(ctx, input, opts);
  if (sliceRows === 0) planPruneGpu(ctx, input.dtype, input.bytes.byteLength, { ...input.layout, rows: 1 }, opts); // throws GpuLimitError for one row
  const elementBytes = input.dtype === 'f16' ? 2 : 4;
  const values = new Float32Array(rows * cols);
  const mask = new Uint32Array(maskWordsOf(rows * cols));
  let zeros = 0;
  for (let row = 0; row < rows; row += sliceRows) {
    const slice = rowSlice(input.bytes, elementBytes, input.layout, row, Math.min(sliceRows, rows - row));
    const part = await prunePass(ctx, { ...input, bytes: slice.bytes, layout: slice.layout }, opts, row);
    values.set(part.values, row * cols);
    orMaskAt(mask, part.mask, row * cols, slice.layout.rows * cols);
    zeros += part.zeros;
  }
  return { values, zeros, mask };
}

/** ORs `bits` (a mask of `length` elements from element 0) into `mask` from element `at`. */
function orMaskAt(mask: Uint32Array, bits: Uint32Array, at: number, length: number): void {
  if (at % 32 === 0) {
    for (let w = 0; w < bits.length; w++) mask[at / 32 + w] |= bits[w];
    return;
  }
  for (let e = 0; e < length; e++) if ((bits[e >>> 5] >>> (e & 31)) & 1) mask[(at + e) >>> 5] |= 1 << ((at + e) & 31);
}

/** One GPU pass of pruneGpu over a weight whose buffers fit the device's limits; its row 0 is W's row `firstRow`. */
async function prunePass(ctx: GpuContext, input: PruneGpuInput, opts: PruneGpuOptions, firstRow = 0): Promise<PruneGpuResult> {
  const plan = planPruneGpu(ctx, input.dtype, input.bytes.byteLength, input.layout, opts);
  const { signal } = opts;
  throwIfAborted(signal);
  const { rows, cols } = input.layout;
  const [scoresPipeline, applyPipeline, tensorPipelines, rowPipeline] = await Promise.all([
    pruneScoresPipeline(ctx, plan.dtype, plan.score),
    pruneApplyPipeline(ctx, plan.selection === 'n:m'),
    plan.selection === 'tensor' ? radixSelectPipelines(ctx) : null,
    plan.selection === 'rows' ? rowSelectPipeline(ctx) : null,
  ]);
  throwIfAborted(signal);
  const [valueBytes, maskBytes, zeroBytes] = await withGpuErrorScopes(ctx, `pruning a ${rows}×${cols} weight`, async () => {
    const owned: GPUBuffer[] = [];
    const make = (byteLength: number, usage: GPUBufferUsageFlags, label: string) => {
      const b = createBuffer(ctx, byteLength, usage, label);
      owned.push(b);
      return b;
    };
    try {
      const storage = GPUBufferUsage.STORAGE;
      const readable = storage | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const weights = uploadStorage(ctx, input.bytes, 'prune weights');
      owned.push(weights);
      const norms = plan.norms ? uploadStorage(ctx, new Uint8Array(plan.norms.buffer), 'prune norms') : make(4, storage, 'prune norms (unused)');
      if (plan.norms) owned.push(norms);
      const keys = make(plan.count * 4, storage, 'prune scores');
      const values = make(plan.count * 4, readable, 'pruned values');
      const status = make(4, readable, 'prune status');
      ctx.device.queue.writeBuffer(status, 0, new Uint32Array([NO_BAD_ELEMENT]));

      // Pass 1: scores; a non-finite weight stops here.
      let encoder = ctx.device.createCommandEncoder({ label: 'prune scores' });
      owned.push(...encodePruneScores(ctx, scoresPipeline, encoder, input.layout, { weights, weightBytes: plan.inputBytes, norms, keys, values, status }));
      ctx.device.queue.submit([encoder.finish()]);
      const [statusBytes] = await readBuffers(ctx, [{ buffer: status, byteLength: 4 }]);
      const bad = new Uint32Array(statusBytes.buffer)[0];
      if (bad !== NO_BAD_ELEMENT) {
        const r = Math.floor(bad / cols);
        const c = bad % cols;
        throw nonFiniteWeightError(readElement(input, r * input.layout.rowStride + c * input.layout.colStride), firstRow + r, c);
      }
      throwIfAborted(signal);

      // Pass 2: the cut of every scope.
      let state: GPUBuffer;
      if (plan.selection === 'tensor' || plan.selection === 'rows') {
        encoder = ctx.device.createCommandEncoder({ label: 'prune select' });
        if (tensorPipelines) {
          state = createSelectState(ctx, plan.k);
          owned.push(state);
          owned.push(...encodeTensorSelect(ctx, tensorPipelines, encoder, keys, state, plan.count));
        } else {
          const rowsOut = encodeRowSelect(ctx, rowPipeline!, encoder, keys, rows, cols, plan.k);
          owned.push(...rowsOut.created);
          state = rowsOut.state;
        }
        ctx.device.queue.submit([encoder.finish()]);
        await ctx.device.queue.onSubmittedWorkDone();
        throwIfAborted(signal);
      } else {
        state = make(SELECT_STATE_BYTES, storage, 'prune cut (unused)');
      }

      // Pass 3: zero the pruned values, pack the mask, count zeros.
      const mask = make(maskWordsOf(plan.count) * 4, readable, 'prune mask');
      const zeros = make(4, readable, 'prune zero count');
      encoder = ctx.device.createCommandEncoder({ label: 'prune apply' });
      const rule = {
        nm: plan.selection === 'n:m',
        scopeLength: plan.pattern.kind === 'unstructured' && plan.pattern.scope === 'row' ? cols : plan.count,
        k: plan.selection === 'none' ? 0 : plan.k,
        m: plan.pattern.kind === 'n:m' ? plan.pattern.m : 1,
      };
      owned.push(...encodePruneApply(ctx, applyPipeline, encoder, rows, cols, rule, { keys, state, values, mask, zeros }));
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [
        { buffer: values, byteLength: plan.count * 4 },
        { buffer: mask, byteLength: maskWordsOf(plan.count) * 4 },
        { buffer: zeros, byteLength: 4 },
      ]);
    } finally {
      destroyBuffers(...owned);
    }
  });
  throwIfAborted(signal);
  return {
    values: new Float32Array(valueBytes.buffer),
    zeros: new Uint32Array(zeroBytes.buffer)[0],
    mask: new Uint32Array(maskBytes.buffer),
  };
}

function readElement(input: PruneGpuInput, element: number): number {
  const view = new DataView(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  if (input.dtype === 'f32') return view.getFloat32(element * 4, true);
  return f16BitsToF32(view.getUint16(element * 2, true));
}
