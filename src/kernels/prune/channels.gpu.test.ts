// GPU channel pruning (channelSumSquaresGpu, gatherChannelsGpu: shaders/prune/channel-*.wgsl) vs the
// CPU reference (src/quant/prune/channels.ts) on seeded weight-like values of odd shapes, f32 and
// f16, both storage layouts and both axes: the sums and the gathered W must be identical bit for bit
// (the seeded sums are sensitive to an fma, checked below), with subnormals, overflow, equal channels
// and folded dispatches. Plus the error paths.
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, GpuLimitError, ShapeError } from '../../core/errors';
import { f16ArrayToF32, f32ArrayToF16 } from '../../core/float16';
import type { WeightLayout } from '../../core/model-index';
import { toRowMajor } from '../../core/weight-layout';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import type { GpuContext } from '../../gpu/context';
import { gpuForTests } from '../../gpu/testing';
import { type ChannelAxis, channelSumSquaresRef, gatherChannelsRef, keptChannelsRef } from '../../quant/prune/channels';
import { seededWeights } from '../quant/rtn-compare';
import { channelSumSquaresGpu, gatherChannelsGpu } from './channels';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** [rows, cols]: 13 and 203 are odd; 256×768 is an MLP-like block (768 channels: 12 workgroups). */
const SHAPES = [
  [13, 203],
  [64, 256],
  [256, 768],
  [1, 7],
  [9, 1],
] as const;
const DTYPES = ['f32', 'f16'] as const;
const ORIENTATIONS = ['linear', 'matmul-b'] as const;
const AXES: ChannelAxis[] = ['rows', 'cols'];
/** Shares of the channels kept (at least one; 1 keeps all). */
const KEEP_SHARES = [0, 0.25, 0.5, 0.9, 1];

interface Case {
  dtype: 'f32' | 'f16';
  layout: WeightLayout;
  /** Stored bytes given to the GPU. */
  bytes: Uint8Array;
  /** W row-major as the reference reads it (f16 decoded). */
  values: Float32Array;
}

/** `raw` (row-major) stored in a layout ('linear': row-major; 'matmul-b': ONNX [K][N]) and dtype. */
function makeCase(raw: Float32Array, rows: number, cols: number, dtype: 'f32' | 'f16', orientation: 'linear' | 'matmul-b'): Case {
  const layout: WeightLayout =
    orientation === 'linear' ? { rows, cols, rowStride: cols, colStride: 1 } : { rows, cols, rowStride: 1, colStride: rows };
  const stored = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) stored[r * layout.rowStride + c * layout.colStride] = raw[r * cols + c];
  if (dtype === 'f32') return { dtype, layout, bytes: new Uint8Array(stored.buffer), values: toRowMajor(stored, layout) };
  const halves = f32ArrayToF16(stored);
  return { dtype, layout, bytes: new Uint8Array(halves.buffer), values: toRowMajor(f16ArrayToF32(halves), layout) };
}

const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
let runs = 0;

/** channelSumSquaresGpu vs channelSumSquaresRef bit for bit; returns the sums. */
async function checkSums(gpuCtx: GpuContext, c: Case, axis: ChannelAxis, label: string): Promise<Float32Array> {
  const { rows, cols } = c.layout;
  const gpu = await channelSumSquaresGpu(gpuCtx, c, axis);
  const ref = channelSumSquaresRef(c.values, rows, cols, axis);
  runs++;
  expect(gpu.length, label).toBe(ref.length);
  const [g, r] = [bitsOf(gpu), bitsOf(ref)];
  for (let ch = 0; ch < ref.length; ch++) {
    if (g[ch] !== r[ch]) {
      expect.fail(`${label} ${axis}: first difference at channel ${ch}: gpu ${gpu[ch]} (0x${g[ch].toString(16)}), ref ${ref[ch]} (0x${r[ch].toString(16)})`);
    }
  }
  return ref;
}

/** gatherChannelsGpu vs gatherChannelsRef bit for bit. */
async function checkGather(gpuCtx: GpuContext, c: Case, axis: ChannelAxis, kept: Uint32Array, label: string): Promise<void> {
  const { rows, cols } = c.layout;
  const gpu = await gatherChannelsGpu(gpuCtx, c, axis, kept);
  const ref = gatherChannelsRef(c.values, rows, cols, axis, kept);
  runs++;
  const where = `${label} ${axis} keeping ${kept.length}`;
  expect(gpu.length, where).toBe(ref.length);
  const outCols = axis === 'rows' ? cols : kept.length;
  const [g, r] = [bitsOf(gpu), bitsOf(ref)];
  for (let e = 0; e < ref.length; e++) {
    if (g[e] !== r[e]) expect.fail(`${where}: first difference at out[${Math.floor(e / outCols)}][${e % outCols}]: gpu ${gpu[e]}, ref ${ref[e]}`);
  }
}

/** Sums, then the gather of the top channels at every share in KEEP_SHARES. */
async function checkCase(gpuCtx: GpuContext, c: Case, label: string): Promise<void> {
  for (const axis of AXES) {
    const sums = await checkSums(gpuCtx, c, axis, label);
    for (const share of KEEP_SHARES) {
      const keep = Math.max(1, Math.round(share * sums.length));
      await checkGather(gpuCtx, c, axis, keptChannelsRef(sums, keep), label);
    }
  }
}

/** The sums an fma would give (v·v unrounded before the addition), to show the seeded data tells them apart. */
function fusedSums(values: Float32Array, rows: number, cols: number, axis: ChannelAxis): Float32Array {
  const [channels, length] = axis === 'rows' ? [rows, cols] : [cols, rows];
  const out = new Float32Array(channels);
  for (let ch = 0; ch < channels; ch++) {
    let acc = 0;
    for (let i = 0; i < length; i++) {
      const v = axis === 'rows' ? values[ch * cols + i] : values[i * cols + ch];
      if (Math.abs(v) >= 2 ** -126) acc = Math.fround(acc + v * v);
    }
    out[ch] = acc;
  }
  return out;
}

describe('channel pruning on the GPU vs the reference (seeded)', () => {
  gpuIt(`sums and gathers, shapes ${SHAPES.map((s) => s.join('×')).join(', ')}, f32/f16, both layouts and axes`, async () => {
    let seed = 700;
    for (const [rows, cols] of SHAPES) {
      for (const dtype of DTYPES) {
        for (const orientation of ORIENTATIONS) {
          const c = makeCase(seededWeights(rows * cols, seed++), rows, cols, dtype, orientation);
          await checkCase(ctx!, c, `${rows}×${cols} ${dtype} ${orientation}`);
        }
      }
    }
  });

  gpuIt('the seeded sums differ from fused (fma) sums, so bit equality rules an fma out', () => {
    for (const dtype of DTYPES) {
      const values = makeCase(seededWeights(256 * 768, 900), 256, 768, dtype, 'linear').values;
      for (const axis of AXES) {
        const ref = bitsOf(channelSumSquaresRef(values, 256, 768, axis));
        const fused = bitsOf(fusedSums(values, 256, 768, axis));
        // f16 squares (≤ 22 significant bits) are exact in f32, so only f32 weights can tell.
        const differing = ref.filter((b, i) => b !== fused[i]).length;
        if (dtype === 'f32') expect(differing, `${dtype} ${axis}`).toBeGreaterThan(ref.length / 4);
        else expect(differing, `${dtype} ${axis}`).toBe(0);
      }
    }
  });

  gpuIt('subnormal weights and squares count as 0, overflow gives +Inf, −0 survives the gather', async () => {
    const [rows, cols] = [6, 9];
    const raw = seededWeights(rows * cols, 901);
    raw.set([1e-40, -1e-20, 2 ** -63, -(2 ** -63), 1e-30, 0, -0, 5e-39, 1e-19], 0); // row 0: tiny only
    raw.set([2e19, 1, -3], 2 * cols); // row 2 and column 0 overflow
    raw.set([1.5e19, -1.5e19], 4 * cols + 3); // row 4 overflows in the sum, not in a square
    raw[5 * cols + 8] = -0;
    for (const orientation of ORIENTATIONS) {
      const c = makeCase(raw, rows, cols, 'f32', orientation);
      await checkCase(ctx!, c, `edge ${orientation}`);
      const byRows = await channelSumSquaresGpu(ctx!, c, 'rows');
      expect(byRows[0]).toBe(2 * 2 ** -126);
      expect(byRows[2]).toBe(Infinity);
      expect(byRows[4]).toBe(Infinity);
      expect((await channelSumSquaresGpu(ctx!, c, 'cols'))[0]).toBe(Infinity);
      const last = await gatherChannelsGpu(ctx!, c, 'rows', Uint32Array.of(5));
      expect(Object.is(last[8], -0)).toBe(true);
    }
    // f16: subnormal halves decode to normal f32 and count; 65504² does not overflow.
    const halves = makeCase(Float32Array.from([2 ** -24, -(2 ** -20), 65504, -65504, 0, 1]), 2, 3, 'f16', 'matmul-b');
    await checkCase(ctx!, halves, 'edge f16');
  });

  gpuIt('equal channels: the lower index is kept, and the gather follows', async () => {
    // Rows on a grid of 1/8 steps in a few patterns: many rows and columns have equal sums.
    const [rows, cols] = [40, 48];
    const raw = Float32Array.from({ length: rows * cols }, (_, i) => ((((i % cols) * 7 + Math.floor(i / cols) * 3) % 5) - 2) / 8);
    for (const dtype of DTYPES) {
      for (const orientation of ORIENTATIONS) await checkCase(ctx!, makeCase(raw, rows, cols, dtype, orientation), `grid ${dtype} ${orientation}`);
    }
    const constant = makeCase(new Float32Array(rows * cols).fill(0.25), rows, cols, 'f16', 'linear');
    const sums = await channelSumSquaresGpu(ctx!, constant, 'cols');
    expect([...keptChannelsRef(sums, 5)]).toEqual([0, 1, 2, 3, 4]);
    await checkGather(ctx!, constant, 'cols', keptChannelsRef(sums, 5), 'constant');
  });

  gpuIt('folds large dispatches into x·y workgroups', async () => {
    // 768 column sums = 12 workgroups (3×4 at 4 per dimension); gathering 600 of 768 columns of 256
    // rows, or 200 of 256 rows of 768 columns, = 2400 workgroups (50×48 at 50 per dimension).
    const c = makeCase(seededWeights(256 * 768, 902), 256, 768, 'f32', 'matmul-b');
    const four = { ...ctx!, limits: { ...ctx!.limits, maxComputeWorkgroupsPerDimension: 4 } };
    const fifty = { ...ctx!, limits: { ...ctx!.limits, maxComputeWorkgroupsPerDimension: 50 } };
    const sums = await checkSums(four, c, 'cols', 'folded');
    await checkGather(fifty, c, 'cols', keptChannelsRef(sums, 600), 'folded');
    const half = makeCase(c.values, 256, 768, 'f16', 'linear');
    await checkGather(fifty, half, 'rows', keptChannelsRef(await checkSums(four, half, 'rows', 'folded f16'), 200), 'folded f16');
  });

  gpuIt('ran the comparisons', () => {
    console.log(`channel pruning GPU vs reference: ${runs} comparisons`);
    expect(runs).toBeGreaterThan(150);
  });
});

describe('channel pruning on the GPU: errors', () => {
  gpuIt('rejects NaN and ±Inf weights naming the lowest row-major one, like the reference', async () => {
    for (const [dtype, orientation, bad] of [
      ['f32', 'linear', NaN],
      ['f32', 'matmul-b', -Infinity],
      ['f16', 'matmul-b', Infinity],
      ['f16', 'linear', NaN],
    ] as const) {
      const raw = seededWeights(5 * 40, 11);
      raw[3 * 40 + 2] = bad; // W[3][2]: met first by a scan of column 2
      raw[2 * 40 + 17] = bad; // W[2][17]: first in row-major order
      const c = makeCase(raw, 5, 40, dtype, orientation);
      for (const axis of AXES) {
        const err = await channelSumSquaresGpu(ctx!, c, axis).catch((e: unknown) => e);
        expect(err, `${dtype} ${orientation} ${axis}`).toBeInstanceOf(ShapeError);
        expect((err as Error).message).toBe(`weight W[2][17] is not finite (${bad}); cannot prune`);
        expect(() => channelSumSquaresRef(c.values, 5, 40, axis)).toThrow((err as Error).message);
      }
    }
  });

  gpuIt('checks the layout, the axis and the kept channels before touching the GPU', async () => {
    const bytes = new Uint8Array(4 * 100);
    const layout = { rows: 10, cols: 10, rowStride: 10, colStride: 1 };
    await expect(channelSumSquaresGpu(ctx!, { bytes, dtype: 'f32', layout: { ...layout, cols: 11, rowStride: 11 } }, 'rows')).rejects.toThrow(
      /weight layout 10×11 \(strides 11, 1\) reaches stored element 109, but the tensor has 100 elements/,
    );
    const odd = { bytes: new Uint8Array(6), dtype: 'f32' as const, layout: { rows: 1, cols: 1, rowStride: 1, colStride: 1 } };
    await expect(gatherChannelsGpu(ctx!, odd, 'rows', Uint32Array.of(0))).rejects.toThrow(/weight bytes \(6\) are not a whole number of f32 elements/);
    await expect(channelSumSquaresGpu(ctx!, { bytes, dtype: 'f32', layout: { ...layout, rows: 0 } }, 'rows')).rejects.toThrow(ShapeError);
    await expect(channelSumSquaresGpu(ctx!, { bytes, dtype: 'bf16' as 'f16', layout }, 'rows')).rejects.toThrow(ShapeError);
    await expect(channelSumSquaresGpu(ctx!, { bytes, dtype: 'f32', layout }, 'both' as ChannelAxis)).rejects.toThrow(
      "channel axis must be 'rows' or 'cols', got both",
    );
    const input = { bytes, dtype: 'f32' as const, layout: { rows: 5, cols: 20, rowStride: 20, colStride: 1 } };
    const values = new Float32Array(100);
    for (const [axis, kept] of [
      ['rows', [0, 5]],
      ['cols', [3, 2]],
      ['cols', [4, 4]],
      ['cols', []],
      ['cols', [0, 20]],
    ] as const) {
      const err = await gatherChannelsGpu(ctx!, input, axis, Uint32Array.from(kept)).catch((e: unknown) => e);
      expect(err, `${axis} ${kept.join(',')}`).toBeInstanceOf(ShapeError);
      expect(() => gatherChannelsRef(values, 5, 20, axis, Uint32Array.from(kept))).toThrow((err as Error).message);
    }
  });

  gpuIt('refuses buffers past maxStorageBufferBindingSize and dispatches past the grid with GpuLimitError', async () => {
    const input = { bytes: new Uint8Array(2 * 100), dtype: 'f16' as const, layout: { rows: 10, cols: 10, rowStride: 10, colStride: 1 } };
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 36 } };
    const err = await gatherChannelsGpu(small, input, 'rows', Uint32Array.of(0, 1, 2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuLimitError);
    expect((err as Error).message).toMatch(/gathering 3 of the 10 channels of a 10×10 f16 weight needs a 200-byte GPU buffer, but this GPU binds at most 36 bytes/);
    await expect(channelSumSquaresGpu(small, input, 'cols')).rejects.toThrow(GpuLimitError);
    const tiny = { ...ctx!, limits: { ...ctx!.limits, maxComputeWorkgroupsPerDimension: 2 } };
    const wide = { bytes: new Uint8Array(4 * 2 * 300), dtype: 'f32' as const, layout: { rows: 2, cols: 300, rowStride: 300, colStride: 1 } };
    await expect(channelSumSquaresGpu(tiny, wide, 'cols')).rejects.toThrow(/needs 5 workgroups, more than this GPU can dispatch \(2² = 4\)/);
    await expect(channelSumSquaresGpu(tiny, wide, 'rows')).resolves.toHaveLength(2);
  });

  gpuIt('stops with CancelledError at every check, and runs again afterwards', async () => {
    const c = makeCase(seededWeights(8 * 64, 13), 8, 64, 'f32', 'linear');
    const kept = Uint32Array.of(1, 3, 60);
    await expect(channelSumSquaresGpu(ctx!, c, 'cols', AbortSignal.abort())).rejects.toThrow(CancelledError);
    await expect(gatherChannelsGpu(ctx!, c, 'cols', kept, AbortSignal.abort())).rejects.toThrow(CancelledError);
    // A signal that turns aborted at its nth read: 1 before the GPU, 2 after compiling, 3 after the readback.
    for (let n = 1; n <= 4; n++) {
      const after = (limit: number) => {
        let reads = 0;
        return { get aborted() { return ++reads >= limit; } } as AbortSignal;
      };
      const sums = await channelSumSquaresGpu(ctx!, c, 'rows', after(n)).then(() => 'done', (e: unknown) => e);
      const gathered = await gatherChannelsGpu(ctx!, c, 'cols', kept, after(n)).then(() => 'done', (e: unknown) => e);
      for (const outcome of [sums, gathered]) {
        if (n === 4) expect(outcome).toBe('done');
        else expect(outcome, `abort at read ${n}`).toBeInstanceOf(CancelledError);
      }
    }
    await checkSums(ctx!, c, 'rows', 'after cancelling');
    await checkGather(ctx!, c, 'cols', kept, 'after cancelling');
  });
});
