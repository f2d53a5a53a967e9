// Q3_K (docs/FORMATS.md §4.5): 256 elements in 110 bytes: hmask[32] @0 (high bits), qs[64] @32
// (low 2 bits), scales[12] @96 (sixteen 6-bit signed scales, +32), d fp16 @108;
// x = d·(sc−32)·q, q ∈ [−4, 3]. Reference: ggml quantize_row_q3_K_ref / dequantize_row_q3_K.
import { blockCount, blockCountOfBytes } from './block-shape';
import { f, nearestInt, readF16, writeF16 } from './ggml-math';
import { makeQ3Quants } from './kquant-search';
import { pack2bit, QK_K, unpack2bit } from './kquant-pack';

export const Q3_K_BLOCK_BYTES = 110;

/** The 6-bit scale code of sub-block j (0…63, stored +32) from the 12 bytes at `at`. */
export function scaleQ3K(bytes: Uint8Array, at: number, j: number): number {
  const low = j < 8 ? bytes[at + j] & 0xf : bytes[at + j - 8] >> 4;
  return low | (((bytes[at + 8 + (j % 4)] >> (2 * (j >> 2))) & 3) << 4);
}

export function quantizeQ3_KRef(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK_K, 'Q3_K');
  const out = new Uint8Array(nb * Q3_K_BLOCK_BYTES);
  const L = new Int8Array(QK_K);
  const scales = new Float32Array(16);
  const codes = new Uint8Array(16);
  for (let i = 0; i < nb; i++) {
    const xb = x.subarray(i * QK_K, (i + 1) * QK_K);
    const o = i * Q3_K_BLOCK_BYTES;
    let maxScale = 0;
    let amax = 0;
    for (let j = 0; j < 16; j++) {
      scales[j] = makeQ3Quants(4, xb.subarray(16 * j, 16 * j + 16), L.subarray(16 * j, 16 * j + 16));
      const s = Math.abs(scales[j]);
      if (s > amax) {
        amax = s;
        maxScale = scales[j];
      }
    }
    let d = 0;
    if (maxScale) {
      const iscale = f(-32 / maxScale);
      for (let j = 0; j < 16; j++) {
        const l = nearestInt(f(iscale * scales[j]));
        codes[j] = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
      }
      packQ3_KScales(codes, out, o + 96);
      d = writeF16(out, o + 108, f(1 / iscale));
    } else {
      d = writeF16(out, o + 108, 0);
    }
    for (let j = 0; j < 16; j++) {
      const dl = f(d * (scaleQ3K(out, o + 96, j) - 32));
      if (!dl) continue;
      for (let ii = 0; ii < 16; ii++) {
        const l = nearestInt(f(xb[16 * j + ii] / dl));
        L[16 * j + ii] = (l < -4 ? -4 : l > 3 ? 3 : l) + 4;
      }
    }
    packQ3_KCodes(L, out, o);
  }
  return out;
}

/** Writes 256 codes 0…7 (consumed) into the hmask and qs of the (zeroed) Q3_K block at `o`. */
export function packQ3_KCodes(L: Int8Array, out: Uint8Array, o: number): void {
  // High bit of element e goes to hmask[e % 32], bit e / 32.
  for (let e = 0; e < QK_K; e++) {
    if (L[e] > 3) {
      out[o + (e & 31)] |= 1 << (e >> 5);
      L[e] -= 4;
    }
  }
  pack2bit(L, out, o + 32);
}

/** Writes the sixteen 6-bit scale codes (0…63) into the 12 scale bytes at `at` (zeroed). */
export function packQ3_KScales(codes: ArrayLike<number>, out: Uint8Array, at: number): void {
  for (let j = 0; j < 16; j++) {
    const l = codes[j];
    if (j < 8) out[at + j] = l & 0xf;
    else out[at + j - 8] |= (l & 0xf) << 4;
    out[at + 8 + (j % 4)] |= (l >> 4) << (2 * (j >> 2));
  }
}

export function dequantizeQ3_KRef(bytes: Uint8Array): Float32Array {
  const nb = blockCountOfBytes(bytes.byteLength, Q3_K_BLOCK_BYTES, 'Q3_K');
  const y = new Float32Array(nb * QK_K);
  for (let i = 0; i < nb; i++) {
    const o = i * Q3_K_BLOCK_BYTES;
    const d = readF16(bytes, o + 108);
    for (let e = 0; e < QK_K; e++) {
      const dl = f(d * (scaleQ3K(bytes, o + 96, e >> 4) - 32));
      const hbit = (bytes[o + (e & 31)] >> (e >> 5)) & 1;
      y[i * QK_K + e] = dl * (unpack2bit(bytes, o + 32, e) - (hbit ? 0 : 4));
    }
  }
  return y;
}
