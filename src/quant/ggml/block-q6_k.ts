// Q6_K (docs/FORMATS.md §4.5): 256 elements in 210 bytes: ql[128] @0 (low 4 bits), qh[64] @128
// (high 2 bits), scales[16] int8 @192, d fp16 @208; x = d·scale·q, q ∈ [−32, 31].
// References: ggml quantize_row_q6_K_ref, quantize_row_q6_K_impl (with an importance matrix:
// the sub-block scale search weighs element j by importance[j] instead of x²) and
// dequantize_row_q6_K.
import { blockCount, blockCountOfBytes, rowBlockCount } from './block-shape';
import { f, GROUP_MAX_EPS, nearestInt, readF16, writeF16 } from './ggml-math';
import { makeQxQuants } from './kquant-search';
import { QK_K } from './kquant-pack';

export const Q6_K_BLOCK_BYTES = 210;

/**
 * `importance`, when given, holds one weight per column of a row (x is whole rows of that
 * length), as llama-quantize's `--imatrix` passes them.
 */
export function quantizeQ6_KRef(x: Float32Array, importance?: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK_K, 'Q6_K');
  const rowBlocks = importance ? rowBlockCount(x.length, importance.length, QK_K, 'Q6_K') : 0;
  const out = new Uint8Array(nb * Q6_K_BLOCK_BYTES);
  const L = new Int8Array(QK_K);
  const scales = new Float32Array(16);
  for (let i = 0; i < nb; i++) {
    const xb = x.subarray(i * QK_K, (i + 1) * QK_K);
    const o = i * Q6_K_BLOCK_BYTES;
    let maxScale = 0;
    let maxAbsScale = 0;
    for (let ib = 0; ib < 16; ib++) {
      const at = QK_K * (i % Math.max(1, rowBlocks)) + 16 * ib;
      const qw = importance?.subarray(at, at + 16);
      scales[ib] = makeQxQuants(32, xb.subarray(16 * ib, 16 * ib + 16), L.subarray(16 * ib, 16 * ib + 16), qw);
      const a = Math.abs(scales[ib]);
      if (a > maxAbsScale) {
        maxAbsScale = a;
        maxScale = scales[ib];
      }
    }
    if (maxAbsScale < GROUP_MAX_EPS) continue; // the block stays all zeros (d = +0)
    const iscale = f(-128 / maxScale);
    const d = writeF16(out, o + 208, f(1 / iscale));
    for (let ib = 0; ib < 16; ib++) out[o + 192 + ib] = Math.min(127, nearestInt(f(iscale * scales[ib]))) & 0xff;
    for (let j = 0; j < 16; j++) {
      const sc = (out[o + 192 + j] << 24) >> 24;
      const dl = f(d * sc);
      if (!dl) continue;
      for (let ii = 0; ii < 16; ii++) {
        const l = nearestInt(f(xb[16 * j + ii] / dl));
        L[16 * j + ii] = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
      }
    }
    for (let h = 0; h < 2; h++) {
      const ql = o + 64 * h;
      const qh = o + 128 + 32 * h;
      for (let l = 0; l < 32; l++) {
        const e = 128 * h + l;
        out[ql + l] = (L[e] & 0xf) | ((L[e + 64] & 0xf) << 4);
        out[ql + l + 32] = (L[e + 32] & 0xf) | ((L[e + 96] & 0xf) << 4);
        out[qh + l] = (L[e] >> 4) | ((L[e + 32] >> 4) << 2) | ((L[e + 64] >> 4) << 4) | ((L[e + 96] >> 4) << 6);
      }
    }
  }
  return out;
}

export function dequantizeQ6_KRef(bytes: Uint8Array): Float32Array {
  const nb = blockCountOfBytes(bytes.byteLength, Q6_K_BLOCK_BYTES, 'Q6_K');
  const y = new Float32Array(nb * QK_K);
  for (let i = 0; i < nb; i++) {
    const o = i * Q6_K_BLOCK_BYTES;
    const d = readF16(bytes, o + 208);
    for (let e = 0; e < QK_K; e++) {
      const h = e >> 7;
      const r = e & 127;
      const s = r >> 5;
      const l = r & 31;
      const lowByte = bytes[o + 64 * h + l + (s & 1 ? 32 : 0)];
      const low = s < 2 ? lowByte & 0xf : lowByte >> 4;
      const high = (bytes[o + 128 + 32 * h + l] >> (2 * s)) & 3;
      const sc = (bytes[o + 192 + (e >> 4)] << 24) >> 24;
      y[i * QK_K + e] = f(d * sc) * ((low | (high << 4)) - 32);
    }
  }
  return y;
}
