// Q2_K (docs/FORMATS.md §4.5): 256 elements in 84 bytes: scales[16] @0 (low nibble = scale
// code, high = min code), qs[64] @16 (2-bit codes), d fp16 @80, dmin fp16 @82;
// x = d·sc·q − dmin·mc. Reference: ggml quantize_row_q2_K_ref / dequantize_row_q2_K.
import { blockCount, blockCountOfBytes } from './block-shape';
import { f, nearestInt, readF16, writeF16 } from './ggml-math';
import { makeQkx2Quants } from './kquant-search';
import { pack2bit, QK_K, unpack2bit } from './kquant-pack';

export const Q2_K_BLOCK_BYTES = 84;

export function quantizeQ2_KRef(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK_K, 'Q2_K');
  const out = new Uint8Array(nb * Q2_K_BLOCK_BYTES);
  const L = new Uint8Array(QK_K);
  const Laux = new Uint8Array(16);
  const weights = new Float32Array(16);
  const scales = new Float32Array(16);
  const mins = new Float32Array(16);
  for (let i = 0; i < nb; i++) {
    const xb = x.subarray(i * QK_K, (i + 1) * QK_K);
    const o = i * Q2_K_BLOCK_BYTES;
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 16; j++) {
      const xs = xb.subarray(16 * j, 16 * j + 16);
      for (let l = 0; l < 16; l++) weights[l] = Math.abs(xs[l]);
      const r = makeQkx2Quants(3, xs, weights, L.subarray(16 * j, 16 * j + 16), Laux, f(-0.5), f(0.1), 15, true);
      scales[j] = r.scale;
      mins[j] = r.min;
      if (scales[j] > maxScale) maxScale = scales[j];
      if (mins[j] > maxMin) maxMin = mins[j];
    }
    let d = 0;
    if (maxScale > 0) {
      const iscale = f(15 / maxScale);
      for (let j = 0; j < 16; j++) out[o + j] = nearestInt(f(iscale * scales[j]));
      d = writeF16(out, o + 80, f(maxScale / 15));
    } else {
      d = writeF16(out, o + 80, 0);
    }
    let dmin = 0;
    if (maxMin > 0) {
      const iscale = f(15 / maxMin);
      for (let j = 0; j < 16; j++) out[o + j] |= nearestInt(f(iscale * mins[j])) << 4;
      dmin = writeF16(out, o + 82, f(maxMin / 15));
    } else {
      dmin = writeF16(out, o + 82, 0);
    }
    for (let j = 0; j < 16; j++) {
      const dl = f(d * (out[o + j] & 0xf));
      if (!dl) continue;
      const dm = f(dmin * (out[o + j] >> 4));
      for (let ii = 0; ii < 16; ii++) {
        const l = nearestInt(f(f(xb[16 * j + ii] + dm) / dl));
        L[16 * j + ii] = l < 0 ? 0 : l > 3 ? 3 : l;
      }
    }
    pack2bit(L, out, o + 16);
  }
  return out;
}

export function dequantizeQ2_KRef(bytes: Uint8Array): Float32Array {
  const nb = blockCountOfBytes(bytes.byteLength, Q2_K_BLOCK_BYTES, 'Q2_K');
  const y = new Float32Array(nb * QK_K);
  for (let i = 0; i < nb; i++) {
    const o = i * Q2_K_BLOCK_BYTES;
    const d = readF16(bytes, o + 80);
    const dmin = readF16(bytes, o + 82);
    for (let e = 0; e < QK_K; e++) {
      const sc = bytes[o + (e >> 4)];
      const dl = f(d * (sc & 0xf));
      const ml = f(dmin * (sc >> 4));
      y[i * QK_K + e] = f(dl * unpack2bit(bytes, o + 16, e)) - ml;
    }
  }
  return y;
}
