// The channel-pruning reference (channels.ts) on hand-worked examples of both axes (sums in index
// order, subnormals, overflow, ties), the properties its spec promises (transpose symmetry, the kept
// set is the top-`keep` by (score, −index) and nests, gathering commutes with scoring), and its errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../core/errors';
import { type ChannelAxis, channelSumSquaresRef, gatherChannelsRef, keptChannelsRef } from './channels';

const f32 = (xs: number[]) => Float32Array.from(xs);
const u32 = (xs: number[]) => Uint32Array.from(xs);
const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

// 2×3.
const W = f32([1, -2, 0.5, 3, 0, -1]);

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

describe('hand-worked examples', () => {
  it('sums the squares of each row and of each column', () => {
    expect([...channelSumSquaresRef(W, 2, 3, 'rows')]).toEqual([5.25, 10]);
    expect([...channelSumSquaresRef(W, 2, 3, 'cols')]).toEqual([10, 4, 1.25]);
  });

  it('accumulates in index order with float32 rounding at every step', () => {
    // Squares 1, 2^-24, 2^-24: 1 + 2^-24 rounds back to 1 (tie to even) twice; the other order
    // gives 2^-23 first and then 1 + 2^-23 exactly.
    const t = 2 ** -12;
    expect(channelSumSquaresRef(f32([1, t, t]), 1, 3, 'rows')[0]).toBe(1);
    expect(channelSumSquaresRef(f32([1, t, t]), 3, 1, 'cols')[0]).toBe(1);
    expect(channelSumSquaresRef(f32([t, t, 1]), 1, 3, 'rows')[0]).toBe(1 + 2 ** -23);
    expect(channelSumSquaresRef(f32([t, t, 1]), 3, 1, 'cols')[0]).toBe(1 + 2 ** -23);
    // 0.1² rounds in float32 before it is added (a fused multiply-add would not).
    const tenth = Math.fround(0.1);
    expect(channelSumSquaresRef(f32([0.1, 0.1]), 1, 2, 'rows')[0]).toBe(Math.fround(2 * Math.fround(tenth * tenth)));
  });

  it('counts subnormal weights and squares as 0; overflow gives +Inf', () => {
    // 1e-40 is subnormal; 1e-20² = 1e-40 is subnormal; 2^-63² = 2^-126 is the smallest normal.
    expect(channelSumSquaresRef(f32([1e-40, 1e-20, 2 ** -63]), 1, 3, 'rows')[0]).toBe(2 ** -126);
    expect(channelSumSquaresRef(f32([1e-40, -1e-20]), 2, 1, 'cols')[0]).toBe(0);
    expect(channelSumSquaresRef(f32([1e19, 1e19]), 1, 2, 'rows')[0]).toBe(Math.fround(2 * Math.fround(1e38)));
    expect(channelSumSquaresRef(f32([2e19, 1]), 1, 2, 'rows')[0]).toBe(Infinity);
    expect(channelSumSquaresRef(f32([1.5e19, -1.5e19, 0]), 3, 1, 'cols')[0]).toBe(Infinity);
    expect(Object.is(channelSumSquaresRef(f32([-0, 0]), 1, 2, 'rows')[0], 0)).toBe(true);
  });

  it('keeps the highest scores, ties → the lower index, returned ascending', () => {
    const scores = [3, 1, 3, 2, 1];
    expect([...keptChannelsRef(scores, 1)]).toEqual([0]);
    expect([...keptChannelsRef(scores, 2)]).toEqual([0, 2]);
    expect([...keptChannelsRef(scores, 3)]).toEqual([0, 2, 3]);
    expect([...keptChannelsRef(scores, 4)]).toEqual([0, 1, 2, 3]);
    expect([...keptChannelsRef(scores, 5)]).toEqual([0, 1, 2, 3, 4]);
    expect([...keptChannelsRef([-0, 0, -0], 2)]).toEqual([0, 1]);
    expect([...keptChannelsRef(f32([1, Infinity, 2, 0]), 2)]).toEqual([1, 2]);
    expect(keptChannelsRef(new Float32Array(4).fill(7), 3)).toEqual(u32([0, 1, 2]));
  });

  it('gathers the kept rows or columns, row-major', () => {
    expect([...gatherChannelsRef(W, 2, 3, 'rows', u32([1]))]).toEqual([3, 0, -1]);
    expect([...gatherChannelsRef(W, 2, 3, 'rows', u32([0, 1]))]).toEqual([...W]);
    expect([...gatherChannelsRef(W, 2, 3, 'cols', u32([0, 2]))]).toEqual([1, 0.5, 3, -1]);
    expect([...gatherChannelsRef(W, 2, 3, 'cols', u32([1]))]).toEqual([-2, 0]);
    expect(Object.is(gatherChannelsRef(f32([-0, 1]), 1, 2, 'cols', u32([0]))[0], -0)).toBe(true);
  });
});

const arbMatrix = fc
  .record({
    rows: fc.integer({ min: 1, max: 7 }),
    cols: fc.integer({ min: 1, max: 9 }),
    pool: fc.array(fc.constantFrom(0, -0, 0.5, -0.5, 1, -1, 2, 0.1, -0.3, 1e-20, 1e-40, 3.75, 2 ** -12), { minLength: 63, maxLength: 63 }),
    axis: fc.constantFrom<ChannelAxis>('rows', 'cols'),
    keepFrac: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((m) => {
    const values = f32(m.pool.slice(0, m.rows * m.cols));
    const channels = m.axis === 'rows' ? m.rows : m.cols;
    return { ...m, values, channels, keep: Math.max(1, Math.round(m.keepFrac * channels)) };
  });

/** Few distinct values, so ties are common. */
const arbScores = fc.array(fc.constantFrom(0, -0, 1, 2, 2.5, 7, Infinity), { minLength: 1, maxLength: 40 });

describe('invariants (fast-check)', () => {
  it('row sums of W are the column sums of Wᵀ, bit for bit; sums are ≥ 0 and near the float64 sum', () => {
    fc.assert(
      fc.property(arbMatrix, ({ rows, cols, values }) => {
        const byRows = channelSumSquaresRef(values, rows, cols, 'rows');
        expect(bits(channelSumSquaresRef(transpose(values, rows, cols), cols, rows, 'cols'))).toEqual(bits(byRows));
        for (let r = 0; r < rows; r++) {
          let exact = 0;
          for (let c = 0; c < cols; c++) exact += Math.abs(values[r * cols + c]) >= 2 ** -63 ? values[r * cols + c] ** 2 : 0;
          expect(byRows[r]).toBeGreaterThanOrEqual(0);
          expect(Math.abs(byRows[r] - exact)).toBeLessThanOrEqual(exact * cols * 2 ** -23);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps exactly `keep` ascending channels, each kept (score, −index) above each dropped, nested in keep', () => {
    fc.assert(
      fc.property(arbScores, fc.double({ min: 0, max: 1, noNaN: true }), (scores, frac) => {
        const keep = Math.max(1, Math.round(frac * scores.length));
        const kept = keptChannelsRef(scores, keep);
        expect(kept.length).toBe(keep);
        for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeGreaterThan(kept[i - 1]);
        const isKept = new Set(kept);
        const above = (a: number, b: number) => scores[a] > scores[b] || (scores[a] === scores[b] && a < b);
        for (const k of kept) for (let d = 0; d < scores.length; d++) if (!isKept.has(d)) expect(above(k, d)).toBe(true);
        if (keep < scores.length) for (const k of kept) expect(keptChannelsRef(scores, keep + 1)).toContain(k);
      }),
      { numRuns: 300 },
    );
  });

  it('gathering commutes with scoring, columns gather as rows of Wᵀ, and keeping all returns W', () => {
    fc.assert(
      fc.property(arbMatrix, ({ rows, cols, values, axis, keep }) => {
        const sums = channelSumSquaresRef(values, rows, cols, axis);
        const kept = keptChannelsRef(sums, keep);
        const out = gatherChannelsRef(values, rows, cols, axis, kept);
        const [outRows, outCols] = axis === 'rows' ? [keep, cols] : [rows, keep];
        expect(out.length).toBe(outRows * outCols);
        expect(bits(channelSumSquaresRef(out, outRows, outCols, axis))).toEqual(bits(sums.filter((_, i) => kept.includes(i))));
        if (axis === 'cols') {
          const viaRows = gatherChannelsRef(transpose(values, rows, cols), cols, rows, 'rows', kept);
          expect(bits(transpose(viaRows, keep, rows))).toEqual(bits(out));
        }
        const all = Uint32Array.from({ length: axis === 'rows' ? rows : cols }, (_, i) => i);
        expect(bits(gatherChannelsRef(values, rows, cols, axis, all))).toEqual(bits(values));
      }),
      { numRuns: 300 },
    );
  });
});

describe('errors', () => {
  it('names the first non-finite weight in row-major order, on either axis', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const w = W.slice();
      w[3] = bad; // W[1][0]: the first one a column scan of channel 0 meets
      w[2] = -Infinity; // W[0][2]: first in row-major order
      for (const axis of ['rows', 'cols'] as const) {
        expect(() => channelSumSquaresRef(w, 2, 3, axis)).toThrow(ShapeError);
        expect(() => channelSumSquaresRef(w, 2, 3, axis)).toThrow('weight W[0][2] is not finite (-Infinity); cannot prune');
      }
      w[2] = 0;
      expect(() => channelSumSquaresRef(w, 2, 3, 'cols')).toThrow(`weight W[1][0] is not finite (${bad}); cannot prune`);
    }
  });

  it('checks the shape and the axis', () => {
    expect(() => channelSumSquaresRef(W, 3, 3, 'rows')).toThrow('expected 3×3 = 9 values, got 6');
    expect(() => channelSumSquaresRef(new Float32Array(0), 0, 3, 'rows')).toThrow('channel pruning needs rows, cols ≥ 1, got 0×3');
    expect(() => channelSumSquaresRef(W, 2, 3, 'both' as ChannelAxis)).toThrow("channel axis must be 'rows' or 'cols', got both");
    expect(() => gatherChannelsRef(W, 2, 3, 'x' as ChannelAxis, u32([0]))).toThrow(ShapeError);
    expect(() => gatherChannelsRef(W, 6, 2, 'rows', u32([0]))).toThrow('expected 6×2 = 12 values, got 6');
  });

  it('rejects keep outside [1, channels] and NaN scores', () => {
    for (const keep of [0, 4, 1.5, NaN, -1]) {
      expect(() => keptChannelsRef([1, 2, 3], keep)).toThrow(ShapeError);
      expect(() => keptChannelsRef([1, 2, 3], keep)).toThrow(`channels to keep must be an integer in [1, 3], got ${keep}`);
    }
    expect(() => keptChannelsRef([], 1)).toThrow('channels to keep must be an integer in [1, 0], got 1');
    expect(() => keptChannelsRef([1, NaN, 3], 1)).toThrow('channel score 1 is NaN');
  });

  it('rejects kept indices out of range, not strictly ascending, or none', () => {
    expect(() => gatherChannelsRef(W, 2, 3, 'cols', u32([0, 3]))).toThrow('kept channel 1 is 3, outside [0, 3)');
    expect(() => gatherChannelsRef(W, 2, 3, 'rows', u32([2]))).toThrow('kept channel 0 is 2, outside [0, 2)');
    expect(() => gatherChannelsRef(W, 2, 3, 'cols', u32([2, 1]))).toThrow('kept channels must be strictly ascending: kept[0] = 2, kept[1] = 1');
    expect(() => gatherChannelsRef(W, 2, 3, 'cols', u32([1, 1]))).toThrow('kept channels must be strictly ascending: kept[0] = 1, kept[1] = 1');
    expect(() => gatherChannelsRef(W, 2, 3, 'rows', u32([]))).toThrow('channel pruning must keep at least one of 2 channels, got none');
    expect(() => gatherChannelsRef(W, 2, 3, 'rows', u32([]))).toThrow(ShapeError);
  });
});
