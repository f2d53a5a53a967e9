// Each dequantizer against its quantizer (round trip within a named per-type error bound, as
// ggml's test-quantize-fns does), hand-built blocks decoded per docs/FORMATS.md §4.4–4.5, and
// the edge cases: all-zero and constant blocks, partial blocks, unknown types; and what an
// importance vector does (bit-exactness with llama-quantize --imatrix: llama-cpp-imatrix-parity).
import { describe, expect, it } from 'vitest';
import { ShapeError, UnsupportedModelError } from '../../core/errors';
import { GGML_IMPORTANCE_TYPES } from '../../core/recipe';
import { f32ToF16Bits } from '../../core/float16';
import { dequantizeGgmlRef, quantizeGgmlRef } from './ggml-codec';
import { IMPORTANCE_TYPES } from './importance-quantize';
import { GGML_SCHEMES } from './schemes';

/**
 * Named bounds on ‖x̂ − x‖ / ‖x‖ for the seeded heavy-tailed input below: about 1.15× what the
 * references reach on it (measured: F16 2.0e-4, BF16 1.6e-3, Q8_0 0.0070, Q6_K 0.0214,
 * Q5_1 0.0417, Q5_K 0.0400, Q5_0 0.0562, Q4_K 0.0790, Q4_1 0.0853, Q4_0 0.111, Q3_K 0.166,
 * Q2_K 0.302), so a broken layout or a lost bit fails.
 */
const MAX_REL_RMSE: Record<string, number> = {
  F32: 0, F16: 3e-4, BF16: 2e-3,
  Q8_0: 0.008, Q6_K: 0.025, Q5_1: 0.048, Q5_K: 0.046, Q5_0: 0.065,
  Q4_K: 0.09, Q4_1: 0.098, Q4_0: 0.128, Q3_K: 0.19, Q2_K: 0.35,
};

/** Seeded input with trained-weight statistics: Gaussian bulk, per-row scale, rare outliers. */
function syntheticWeights(numel: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const x = new Float32Array(numel);
  for (let i = 0; i < numel; i++) {
    const g = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    const rowScale = 0.02 * (1 + ((i >> 9) % 7));
    x[i] = rand() < 0.002 ? g * rowScale * 12 : g * rowScale;
  }
  return x;
}

function relRmse(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const fp16 = (v: number) => [f32ToF16Bits(v) & 0xff, f32ToF16Bits(v) >> 8];

describe('ggml CPU references: quantize → dequantize', () => {
  const x = syntheticWeights(256 * 64);
  for (const s of GGML_SCHEMES) {
    it(`${s.name}: ${s.blockBytes} bytes per ${s.blockSize}, relative RMSE ≤ ${MAX_REL_RMSE[s.name]}`, () => {
      const q = quantizeGgmlRef(s.name, x);
      expect(q.byteLength).toBe((x.length / s.blockSize) * s.blockBytes);
      const y = dequantizeGgmlRef(s.name, q);
      expect(y.length).toBe(x.length);
      expect(relRmse(y, x)).toBeLessThanOrEqual(MAX_REL_RMSE[s.name]);
    });

    it(`${s.name}: all-zero input decodes to zeros; a constant block stays close`, () => {
      const zeros = new Float32Array(256);
      expect(Array.from(dequantizeGgmlRef(s.name, quantizeGgmlRef(s.name, zeros))).every((v) => v === 0)).toBe(true);
      const c = new Float32Array(256).fill(0.75);
      const y = dequantizeGgmlRef(s.name, quantizeGgmlRef(s.name, c));
      for (const v of y) expect(Math.abs(v - 0.75)).toBeLessThanOrEqual(0.75 * 0.07);
    });
  }

  it('rejects partial blocks and types without a reference', () => {
    expect(() => quantizeGgmlRef('Q4_K', new Float32Array(128))).toThrow(ShapeError);
    expect(() => quantizeGgmlRef('Q8_0', new Float32Array(33))).toThrow(/multiple of 32 elements, got 33/);
    expect(() => dequantizeGgmlRef('Q6_K', new Uint8Array(209))).toThrow(/multiple of 210 bytes, got 209/);
    expect(() => quantizeGgmlRef('IQ2_XXS', new Float32Array(256))).toThrow(UnsupportedModelError);
  });
});

describe('ggml CPU references with an importance vector (llama-quantize --imatrix)', () => {
  const cols = 512;
  const x = syntheticWeights(cols * 16, 7);
  // Columns 0…63 matter 1000× more than the rest, as an outlier channel would.
  const importance = new Float32Array(cols).map((_, j) => (j < 64 ? 1000 : 1));
  const weightedErr = (y: Float32Array) => {
    let e = 0;
    for (let i = 0; i < x.length; i++) e += importance[i % cols] * (y[i] - x[i]) ** 2;
    return e;
  };
  for (const type of IMPORTANCE_TYPES) {
    it(`${type}: lowers the importance-weighted error of the important columns`, () => {
      const plain = dequantizeGgmlRef(type, quantizeGgmlRef(type, x));
      const weighted = dequantizeGgmlRef(type, quantizeGgmlRef(type, x, importance));
      expect(weightedErr(weighted)).toBeLessThan(weightedErr(plain));
    });
  }

  it('implements exactly the types the recipe calls importance-weighted', () => {
    expect([...IMPORTANCE_TYPES].sort()).toEqual([...GGML_IMPORTANCE_TYPES].sort());
  });

  it('Q8_0 and the float types ignore importance, as llama.cpp does', () => {
    for (const type of ['Q8_0', 'F16', 'BF16']) expect(quantizeGgmlRef(type, x, importance)).toEqual(quantizeGgmlRef(type, x));
  });

  it('uniform importance is not the reference quantizer (a different search), but as close', () => {
    const ones = new Float32Array(cols).fill(1);
    const a = dequantizeGgmlRef('Q4_K', quantizeGgmlRef('Q4_K', x, ones));
    expect(relRmse(a, x)).toBeLessThanOrEqual(MAX_REL_RMSE.Q4_K);
  });

  it('refuses an importance vector that does not match the rows', () => {
    expect(() => quantizeGgmlRef('Q4_K', x, new Float32Array(300))).toThrow(/not whole rows of 300/);
    expect(() => quantizeGgmlRef('Q4_0', new Float32Array(48 * 2), new Float32Array(48))).toThrow(ShapeError);
  });
});

describe('ggml dequantizers on hand-built blocks (FORMATS §4.4–4.5 placement)', () => {
  it('Q4_0: low nibble = element j, high nibble = element j+16, x = (q − 8)·d', () => {
    const b = new Uint8Array(18);
    b.set(fp16(0.5), 0);
    for (let j = 0; j < 16; j++) b[2 + j] = j | ((15 - j) << 4);
    const y = dequantizeGgmlRef('Q4_0', b);
    for (let j = 0; j < 16; j++) {
      expect(y[j]).toBe((j - 8) * 0.5);
      expect(y[j + 16]).toBe((15 - j - 8) * 0.5);
    }
  });

  it('Q5_1: qh bit i is the fifth bit of element i; x = q·d + m', () => {
    const b = new Uint8Array(24);
    b.set(fp16(1), 0);
    b.set(fp16(-2), 2);
    b.set([0x01, 0x00, 0x01, 0x80], 4); // elements 0, 16 and 31 get +16
    const y = dequantizeGgmlRef('Q5_1', b);
    expect(y[0]).toBe(16 - 2);
    expect(y[1]).toBe(-2);
    expect(y[16]).toBe(16 - 2);
    expect(y[31]).toBe(16 - 2);
  });

  it('Q8_0: signed bytes times d', () => {
    const b = new Uint8Array(34);
    b.set(fp16(0.25), 0);
    b[2] = 0x80; // −128
    b[3] = 127;
    const y = dequantizeGgmlRef('Q8_0', b);
    expect([y[0], y[1], y[2]]).toEqual([-32, 31.75, 0]);
  });

  it('Q6_K: ql/qh/scales placement for elements 0, 32, 64, 96 and 200', () => {
    const b = new Uint8Array(210);
    b.set(fp16(1), 208);
    b[192 + 0] = 1; // sub-block 0 (elements 0…15)
    b[192 + 2] = 2; // sub-block 2 (32…47)
    b[192 + 4] = 3; // 64…79
    b[192 + 6] = 4; // 96…111
    b[192 + 12] = 0xff; // 192…207: scale −1
    b[0] = 0x21; // element 0 low4 = 1, element 64 low4 = 2
    b[32] = 0x43; // element 32 low4 = 3, element 96 low4 = 4
    b[128] = 0b11_10_01_00; // high2: element 0 → 0, 32 → 1, 64 → 2, 96 → 3
    // element 200: h = 1, r = 72, s = 2, l = 8 → ql[64 + 8] high nibble, qh[32 + 8] bits 4–5.
    b[64 + 8] = 0x50;
    b[128 + 32 + 8] = 0b01_0000;
    const y = dequantizeGgmlRef('Q6_K', b);
    expect(y[0]).toBe(1 * (1 - 32));
    expect(y[32]).toBe(2 * (3 + 16 - 32));
    expect(y[64]).toBe(3 * (2 + 32 - 32));
    expect(y[96]).toBe(4 * (4 + 48 - 32));
    expect(y[200]).toBe(-1 * (5 + 16 - 32));
  });

  it('Q4_K: 6-bit scale/min codes for sub-blocks 0 and 5; x = d·sc·q − dmin·m', () => {
    const b = new Uint8Array(144);
    b.set(fp16(1), 0);
    b.set(fp16(0.5), 2);
    b[4 + 0] = 3; // sc0 = 3
    b[4 + 4] = 2; // m0 = 2
    // sub-block 5: sc = (scales[9] & 0xF) | (scales[1] >> 6) << 4; m = (scales[9] >> 4) | (scales[5] >> 6) << 4
    b[4 + 9] = 0x21; // sc low 1, m low 2
    b[4 + 1] = 0x40; // sc high 1 → sc5 = 17
    b[4 + 5] = 0x80; // m high 2 → m5 = 34
    b[16 + 0] = 0x07; // element 0: q = 7 (chunk 0, low nibble)
    b[16 + 64 + 3] = 0x90; // element 160 + 3 (chunk 2, high nibble = sub-block 5): q = 9
    const y = dequantizeGgmlRef('Q4_K', b);
    expect(y[0]).toBe(3 * 7 - 0.5 * 2);
    expect(y[163]).toBe(17 * 9 - 0.5 * 34);
  });
});
