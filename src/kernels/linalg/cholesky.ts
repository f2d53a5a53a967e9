// Damped inverse Cholesky on the GPU in float32: dampedInverseCholeskyRef's U (src/quant/linalg/cholesky.ts; gptq.py fasterquant).
// Dead columns and damping (O(n)) on the CPU; the O(n³) work as kernels. U, the unique upper factor with (H + damp·I)⁻¹ = UᵀU,
// equals J·L⁻¹·J for L = cholesky(JHJ), J the reversal: one blocked right-looking Cholesky (cholesky-diagonal, trsm-lower,
// gemm-update) and one blocked triangular inverse (trsm-lower, gemm-update) give it, instead of upstream's cholesky → inverse →
// cholesky: the same factor with less float32 round-off and no second factorisation to fail.
import shaderCode from '../../../shaders/linalg/cholesky-diagonal.wgsl?raw';
import { ShapeError, throwIfAborted } from '../../core/errors';
import { createBuffer, destroyBuffers, readBuffers, uploadStorage, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { DAMP_RAISE_FACTOR, DEFAULT_PERCDAMP, MAX_DAMP_RAISES, prepareDiagonal, raisedDamp } from '../../quant/linalg/cholesky';
import { encodeGemmUpdate, GEMM_TILE, gemmUpdateKernel } from './gemm-update';
import { checkBindingSize, checkWorkgroupSize, compileKernel, type Kernel, PassRecorder, tileGrid } from './passes';
import { encodeReverseCopy, reverseCopyGrid, reverseCopyKernel } from './reverse-copy';
import { encodeTrsmLower, trsmLowerGrid, trsmLowerKernel } from './trsm-lower';

export const CHOLESKY_DIAGONAL_SHADER = shaderCode;
/** Columns per block of the blocked factorisation = invocations of cholesky-diagonal.wgsl. */
export const CHOLESKY_BLOCK = 32;
const NO_FAILURE = 0xffffffff;

export interface DampedInverseCholeskyGpu {
  /** U [n][n], row-major, upper triangular (zeros below): (H + damp·I)⁻¹ ≈ UᵀU. */
  u: Float32Array;
  dead: number[];
  damp: number;
  dampRaised: boolean;
}

interface CholeskyKernels {
  diagonal: Kernel;
  trsm: Kernel;
  gemm: Kernel;
  copy: Kernel;
}

/** Checks n against the device limits; touches no GPU object. */
export function planCholeskyGpu(ctx: GpuContext, n: number): { workspaceBytes: number; matrixBytes: number } {
  const matrixBytes = n * n * 4;
  // Workspace: the factor L of JHJ at element 0, the inverse L⁻¹ at element n².
  const workspaceBytes = 2 * matrixBytes;
  checkBindingSize(ctx, workspaceBytes, `the inverse Cholesky of a ${n}×${n} Hessian`);
  checkWorkgroupSize(ctx, Math.max(CHOLESKY_BLOCK, GEMM_TILE * GEMM_TILE, 256), `the inverse Cholesky of a ${n}×${n} Hessian`);
  tileGrid(ctx, n, n, GEMM_TILE, `the inverse Cholesky of a ${n}×${n} Hessian`);
  trsmLowerGrid(ctx, n);
  reverseCopyGrid(ctx, n);
  return { workspaceBytes, matrixBytes };
}

async function choleskyKernels(ctx: GpuContext): Promise<CholeskyKernels> {
  const [diagonal, trsm, gemm, copy] = await Promise.all([
    compileKernel(ctx, 'linalg/cholesky-diagonal', shaderCode, ['storage', 'storage'], { WG_SIZE: CHOLESKY_BLOCK }),
    trsmLowerKernel(ctx),
    gemmUpdateKernel(ctx),
    reverseCopyKernel(ctx),
  ]);
  return { diagonal, trsm, gemm, copy };
}

interface Buffers {
  h: GPUBuffer;
  diag: GPUBuffer;
  ones: GPUBuffer;
  work: GPUBuffer;
  u: GPUBuffer;
  status: GPUBuffer;
}

/** Records JHJ (new diagonal) → L → L⁻¹ → U = J·L⁻¹·J for one damping. */
function encodeAttempt(rec: PassRecorder, k: CholeskyKernels, b: Buffers, n: number): void {
  const nn = n * n;
  encodeReverseCopy(rec, k.copy, b.h, b.diag, b.work, { n, srcOffset: 0, dstOffset: 0, keep: 'lower', transposed: true, useDiag: true });
  encodeReverseCopy(rec, k.copy, b.h, b.ones, b.work, { n, srcOffset: 0, dstOffset: nn, keep: 'none', transposed: false, useDiag: true });
  // Blocked right-looking Cholesky of the lower triangle at element 0.
  for (let k0 = 0; k0 < n; k0 += CHOLESKY_BLOCK) {
    const nb = Math.min(CHOLESKY_BLOCK, n - k0);
    const k1 = k0 + nb;
    rec.dispatch(
      k.diagonal,
      [
        ['u32', 0],
        ['u32', n],
        ['u32', k0],
        ['u32', nb],
      ],
      [b.work, b.status],
      [1, 1],
    );
    if (k1 === n) break;
    // L21 = A21 · L11⁻ᵀ: each row of A21 solves L11 y = a.
    encodeTrsmLower(rec, k.trsm, b.work, { nb, vectors: n - k1, lOffset: k0 * n + k0, lLd: n, rhsOffset: k1 * n + k0, rhsElemStride: 1, rhsVecStride: n });
    // A22 −= L21 · L21ᵀ (lower triangle).
    encodeGemmUpdate(rec, k.gemm, b.work, {
      m: n - k1,
      ncols: n - k1,
      k: nb,
      c: { offset: k1 * n + k1, rowStride: n },
      a: { offset: k1 * n + k0, rowStride: n, colStride: 1 },
      b: { offset: k1 * n + k0, rowStride: 1, colStride: n },
      alpha: -1,
      lowerOnly: true,
    });
  }
  // X = L⁻¹ at element n², from the identity: block rows top to bottom, columns < k1 only.
  for (let k0 = 0; k0 < n; k0 += CHOLESKY_BLOCK) {
    const nb = Math.min(CHOLESKY_BLOCK, n - k0);
    const k1 = k0 + nb;
    encodeTrsmLower(rec, k.trsm, b.work, { nb, vectors: k1, lOffset: k0 * n + k0, lLd: n, rhsOffset: nn + k0 * n, rhsElemStride: n, rhsVecStride: 1 });
    encodeGemmUpdate(rec, k.gemm, b.work, {
      m: n - k1,
      ncols: k1,
      k: nb,
      c: { offset: nn + k1 * n, rowStride: n },
      a: { offset: k1 * n + k0, rowStride: n, colStride: 1 },
      b: { offset: nn + k0 * n, rowStride: n, colStride: 1 },
      alpha: -1,
    });
  }
  encodeReverseCopy(rec, k.copy, b.work, b.ones, b.u, { n, srcOffset: nn, dstOffset: 0, keep: 'upper', transposed: false, useDiag: false });
}

/**
 * U with (H' + damp·I)⁻¹ = UᵀU (H' = H with dead diagonal entries set to 1; H's lower triangle is
 * read), float32 on the GPU. When the factorisation fails the damping is raised as in the reference;
 * ShapeError when it still fails after MAX_DAMP_RAISES raises.
 */
export async function dampedInverseCholeskyGpu(
  ctx: GpuContext,
  h: Float32Array,
  n: number,
  opts: { percdamp?: number; signal?: AbortSignal } = {},
): Promise<DampedInverseCholeskyGpu> {
  const percdamp = opts.percdamp ?? DEFAULT_PERCDAMP;
  const { diag, dead, meanDiag } = prepareDiagonal(h, n, percdamp);
  const plan = planCholeskyGpu(ctx, n);
  throwIfAborted(opts.signal);
  const kernels = await choleskyKernels(ctx);
  throwIfAborted(opts.signal);
  return withGpuErrorScopes(ctx, `the inverse Cholesky of a ${n}×${n} Hessian`, async () => {
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const b: Buffers = {
      h: uploadStorage(ctx, new Uint8Array(h.buffer, h.byteOffset, h.byteLength), 'cholesky H'),
      diag: createBuffer(ctx, n * 4, storage, 'cholesky diagonal'),
      ones: uploadStorage(ctx, new Uint8Array(new Float32Array(n).fill(1).buffer), 'cholesky ones'),
      work: createBuffer(ctx, plan.workspaceBytes, GPUBufferUsage.STORAGE, 'cholesky workspace'),
      u: createBuffer(ctx, plan.matrixBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'cholesky U'),
      status: createBuffer(ctx, 4, storage | GPUBufferUsage.COPY_SRC, 'cholesky status'),
    };
    try {
      let damp = percdamp * meanDiag;
      for (let raises = 0; ; raises++) {
        throwIfAborted(opts.signal);
        // JHJ's diagonal: entry i is H'[n−1−i][n−1−i] + damp.
        const reversed = new Float32Array(n);
        for (let i = 0; i < n; i++) reversed[i] = diag[n - 1 - i] + damp;
        ctx.device.queue.writeBuffer(b.diag, 0, reversed);
        ctx.device.queue.writeBuffer(b.status, 0, new Uint32Array([NO_FAILURE]));
        const encoder = ctx.device.createCommandEncoder({ label: 'inverse cholesky' });
        const rec = new PassRecorder(ctx, encoder);
        let read: Uint8Array<ArrayBuffer>[];
        try {
          encodeAttempt(rec, kernels, b, n);
          rec.endPass();
          ctx.device.queue.submit([encoder.finish()]);
          read = await readBuffers(ctx, [
            { buffer: b.status, byteLength: 4 },
            { buffer: b.u, byteLength: plan.matrixBytes },
          ]);
        } finally {
          rec.destroy();
        }
        if (new Uint32Array(read[0].buffer)[0] === NO_FAILURE) {
          return { u: new Float32Array(read[1].buffer), dead, damp, dampRaised: raises > 0 };
        }
        if (raises === MAX_DAMP_RAISES) {
          throw new ShapeError(
            `H is not positive definite even with damping ${damp} (${raises} raises ×${DAMP_RAISE_FACTOR} from percdamp ${percdamp}); ` +
              'check the calibration statistics',
            { n, damp },
          );
        }
        damp = raisedDamp(damp, meanDiag);
      }
    } finally {
      destroyBuffers(...Object.values(b));
    }
  });
}
