// The Hugging Face config.json a llama GGUF was converted from, read back from its metadata (the
// inverse of llama-metadata.ts): what the ONNX graph builder needs when a GGUF comes without its
// config.json. Tied embeddings = no output.weight tensor; the vocabulary size is
// llama.vocab_size, else the tokenizer's token count, else token_embd's rows.
import { UnsupportedModelError } from '../../core/errors';
import type { GgufMetadata } from './gguf-value';

function num(metadata: GgufMetadata, key: string): number | undefined {
  const v = metadata.get(key);
  if (!v) return undefined;
  if (v.type === 'u64' || v.type === 'i64') return Number(v.value);
  return typeof v.value === 'number' ? v.value : undefined;
}

function required(metadata: GgufMetadata, key: string): number {
  const v = num(metadata, key);
  if (v === undefined) throw new UnsupportedModelError(`GGUF metadata has no ${key}, which the model's config needs`, { field: key });
  return v;
}

/** config.json fields of a llama GGUF; `tensors` are its tensor names with shapes (numpy order). */
export function llamaConfigFromGguf(metadata: GgufMetadata, tensors: { name: string; shape: number[] }[]): Record<string, unknown> {
  const arch = metadata.get('general.architecture');
  if (arch?.type !== 'string' || arch.value !== 'llama') {
    throw new UnsupportedModelError(`GGUF architecture ${JSON.stringify(arch?.value)} cannot be read back into a config (llama can)`, { field: 'general.architecture' });
  }
  const heads = required(metadata, 'llama.attention.head_count');
  const tokens = metadata.get('tokenizer.ggml.tokens');
  const embedding = tensors.find((t) => t.name === 'token_embd.weight');
  const vocab = num(metadata, 'llama.vocab_size') ?? (tokens?.type === 'array' ? tokens.value.length : embedding?.shape[0]);
  if (vocab === undefined) throw new UnsupportedModelError('GGUF has neither llama.vocab_size, a tokenizer nor token_embd.weight to size the vocabulary', { field: 'llama.vocab_size' });
  const scaling = metadata.get('llama.rope.scaling.type');
  const factor = num(metadata, 'llama.rope.scaling.factor');
  const config: Record<string, unknown> = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_act: 'silu',
    hidden_size: required(metadata, 'llama.embedding_length'),
    intermediate_size: required(metadata, 'llama.feed_forward_length'),
    num_hidden_layers: required(metadata, 'llama.block_count'),
    num_attention_heads: heads,
    num_key_value_heads: num(metadata, 'llama.attention.head_count_kv') ?? heads,
    max_position_embeddings: required(metadata, 'llama.context_length'),
    rms_norm_eps: required(metadata, 'llama.attention.layer_norm_rms_epsilon'),
    rope_theta: num(metadata, 'llama.rope.freq_base') ?? 10000,
    vocab_size: vocab,
    tie_word_embeddings: !tensors.some((t) => t.name === 'output.weight'),
  };
  const keyLength = num(metadata, 'llama.attention.key_length');
  if (keyLength !== undefined) config.head_dim = keyLength;
  if (scaling?.type === 'string' && scaling.value !== 'none') config.rope_scaling = { rope_type: scaling.value, factor };
  return config;
}
