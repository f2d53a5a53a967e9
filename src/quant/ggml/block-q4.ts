// Q4_0 and Q4_1 (docs/FORMATS.md §4.4): 32 elements per block, byte j holds element j (low
// nibble) and j+16 (high nibble). Q4_0 {d} x = (q−8)·d; Q4_1 {d, m} x = q·d + m; d, m fp16.
// References: ggml quantize_row_q4_0_ref / q4_1_ref and dequantize_row_q4_0 / q4_1.
import { blockCount, blockCountOfBytes } from './block-shape';
import { f, readF16, trunc, writeF16 } from './ggml-math';

export const QK4 = 32;
export const Q4_0_BLOCK_BYTES = 18;
export const Q4_1_BLOCK_BYTES = 20;

export function quantizeQ4_0Ref(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK4, 'Q4_0');
  const out = new Uint8Array(nb * Q4_0_BLOCK_BYTES);
  for (let i = 0; i < nb; i++) {
    const base = i * QK4;
    const o = i * Q4_0_BLOCK_BYTES;
    // The element of largest magnitude, keeping its sign (first one wins ties).
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK4; j++) {
      const v = x[base + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = f(max / -8);
    const id = d ? f(1 / d) : 0;
    writeF16(out, o, d);
    for (let j = 0; j < QK4 / 2; j++) {
      const x0 = f(x[base + j] * id);
      const x1 = f(x[base + QK4 / 2 + j] * id);
      const q0 = Math.min(15, trunc(f(x0 + 8.5)));
      const q1 = Math.min(15, trunc(f(x1 + 8.5)));
      out[o + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

export function dequantizeQ4_0Ref(bytes: Uint8Array): Float32Array {
  const nb = blockCountOfBytes(bytes.byteLength, Q4_0_BLOCK_BYTES, 'Q4_0');
  const y = new Float32Array(nb * QK4);
  for (let i = 0; i < nb; i++) {
    const o = i * Q4_0_BLOCK_BYTES;
    const d = readF16(bytes, o);
    for (let j = 0; j < QK4 / 2; j++) {
      const b = bytes[o + 2 + j];
      y[i * QK4 + j] = ((b & 0x0f) - 8) * d;
      y[i * QK4 + j + QK4 / 2] = ((b >> 4) - 8) * d;
    }
  }
  return y;
}

export function quantizeQ4_1Ref(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK4, 'Q4_1');
  const out = new Uint8Array(nb * Q4_1_BLOCK_BYTES);
  for (let i = 0; i < nb; i++) {
    const base = i * QK4;
    const o = i * Q4_1_BLOCK_BYTES;
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < QK4; j++) {
      const v = x[base + j];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = f(f(max - min) / 15);
    const id = d ? f(1 / d) : 0;
    writeF16(out, o, d);
    writeF16(out, o + 2, min);
    for (let j = 0; j < QK4 / 2; j++) {
      const x0 = f(f(x[base + j] - min) * id);
      const x1 = f(f(x[base + QK4 / 2 + j] - min) * id);
      const q0 = Math.min(15, trunc(f(x0 + 0.5)));
      const q1 = Math.min(15, trunc(f(x1 + 0.5)));
      out[o + 4 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

export function dequantizeQ4_1Ref(bytes: Uint8Array): Float32Array {
  const nb = blockCountOfBytes(bytes.byteLength, Q4_1_BLOCK_BYTES, 'Q4_1');
  const y = new Float32Array(nb * QK4);
  for (let i = 0; i < nb; i++) {
    const o = i * Q4_1_BLOCK_BYTES;
    const d = readF16(bytes, o);
    const m = readF16(bytes, o + 2);
    for (let j = 0; j < QK4 / 2; j++) {
      const b = bytes[o + 4 + j];
      y[i * QK4 + j] = f((b & 0x0f) * d) + m;
      y[i * QK4 + j + QK4 / 2] = f((b >> 4) * d) + m;
    }
  }
  return y;
}
