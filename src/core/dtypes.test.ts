// decodeFloats always gives a new array (callers may write to it) from bytes at any alignment;
// floatsView reads aligned float32 bytes in place — a 1 GB weight is not copied to be quantized —
// and falls back to decodeFloats otherwise.
import { describe, expect, it } from 'vitest';
import { decodeFloats, floatsView } from './dtypes';
import { f32ToBf16Bits, f32ToF16Bits } from './float16';

const VALUES = [1.5, -2.25, 0.125, 1024];

function bytesAt(offset: number, encode: (v: number, view: DataView, at: number) => void, width: number): Uint8Array {
  const buffer = new Uint8Array(offset + VALUES.length * width);
  const view = new DataView(buffer.buffer);
  VALUES.forEach((v, i) => encode(v, view, offset + i * width));
  return buffer.subarray(offset);
}

const f32 = (offset: number) => bytesAt(offset, (v, d, at) => d.setFloat32(at, v, true), 4);
const f16 = (offset: number) => bytesAt(offset, (v, d, at) => d.setUint16(at, f32ToF16Bits(v), true), 2);
const bf16 = (offset: number) => bytesAt(offset, (v, d, at) => d.setUint16(at, f32ToBf16Bits(v), true), 2);

describe('decodeFloats and floatsView', () => {
  it('decode float32, float16 and bfloat16 at any offset', () => {
    for (const offset of [0, 1, 2, 3, 4]) {
      expect([...decodeFloats(f32(offset), 'f32')]).toEqual(VALUES);
      expect([...decodeFloats(f16(offset), 'f16')]).toEqual(VALUES);
      expect([...decodeFloats(bf16(offset), 'bf16')]).toEqual(VALUES);
      expect([...floatsView(f32(offset), 'f32')]).toEqual(VALUES);
      expect([...floatsView(f16(offset), 'f16')]).toEqual(VALUES);
    }
  });

  it('decodeFloats copies; floatsView shares aligned float32 bytes and copies misaligned ones', () => {
    const aligned = f32(4);
    decodeFloats(aligned, 'f32')[0] = 99;
    expect(new DataView(aligned.buffer).getFloat32(4, true)).toBe(1.5);
    floatsView(aligned, 'f32')[0] = 99;
    expect(new DataView(aligned.buffer).getFloat32(4, true)).toBe(99);
    const misaligned = f32(2);
    floatsView(misaligned, 'f32')[0] = 99;
    expect(new DataView(misaligned.buffer).getFloat32(2, true)).toBe(1.5);
  });
});
