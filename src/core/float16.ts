// IEEE binary16 and bfloat16 conversions. Written by hand because Node 20 has neither
// Math.f16round nor Float16Array, and GGUF/ONNX writers must round exactly like ggml's
// GGML_FP32_TO_FP16 (round to nearest even, overflow → Inf, NaN → 0x7E00). docs/FORMATS.md §4.3.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 value → binary16 bit pattern, round to nearest even. */
export function f32ToF16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): code = value / 2^-24.
    const shift = 126 - exp;
    if (shift > 24) return sign;
    const full = mant | 0x800000;
    const code = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    const rounded = rem > half || (rem === half && (code & 1) === 1) ? code + 1 : code;
    return sign | rounded;
  }
  const code = mant >>> 13;
  const rem = mant & 0x1fff;
  const bits = (e << 10) | code;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  return sign | (rem > 0x1000 || (rem === 0x1000 && (code & 1) === 1) ? bits + 1 : bits);
}

/** binary16 bit pattern → number (exact). */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Rounds a number to the nearest binary16 value (as float32 would store it). */
export function roundToF16(value: number): number {
  return f16BitsToF32(f32ToF16Bits(value));
}

/** float32 value → bfloat16 bit pattern, round to nearest even (ggml's GGML_FP32_TO_BF16). */
export function f32ToBf16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16BitsToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

export function f16ArrayToF32(src: Uint16Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f16BitsToF32(src[i]);
  return out;
}

export function f32ArrayToF16(src: ArrayLike<number>): Uint16Array<ArrayBuffer> {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16Bits(src[i]);
  return out;
}

export function bf16ArrayToF32(src: Uint16Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return out;
}

export function f32ArrayToBf16(src: ArrayLike<number>): Uint16Array<ArrayBuffer> {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToBf16Bits(src[i]);
  return out;
}
