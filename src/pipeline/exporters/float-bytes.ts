// Float32 values as the little-endian bytes of a stored float type (F32, F16, BF16; round to
// nearest even as ggml and PyTorch do), for exporters that write dense weights.
import { f32ArrayToBf16, f32ArrayToF16 } from '../../core/float16';

export function encodeFloats(values: Float32Array, dtype: 'F32' | 'F16' | 'BF16'): Uint8Array {
  const typed = dtype === 'F32' ? values : dtype === 'F16' ? f32ArrayToF16(values) : f32ArrayToBf16(values);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}
