// GPTQ on the GPU in float32 (wrapper for shaders/linalg/gptq-sweep.wgsl, with gemm-update): gptqRef's
// blocked column solve (src/quant/linalg/gptq.ts, whose header states upstream's group rules). W is
// uploaded in solve order; per block: the parameters of the groups that start in it (static groups:
// all of them, once, before the first block), the column sweep with one row per invocation, then the
// lazy update W[:, end:] −= Err·U[block, end:] as a tiled matmul. Codes come back in original order.
import sweepCode from '../../../shaders/linalg/gptq-sweep.wgsl?raw';
import roundHalfAway from '../../../shaders/common/round-half-away.wgsl?raw';
import divRn from '../../../shaders/common/div-rn.wgsl?raw';
import groupParams from '../../../shaders/common/group-params.wgsl?raw';
import { throwIfAborted } from '../../core/errors';
import { createBuffer, destroyBuffers, readBuffers, uploadBytes, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { withHelpers } from '../../gpu/wgsl';
import { checkGptq, type GptqGrouping, type GptqOptions, type GptqResult } from '../../quant/linalg/gptq';
import { encodeGemmUpdate, GEMM_TILE, gemmUpdateKernel } from './gemm-update';
import { checkBindingSize, checkWorkgroupSize, compileKernel, type Kernel, PassRecorder, tileGrid } from './passes';

/** The kernel with its common/ helpers prepended. */
export const GPTQ_SWEEP_SHADER = withHelpers(sweepCode, {
  'common/round-half-away.wgsl': roundHalfAway,
  'common/div-rn.wgsl': divRn,
  'common/group-params.wgsl': groupParams,
});
const SWEEP_WG_SIZE = 64;

/** Element offsets of the workspace (W in solve order, U, Err [rows][blocksize]) and the other buffers' sizes. */
export interface GptqGpuPlan {
  rows: number;
  cols: number;
  blocksize: number;
  grouping: GptqGrouping;
  uOffset: number;
  errOffset: number;
  workspaceBytes: number;
  /** Scales then reciprocals, f32 [2][rows][nGroups]. */
  qparamsBytes: number;
  zeroPointsBytes: number;
  /** u32 [rows][cols]. */
  codesBytes: number;
}

/** Checks shapes, options and the device limits; touches no GPU object. */
export function planGptqGpu(ctx: GpuContext, w: Float32Array, rows: number, cols: number, u: Float32Array, opts: GptqOptions): GptqGpuPlan {
  const grouping = checkGptq(w, rows, cols, u, opts);
  const bs = Math.min(opts.blocksize, cols);
  const uOffset = rows * cols;
  const errOffset = uOffset + cols * cols;
  const workspaceBytes = (errOffset + rows * bs) * 4;
  const what = `GPTQ on a ${rows}×${cols} weight`;
  const qparamsBytes = 2 * rows * grouping.nGroups * 4;
  const zeroPointsBytes = rows * grouping.nGroups * 4;
  const codesBytes = rows * cols * 4;
  for (const bytes of [workspaceBytes, qparamsBytes, codesBytes, 2 * cols * 4]) checkBindingSize(ctx, bytes, what);
  checkWorkgroupSize(ctx, Math.max(SWEEP_WG_SIZE, GEMM_TILE * GEMM_TILE), what);
  tileGrid(ctx, rows, cols, GEMM_TILE, what);
  dispatchGrid(Math.ceil(rows / SWEEP_WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, what);
  return { rows, cols, blocksize: bs, grouping, uOffset, errOffset, workspaceBytes, qparamsBytes, zeroPointsBytes, codesBytes };
}

/**
 * Quantizes W [rows][cols] (original column order, dead columns zeroed by the caller) as gptqRef
 * does, with U the upper factor of the damped H⁻¹ in SOLVE order (H permuted by opts.perm before
 * dampedInverseCholeskyGpu; only U's upper triangle is read). Same result shape as gptqRef.
 */
export async function gptqGpu(
  ctx: GpuContext,
  w: Float32Array,
  rows: number,
  cols: number,
  u: Float32Array,
  opts: GptqOptions & { signal?: AbortSignal },
): Promise<GptqResult> {
  const plan = planGptqGpu(ctx, w, rows, cols, u, opts);
  const { order, nGroups, groupSize } = plan.grouping;
  throwIfAborted(opts.signal);
  const [sweep, gemm] = await Promise.all([
    compileKernel(ctx, 'linalg/gptq-sweep', GPTQ_SWEEP_SHADER, ['storage', 'read-only-storage', 'storage', 'storage', 'storage'], {
      WG_SIZE: SWEEP_WG_SIZE,
      BITS: opts.bits,
      SYMMETRIC: opts.symmetric ? 1 : 0,
    }),
    gemmUpdateKernel(ctx),
  ]);
  throwIfAborted(opts.signal);
  // W in solve order; order and its inverse for the kernel.
  const ws = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let p = 0; p < cols; p++) ws[r * cols + p] = w[r * cols + order[p]];
  const orders = new Uint32Array(2 * cols);
  orders.set(order);
  for (let p = 0; p < cols; p++) orders[cols + order[p]] = p;
  const [codeBytes, qparamBytes, zpBytes] = await withGpuErrorScopes(ctx, `GPTQ on a ${rows}×${cols} weight`, async () => {
    const out = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    const work = createBuffer(ctx, plan.workspaceBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'gptq workspace');
    const orderBuf = uploadStorage(ctx, new Uint8Array(orders.buffer), 'gptq order');
    const qparams = createBuffer(ctx, plan.qparamsBytes, out, 'gptq scales');
    const zeroPoints = createBuffer(ctx, plan.zeroPointsBytes, out, 'gptq zero points');
    const codes = createBuffer(ctx, plan.codesBytes, out, 'gptq codes');
    const encoder = ctx.device.createCommandEncoder({ label: 'gptq' });
    const rec = new PassRecorder(ctx, encoder);
    try {
      uploadBytes(ctx, work, new Uint8Array(ws.buffer));
      uploadBytes(ctx, work, new Uint8Array(u.buffer, u.byteOffset, u.byteLength), plan.uOffset * 4);
      encodeGptq(rec, { sweep, gemm }, plan, [work, orderBuf, qparams, zeroPoints, codes]);
      rec.endPass();
      ctx.device.queue.submit([encoder.finish()]);
      return await readBuffers(ctx, [
        { buffer: codes, byteLength: plan.codesBytes },
        { buffer: qparams, byteLength: rows * nGroups * 4 },
        { buffer: zeroPoints, byteLength: plan.zeroPointsBytes },
      ]);
    } finally {
      rec.destroy();
      destroyBuffers(work, orderBuf, qparams, zeroPoints, codes);
    }
  });
  throwIfAborted(opts.signal);
  const codes32 = new Uint32Array(codeBytes.buffer);
  const scales = new Float32Array(qparamBytes.buffer);
  const zeroPoints = Uint8Array.from(new Uint32Array(zpBytes.buffer));
  const codes = Uint8Array.from(codes32);
  // Ŵ = (q − zp)·scale: one float32 rounding of an exact product, as the kernel and gptqRef take it.
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const g = r * nGroups + Math.floor(c / groupSize);
      values[r * cols + c] = (codes[r * cols + c] - zeroPoints[g]) * scales[g];
    }
  }
  return { codes, scales, zeroPoints, values };
}

function encodeGptq(rec: PassRecorder, k: { sweep: Kernel; gemm: Kernel }, plan: GptqGpuPlan, buffers: readonly GPUBuffer[]): void {
  const { rows, cols, blocksize: bs, uOffset, errOffset } = plan;
  const { groupSize, nGroups, staticGroups } = plan.grouping;
  const grid = dispatchGrid(Math.ceil(rows / SWEEP_WG_SIZE), rec.ctx.limits.maxComputeWorkgroupsPerDimension, 'the GPTQ sweep');
  // Params in struct order (shaders/linalg/gptq-sweep.wgsl `Params`).
  const sweep = (colStart: number, count: number, groupFirst: number, groupEnd: number) =>
    rec.dispatch(
      k.sweep,
      [
        ['u32', rows],
        ['u32', cols],
        ['u32', colStart],
        ['u32', count],
        ['u32', uOffset],
        ['u32', errOffset],
        ['u32', bs],
        ['u32', groupSize],
        ['u32', nGroups],
        ['u32', groupFirst],
        ['u32', groupEnd],
      ],
      buffers,
      grid,
    );
  // Static groups: every group from the original W, before anything is updated.
  if (staticGroups) sweep(0, 0, 0, nGroups);
  for (let i1 = 0; i1 < cols; i1 += bs) {
    const i2 = Math.min(i1 + bs, cols);
    const count = i2 - i1;
    // Otherwise (natural order) the groups starting in [i1, i2), from the block-start W.
    const [groupFirst, groupEnd] = staticGroups ? [0, 0] : [Math.ceil(i1 / groupSize), Math.ceil(i2 / groupSize)];
    sweep(i1, count, groupFirst, groupEnd);
    // W[:, i2:] −= Err[:, :count] · U[i1:i2, i2:].
    encodeGemmUpdate(rec, k.gemm, buffers[0], {
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
