// Channel pruning in a plan: it removes whole MLP channels, so it must take the three projections
// of an MLP together (gate_proj and up_proj rows, down_proj columns) with one sparsity, and the
// formats that record one MLP width for the whole model (GGUF feed_forward_length, config.json
// intermediate_size) need the same width in every layer. Refused here, naming the rule and the
// tensor; otherwise each tensor's written size.
import type { OutputFormat, TensorAction } from '../../core/compression-plan';
import { RecipeError, UnsupportedModelError } from '../../core/errors';
import type { TensorInfo } from '../../core/model-index';
import { ruleLabel, type ChannelsPrune, type RecipeRule } from '../../core/recipe';
import { actionPrune } from '../../core/compression-plan';
import { channelAxis, keptChannelCount, mlpPart, type MlpPart } from '../methods/mlp-channels';

export interface Matched {
  t: TensorInfo;
  rule: number | null;
  action: TensorAction;
}

export interface ChannelResize {
  rows: number;
  cols: number;
  kept: number;
  of: number;
  axis: 'rows' | 'cols';
}

const channelsOf = (m: Matched | undefined): ChannelsPrune | undefined => {
  const p = m ? actionPrune(m.action) : undefined;
  return p?.method === 'channels' ? p : undefined;
};

/** Written sizes of channel-pruned tensors by name, and the model's MLP width after pruning when it is one width. */
export function channelPlan(matched: readonly Matched[], all: readonly TensorInfo[], rules: readonly RecipeRule[], format: OutputFormat): { resized: Map<string, ChannelResize>; mlpWidth?: { from: number; to: number } } {
  const byLayer = new Map(matched.map((m) => [m.t.layer, m]));
  const resized = new Map<string, ChannelResize>();
  const blocks = new Map<string, { rule: number | null; spec: ChannelsPrune }>();
  for (const m of matched) {
    const spec = channelsOf(m);
    const part = mlpPart(m.t.layer);
    if (spec && part && !blocks.has(part.block)) blocks.set(part.block, { rule: m.rule, spec });
  }
  const widths = new Map<string, { from: number; to: number }>();
  for (const [block, { rule, spec }] of blocks) {
    const parts = new Map<MlpPart, Matched>();
    for (const part of ['gate', 'up', 'down'] as const) {
      const m = byLayer.get(`${block}.${part}_proj`);
      const other = channelsOf(m);
      if (!m || !other || other.sparsity !== spec.sparsity) {
        const taken = !m ? 'is not in this model' : m.rule === null ? 'is taken by no rule (kept)' : `is taken by rule ${m.rule} (${ruleLabel(rules[m.rule])})`;
        throw new RecipeError(
          `rule ${rule} (${ruleLabel({ prune: spec })}) removes whole MLP channels, so ${block}.${part}_proj must lose the same channels (the same method and sparsity); it ${taken}`,
          { rule: rule ?? undefined, tensor: m?.t.name },
        );
      }
      parts.set(part, m);
    }
    const width = parts.get('gate')!.t.layout!.rows;
    if (parts.get('up')!.t.layout!.rows !== width || parts.get('down')!.t.layout!.cols !== width) {
      throw new UnsupportedModelError(`${block}: gate_proj, up_proj and down_proj do not share one intermediate width, so its channels cannot be removed together`);
    }
    const kept = keptChannelCount(width, spec.sparsity);
    widths.set(block, { from: width, to: kept });
    for (const [part, m] of parts) {
      const axis = channelAxis(part);
      const { rows, cols } = m.t.layout!;
      resized.set(m.t.name, { rows: axis === 'rows' ? kept : rows, cols: axis === 'cols' ? kept : cols, kept, of: width, axis });
    }
  }
  if (widths.size === 0) return { resized };
  // One width for the whole model: every layer's MLP pruned alike.
  const allBlocks = new Set(all.flatMap((t) => mlpPart(t.layer)?.block ?? []));
  const distinct = new Set([...allBlocks].map((b) => widths.get(b)?.to ?? 'kept'));
  const first = widths.values().next().value!;
  if (distinct.size === 1) return { resized, mlpWidth: { from: first.from, to: first.to } };
  if (format === 'onnx') return { resized };
  const pruned = [...widths].map(([b, w]) => `${b} → ${w.to}`).slice(0, 3).join(', ');
  throw new RecipeError(
    `${format === 'gguf' ? 'GGUF (feed_forward_length)' : 'safetensors (config.json intermediate_size)'} holds one MLP width for every layer, and this recipe gives layers different widths (${pruned}${widths.size > 3 ? ', …' : ''}; ${allBlocks.size - widths.size} kept): prune every layer's MLP channels with one sparsity, or write ONNX`,
    { rule: blocks.values().next().value!.rule ?? undefined },
  );
}
