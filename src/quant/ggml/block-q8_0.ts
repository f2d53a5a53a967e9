// Q8_0 (docs/FORMATS.md §4.4): 32 elements per 34-byte block {d: fp16, qs: int8[32]}, x = d·q.
// Reference: ggml quantize_row_q8_0_ref / dequantize_row_q8_0, float32 operation by operation.
import { blockCount, blockCountOfBytes } from './block-shape';
import { f, readF16, roundAwayFromZero, writeF16 } from './ggml-math';

export const QK8_0 = 32;
export const Q8_0_BLOCK_BYTES = 34;

export function quantizeQ8_0Ref(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK8_0, 'Q8_0');
  const out = new Uint8Array(nb * Q8_0_BLOCK_BYTES);
  for (let i = 0; i < nb; i++) {
    const base = i * QK8_0;
    const o = i * Q8_0_BLOCK_BYTES;
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) {
      const a = Math.abs(x[base + j]);
      amax = amax > a ? amax : a;
    }
    const d = f(amax / 127);
    const id = d ? f(1 / d) : 0;
    writeF16(out, o, d);
    for (let j = 0; j < QK8_0; j++) {
      out[o + 2 + j] = roundAwayFromZero(f(x[base + j] * id)) & 0xff;
    }
  }
  return out;
}

export function dequantizeQ8_0Ref(bytes: Uint8Array): Float32Array {
  const nb = blockCountOfBytes(bytes.byteLength, Q8_0_BLOCK_BYTES, 'Q8_0');
  const y = new Float32Array(nb * QK8_0);
  for (let i = 0; i < nb; i++) {
    const o = i * Q8_0_BLOCK_BYTES;
    const d = readF16(bytes, o);
    for (let j = 0; j < QK8_0; j++) {
      const q = (bytes[o + 2 + j] << 24) >> 24;
      y[i * QK8_0 + j] = q * d;
    }
  }
  return y;
}
