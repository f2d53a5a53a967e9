// What the HQQ export rests on (src/pipeline/methods/hqq.ts): onnxruntime's CPU execution provider
// (onnxruntime-node, the same kernels as onnxruntime-web's wasm) runs MatMulNBits with float zero
// points of the scales' type, float32 or float16, for 2- and 4-bit codes, and refuses them for
// 8-bit codes. If an onnxruntime upgrade changes either, this fails and FLOAT_ZERO_POINT_BITS
// (and the messages quoting it) must follow. The browser twin covers wasm and WebGPU.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { f16BitsToF32, f32ToF16Bits } from '../../core/float16';
import { FLOAT_ZERO_POINT_BITS } from '../../pipeline/methods/hqq';
import { matmulNBitsModel } from './testing/matmul-nbits-model';

async function run(bits: 2 | 4 | 8, zeroPoints: 'float' | 'integer', half: boolean): Promise<{ y: number[]; expected: number[] }> {
  const c = matmulNBitsModel(bits, zeroPoints, half);
  const session = await ort.InferenceSession.create(c.model, { executionProviders: ['cpu'] });
  try {
    const x = half ? new ort.Tensor('float16', Uint16Array.from(c.x, f32ToF16Bits), [1, c.k]) : new ort.Tensor('float32', c.x, [1, c.k]);
    const out = (await session.run({ x })).y.data as Float32Array | Uint16Array;
    return { y: Array.from(out, (v) => (half ? f16BitsToF32(v) : v)), expected: Array.from(c.expected) };
  } finally {
    await session.release();
  }
}

describe('MatMulNBits zero points in onnxruntime-node (CPU EP)', () => {
  for (const half of [false, true]) {
    for (const bits of [2, 4] as const) {
      it(`${bits}-bit codes with ${half ? 'float16' : 'float32'} zero points give (q − z)·s`, async () => {
        expect(FLOAT_ZERO_POINT_BITS).toContain(bits);
        const { y, expected } = await run(bits, 'float', half);
        for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(expected[i], half ? 1 : 4);
      });
    }
    it(`8-bit codes with ${half ? 'float16' : 'float32'} zero points are refused (integer ones run)`, async () => {
      expect(FLOAT_ZERO_POINT_BITS).not.toContain(8);
      await expect(run(8, 'float', half)).rejects.toThrow(/Only 2b and 4b quantization is supported for unpacked compute/);
      const { y, expected } = await run(8, 'integer', half);
      for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(expected[i], half ? 0 : 3);
    });
  }
});
