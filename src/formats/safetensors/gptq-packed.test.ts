// GPTQ v1 packing (docs/FORMATS.md §6.1) against the layout written out by hand: qweight packed
// along K LSB first, qzeros along N holding zero − 1, scales transposed to [G][N], g_idx ⌊k/group⌋;
// 2/4/8-bit round trips to (q − zero)·scale; a zero point of 0 written as 2^b − 1 and read back as
// 0; what cannot be packed is refused with the reason.
import { describe, expect, it } from 'vitest';
import { dequantizeGptq, gptqBitsOf, gptqPackProblem, packGptq, type GptqSource } from './gptq-packed';

function source(bits: number, rows: number, cols: number, groupSize: number, seed = 1): GptqSource & { codes: Uint8Array } {
  const groups = Math.ceil(cols / groupSize);
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8;
  const codes = Uint8Array.from({ length: rows * cols }, () => next() % (1 << bits));
  return {
    rows, cols, bits, groupSize, codes,
    code: (r, c) => codes[r * cols + c],
    zeroPoints: Uint8Array.from({ length: rows * groups }, () => next() % (1 << bits)),
    scales: Float32Array.from({ length: rows * groups }, () => (next() % 1000) / 4096 - 0.1),
  };
}

describe('GPTQ v1 packing', () => {
  it('4-bit: q[8i + j][n] in nibble j of qweight[i][n]; zero − 1 in nibble j of qzeros[g][c] for column 8c + j', () => {
    const w = source(4, 16, 64, 32);
    const p = packGptq(w);
    expect([p.qweight.length, p.qzeros.length, p.scales.length, p.gIdx.length]).toEqual([(64 / 8) * 16, 2 * 2, 2 * 16, 64]);
    for (const [i, n] of [[0, 0], [3, 5], [7, 15]]) {
      let word = 0;
      for (let j = 0; j < 8; j++) word |= w.codes[n * 64 + 8 * i + j] << (4 * j);
      expect(p.qweight[i * 16 + n]).toBe(word | 0);
    }
    for (const [g, c] of [[0, 0], [1, 1]]) {
      let word = 0;
      for (let j = 0; j < 8; j++) word |= ((w.zeroPoints[(8 * c + j) * 2 + g] - 1) & 15) << (4 * j);
      expect(p.qzeros[g * 2 + c]).toBe(word | 0);
    }
    expect(p.scales[1 * 16 + 5]).toBe(w.scales[5 * 2 + 1]);
    expect(Array.from(p.gIdx.subarray(30, 34))).toEqual([0, 0, 1, 1]);
  });

  it('symmetric 4-bit (zero 8) stores 0x77777777 in every qzeros word', () => {
    const w = { ...source(4, 8, 32, 32), zeroPoints: new Uint8Array(8).fill(8) };
    expect(Array.from(packGptq(w).qzeros)).toEqual([0x77777777]);
  });

  for (const bits of [2, 4, 8]) {
    it(`${bits}-bit round trip: W[n][k] = scale·(q − zero), ragged last group`, () => {
      const w = source(bits, 32, 96, 40, bits);
      const out = dequantizeGptq(packGptq(w));
      const groups = Math.ceil(96 / 40);
      for (let r = 0; r < 32; r++) {
        for (let c = 0; c < 96; c++) {
          const g = Math.floor(c / 40);
          expect(out[r * 96 + c]).toBe(Math.fround(w.scales[r * groups + g] * (w.codes[r * 96 + c] - w.zeroPoints[r * groups + g])));
        }
      }
    });
  }

  it('a zero point of 0 is written as 2^b − 1 and read back as 0', () => {
    const w = { ...source(4, 8, 32, 32), zeroPoints: new Uint8Array(8) };
    const p = packGptq(w);
    expect(p.qzeros[0] >>> 0).toBe(0xffffffff);
    expect(dequantizeGptq(p)[3]).toBe(Math.fround(w.scales[0] * w.codes[3]));
  });

  it('bits from the qweight shape, and what it refuses', () => {
    expect(gptqBitsOf([16, 256], 128)).toBe(4);
    expect(gptqBitsOf([32, 256], 128)).toBe(8);
    expect(gptqBitsOf([12, 256], 128)).toBeUndefined(); // 3-bit's spilling layout
    expect(gptqPackProblem(3, 64, 64)).toBe('3-bit codes have no GPTQ packing the studio writes (2, 4 and 8 bits)');
    expect(gptqPackProblem(4, 64, 60)).toBe('its 60 inputs are not a multiple of the 8 4-bit codes in an int32');
    expect(gptqPackProblem(8, 6, 64)).toBe('its 6 outputs are not a multiple of the 4 8-bit zero points in an int32');
    expect(() => packGptq(source(4, 8, 60, 32))).toThrow(/GPTQ packing: its 60 inputs/);
  });
});
