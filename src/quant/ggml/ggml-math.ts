// float32 helpers that reproduce ggml's reference quantizers bit for bit (docs/FORMATS.md §4.3).
// JavaScript computes in float64; wrapping each C float operation in `f` (Math.fround) rounds it
// the way a float32 operation does, since one float64 op on float32 inputs rounds once more
// without changing the float32 result (+, −, ×, ÷, sqrt).
import { f16BitsToF32, f32ToF16Bits } from '../../core/float16';

/** Rounds to float32 (C `float`). */
export const f = Math.fround;

/** 1e-15f: ggml's GROUP_MAX_EPS. */
export const GROUP_MAX_EPS = f(1e-15);

const MAGIC = 12582912; // 1.5 · 2^23

/**
 * ggml's nearest_int: adds 1.5·2²³ in float32 and reads the mantissa, i.e. rounds a float32 to
 * the nearest integer with ties to even (valid for |x| ≤ 4194303, as upstream asserts).
 */
export function nearestInt(x: number): number {
  return f(f(x) + MAGIC) - MAGIC;
}

/** C roundf: nearest integer, ties away from zero. */
export function roundAwayFromZero(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** GGML_FP32_TO_FP16 then back: the float32 value a stored fp16 field holds. */
export function fp16Round(x: number): number {
  return f16BitsToF32(f32ToF16Bits(x));
}

/** Little-endian fp16 field helpers on a block buffer. */
export function writeF16(out: Uint8Array, byteOffset: number, value: number): number {
  const bits = f32ToF16Bits(value);
  out[byteOffset] = bits & 0xff;
  out[byteOffset + 1] = bits >>> 8;
  return f16BitsToF32(bits);
}

export function readF16(bytes: Uint8Array, byteOffset: number): number {
  return f16BitsToF32(bytes[byteOffset] | (bytes[byteOffset + 1] << 8));
}

/** C `(int8_t)` / `(uint8_t)` conversion of a float that is in range: truncation toward zero. */
export const trunc = Math.trunc;
