// Wrapper for shaders/linalg/reverse-copy.wgsl: dst = J·src·J (or J·srcᵀ·J) restricted to a
// triangle, with an optional new diagonal: H → JHJ for the Cholesky, the identity, and
// M = L(JHJ)⁻¹ → U = J·M·J (src/kernels/linalg/cholesky.ts). Offsets in elements.
import shaderCode from '../../../shaders/linalg/reverse-copy.wgsl?raw';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { checkWorkgroupSize, compileKernel, type Kernel, type PassRecorder } from './passes';

export const REVERSE_COPY_SHADER = shaderCode;
const WG_SIZE = 256;

export const KEEP = { none: 0, lower: 1, upper: 2 } as const;

export interface ReverseCopy {
  n: number;
  srcOffset: number;
  dstOffset: number;
  keep: keyof typeof KEEP;
  /** Read src[n−1−j][n−1−i] instead of src[n−1−i][n−1−j]. */
  transposed: boolean;
  /** Write diag[i] to dst[i][i]. */
  useDiag: boolean;
}

export function reverseCopyKernel(ctx: GpuContext): Promise<Kernel> {
  checkWorkgroupSize(ctx, WG_SIZE, 'the reversed copy');
  return compileKernel(ctx, 'linalg/reverse-copy', shaderCode, ['read-only-storage', 'read-only-storage', 'storage'], { WG_SIZE });
}

export function reverseCopyGrid(ctx: GpuContext, n: number): [number, number] {
  return dispatchGrid(Math.ceil((n * n) / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, `copying a ${n}×${n} matrix`);
}

/** Params in struct order (shaders/linalg/reverse-copy.wgsl `Params`). */
function packParams(r: ReverseCopy): ['u32', number][] {
  return [
    ['u32', r.n],
    ['u32', r.srcOffset],
    ['u32', r.dstOffset],
    ['u32', KEEP[r.keep]],
    ['u32', r.transposed ? 1 : 0],
    ['u32', r.useDiag ? 1 : 0],
  ];
}

/** `src` and `dst` must be different buffers; `diag` holds n f32 (any buffer when !useDiag). */
export function encodeReverseCopy(rec: PassRecorder, kernel: Kernel, src: GPUBuffer, diag: GPUBuffer, dst: GPUBuffer, r: ReverseCopy): void {
  rec.dispatch(kernel, packParams(r), [src, diag, dst], reverseCopyGrid(rec.ctx, r.n));
}
