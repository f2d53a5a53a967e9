// AWQ in a plan: which weights share one searched input scale and where its inverse is folded
// (the issue: "folded into the preceding operation where the graph allows it — the RMSNorm weight
// before q/k/v and gate/up; v before o; up before down — so the exported model has the same ops").
// Per decoder layer four groups; a group is active only when every weight reading that input is
// quantized with AWQ and the operation before it can take the scales (a norm weight, or the rows
// of a weight AWQ also quantizes). Otherwise its AWQ weights get the clip search alone, and a note
// that says why. Decided from names and shapes alone, before any weight is read.
import type { AwqScaleGroup } from '../../core/compression-plan';
import type { TensorInfo } from '../../core/model-index';
import { ruleLabel, type RecipeRule } from '../../core/recipe';
import type { Matched } from './channel-plan';

/** Attention heads (config.json num_attention_heads / num_key_value_heads), for v → o under grouped-query attention. */
export interface AttentionHeads {
  heads: number;
  kvHeads: number;
}

export interface AwqPlan {
  groups: AwqScaleGroup[];
  /** Notes for AWQ weights that get no scales, by tensor name. */
  notes: Map<string, string>;
}

const isAwq = (m: Matched | undefined) => m?.action.kind === 'quantize' && m.action.spec.method === 'awq';

/** "rule 2 (rtn 4-bit/32 asym)" or "no rule (kept)". */
function takenBy(m: Matched | undefined, rules: readonly RecipeRule[]): string {
  if (!m) return 'is not in this model';
  return m.rule === null ? 'is kept (no rule takes it)' : `is taken by rule ${m.rule} (${ruleLabel(rules[m.rule])})`;
}

/** The scale groups of the AWQ weights in `matched`, with a note for each AWQ weight left without scales. */
export function awqPlan(matched: readonly Matched[], all: readonly TensorInfo[], rules: readonly RecipeRule[], heads: AttentionHeads | undefined): AwqPlan {
  const byLayer = new Map(matched.map((m) => [m.t.layer, m]));
  const normByLayer = new Map(all.filter((t) => t.role === 'norm').map((t) => [t.layer, t]));
  const biasByLayer = new Map(all.filter((t) => t.role === 'bias').map((t) => [t.layer, t]));
  const groups: AwqScaleGroup[] = [];
  const notes = new Map<string, string>();
  const scaled = new Set<string>();
  const blocks = new Set<string>();
  for (const m of matched) {
    const b = /^(.*)\.(?:self_attn\.[qkvo]|mlp\.(?:gate|up|down))_proj$/.exec(m.t.layer);
    if (b && isAwq(m)) blocks.add(b[1]);
  }

  const tryGroup = (id: string, consumerLayers: string[], producerLayer: string, kind: 'norm' | 'rows') => {
    const consumers = consumerLayers.map((l) => byLayer.get(l));
    const awq = consumers.filter(isAwq);
    if (awq.length === 0) return;
    const missing = consumers.findIndex((c) => !isAwq(c));
    let why: string | undefined;
    if (missing >= 0) {
      why = `its input also feeds ${consumerLayers[missing]}, which ${takenBy(consumers[missing], rules)}: every weight reading that input must take AWQ for its scales to be folded before them`;
    }
    const producer = kind === 'norm' ? normByLayer.get(producerLayer) : byLayer.get(producerLayer)?.t;
    if (!why && !producer) why = `${producerLayer}, where its scales would be folded, is not in this model`;
    if (!why && kind === 'rows' && !isAwq(byLayer.get(producerLayer))) {
      why = `its scales fold into the rows of ${producerLayer}, which ${takenBy(byLayer.get(producerLayer), rules)}; quantize it with AWQ too`;
    }
    let tie: AwqScaleGroup['tie'];
    if (!why && kind === 'rows') {
      const width = consumers[0]!.t.layout!.cols;
      const rows = producer!.layout!.rows;
      if (rows !== width) {
        // Grouped-query attention: o's input column c is head h = ⌊c/headDim⌋, and reads v's row of kv head ⌊h/(heads/kvHeads)⌋.
        if (!heads) why = `v_proj has ${rows} rows for o_proj's ${width} inputs (grouped-query attention), and without config.json's num_attention_heads the heads cannot be matched`;
        else if (width % heads.heads !== 0 || heads.heads % heads.kvHeads !== 0 || (width / heads.heads) * heads.kvHeads !== rows) {
          why = `v_proj's ${rows} rows do not match o_proj's ${width} inputs for ${heads.heads} heads and ${heads.kvHeads} key/value heads`;
        } else tie = { heads: heads.heads, kvHeads: heads.kvHeads, headDim: width / heads.heads };
      }
    }
    if (why) {
      for (const c of awq) notes.set(c!.t.name, `AWQ without scales (clip search only): ${why}`);
      return;
    }
    for (const c of consumers) scaled.add(c!.t.name);
    // Rows divided by s divide their outputs; a bias added to those outputs must be divided too.
    const bias = kind === 'rows' ? biasByLayer.get(producerLayer) : undefined;
    groups.push({ id, consumers: consumers.map((c) => c!.t.name), producer: { name: producer!.name, kind, ...(bias ? { bias: bias.name } : {}) }, ...(tie ? { tie } : {}) });
  };

  for (const b of blocks) {
    tryGroup(`${b} attention input`, ['q', 'k', 'v'].map((p) => `${b}.self_attn.${p}_proj`), `${b}.input_layernorm`, 'norm');
    tryGroup(`${b} o_proj input`, [`${b}.self_attn.o_proj`], `${b}.self_attn.v_proj`, 'rows');
    tryGroup(`${b} MLP input`, [`${b}.mlp.gate_proj`, `${b}.mlp.up_proj`], `${b}.post_attention_layernorm`, 'norm');
    tryGroup(`${b} down_proj input`, [`${b}.mlp.down_proj`], `${b}.mlp.up_proj`, 'rows');
  }
  for (const m of matched) {
    if (isAwq(m) && !scaled.has(m.t.name) && !notes.has(m.t.name)) {
      notes.set(m.t.name, 'AWQ without scales (clip search only): nothing before this weight can take them (AWQ folds into a decoder layer\'s norms, v_proj and up_proj)');
    }
  }
  return { groups, notes };
}

/** Heads from config.json, when it has them. */
export function attentionHeadsOf(config: Record<string, unknown> | undefined): AttentionHeads | undefined {
  const heads = config?.num_attention_heads;
  if (typeof heads !== 'number' || !Number.isInteger(heads) || heads < 1) return undefined;
  const kv = config?.num_key_value_heads ?? heads;
  return typeof kv === 'number' && Number.isInteger(kv) && kv >= 1 ? { heads, kvHeads: kv } : undefined;
}
