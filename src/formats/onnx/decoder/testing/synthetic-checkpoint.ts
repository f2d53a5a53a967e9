// Small Hugging Face checkpoints with seeded random weights in the exact layout of a
// architecture's modeling code (names, [out, in] Linear weights, biases where the architecture
// has them, no lm_head when tied), written as model.safetensors + config.json: the qwen2, mistral
// and Llama-3 cases of the builder tests, for which no exported fixture exists. Test harness only.
import { blobSink, concatChunks } from '../../../../core/byte-sink';
import { type ByteSource, bytesSource } from '../../../../core/byte-source';
import { readDecoderConfig } from '../../../hf/decoder-config';
import { writeSafetensors } from '../../../safetensors/safetensors-writer';
import type { WeightMap } from './reference-decoder';

/** Park–Miller minimal standard generator: uniform in [−1, 1), reproducible from `seed`. */
function uniform(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  };
}

/** Tensor names and HF shapes the config implies. */
function shapesOf(config: Record<string, unknown>): [string, number[]][] {
  const c = readDecoderConfig(config);
  const out: [string, number[]][] = [['model.embed_tokens.weight', [c.vocab, c.hidden]]];
  const linear = (name: string, o: number, i: number, bias: boolean) => {
    out.push([`${name}.weight`, [o, i]]);
    if (bias) out.push([`${name}.bias`, [o]]);
  };
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}`;
    out.push([`${p}.input_layernorm.weight`, [c.hidden]], [`${p}.post_attention_layernorm.weight`, [c.hidden]]);
    linear(`${p}.self_attn.q_proj`, c.heads * c.headDim, c.hidden, c.qkvBias);
    linear(`${p}.self_attn.k_proj`, c.kvHeads * c.headDim, c.hidden, c.qkvBias);
    linear(`${p}.self_attn.v_proj`, c.kvHeads * c.headDim, c.hidden, c.qkvBias);
    linear(`${p}.self_attn.o_proj`, c.hidden, c.heads * c.headDim, c.oBias);
    linear(`${p}.mlp.gate_proj`, c.intermediate, c.hidden, c.mlpBias);
    linear(`${p}.mlp.up_proj`, c.intermediate, c.hidden, c.mlpBias);
    linear(`${p}.mlp.down_proj`, c.hidden, c.intermediate, c.mlpBias);
  }
  out.push(['model.norm.weight', [c.hidden]]);
  if (!c.tieWordEmbeddings) out.push(['lm_head.weight', [c.vocab, c.hidden]]);
  return out;
}

export interface SyntheticCheckpoint {
  weights: WeightMap;
  /** model.safetensors (F32) and config.json, as a user would drop them. */
  files: ByteSource[];
}

/**
 * Weights uniform in ±scale/√fan_in (norms 1 ± 0.2, biases ±0.2): large enough that attention is
 * far from uniform and every term of the forward pass shows in the logits.
 */
export async function syntheticCheckpoint(config: Record<string, unknown>, seed = 1): Promise<SyntheticCheckpoint> {
  const next = uniform(seed);
  const weights: WeightMap = new Map();
  for (const [name, shape] of shapesOf(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const norm = name.endsWith('norm.weight');
    const scale = norm || name.endsWith('.bias') ? 0.2 : name.includes('embed') ? 1 : 2 / Math.sqrt(shape[1]);
    weights.set(name, Float32Array.from({ length: n }, () => (norm ? 1 : 0) + scale * next()));
  }
  const sink = blobSink();
  await writeSafetensors(sink, [...weights].map(([name, values]) => ({
    name,
    dtype: 'F32',
    shape: shapesOf(config).find(([n]) => n === name)![1],
    data: () => new Uint8Array(values.buffer),
  })));
  return {
    weights,
    files: [bytesSource(concatChunks(sink.chunks), 'model.safetensors'), bytesSource(new TextEncoder().encode(JSON.stringify(config)), 'config.json')],
  };
}
