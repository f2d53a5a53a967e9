// The pruning reference (prune-select.ts) on hand-worked examples of every pattern and score, the
// properties its spec promises (exact counts, the (score, index) order, nesting, zeros), and its errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../core/errors';
import {
  applyMaskRef,
  magnitudeScoresRef,
  packMaskRef,
  type PrunePattern,
  prunedPerScope,
  pruneMaskRef,
  pruneRef,
  wandaNormsRef,
  wandaScoresRef,
} from './prune-select';

const f32 = (xs: number[]) => Float32Array.from(xs);
const pruned = (mask: Uint8Array) => [...mask.keys()].filter((i) => mask[i] === 1);
const tensor = (sparsity: number): PrunePattern => ({ kind: 'unstructured', sparsity, scope: 'tensor' });
const row = (sparsity: number): PrunePattern => ({ kind: 'unstructured', sparsity, scope: 'row' });
const nm = (n: number, m: number): PrunePattern => ({ kind: 'n:m', n, m });

// 2×4; |−0.1| and |0.1| are the same float32, so indices 1 and 7 tie.
const W = f32([0.5, -0.1, 0.3, -0.2, 0.05, 0.4, -0.6, 0.1]);

describe('hand-worked examples', () => {
  it('magnitude, per tensor: the smallest |w| go first, a tie at the cut keeps the higher index', () => {
    const scores = magnitudeScoresRef(W, 2, 4);
    expect([...scores]).toEqual([...f32([0.5, 0.1, 0.3, 0.2, 0.05, 0.4, 0.6, 0.1])]);
    // Order: 0.05 (4), 0.1 (1), 0.1 (7), 0.2 (3), 0.3 (2), 0.4 (5), 0.5 (0), 0.6 (6).
    expect(pruned(pruneMaskRef(scores, 2, 4, tensor(0.25)))).toEqual([1, 4]);
    expect(pruned(pruneMaskRef(scores, 2, 4, tensor(0.3)))).toEqual([1, 4]); // ⌊2.4⌋ = 2
    expect(pruned(pruneMaskRef(scores, 2, 4, tensor(0.375)))).toEqual([1, 4, 7]);
    expect(pruned(pruneMaskRef(scores, 2, 4, tensor(0.5)))).toEqual([1, 3, 4, 7]);
    expect(pruned(pruneMaskRef(scores, 2, 4, tensor(0.9)))).toEqual([0, 1, 2, 3, 4, 5, 7]);
    expect(pruned(pruneMaskRef(scores, 2, 4, tensor(0)))).toEqual([]);
    const out = pruneRef({ values: W, rows: 2, cols: 4 }, { score: 'magnitude', pattern: tensor(0.25) });
    expect([...out.values]).toEqual([...f32([0.5, 0, 0.3, -0.2, 0, 0.4, -0.6, 0.1])]);
    expect(out.zeros).toBe(2);
  });

  it('magnitude, per row: each row loses ⌊sparsity·cols⌋, ties → lower column', () => {
    const scores = magnitudeScoresRef(W, 2, 4);
    expect(pruned(pruneMaskRef(scores, 2, 4, row(0.5)))).toEqual([1, 3, 4, 7]);
    expect(pruned(pruneMaskRef(scores, 2, 4, row(0.25)))).toEqual([1, 4]);
    expect(pruned(pruneMaskRef(scores, 2, 4, row(0.6)))).toEqual([1, 3, 4, 7]); // ⌊2.4⌋ = 2 per row
    const ties = f32([0.2, -0.2, 0.2, 0.2]);
    expect(pruned(pruneMaskRef(magnitudeScoresRef(ties, 1, 4), 1, 4, row(0.5)))).toEqual([0, 1]);
  });

  it('N:M: m − n smallest of each group of m columns, ties → lower column', () => {
    const scores = magnitudeScoresRef(W, 2, 4);
    expect(pruned(pruneMaskRef(scores, 2, 4, nm(2, 4)))).toEqual([1, 3, 4, 7]);
    expect(pruned(pruneMaskRef(scores, 2, 4, nm(1, 2)))).toEqual([1, 3, 4, 7]);
    const w = f32([1, -1, 1, 1, 0, 2, -0, 3]);
    const s = magnitudeScoresRef(w, 1, 8);
    expect(pruned(pruneMaskRef(s, 1, 8, nm(2, 4)))).toEqual([0, 1, 4, 6]);
    expect(pruned(pruneMaskRef(s, 1, 8, nm(4, 8)))).toEqual([0, 1, 4, 6]);
    expect(pruned(pruneMaskRef(s, 1, 8, nm(3, 4)))).toEqual([0, 4]);
    expect(pruned(pruneMaskRef(s, 1, 8, nm(4, 4)))).toEqual([]);
    const out = pruneRef({ values: w, rows: 1, cols: 8 }, { score: 'magnitude', pattern: nm(2, 4) });
    expect([...out.values]).toEqual([0, 0, 1, 1, 0, 2, 0, 3]);
    expect(Object.is(out.values[6], 0)).toBe(true); // −0 pruned becomes +0
    expect(out.zeros).toBe(4);
  });

  it('Wanda: |w|·sqrt(Σx²) per column changes the choice', () => {
    const w = f32([1, -2, 0.5, -0.25, 1, 4]);
    const sumSquares = [16, 1, 0.25]; // norms 4, 1, 0.5
    expect([...wandaNormsRef(sumSquares, 3)]).toEqual([4, 1, 0.5]);
    const s = wandaScoresRef(w, 2, 3, sumSquares);
    expect([...s]).toEqual([4, 2, 0.25, 1, 1, 2]);
    // Order: 0.25 (2), 1 (3), 1 (4), 2 (1), 2 (5), 4 (0); magnitude alone would cut 3, 2, 0.
    expect(pruned(pruneMaskRef(s, 2, 3, tensor(0.5)))).toEqual([2, 3, 4]);
    expect(pruned(pruneMaskRef(magnitudeScoresRef(w, 2, 3), 2, 3, tensor(0.5)))).toEqual([0, 2, 3]);
    expect(pruned(pruneMaskRef(s, 2, 3, row(0.34)))).toEqual([2, 3]);
    const out = pruneRef({ values: w, rows: 2, cols: 3 }, { score: 'wanda', sumSquares, pattern: tensor(0.5) });
    expect([...out.values]).toEqual([1, -2, 0, 0, 0, 4]);
    expect(out.zeros).toBe(3);
  });

  it('Wanda: a column never seen (Σx² = 0) scores 0; subnormal factors and products count as 0', () => {
    expect([...wandaScoresRef(f32([3, 5]), 1, 2, [0, 1])]).toEqual([0, 5]);
    // 1e-20 · 1e-20 = 1e-40 is subnormal in float32 → 0; a subnormal weight (1e-40) → 0 even with norm 1e15.
    expect([...wandaScoresRef(f32([1e-20, 1e-40, 1]), 1, 3, [1e-40, 1e30, 1])]).toEqual([0, 0, 1]);
    expect([...wandaNormsRef([1e-80], 1)]).toEqual([0]);
    // Magnitude keeps subnormals (exact bit copies).
    expect(magnitudeScoresRef(f32([-1e-40]), 1, 1)[0]).toBe(Math.fround(1e-40));
  });

  it('packs the mask LSB-first into u32 words', () => {
    const mask = new Uint8Array(40);
    mask[0] = mask[31] = mask[32] = mask[39] = 1;
    expect([...packMaskRef(mask)]).toEqual([0x80000001, 0x81]);
  });
});

/** Scope start and length of every unstructured scope / N:M group. */
function scopes(p: PrunePattern, rows: number, cols: number): [number, number][] {
  const len = p.kind === 'n:m' ? p.m : p.scope === 'tensor' ? rows * cols : cols;
  return Array.from({ length: (rows * cols) / len }, (_, i) => [i * len, len]);
}

const arbCase = fc
  .record({
    rows: fc.integer({ min: 1, max: 5 }),
    groups: fc.integer({ min: 1, max: 4 }),
    m: fc.constantFrom(1, 2, 4, 8),
    seed: fc.array(fc.constantFrom(0, -0, 0.5, -0.5, 1, 2, -2, 0.25, 1e-40, 3.5), { minLength: 160, maxLength: 160 }),
    sparsity: fc.constantFrom(0, 0.1, 0.25, 0.5, 0.6, 0.9, 0.999),
    nFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    scope: fc.constantFrom('tensor' as const, 'row' as const, 'n:m' as const),
    wanda: fc.boolean(),
    ss: fc.array(fc.constantFrom(0, 1, 4, 0.5, 9), { minLength: 32, maxLength: 32 }),
  })
  .map((c) => {
    const cols = c.groups * c.m;
    const values = f32(c.seed.slice(0, c.rows * cols));
    const n = Math.max(1, Math.round(c.nFrac * c.m));
    const pattern: PrunePattern = c.scope === 'n:m' ? nm(n, c.m) : { kind: 'unstructured', sparsity: c.sparsity, scope: c.scope };
    return { ...c, cols, values, pattern, sumSquares: c.ss.slice(0, cols) };
  });

describe('invariants (fast-check)', () => {
  it('prunes exactly k per scope, every pruned (score, index) below every kept one', () => {
    fc.assert(
      fc.property(arbCase, ({ rows, cols, values, pattern, wanda, sumSquares }) => {
        const opts = wanda ? { score: 'wanda' as const, sumSquares, pattern } : { score: 'magnitude' as const, pattern };
        const out = pruneRef({ values, rows, cols }, opts);
        const scores = wanda ? wandaScoresRef(values, rows, cols, sumSquares) : magnitudeScoresRef(values, rows, cols);
        const k = prunedPerScope(pattern, rows, cols);
        for (const [start, len] of scopes(pattern, rows, cols)) {
          let count = 0;
          let maxPruned: [number, number] = [-1, -1];
          let minKept: [number, number] = [Infinity, Infinity];
          for (let i = start; i < start + len; i++) {
            const key: [number, number] = [scores[i], i];
            const less = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
            if (out.mask[i]) {
              count++;
              if (less(maxPruned, key)) maxPruned = key;
            } else if (less(key, minKept)) minKept = key;
          }
          expect(count).toBe(k);
          expect(maxPruned[0] < minKept[0] || (maxPruned[0] === minKept[0] && maxPruned[1] < minKept[1])).toBe(true);
        }
        let zeros = 0;
        for (let i = 0; i < values.length; i++) {
          if (out.mask[i]) expect(Object.is(out.values[i], 0)).toBe(true);
          else expect(Object.is(out.values[i], values[i])).toBe(true);
          if (out.values[i] === 0) zeros++;
        }
        expect(out.zeros).toBe(zeros);
        expect(pruneRef({ values, rows, cols }, opts).mask).toEqual(out.mask);
      }),
      { numRuns: 300 },
    );
  });

  it('a higher sparsity prunes a superset (one order per scope)', () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom('tensor' as const, 'row' as const), ({ rows, cols, values }, scope) => {
        const scores = magnitudeScoresRef(values, rows, cols);
        let previous = new Uint8Array(rows * cols);
        for (const sparsity of [0, 0.2, 0.5, 0.7, 0.95]) {
          const mask = pruneMaskRef(scores, rows, cols, { kind: 'unstructured', sparsity, scope });
          for (let i = 0; i < mask.length; i++) if (previous[i]) expect(mask[i]).toBe(1);
          previous = mask;
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('errors', () => {
  const input = { values: W, rows: 2, cols: 4 };
  it('rejects a sparsity outside [0, 1)', () => {
    for (const sparsity of [1, 1.5, -0.1, NaN]) {
      expect(() => pruneRef(input, { score: 'magnitude', pattern: tensor(sparsity) })).toThrow(ShapeError);
      expect(() => pruneRef(input, { score: 'magnitude', pattern: row(sparsity) })).toThrow(`pruning sparsity must be in [0, 1), got ${sparsity}`);
    }
  });

  it('rejects an m that does not divide cols, and bad n or m', () => {
    const w = new Float32Array(2 * 6);
    expect(() => pruneRef({ values: w, rows: 2, cols: 6 }, { score: 'magnitude', pattern: nm(2, 4) })).toThrow(
      'N:M pruning needs m to divide cols: cols = 6 is not a multiple of m = 4',
    );
    expect(() => pruneRef(input, { score: 'magnitude', pattern: nm(5, 4) })).toThrow('N:M kept count n must be an integer in [1, m = 4], got 5');
    expect(() => pruneRef(input, { score: 'magnitude', pattern: nm(0, 4) })).toThrow(ShapeError);
    expect(() => pruneRef(input, { score: 'magnitude', pattern: nm(2, 64) })).toThrow('N:M group size m must be an integer in [1, 32], got 64');
  });

  it('names a non-finite weight', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const w = W.slice();
      w[6] = bad;
      expect(() => pruneRef({ values: w, rows: 2, cols: 4 }, { score: 'magnitude', pattern: tensor(0.5) })).toThrow(
        `weight W[1][2] is not finite (${bad}); cannot prune`,
      );
      expect(() => wandaScoresRef(w, 2, 4, [1, 1, 1, 1])).toThrow(ShapeError);
    }
  });

  it('checks sumSquares and the shape', () => {
    expect(() => pruneRef(input, { score: 'wanda', pattern: tensor(0.5) })).toThrow('Wanda scores need sumSquares');
    expect(() => pruneRef(input, { score: 'wanda', sumSquares: [1, 2, 3], pattern: tensor(0.5) })).toThrow(
      'Wanda sumSquares must have one entry per input column (4), got 3',
    );
    expect(() => pruneRef(input, { score: 'wanda', sumSquares: [1, -2, 3, 4], pattern: tensor(0.5) })).toThrow(
      'Wanda sumSquares[1] must be finite and ≥ 0, got -2',
    );
    expect(() => pruneRef({ values: W, rows: 3, cols: 4 }, { score: 'magnitude', pattern: tensor(0.5) })).toThrow('expected 3×4 = 12 values, got 8');
    expect(() => applyMaskRef(W, new Uint8Array(3))).toThrow(ShapeError);
  });
});
