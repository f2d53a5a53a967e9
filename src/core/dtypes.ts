// Element types the studio knows by one name across ONNX, safetensors and GGUF, with their
// sizes, and decoding of float tensors to float32 (little-endian, as every format stores them).
import { bf16ArrayToF32, f16ArrayToF32 } from './float16';
import { UnsupportedModelError } from './errors';

export type Dtype =
  | 'f64' | 'f32' | 'f16' | 'bf16'
  | 'i64' | 'i32' | 'i16' | 'i8'
  | 'u64' | 'u32' | 'u16' | 'u8'
  | 'bool' | 'string' | 'other';

export type FloatDtype = 'f32' | 'f16' | 'bf16';

const BYTES: Record<Dtype, number> = {
  f64: 8, f32: 4, f16: 2, bf16: 2,
  i64: 8, i32: 4, i16: 2, i8: 1,
  u64: 8, u32: 4, u16: 2, u8: 1,
  bool: 1, string: 0, other: 0,
};

/** Bytes per element; 0 for types without a fixed width. */
export function dtypeBytes(dtype: Dtype): number {
  return BYTES[dtype];
}

export function isFloatDtype(dtype: Dtype): dtype is FloatDtype {
  return dtype === 'f32' || dtype === 'f16' || dtype === 'bf16';
}

/** Copies little-endian float bytes (any alignment) into a new Float32Array. */
export function decodeFloats(bytes: Uint8Array, dtype: Dtype): Float32Array<ArrayBuffer> {
  switch (dtype) {
    case 'f32': {
      // Copy: views into a file's bytes need not be aligned for a typed array, and callers may write.
      const copy = bytes.slice();
      return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
    }
    case 'f16':
      return f16ArrayToF32(halves(bytes));
    case 'bf16':
      return bf16ArrayToF32(halves(bytes));
    default:
      throw new UnsupportedModelError(`cannot read ${dtype} values as floats`);
  }
}

/**
 * The values as float32 for reading only: aligned float32 bytes are returned as a view (no copy,
 * so a 1 GB weight is not held twice while it is quantized); anything else as decodeFloats.
 */
export function floatsView(bytes: Uint8Array, dtype: Dtype): Float32Array {
  if (dtype === 'f32' && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return decodeFloats(bytes, dtype);
}

/** 16-bit elements of little-endian bytes, copied only where the bytes are not 2-aligned (the widening copies anyway). */
function halves(bytes: Uint8Array): Uint16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
