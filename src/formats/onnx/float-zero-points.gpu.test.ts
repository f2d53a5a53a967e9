// The browser twin of float-zero-points.test.ts: onnxruntime-web's wasm and WebGPU execution
// providers on MatMulNBits with float32 zero points. Both give (q − z)·s for 2- and 4-bit codes;
// the WebGPU EP (1.30) has no kernel for float zero points, so onnxruntime places those nodes on
// its CPU EP (seen in its verbose log: "All nodes placed on [CPUExecutionProvider]", against
// [WebGpuExecutionProvider] for packed integer zero points), and 8-bit ones fail there as on the
// CPU. The ONNX exporter's plan note says this to the user (FLOAT_ZERO_POINTS_NOTE).
import { describe, expect, it } from 'vitest';
import { loadOrtWeb } from '../../eval/ort-web';
import { matmulNBitsModel } from './testing/matmul-nbits-model';

const EPS = ['wasm', ...(typeof navigator !== 'undefined' && navigator.gpu ? ['webgpu'] : [])];

async function run(ep: string, bits: 2 | 4 | 8, zeroPoints: 'float' | 'integer'): Promise<{ y: number[]; expected: number[] }> {
  const ort = await loadOrtWeb();
  const c = matmulNBitsModel(bits, zeroPoints);
  const session = await ort.InferenceSession.create(c.model, { executionProviders: [ep] });
  try {
    const out = (await session.run({ x: new ort.Tensor('float32', c.x, [1, c.k]) })).y;
    return { y: Array.from((await out.getData()) as Float32Array), expected: Array.from(c.expected) };
  } finally {
    await session.release();
  }
}

describe('MatMulNBits zero points in onnxruntime-web', () => {
  for (const ep of EPS) {
    for (const bits of [2, 4] as const) {
      for (const zeroPoints of ['float', 'integer'] as const) {
        it(`${ep}: ${bits}-bit codes, ${zeroPoints} zero points`, async () => {
          const { y, expected } = await run(ep, bits, zeroPoints);
          for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(expected[i], 4);
        }, 60_000);
      }
    }
    it(`${ep}: 8-bit codes refuse float zero points, run integer ones`, async () => {
      await expect(run(ep, 8, 'float')).rejects.toThrow(/Only 2b and 4b quantization is supported/);
      const { y, expected } = await run(ep, 8, 'integer');
      for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(expected[i], 3);
    }, 60_000);
  }
});
