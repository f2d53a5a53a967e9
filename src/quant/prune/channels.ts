// Structured channel pruning of an MLP: the CPU reference (the spec) for shaders/prune/channel-*.wgsl.
// A channel is an output row of W (axis 'rows': gate_proj / up_proj) or an input column (axis 'cols':
// down_proj); its score is Σ W² in float32, the kept channels are the highest scores (ties → lower
// index), and the pruned weight is W with only those rows or columns. W is logical [rows = out][cols = in].
import { ShapeError } from '../../core/errors';
import { nonFiniteWeightError, SMALLEST_NORMAL_F32 } from './prune-select';

export type ChannelAxis = 'rows' | 'cols';

const fround = Math.fround;

/** Throws ShapeError unless `axis` is 'rows' or 'cols'. */
export function checkChannelAxis(axis: ChannelAxis): void {
  if (axis !== 'rows' && axis !== 'cols') throw new ShapeError(`channel axis must be 'rows' or 'cols', got ${String(axis)}`);
}

/** Channels of a rows×cols W along `axis`: rows for 'rows', cols for 'cols'. */
export function channelCount(rows: number, cols: number, axis: ChannelAxis): number {
  return axis === 'rows' ? rows : cols;
}

/**
 * Throws ShapeError unless `kept` is a non-empty, strictly ascending list of channel indices below
 * `channels` (the same message from the reference and the GPU wrapper).
 */
export function checkKeptChannels(kept: ArrayLike<number>, channels: number): void {
  if (kept.length === 0) throw new ShapeError(`channel pruning must keep at least one of ${channels} channels, got none`, { channels });
  for (let i = 0; i < kept.length; i++) {
    const k = kept[i];
    if (!Number.isInteger(k) || k < 0 || k >= channels) {
      throw new ShapeError(`kept channel ${i} is ${k}, outside [0, ${channels})`, { index: i, channels });
    }
    if (i > 0 && k <= kept[i - 1]) {
      throw new ShapeError(`kept channels must be strictly ascending: kept[${i - 1}] = ${kept[i - 1]}, kept[${i}] = ${k}`, { index: i });
    }
  }
}

function checkShape(values: ArrayLike<number>, rows: number, cols: number): void {
  if (!Number.isSafeInteger(rows) || rows < 1 || !Number.isSafeInteger(cols) || cols < 1) {
    throw new ShapeError(`channel pruning needs rows, cols ≥ 1, got ${rows}×${cols}`, { rows, cols });
  }
  if (values.length !== rows * cols) {
    throw new ShapeError(`expected ${rows}×${cols} = ${rows * cols} values, got ${values.length}`, { rows, cols });
  }
}

/**
 * Σ W² of every channel, float32 arithmetic accumulated in index order (r = 0..rows-1 for a column;
 * c = 0..cols-1 for a row), each step Math.fround — the GPU kernel does the same sequence, so the
 * sums are bit-identical. A GPU may flush subnormals, so weights and squares below 2^-126 count as 0
 * (a sum of non-negative normal terms is never subnormal); a sum past the float32 range is +Inf.
 * Throws ShapeError naming the first non-finite weight in row-major order.
 */
export function channelSumSquaresRef(values: Float32Array, rows: number, cols: number, axis: ChannelAxis): Float32Array<ArrayBuffer> {
  checkShape(values, rows, cols);
  checkChannelAxis(axis);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw nonFiniteWeightError(values[i], Math.floor(i / cols), i % cols);
  }
  const channels = channelCount(rows, cols, axis);
  const length = axis === 'rows' ? cols : rows;
  // values[ch·channelStep + i·step] is element i of channel ch.
  const channelStep = axis === 'rows' ? cols : 1;
  const step = axis === 'rows' ? 1 : cols;
  const sums = new Float32Array(channels);
  for (let ch = 0; ch < channels; ch++) {
    let acc = 0;
    for (let i = 0; i < length; i++) {
      const a = Math.abs(values[ch * channelStep + i * step]);
      if (a < SMALLEST_NORMAL_F32) continue;
      // A float32 square is exact in float64, so fround rounds once, as the GPU's f32 multiply;
      // likewise the float64 sum of two float32 values rounds to the correctly rounded f32 sum.
      const sq = fround(a * a);
      if (sq < SMALLEST_NORMAL_F32) continue;
      acc = fround(acc + sq);
    }
    sums[ch] = acc;
  }
  return sums;
}

/**
 * Indices (ascending) of the `keep` channels with the highest scores; ties: the lower index is kept.
 * Throws ShapeError when keep is not an integer in [1, scores.length], or a score is NaN.
 */
export function keptChannelsRef(scores: ArrayLike<number>, keep: number): Uint32Array<ArrayBuffer> {
  const n = scores.length;
  if (!Number.isInteger(keep) || keep < 1 || keep > n) {
    throw new ShapeError(`channels to keep must be an integer in [1, ${n}], got ${keep}`, { keep: String(keep), channels: n });
  }
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new ShapeError(`channel score ${i} is NaN`, { channel: i });
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  // Highest score first, then lower index; no NaN, so `<`/`>` is a total order (−0 ties +0).
  order.sort((a, b) => (scores[a] > scores[b] ? -1 : scores[a] < scores[b] ? 1 : a - b));
  return order.slice(0, keep).sort();
}

/**
 * W with only the kept rows (axis 'rows': result [kept.length][cols]) or kept columns (axis 'cols':
 * result [rows][kept.length]), row-major float32. ShapeError for an index out of range or not
 * strictly ascending, or an empty `kept`.
 */
export function gatherChannelsRef(
  values: Float32Array,
  rows: number,
  cols: number,
  axis: ChannelAxis,
  kept: Uint32Array,
): Float32Array<ArrayBuffer> {
  checkShape(values, rows, cols);
  checkChannelAxis(axis);
  checkKeptChannels(kept, channelCount(rows, cols, axis));
  const k = kept.length;
  if (axis === 'rows') {
    const out = new Float32Array(k * cols);
    for (let j = 0; j < k; j++) out.set(values.subarray(kept[j] * cols, (kept[j] + 1) * cols), j * cols);
    return out;
  }
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) out[r * k + j] = values[r * cols + kept[j]];
  return out;
}
