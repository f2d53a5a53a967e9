// Wrapper for shaders/linalg/trsm-lower.wgsl: in-place forward substitution x = L_kk⁻¹ b with one
// diagonal block of a lower Cholesky factor, for many vectors (the panel step of the blocked
// Cholesky and a block step of the triangular inverse; src/quant/linalg/cholesky.ts). Elements.
import shaderCode from '../../../shaders/linalg/trsm-lower.wgsl?raw';
import type { GpuContext } from '../../gpu/context';
import { dispatchGrid } from '../../gpu/dispatch';
import { checkWorkgroupSize, compileKernel, type Kernel, type PassRecorder } from './passes';

export const TRSM_LOWER_SHADER = shaderCode;
const WG_SIZE = 64;

export interface TrsmLower {
  /** Order of the diagonal block. */
  nb: number;
  vectors: number;
  /** L_kk[i][t] at lOffset + i·lLd + t. */
  lOffset: number;
  lLd: number;
  /** Element i of vector v at rhsOffset + v·rhsVecStride + i·rhsElemStride. */
  rhsOffset: number;
  rhsElemStride: number;
  rhsVecStride: number;
}

export function trsmLowerKernel(ctx: GpuContext): Promise<Kernel> {
  checkWorkgroupSize(ctx, WG_SIZE, 'the triangular solve');
  return compileKernel(ctx, 'linalg/trsm-lower', shaderCode, ['storage'], { WG_SIZE });
}

/** Workgroups for `vectors` right-hand sides (throws GpuLimitError past the dispatch limit). */
export function trsmLowerGrid(ctx: GpuContext, vectors: number): [number, number] {
  return dispatchGrid(Math.ceil(vectors / WG_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension, 'a triangular solve');
}

/** Params in struct order (shaders/linalg/trsm-lower.wgsl `Params`). */
function packParams(t: TrsmLower): ['u32', number][] {
  return [
    ['u32', t.nb],
    ['u32', t.vectors],
    ['u32', t.lOffset],
    ['u32', t.lLd],
    ['u32', t.rhsOffset],
    ['u32', t.rhsElemStride],
    ['u32', t.rhsVecStride],
  ];
}

export function encodeTrsmLower(rec: PassRecorder, kernel: Kernel, mat: GPUBuffer, t: TrsmLower): void {
  if (t.vectors === 0 || t.nb === 0) return;
  rec.dispatch(kernel, packParams(t), [mat], trsmLowerGrid(rec.ctx, t.vectors));
}
