// GPU pruning (pruneGpu: shaders/prune/*.wgsl) vs the CPU reference pruneRef on seeded weight-like
// values of odd shapes, both storage layouts, f32 and f16, magnitude and Wanda scores, per tensor /
// per row at several sparsities and N:M: the mask and the values must be identical, with exactly k
// pruned per scope; grids of equal values exercise the tie rule. Plus the error paths.
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, GpuLimitError, ShapeError } from '../../core/errors';
import { f16ArrayToF32, f32ArrayToF16 } from '../../core/float16';
import type { WeightLayout } from '../../core/model-index';
import { toRowMajor } from '../../core/weight-layout';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import type { GpuContext } from '../../gpu/context';
import { gpuForTests } from '../../gpu/testing';
import { packMaskRef, type PrunePattern, type PruneScore, prunedPerScope, pruneRef, pruneScoresRef } from '../../quant/prune/prune-select';
import { seededRandom, seededWeights } from '../quant/rtn-compare';
import { pruneGpu, pruneGpuFits } from './prune';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** [rows, cols]: 203 and 77 are odd; 64×256 spans several histogram workgroups (4096 scores each). */
const SHAPES = [
  [13, 203],
  [40, 77],
  [64, 256],
] as const;
/** Shapes whose cols divide by 4 and 8, for N:M. */
const NM_SHAPES = [
  [13, 200],
  [64, 256],
] as const;
const SPARSITIES = [0, 0.25, 0.5, 0.6, 0.9];
const SCORES: PruneScore[] = ['magnitude', 'wanda'];
const DTYPES = ['f32', 'f16'] as const;
const ORIENTATIONS = ['linear', 'matmul-b'] as const;

interface Case {
  dtype: 'f32' | 'f16';
  layout: WeightLayout;
  /** Stored bytes given to the GPU. */
  bytes: Uint8Array;
  /** W row-major as the reference reads it (f16 decoded). */
  values: Float32Array;
  sumSquares: Float32Array;
}

/** `raw` (row-major) stored in a layout and dtype; sumSquares seeded with some zero and repeated entries. */
function makeCase(raw: Float32Array, rows: number, cols: number, dtype: 'f32' | 'f16', orientation: 'linear' | 'matmul-b', seed: number): Case {
  const layout: WeightLayout =
    orientation === 'linear' ? { rows, cols, rowStride: cols, colStride: 1 } : { rows, cols, rowStride: 1, colStride: rows };
  const stored = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) stored[r * layout.rowStride + c * layout.colStride] = raw[r * cols + c];
  const rnd = seededRandom(seed + 7919);
  const sumSquares = Float32Array.from({ length: cols }, () => {
    const u = rnd();
    return u < 0.05 ? 0 : u < 0.3 ? 4 : rnd() * 50;
  });
  if (dtype === 'f32') return { dtype, layout, bytes: new Uint8Array(stored.buffer), values: toRowMajor(stored, layout), sumSquares };
  const halves = f32ArrayToF16(stored);
  return { dtype, layout, bytes: new Uint8Array(halves.buffer), values: toRowMajor(f16ArrayToF32(halves), layout), sumSquares };
}

function seededCase(rows: number, cols: number, dtype: 'f32' | 'f16', orientation: 'linear' | 'matmul-b', seed: number): Case {
  return makeCase(seededWeights(rows * cols, seed), rows, cols, dtype, orientation, seed);
}

/** Weights on a grid of 1/16 steps: most scores tie with many others (and many are 0). */
function gridCase(rows: number, cols: number, dtype: 'f32' | 'f16', orientation: 'linear' | 'matmul-b', seed: number): Case {
  const raw = seededWeights(rows * cols, seed).map((v) => Math.round(v * 16) / 16);
  return makeCase(raw, rows, cols, dtype, orientation, seed);
}

let runs = 0;

/** pruneGpu vs pruneRef: identical mask, values (bit for bit) and zeros; k per scope; m − n per group. */
async function check(gpuCtx: GpuContext, c: Case, score: PruneScore, pattern: PrunePattern, label: string): Promise<void> {
  const { rows, cols } = c.layout;
  const opts = { score, pattern, sumSquares: score === 'wanda' ? c.sumSquares : undefined };
  const gpu = await pruneGpu(gpuCtx, { bytes: c.bytes, dtype: c.dtype, layout: c.layout }, opts);
  const ref = pruneRef({ values: c.values, rows, cols }, opts);
  runs++;
  const where = `${label} ${score} ${JSON.stringify(pattern)}`;
  const refMask = packMaskRef(ref.mask);
  const bit = (words: Uint32Array, e: number) => (words[e >>> 5] >>> (e & 31)) & 1;
  const gpuBits = new Uint32Array(gpu.values.buffer);
  const refBits = new Uint32Array(ref.values.buffer);
  for (let e = 0; e < rows * cols; e++) {
    if (bit(gpu.mask, e) !== bit(refMask, e) || gpuBits[e] !== refBits[e]) {
      const scores = pruneScoresRef(c.values, rows, cols, opts);
      expect.fail(
        `${where}: first difference at W[${Math.floor(e / cols)}][${e % cols}] (score ${scores[e]}): ` +
          `gpu pruned ${bit(gpu.mask, e)} value ${gpu.values[e]}, ref pruned ${bit(refMask, e)} value ${ref.values[e]}`,
      );
    }
  }
  expect(gpu.mask.length, where).toBe(refMask.length);
  expect(gpu.zeros, where).toBe(ref.zeros);
  const k = prunedPerScope(pattern, rows, cols);
  const scope = pattern.kind === 'n:m' ? pattern.m : pattern.scope === 'tensor' ? rows * cols : cols;
  for (let start = 0; start < rows * cols; start += scope) {
    let pruned = 0;
    let zeros = 0;
    for (let e = start; e < start + scope; e++) {
      pruned += bit(gpu.mask, e);
      if (gpu.values[e] === 0) zeros++;
    }
    expect(pruned, `${where}: pruned in scope at ${start}`).toBe(k);
    expect(zeros, `${where}: zeros in scope at ${start}`).toBeGreaterThanOrEqual(k);
  }
}

describe('pruneGpu vs pruneRef (seeded)', () => {
  for (const scope of ['tensor', 'row'] as const) {
    for (const score of SCORES) {
      gpuIt(`unstructured per ${scope}, ${score}, sparsities ${SPARSITIES.join(', ')}`, async () => {
        let seed = (scope === 'tensor' ? 100 : 200) + (score === 'wanda' ? 50 : 0);
        for (const [rows, cols] of SHAPES) {
          for (const dtype of DTYPES) {
            for (const orientation of ORIENTATIONS) {
              const c = seededCase(rows, cols, dtype, orientation, seed++);
              for (const sparsity of SPARSITIES) {
                await check(ctx!, c, score, { kind: 'unstructured', sparsity, scope }, `${rows}×${cols} ${dtype} ${orientation}`);
              }
            }
          }
        }
      });
    }
  }

  for (const score of SCORES) {
    gpuIt(`N:M 2:4, 4:8 and 1:4, ${score}`, async () => {
      let seed = score === 'wanda' ? 350 : 300;
      for (const [rows, cols] of NM_SHAPES) {
        for (const dtype of DTYPES) {
          for (const orientation of ORIENTATIONS) {
            const c = seededCase(rows, cols, dtype, orientation, seed++);
            for (const [n, m] of [[2, 4], [4, 8], [1, 4]]) {
              await check(ctx!, c, score, { kind: 'n:m', n, m }, `${rows}×${cols} ${dtype} ${orientation}`);
            }
          }
        }
      }
    });
  }
});

describe('pruneGpu ties', () => {
  gpuIt('breaks ties by lower index on a 1/16 grid of values, every pattern', async () => {
    let seed = 400;
    // 600 columns and 3600 scores need two 8-bit index digits.
    for (const [rows, cols] of [[13, 200], [40, 80], [6, 600]] as const) {
      for (const dtype of DTYPES) {
        for (const orientation of ORIENTATIONS) {
          const c = gridCase(rows, cols, dtype, orientation, seed++);
          for (const score of SCORES) {
            for (const pattern of [
              ...SPARSITIES.map((sparsity) => ({ kind: 'unstructured', sparsity, scope: 'tensor' }) as const),
              ...SPARSITIES.map((sparsity) => ({ kind: 'unstructured', sparsity, scope: 'row' }) as const),
              { kind: 'n:m', n: 2, m: 4 } as const,
              { kind: 'n:m', n: 4, m: 8 } as const,
            ]) {
              await check(ctx!, c, score, pattern, `grid ${rows}×${cols} ${dtype} ${orientation}`);
            }
          }
        }
      }
    }
  });

  gpuIt('breaks ties over three index digits (81920 scores on a grid, per tensor)', async () => {
    const c = gridCase(160, 512, 'f16', 'matmul-b', 450);
    for (const sparsity of [0.25, 0.5, 0.9]) {
      for (const score of SCORES) await check(ctx!, c, score, { kind: 'unstructured', sparsity, scope: 'tensor' }, 'grid 160×512');
    }
  });

  gpuIt('prunes the first k in index order when every score is equal (and all-zero rows)', async () => {
    const rows = 9;
    const cols = 70;
    const raw = new Float32Array(rows * cols).map((_, i) => (i % 3 === 0 ? -0.5 : 0.5));
    raw.fill(0, 2 * cols, 4 * cols);
    raw.fill(-0, 5 * cols, 6 * cols);
    const c = makeCase(raw, rows, cols, 'f32', 'matmul-b', 1);
    const equal = makeCase(new Float32Array(rows * cols).fill(0.25), rows, cols, 'f16', 'linear', 2);
    for (const d of [c, equal]) {
      for (const pattern of [
        { kind: 'unstructured', sparsity: 0.5, scope: 'tensor' },
        { kind: 'unstructured', sparsity: 0.3, scope: 'row' },
        { kind: 'unstructured', sparsity: 0.9, scope: 'tensor' },
        { kind: 'n:m', n: 3, m: 5 },
      ] as const) {
        await check(ctx!, d, 'magnitude', pattern, 'constant');
      }
    }
    const gpu = await pruneGpu(ctx!, equal, { score: 'magnitude', pattern: { kind: 'unstructured', sparsity: 0.5, scope: 'tensor' } });
    const first = Math.floor(0.5 * rows * cols);
    expect([...gpu.values.subarray(0, first)].every((v) => Object.is(v, 0))).toBe(true);
    expect([...gpu.values.subarray(first)].every((v) => v === 0.25)).toBe(true);
  });

  gpuIt('folds large dispatches into x·y workgroups (scores, histogram, rows, apply)', async () => {
    // 409600 scores: 6400 score workgroups (72×89), 100 histogram (2×50), 320 rows (4×80), 200 apply (3×67).
    const small = { ...ctx!, limits: { ...ctx!.limits, maxComputeWorkgroupsPerDimension: 90 } };
    const c = seededCase(320, 1280, 'f32', 'matmul-b', 500);
    for (const pattern of [
      { kind: 'unstructured', sparsity: 0.5, scope: 'tensor' },
      { kind: 'unstructured', sparsity: 0.6, scope: 'row' },
      { kind: 'n:m', n: 2, m: 4 },
    ] as const) {
      await check(small, c, 'wanda', pattern, '320×1280 folded');
    }
  });

  gpuIt(`ran the comparisons`, () => {
    console.log(`pruneGpu vs pruneRef: ${runs} comparisons`);
    expect(runs).toBeGreaterThan(300);
  });
});

const magnitude = (pattern: PrunePattern) => ({ score: 'magnitude' as const, pattern });
const half: PrunePattern = { kind: 'unstructured', sparsity: 0.5, scope: 'tensor' };

describe('pruneGpu in row slices past the binding limit', () => {
  // 40 rows of 77 f32: a limit of 6 rows gives slices of 6, …, 6, 4, at mask offsets not a multiple of 32.
  const small = () => ({ ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 6 * 77 * 4 + 3 } });
  for (const dtype of DTYPES) {
    for (const orientation of ORIENTATIONS) {
      gpuIt(`${dtype} ${orientation}: per-row cuts and N:M equal the reference`, async () => {
        const c = seededCase(40, 77, dtype, orientation, 41);
        for (const score of SCORES) await check(small(), c, score, { kind: 'unstructured', sparsity: 0.6, scope: 'row' }, `sliced ${dtype} ${orientation}`);
        const nm = seededCase(40, 76, dtype, orientation, 42);
        for (const score of SCORES) await check(small(), nm, score, { kind: 'n:m', n: 2, m: 4 }, `sliced ${dtype} ${orientation}`);
      });
    }
  }

  gpuIt('names the row of a non-finite weight in a later slice; a tensor-wide cut does not fit', async () => {
    const raw = seededWeights(40 * 77, 43);
    raw[33 * 77 + 9] = NaN;
    const c = makeCase(raw, 40, 77, 'f32', 'matmul-b', 43);
    const rowCut = { kind: 'unstructured', sparsity: 0.5, scope: 'row' } as const;
    await expect(pruneGpu(small(), c, magnitude(rowCut))).rejects.toThrow('weight W[33][9] is not finite (NaN); cannot prune');
    expect(pruneGpuFits(small(), c, rowCut)).toBe(true);
    expect(pruneGpuFits(small(), c, half)).toBe(false);
    expect(pruneGpuFits(ctx!, c, half)).toBe(true);
    await expect(pruneGpu(small(), c, magnitude(half))).rejects.toThrow(GpuLimitError);
  });
});

describe('pruneGpu errors', () => {

  gpuIt('rejects a sparsity outside [0, 1) and an m that does not divide cols, like the reference', async () => {
    const c = seededCase(4, 30, 'f32', 'linear', 9);
    for (const sparsity of [1, -0.25, NaN]) {
      const pattern: PrunePattern = { kind: 'unstructured', sparsity, scope: 'row' };
      const err = await pruneGpu(ctx!, c, magnitude(pattern)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ShapeError);
      expect((err as Error).message).toBe(`pruning sparsity must be in [0, 1), got ${sparsity}`);
      expect(() => pruneRef({ values: c.values, rows: 4, cols: 30 }, magnitude(pattern))).toThrow((err as Error).message);
    }
    await expect(pruneGpu(ctx!, c, magnitude({ kind: 'n:m', n: 2, m: 4 }))).rejects.toThrow(
      'N:M pruning needs m to divide cols: cols = 30 is not a multiple of m = 4',
    );
    await expect(pruneGpu(ctx!, c, magnitude({ kind: 'n:m', n: 0, m: 2 }))).rejects.toThrow(ShapeError);
    await expect(pruneGpu(ctx!, c, { score: 'wanda', pattern: half })).rejects.toThrow('Wanda scores need sumSquares');
    await expect(pruneGpu(ctx!, c, { score: 'wanda', sumSquares: new Float32Array(29), pattern: half })).rejects.toThrow(
      'Wanda sumSquares must have one entry per input column (30), got 29',
    );
  });

  gpuIt('rejects NaN and ±Inf weights naming the element, like the reference', async () => {
    for (const [dtype, orientation, bad] of [
      ['f32', 'linear', NaN],
      ['f32', 'matmul-b', -Infinity],
      ['f16', 'matmul-b', Infinity],
      ['f16', 'linear', NaN],
    ] as const) {
      const raw = seededWeights(5 * 40, 11);
      raw[2 * 40 + 17] = bad;
      const c = makeCase(raw, 5, 40, dtype, orientation, 3);
      for (const pattern of [half, { kind: 'n:m', n: 2, m: 4 }] as const) {
        const err = await pruneGpu(ctx!, c, magnitude(pattern)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ShapeError);
        expect((err as Error).message).toBe(`weight W[2][17] is not finite (${bad}); cannot prune`);
        expect(() => pruneRef({ values: c.values, rows: 5, cols: 40 }, magnitude(pattern))).toThrow((err as Error).message);
      }
    }
  });

  gpuIt('checks the layout against the bytes before touching the GPU', async () => {
    const bytes = new Uint8Array(4 * 100);
    await expect(pruneGpu(ctx!, { bytes, dtype: 'f32', layout: { rows: 10, cols: 11, rowStride: 11, colStride: 1 } }, magnitude(half))).rejects.toThrow(
      /weight layout 10×11 \(strides 11, 1\) reaches stored element 109, but the tensor has 100 elements/,
    );
    await expect(pruneGpu(ctx!, { bytes: new Uint8Array(6), dtype: 'f32', layout: { rows: 1, cols: 1, rowStride: 1, colStride: 1 } }, magnitude(half))).rejects.toThrow(
      /weight bytes \(6\) are not a whole number of f32 elements/,
    );
    await expect(pruneGpu(ctx!, { bytes, dtype: 'f32', layout: { rows: 0, cols: 10, rowStride: 10, colStride: 1 } }, magnitude(half))).rejects.toThrow(ShapeError);
  });

  gpuIt('refuses tensors larger than maxStorageBufferBindingSize with GpuLimitError', async () => {
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 256 } };
    const err = await pruneGpu(small, { bytes: new Uint8Array(2 * 100), dtype: 'f16', layout: { rows: 10, cols: 10, rowStride: 10, colStride: 1 } }, magnitude(half)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GpuLimitError);
    expect((err as Error).message).toMatch(/needs a 400-byte GPU buffer, but this GPU binds at most 256 bytes/);
  });

  gpuIt('stops with CancelledError at every check between passes, and runs again afterwards', async () => {
    const c = seededCase(8, 64, 'f32', 'linear', 13);
    await expect(pruneGpu(ctx!, c, { ...magnitude(half), signal: AbortSignal.abort() })).rejects.toThrow(CancelledError);
    for (const pattern of [half, { kind: 'unstructured', sparsity: 0.5, scope: 'row' }, { kind: 'n:m', n: 2, m: 4 }] as const) {
      // A signal that turns aborted at its nth read: 1 before the GPU, 2 after compiling, 3 after
      // scores, 4 after selection (not read for N:M), 5 after the readback.
      for (let n = 1; n <= 5; n++) {
        let reads = 0;
        const signal = { get aborted() { return ++reads >= n; } } as AbortSignal;
        const outcome = await pruneGpu(ctx!, c, { ...magnitude(pattern), signal }).then(() => 'done', (e: unknown) => e);
        if (pattern.kind === 'n:m' && n === 5) expect(outcome).toBe('done');
        else expect(outcome, `${pattern.kind} abort at read ${n}`).toBeInstanceOf(CancelledError);
      }
      await check(ctx!, c, 'magnitude', pattern, 'after cancelling');
    }
  });
});
