// Wrapper for shaders/linalg/gemm-update.wgsl: C += alpha·A·B on strided views (element offsets and
// strides) of one f32 buffer, the O(n³) step of the blocked Cholesky, the blocked triangular
// inverse and SparseGPT's lazy update (src/quant/linalg/cholesky.ts, sparsegpt.ts).
import shaderCode from '../../../shaders/linalg/gemm-update.wgsl?raw';
import { assert } from '../../core/assert';
import type { GpuContext } from '../../gpu/context';
import { checkWorkgroupSize, compileKernel, type Kernel, type PassRecorder, tileGrid } from './passes';

export const GEMM_UPDATE_SHADER = shaderCode;
export const GEMM_TILE = 16;
const WG_SIZE = GEMM_TILE * GEMM_TILE;

/** A strided matrix view: element (r, c) at offset + r·rowStride + c·colStride (elements). */
export interface MatrixView {
  offset: number;
  rowStride: number;
  colStride: number;
}

export interface GemmUpdate {
  /** Rows of C and A. */
  m: number;
  /** Columns of C and B. */
  ncols: number;
  /** Columns of A = rows of B. */
  k: number;
  /** C's column stride must be 1. */
  c: { offset: number; rowStride: number };
  a: MatrixView;
  b: MatrixView;
  alpha: number;
  /** Write only C's lower triangle (c ≤ r, in C's own indices). */
  lowerOnly?: boolean;
}

export function gemmUpdateKernel(ctx: GpuContext): Promise<Kernel> {
  checkWorkgroupSize(ctx, WG_SIZE, 'the tiled matrix update');
  return compileKernel(ctx, 'linalg/gemm-update', shaderCode, ['storage'], { WG_SIZE, TILE: GEMM_TILE });
}

/** Params in struct order (shaders/linalg/gemm-update.wgsl `Params`). */
function packParams(g: GemmUpdate): ['u32' | 'f32', number][] {
  return [
    ['u32', g.m],
    ['u32', g.ncols],
    ['u32', g.k],
    ['u32', g.c.offset],
    ['u32', g.c.rowStride],
    ['u32', g.a.offset],
    ['u32', g.a.rowStride],
    ['u32', g.a.colStride],
    ['u32', g.b.offset],
    ['u32', g.b.rowStride],
    ['u32', g.b.colStride],
    ['f32', g.alpha],
    ['u32', g.lowerOnly ? 1 : 0],
  ];
}

/** Records C += alpha·A·B on `mat` (C, A and B must not overlap). Empty updates record nothing. */
export function encodeGemmUpdate(rec: PassRecorder, kernel: Kernel, mat: GPUBuffer, g: GemmUpdate): void {
  if (g.m === 0 || g.ncols === 0 || g.k === 0) return;
  assert(g.m > 0 && g.ncols > 0 && g.k > 0, 'gemm-update with a negative size');
  rec.dispatch(kernel, packParams(g), [mat], tileGrid(rec.ctx, g.m, g.ncols, GEMM_TILE, `a ${g.m}×${g.k}·${g.k}×${g.ncols} matrix update`));
}
