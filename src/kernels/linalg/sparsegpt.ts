// SparseGPT on the GPU in float32 (wrapper for shaders/linalg/sparse-score.wgsl and sparse-sweep.wgsl,
// with radix-select and gemm-update): sparseGptRef's pruning (src/quant/linalg/sparsegpt.ts, whose
// header states upstream's mask rules), a block of columns at a time. Per block: the unstructured
// threshold sorted(w²/U_jj²)[floor(rows·count·s)] by an exact radix selection, the column sweep with
// one row per invocation, then the lazy update W[:, end:] −= Err·U[block, end:] as a tiled matmul.
import scoreCode from '../../../shaders/linalg/sparse-score.wgsl?raw';
import sweepCode from '../../../shaders/linalg/sparse-sweep.wgsl?raw';
import { throwIfAborted } from '../../core/errors';
import { createBuffer, destroyBuffers, readBuffers, uploadBytes, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { checkSparseGpt, DEFAULT_BLOCKSIZE, type SparsityPattern, thresholdRank } from '../../quant/linalg/sparsegpt';
import { encodeGemmUpdate, GEMM_TILE, gemmUpdateKernel } from './gemm-update';
import { checkBindingSize, checkWorkgroupSize, compileKernel, type Kernel, PassRecorder, tileGrid } from './passes';
import { checkSelect, encodeRadixSelect, radixSelectKernels, SELECT_WORDS } from './radix-select';

export const SPARSE_SCORE_SHADER = scoreCode;
export const SPARSE_SWEEP_SHADER = sweepCode;
const SCORE_WG_SIZE = 256;
const SWEEP_WG_SIZE = 64;

export interface SparseGptGpuResult {
  /** Pruned and updated W [rows][cols]; exactly 0 at pruned places. */
  values: Float32Array;
  /** Number of pruned weights. */
  zeros: number;
  /** 1 where pruned, [rows][cols]. */
  mask: Uint8Array;
}

/** Element offsets of the one workspace buffer: W, U, Err [rows][blocksize], scores [rows][blocksize]. */
export interface SparseGptGpuPlan {
  rows: number;
  cols: number;
  blocksize: number;
  uOffset: number;
  errOffset: number;
  scoreOffset: number;
  workspaceBytes: number;
  wordsPerRow: number;
  maskBytes: number;
}

/** Checks shapes, the pattern and the device limits; touches no GPU object. */
export function planSparseGptGpu(
  ctx: GpuContext,
  w: Float32Array,
  rows: number,
  cols: number,
  u: Float32Array,
  pattern: SparsityPattern,
  blocksize: number,
): SparseGptGpuPlan {
  checkSparseGpt(w, rows, cols, u, pattern, blocksize);
  const bs = Math.min(blocksize, cols);
  const uOffset = rows * cols;
  const errOffset = uOffset + cols * cols;
  const scoreOffset = errOffset + rows * bs;
  const workspaceBytes = (scoreOffset + rows * bs) * 4;
  const what = `SparseGPT on a ${rows}×${cols} weight`;
  checkBindingSize(ctx, workspaceBytes, what);
  const wordsPerRow = Math.ceil(cols / 32);
  const maskBytes = rows * wordsPerRow * 4;
  checkBindingSize(ctx, maskBytes, what);
  checkWorkgroupSize(ctx, Math.max(SCORE_WG_SIZE, GEMM_TILE * GEMM_TILE, 256), what);
  tileGrid(ctx, rows, cols, GEMM_TILE, what);
  dispatchGrid(Math.ceil((rows * bs) / SCORE_WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, what);
  if (pattern.kind === 'unstructured') {
    // Every block's threshold rank is valid (full blocks and the last, shorter one).
    for (const count of new Set([bs, cols - Math.floor((cols - 1) / bs) * bs])) {
      checkSelect({ rows, cols: count, offset: scoreOffset, rowStride: bs }, thresholdRank(rows * count, pattern.sparsity));
    }
  }
  return { rows, cols, blocksize: bs, uOffset, errOffset, scoreOffset, workspaceBytes, wordsPerRow, maskBytes };
}

/**
 * Prunes W [rows][cols] with U (upper factor from dampedInverseCholeskyGpu; only its upper triangle
 * is read) as sparseGptRef does; the caller zeroes the dead columns first.
 */
export async function sparseGptGpu(
  ctx: GpuContext,
  w: Float32Array,
  rows: number,
  cols: number,
  u: Float32Array,
  pattern: SparsityPattern,
  opts: { blocksize?: number; signal?: AbortSignal } = {},
): Promise<SparseGptGpuResult> {
  const plan = planSparseGptGpu(ctx, w, rows, cols, u, pattern, opts.blocksize ?? DEFAULT_BLOCKSIZE);
  throwIfAborted(opts.signal);
  const [score, sweep, gemm, select] = await Promise.all([
    compileKernel(ctx, 'linalg/sparse-score', scoreCode, ['storage'], { WG_SIZE: SCORE_WG_SIZE }),
    compileKernel(ctx, 'linalg/sparse-sweep', sweepCode, ['storage', 'read-only-storage', 'storage'], { WG_SIZE: SWEEP_WG_SIZE }),
    gemmUpdateKernel(ctx),
    radixSelectKernels(ctx),
  ]);
  throwIfAborted(opts.signal);
  const [valueBytes, maskBytes] = await withGpuErrorScopes(ctx, `SparseGPT on a ${rows}×${cols} weight`, async () => {
    const work = createBuffer(ctx, plan.workspaceBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, 'sparsegpt workspace');
    const selectState = createBuffer(ctx, SELECT_WORDS * 4, GPUBufferUsage.STORAGE, 'sparsegpt select');
    const mask = createBuffer(ctx, plan.maskBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'sparsegpt mask');
    const encoder = ctx.device.createCommandEncoder({ label: 'sparsegpt' });
    const rec = new PassRecorder(ctx, encoder);
    try {
      uploadBytes(ctx, work, new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
      uploadBytes(ctx, work, new Uint8Array(u.buffer, u.byteOffset, u.byteLength), plan.uOffset * 4);
      encodeSparseGpt(rec, { score, sweep, gemm, select }, plan, pattern, work, selectState, mask);
      rec.endPass();
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [
        { buffer: work, byteLength: rows * cols * 4 },
        { buffer: mask, byteLength: plan.maskBytes },
      ]);
    } finally {
      rec.destroy();
      destroyBuffers(work, selectState, mask);
    }
  });
  throwIfAborted(opts.signal);
  const words = new Uint32Array(maskBytes.buffer);
  const unpacked = new Uint8Array(rows * cols);
  let zeros = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const bit = (words[r * plan.wordsPerRow + (c >>> 5)] >>> (c & 31)) & 1;
      unpacked[r * cols + c] = bit;
      zeros += bit;
    }
  }
  return { values: new Float32Array(valueBytes.buffer), zeros, mask: unpacked };
}

function encodeSparseGpt(
  rec: PassRecorder,
  k: { score: Kernel; sweep: Kernel; gemm: Kernel; select: Awaited<ReturnType<typeof radixSelectKernels>> },
  plan: SparseGptGpuPlan,
  pattern: SparsityPattern,
  work: GPUBuffer,
  selectState: GPUBuffer,
  mask: GPUBuffer,
): void {
  const { rows, cols, blocksize: bs, uOffset, errOffset, scoreOffset } = plan;
  const maxPerDim = rec.ctx.limits.maxComputeWorkgroupsPerDimension;
  for (let i1 = 0; i1 < cols; i1 += bs) {
    const i2 = Math.min(i1 + bs, cols);
    const count = i2 - i1;
    if (pattern.kind === 'unstructured') {
      rec.dispatch(
        k.score,
        [
          ['u32', rows],
          ['u32', cols],
          ['u32', i1],
          ['u32', count],
          ['u32', uOffset],
          ['u32', scoreOffset],
          ['u32', bs],
        ],
        [work],
        dispatchGrid(Math.ceil((rows * count) / SCORE_WG_SIZE), maxPerDim, 'SparseGPT scores'),
      );
      encodeRadixSelect(rec, k.select, work, { rows, cols: count, offset: scoreOffset, rowStride: bs }, thresholdRank(rows * count, pattern.sparsity), selectState);
    }
    // Params in struct order (shaders/linalg/sparse-sweep.wgsl `Params`).
    rec.dispatch(
      k.sweep,
      [
        ['u32', rows],
        ['u32', cols],
        ['u32', i1],
        ['u32', count],
        ['u32', uOffset],
        ['u32', errOffset],
        ['u32', scoreOffset],
        ['u32', bs],
        ['u32', plan.wordsPerRow],
        ['u32', pattern.kind === 'n:m' ? pattern.m : 0],
        ['u32', pattern.kind === 'n:m' ? pattern.m - pattern.n : 0],
      ],
      [work, selectState, mask],
      dispatchGrid(Math.ceil(rows / SWEEP_WG_SIZE), maxPerDim, 'the SparseGPT sweep'),
    );
    // W[:, i2:] −= Err[:, :count] · U[i1:i2, i2:].
    encodeGemmUpdate(rec, k.gemm, work, {
      m: rows,
      ncols: cols - i2,
      k: count,
      c: { offset: i2, rowStride: cols },
      a: { offset: errOffset, rowStride: bs, colStride: 1 },
      b: { offset: uOffset + i1 * cols + i2, rowStride: cols, colStride: 1 },
      alpha: -1,
    });
  }
}
