// Q5_0 and Q5_1 (docs/FORMATS.md §4.4): 32 elements per block; low 4 bits packed like Q4_x,
// the 5th bit of element i is bit i of `qh` (u32 LE). Q5_0 {d, qh, qs} x = (q−16)·d;
// Q5_1 {d, m, qh, qs} x = q·d + m. References: ggml quantize_row_q5_0_ref / q5_1_ref and
// dequantize_row_q5_0 / q5_1.
import { blockCount, blockCountOfBytes } from './block-shape';
import { f, readF16, trunc, writeF16 } from './ggml-math';

export const QK5 = 32;
export const Q5_0_BLOCK_BYTES = 22;
export const Q5_1_BLOCK_BYTES = 24;

function writeU32(out: Uint8Array, o: number, v: number): void {
  out[o] = v & 0xff;
  out[o + 1] = (v >>> 8) & 0xff;
  out[o + 2] = (v >>> 16) & 0xff;
  out[o + 3] = v >>> 24;
}

function readU32(bytes: Uint8Array, o: number): number {
  return (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
}

/** Packs 32 five-bit codes: nibbles at `qsAt`, fifth bits as a u32 at `qhAt`. */
export function pack5(out: Uint8Array, qhAt: number, qsAt: number, codes: ArrayLike<number>): void {
  let qh = 0;
  for (let j = 0; j < QK5 / 2; j++) {
    const q0 = codes[j];
    const q1 = codes[j + QK5 / 2];
    out[qsAt + j] = (q0 & 0x0f) | ((q1 & 0x0f) << 4);
    qh |= ((q0 >> 4) & 1) << j;
    qh |= ((q1 >> 4) & 1) << (j + QK5 / 2);
  }
  writeU32(out, qhAt, qh >>> 0);
}

function unpack5(bytes: Uint8Array, qhAt: number, qsAt: number, j: number): number {
  const qh = readU32(bytes, qhAt);
  const b = bytes[qsAt + (j % 16)];
  const low = j < 16 ? b & 0x0f : b >> 4;
  return low | (((qh >>> j) & 1) << 4);
}

export function quantizeQ5_0Ref(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK5, 'Q5_0');
  const out = new Uint8Array(nb * Q5_0_BLOCK_BYTES);
  const codes = new Uint8Array(QK5);
  for (let i = 0; i < nb; i++) {
    const base = i * QK5;
    const o = i * Q5_0_BLOCK_BYTES;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK5; j++) {
      const v = x[base + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = f(max / -16);
    const id = d ? f(1 / d) : 0;
    writeF16(out, o, d);
    for (let j = 0; j < QK5; j++) codes[j] = Math.min(31, trunc(f(f(x[base + j] * id) + 16.5)));
    pack5(out, o + 2, o + 6, codes);
  }
  return out;
}

export function dequantizeQ5_0Ref(bytes: Uint8Array): Float32Array {
  const nb = blockCountOfBytes(bytes.byteLength, Q5_0_BLOCK_BYTES, 'Q5_0');
  const y = new Float32Array(nb * QK5);
  for (let i = 0; i < nb; i++) {
    const o = i * Q5_0_BLOCK_BYTES;
    const d = readF16(bytes, o);
    for (let j = 0; j < QK5; j++) y[i * QK5 + j] = (unpack5(bytes, o + 2, o + 6, j) - 16) * d;
  }
  return y;
}

export function quantizeQ5_1Ref(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK5, 'Q5_1');
  const out = new Uint8Array(nb * Q5_1_BLOCK_BYTES);
  const codes = new Uint8Array(QK5);
  for (let i = 0; i < nb; i++) {
    const base = i * QK5;
    const o = i * Q5_1_BLOCK_BYTES;
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < QK5; j++) {
      const v = x[base + j];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = f(f(max - min) / 31);
    const id = d ? f(1 / d) : 0;
    writeF16(out, o, d);
    writeF16(out, o + 2, min);
    // Upstream stores (uint8_t)(v + 0.5f) without a clamp; the value never exceeds 31.5.
    for (let j = 0; j < QK5; j++) codes[j] = trunc(f(f(f(x[base + j] - min) * id) + 0.5)) & 0xff;
    pack5(out, o + 4, o + 8, codes);
  }
  return out;
}

export function dequantizeQ5_1Ref(bytes: Uint8Array): Float32Array {
  const nb = blockCountOfBytes(bytes.byteLength, Q5_1_BLOCK_BYTES, 'Q5_1');
  const y = new Float32Array(nb * QK5);
  for (let i = 0; i < nb; i++) {
    const o = i * Q5_1_BLOCK_BYTES;
    const d = readF16(bytes, o);
    const m = readF16(bytes, o + 2);
    for (let j = 0; j < QK5; j++) y[i * QK5 + j] = f(unpack5(bytes, o + 4, o + 8, j) * d) + m;
  }
  return y;
}
