// GPTQ on a llama.cpp block type: gptqRef's solve (float64 errors, lazy batch updates, optional
// act-order), with the grid of each block of a row fixed by llama.cpp's own quantizer of the type
// (src/quant/ggml/ggml-codec.ts) and the codes then chosen one column at a time on that grid
// (src/quant/ggml/block-grid.ts), each column's rounding error pushed onto the columns not yet
// quantized. As gptqRef's groups: a block's parameters come from the weights as they stand when
// the lazy block holding it starts (the lazy blocksize is rounded up to whole blocks, so a K-quant
// super-block of 256 is never split), or from the original W with act-order (static groups).
// The result is ordinary blocks of the type — its scales as llama.cpp would write for those
// weights, its codes the solve's — so every runtime that reads the type reads the file.
import { ShapeError } from '../../core/errors';
import type { GgmlQuantType } from '../../core/recipe';
import { BLOCK_GRIDS } from '../ggml/block-grid';
import { quantizeGgmlRef } from '../ggml/ggml-codec';
import { checkGptq } from './gptq';

const fround = Math.fround;

export interface GptqGgmlOptions {
  type: GgmlQuantType;
  blocksize: number;
  /** Act-order: the solve's column order (the caller permutes H the same way). */
  perm?: Uint32Array;
}

export interface GptqGgmlResult {
  /** Rows of blocks of `type`, HF row order. */
  bytes: Uint8Array;
  /** Ŵ as the type decodes it, rows×cols row-major, original column order. */
  values: Float32Array;
}

/** `w` row-major W[rows][cols] (dead columns zeroed), `u` the upper Cholesky factor of the damped H⁻¹ in solve order. */
export function gptqGgmlRef(w: Float32Array, rows: number, cols: number, u: ArrayLike<number>, opts: GptqGgmlOptions): GptqGgmlResult {
  const grid = BLOCK_GRIDS[opts.type];
  if (!grid) throw new ShapeError(`GPTQ has no grid for ${opts.type}`);
  const { blockSize: bs, blockBytes } = grid;
  if (cols % bs !== 0) throw new ShapeError(`rows of ${cols} are not a multiple of the ${opts.type} block of ${bs}`);
  // The shared shape/perm checks (bits and group there only describe the int grid; the type is the grid here).
  const { order } = checkGptq(w, rows, cols, u, { bits: 4, group: bs, symmetric: false, blocksize: opts.blocksize, ...(opts.perm ? { perm: opts.perm } : {}) });
  const staticBlocks = opts.perm !== undefined;
  const lazy = Math.ceil(opts.blocksize / bs) * bs;
  const rowBytes = (cols / bs) * blockBytes;
  // Act-order: every block's parameters from the original weights, before the solve.
  const bytes = staticBlocks ? quantizeGgmlRef(opts.type, w) : new Uint8Array(rows * rowBytes);
  const W = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let p = 0; p < cols; p++) W[r * cols + p] = w[r * cols + order[p]];
  const values = new Float32Array(rows * cols);
  const uAt = (i: number, j: number) => u[i * cols + j];
  const block = new Float32Array(bs);
  for (let i1 = 0; i1 < cols; i1 += lazy) {
    const i2 = Math.min(i1 + lazy, cols);
    const count = i2 - i1;
    const err = new Float64Array(rows * count);
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      if (!staticBlocks) {
        // The blocks in [i1, i2) (natural order: position = column) from the weights as they stand now.
        for (let b0 = i1; b0 < i2; b0 += bs) {
          for (let e = 0; e < bs; e++) block[e] = fround(W[row + b0 + e]);
          bytes.set(quantizeGgmlRef(opts.type, block), r * rowBytes + (b0 / bs) * blockBytes);
        }
      }
      for (let i = 0; i < count; i++) {
        const p = i1 + i;
        const c = order[p];
        const o = r * rowBytes + Math.floor(c / bs) * blockBytes;
        const e = c % bs;
        const q = grid.code(bytes, o, e, fround(W[row + p]));
        grid.setCode(bytes, o, e, q);
        const deq = grid.value(bytes, o, e, q);
        const d = (W[row + p] - deq) / uAt(p, p);
        err[r * count + i] = d;
        if (d !== 0) for (let j = p + 1; j < i2; j++) W[row + j] -= d * uAt(p, j);
        values[row + c] = deq;
      }
    }
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < count; i++) {
        const d = err[r * count + i];
        if (d === 0) continue;
        for (let j = i2; j < cols; j++) W[r * cols + j] -= d * uAt(i1 + i, j);
      }
    }
  }
  return { bytes, values };
}
