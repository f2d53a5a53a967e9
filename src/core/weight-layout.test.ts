// transposeHalves gives exactly transpose(widen(bytes)) for float16 and bfloat16, at any byte
// alignment and for non-square shapes; transpose itself moves W[r][c] to [c][r].
import { describe, expect, it } from 'vitest';
import { bf16ArrayToF32, f16ArrayToF32, f32ToBf16Bits, f32ToF16Bits } from './float16';
import { transpose, transposeHalves } from './weight-layout';

describe('transpose and transposeHalves', () => {
  it('transpose moves W[r][c] to [c][r]', () => {
    expect([...transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  for (const dtype of ['f16', 'bf16'] as const) {
    it(`${dtype}: one pass equals widening then transposing, at any alignment`, () => {
      const rows = 5;
      const cols = 7;
      const values = Array.from({ length: rows * cols }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.1 + i * 0.37) * 2 ** ((i % 9) - 4));
      const bits = Uint16Array.from(values, dtype === 'bf16' ? f32ToBf16Bits : f32ToF16Bits);
      const widened = dtype === 'bf16' ? bf16ArrayToF32(bits) : f16ArrayToF32(bits);
      for (const offset of [0, 1, 2]) {
        const bytes = new Uint8Array(offset + bits.byteLength);
        bytes.set(new Uint8Array(bits.buffer), offset);
        expect(transposeHalves(bytes.subarray(offset), dtype, rows, cols)).toEqual(transpose(widened, rows, cols));
      }
    });
  }
});
