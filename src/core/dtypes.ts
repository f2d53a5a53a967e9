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

/** Copies little-endian float bytes (any alignment) into a Float32Array. */
export function decodeFloats(bytes: Uint8Array, dtype: Dtype): Float32Array<ArrayBuffer> {
  // Copy first: views into a file's bytes need not be aligned for a typed array.
  const aligned = bytes.slice();
  switch (dtype) {
    case 'f32':
      return new Float32Array(aligned.buffer, 0, aligned.byteLength / 4);
    case 'f16':
      return f16ArrayToF32(new Uint16Array(aligned.buffer, 0, aligned.byteLength / 2));
    case 'bf16':
      return bf16ArrayToF32(new Uint16Array(aligned.buffer, 0, aligned.byteLength / 2));
    default:
      throw new UnsupportedModelError(`cannot read ${dtype} values as floats`);
  }
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
