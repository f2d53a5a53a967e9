// The fixed-parameter grids GPTQ writes codes on, held to the types' own dequantizers: for blocks
// llama.cpp's quantizer made, writing any code of any element decodes (dequantizeGgmlRef) to
// value(e, q) and leaves the other elements alone, code() takes a grid value back to its code, and
// the code nearest each decoded value of the quantizer's own block reproduces that block exactly.
import { describe, expect, it } from 'vitest';
import { GPTQ_GGML_TYPES } from '../../core/recipe';
import { BLOCK_GRIDS } from './block-grid';
import { dequantizeGgmlRef, quantizeGgmlRef } from './ggml-codec';

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * (i % 37 === 0 ? 6 : 1) + (i % 64 < 8 ? 0.3 : 0);
  });
}

describe('llama.cpp block grids with fixed parameters', () => {
  for (const type of GPTQ_GGML_TYPES) {
    const grid = BLOCK_GRIDS[type]!;
    const range = type === 'Q8_0' ? [-127, 127] : type === 'Q6_K' ? [0, 63] : [0, 15];
    it(`${type}: setCode/value agree with the dequantizer, code inverts value, and the quantizer's own block round-trips`, () => {
      const x = values(grid.blockSize, type.length * 7 + 1);
      const original = quantizeGgmlRef(type, x);
      const decoded = dequantizeGgmlRef(type, original);
      // The quantizer's own codes are the nearest ones to what they decode to.
      const again = original.slice();
      for (let e = 0; e < grid.blockSize; e++) grid.setCode(again, 0, e, grid.code(original, 0, e, decoded[e]));
      expect(Array.from(dequantizeGgmlRef(type, again))).toEqual(Array.from(decoded));
      // Any code at a few elements of each sub-block: decodes to value(e, q), nothing else moves.
      for (const e of [0, 1, 15, 16, 17, 31, ...(grid.blockSize > 32 ? [32, 63, 64, 100, 127, 128, 200, 255] : [])]) {
        for (const q of [range[0], range[0] + 1, Math.round((range[0] + range[1]) / 2), range[1]]) {
          const b = original.slice();
          grid.setCode(b, 0, e, q);
          const y = dequantizeGgmlRef(type, b);
          expect(y[e], `${type} e=${e} q=${q}`).toBe(grid.value(b, 0, e, q));
          for (let k = 0; k < grid.blockSize; k++) if (k !== e) expect(y[k]).toBe(decoded[k]);
          if (grid.value(b, 0, e, q) !== grid.value(b, 0, e, q === range[0] ? q + 1 : q - 1)) expect(grid.code(b, 0, e, grid.value(b, 0, e, q))).toBe(q);
        }
      }
    });
  }

  it('the grids are the ones GPTQ takes, each block its type\'s size', () => {
    expect(Object.keys(BLOCK_GRIDS).sort()).toEqual([...GPTQ_GGML_TYPES].sort());
    expect(GPTQ_GGML_TYPES.map((t) => [BLOCK_GRIDS[t]!.blockSize, BLOCK_GRIDS[t]!.blockBytes])).toEqual([[32, 34], [32, 18], [256, 144], [256, 210]]);
  });
});
