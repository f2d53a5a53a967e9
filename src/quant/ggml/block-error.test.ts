// blockError decodes in slices of whole blocks and gives relativeError's figure over the whole
// decoded tensor exactly — with a slice that divides the blocks, one that leaves a tail, and one
// smaller than a block — and hands the decoder only whole blocks.
import { describe, expect, it } from 'vitest';
import { ggmlTypeByName } from '../../core/ggml-types';
import { relativeError } from '../metrics';
import { blockError } from './block-error';
import { dequantizeGgmlRef, quantizeGgmlRef } from './ggml-codec';

function gaussian(n: number, seed: number): Float32Array {
  let a = seed;
  const u = () => ((a = (a * 1103515245 + 12345) >>> 0) + 0.5) / 2 ** 32;
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

describe('blockError', () => {
  for (const type of ['Q8_0', 'Q4_K', 'Q6_K']) {
    it(`${type}: slices give the whole tensor's relative error exactly`, async () => {
      const { blockSize, blockBytes } = ggmlTypeByName(type)!;
      const values = gaussian(blockSize * 11, 7);
      const bytes = quantizeGgmlRef(type, values);
      const whole = relativeError(values, dequantizeGgmlRef(type, bytes));
      expect(whole).toBeGreaterThan(0);
      for (const slice of [blockSize * 11, blockSize * 4, 1]) {
        const seen: number[] = [];
        const decode = (part: Uint8Array, numel: number) => {
          expect(part.byteLength).toBe((numel / blockSize) * blockBytes);
          seen.push(numel);
          return dequantizeGgmlRef(type, part);
        };
        expect(await blockError(type, values, bytes, decode, slice)).toBe(whole);
        expect(seen.reduce((a, b) => a + b, 0)).toBe(values.length);
        expect(seen.length).toBe(Math.ceil(11 / Math.max(1, Math.floor(slice / blockSize))));
      }
    });
  }
});
