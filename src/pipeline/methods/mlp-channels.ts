// The MLP of a decoder layer as structured pruning sees it (issue: "remove whole MLP intermediate
// channels: rows of gate/up and the matching columns of down"): which projection a tensor is,
// which axis its channels lie on, how many channels a sparsity keeps (the same count in every
// layer), and which ones — ranked by an activation-aware importance, ‖W_down[:, c]‖₂ · ‖X_c‖₂
// with X the input of down_proj (the intermediate activation), Wanda's score summed over a channel.
import { ShapeError } from '../../core/errors';
import type { GpuContext } from '../../gpu/context';
import { channelSumSquaresGpu } from '../../kernels/prune/channels';
import { channelSumSquaresRef, keptChannelsRef, type ChannelAxis } from '../../quant/prune/channels';
import type { WeightInput } from './method';
import { originalValues } from './prune-run';

export type MlpPart = 'gate' | 'up' | 'down';

/** "model.layers.3.mlp.up_proj" → { block: "model.layers.3.mlp", part: "up" }; undefined for anything else. */
export function mlpPart(layer: string): { block: string; part: MlpPart } | undefined {
  const m = /^(.*\bmlp)\.(gate|up|down)_proj$/.exec(layer);
  return m ? { block: m[1], part: m[2] as MlpPart } : undefined;
}

/** gate/up: a channel is an output row; down: an input column. */
export function channelAxis(part: MlpPart): ChannelAxis {
  return part === 'down' ? 'cols' : 'rows';
}

/** Channels kept of `width` at `sparsity` (⌊sparsity · width⌋ removed, at least one kept). */
export function keptChannelCount(width: number, sparsity: number): number {
  return Math.max(1, width - Math.floor(sparsity * width));
}

/** A narrowed W put back at full size [rows][cols], the removed channels as zeros (to measure it against the original). */
export function expandChannels(values: Float32Array, rows: number, cols: number, axis: ChannelAxis, kept: Uint32Array): Float32Array {
  const outRows = axis === 'rows' ? kept.length : rows;
  const outCols = axis === 'cols' ? kept.length : cols;
  const full = new Float32Array(rows * cols);
  for (let i = 0; i < outRows; i++) {
    for (let j = 0; j < outCols; j++) {
      const r = axis === 'rows' ? kept[i] : i;
      const c = axis === 'cols' ? kept[j] : j;
      full[r * cols + c] = values[i * outCols + j];
    }
  }
  return full;
}

/** The kept channel indices (ascending) of an MLP from its down_proj weight and the statistics of its input. */
export async function selectChannels(down: WeightInput, keep: number, gpu?: GpuContext, signal?: AbortSignal): Promise<Uint32Array> {
  const { rows, cols } = down.layout;
  const stats = down.stats;
  if (!stats || stats.sumSquares.length !== cols) {
    throw new ShapeError(`channel pruning ranks ${down.info.layer}'s input channels by their activations, and this run has no calibration statistics for it`);
  }
  const sums = gpu ? await channelSumSquaresGpu(gpu, down, 'cols', signal) : channelSumSquaresRef(originalValues(down), rows, cols, 'cols');
  const scores = new Float64Array(cols);
  for (let c = 0; c < cols; c++) scores[c] = Math.sqrt(sums[c]) * Math.sqrt(stats.sumSquares[c]);
  return keptChannelsRef(scores, keep);
}
