// Structured width pruning as a registered method: whole MLP intermediate channels removed — the
// rows of gate_proj and up_proj and the matching columns of down_proj — so the exported model is
// really smaller and faster (its MLP is narrower, not dense with zeros). Which channels go is
// decided once per MLP (mlp-channels.ts: activation-aware, from down_proj and the statistics of
// its input) and handed to each of the three tensors; the kernel gathers the kept ones.
// GPU: src/kernels/prune/channels.ts; reference: src/quant/prune/channels.ts.
import type { DenseTensor } from '../../core/compressed-tensor';
import { RecipeError, UsageError } from '../../core/errors';
import type { ChannelsPrune } from '../../core/recipe';
import { gatherChannelsGpu } from '../../kernels/prune/channels';
import { relativeError } from '../../quant/metrics';
import { gatherChannelsRef, type ChannelAxis } from '../../quant/prune/channels';
import { checkFields } from './check-fields';
import type { PruneMethod, WeightInput } from './method';
import { channelAxis, expandChannels, mlpPart } from './mlp-channels';
import { originalValues } from './prune-run';

const FIELDS = ['sparsity'] as const;

function axisOf(input: WeightInput): ChannelAxis {
  const part = mlpPart(input.info.layer);
  if (!part) throw new Error(`Internal error: ${input.info.layer} is not an MLP projection`);
  return channelAxis(part.part);
}

function keptOf(input: WeightInput): Uint32Array {
  if (!input.channels) throw new UsageError(`channel pruning of ${input.info.layer} needs its MLP's kept channels, and this run has none`);
  return input.channels;
}

/** The narrower weight, with its error against the original (the removed channels count as zeros). */
function channelResult(input: WeightInput, axis: ChannelAxis, kept: Uint32Array, values: Float32Array): DenseTensor {
  const { rows, cols } = input.layout;
  const expanded = expandChannels(values, rows, cols, axis, kept);
  return { kind: 'dense', rows: axis === 'rows' ? kept.length : rows, cols: axis === 'cols' ? kept.length : cols, values, relError: relativeError(originalValues(input), expanded) };
}

export const channelsMethod: PruneMethod<ChannelsPrune> = {
  id: 'channels',
  fields: FIELDS,
  parse(raw, rule) {
    checkFields(raw, 'channels', FIELDS, rule, 'prune');
    const s = raw.sparsity;
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s >= 1) {
      throw new RecipeError(`rule ${rule}: prune.sparsity must be a number in [0, 1) (the fraction of MLP channels removed); got ${JSON.stringify(s)}`, { rule, field: 'prune.sparsity' });
    }
    return { method: 'channels', sparsity: s };
  },
  // The channels are ranked by down_proj's input activations; gate and up follow that choice.
  needs: (_spec, tensor) => (mlpPart(tensor.layer)?.part === 'down' ? 'input-stats' : 'nothing'),
  problem: (_spec, tensor) =>
    mlpPart(tensor.layer) ? undefined : 'channel pruning removes MLP intermediate channels: it applies to mlp.gate_proj, mlp.up_proj and mlp.down_proj only',
  async runGpu(gpu, input, _spec, signal) {
    const axis = axisOf(input);
    const kept = keptOf(input);
    return channelResult(input, axis, kept, await gatherChannelsGpu(gpu, input, axis, kept, signal));
  },
  async runRef(input) {
    const axis = axisOf(input);
    const kept = keptOf(input);
    const { rows, cols } = input.layout;
    return channelResult(input, axis, kept, gatherChannelsRef(originalValues(input), rows, cols, axis, kept));
  },
};
