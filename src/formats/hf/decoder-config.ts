// A Hugging Face config.json of the llama family (llama, mistral, qwen2) read into the numbers a
// decoder needs: dimensions, grouped-query heads, rms epsilon, biases, tied embeddings, sliding
// window and the rotary frequencies (default, linear and llama3 scaling, as transformers'
// modeling_rope_utils computes them). One place for these fields: the ONNX graph builder reads
// them here; every message names the config.json field at fault.
import { UnsupportedModelError } from '../../core/errors';

export type DecoderArchitecture = 'llama' | 'mistral' | 'qwen2';

const BY_MODEL_TYPE: Record<string, DecoderArchitecture> = { llama: 'llama', mistral: 'mistral', qwen2: 'qwen2' };
const BY_CLASS: Record<string, DecoderArchitecture> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  Qwen2ForCausalLM: 'qwen2',
};

export interface RopeConfig {
  theta: number;
  /** 'default' | 'linear' | 'llama3' (others are refused when read). */
  type: string;
  /** inv_freq[i] for i < headDim / 2, scaling applied, as float64 (the graph stores float32). */
  invFreq: Float64Array;
}

export interface DecoderConfig {
  architecture: DecoderArchitecture;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  rmsEps: number;
  maxPositions: number;
  tieWordEmbeddings: boolean;
  /** Biases on q/k/v (qwen2 always; llama with attention_bias). */
  qkvBias: boolean;
  /** Bias on o_proj (llama attention_bias). */
  oBias: boolean;
  /** Biases on gate/up/down (llama mlp_bias). */
  mlpBias: boolean;
  /** Keys further back than this many positions are masked (mistral sliding_window), when set. */
  slidingWindow?: number;
  rope: RopeConfig;
}

type Json = Record<string, unknown>;

function bad(field: string, want: string, got: unknown): never {
  throw new UnsupportedModelError(`config.json: "${field}" must be ${want}, got ${JSON.stringify(got)}`, { field });
}

function positiveInt(config: Json, key: string, fallback?: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) bad(key, 'a positive integer', config[key]);
  return v;
}

function positiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value > 0)) bad(field, 'a positive number', value);
  return value;
}

/** 'llama' | 'mistral' | 'qwen2' from model_type (else architectures[0]); UnsupportedModelError otherwise. */
export function decoderArchitecture(config: Json): DecoderArchitecture {
  const type = config.model_type;
  const cls = Array.isArray(config.architectures) ? config.architectures[0] : undefined;
  const arch = typeof type === 'string' ? BY_MODEL_TYPE[type] : BY_CLASS[cls as string];
  if (!arch) {
    throw new UnsupportedModelError(
      `config.json: model_type ${JSON.stringify(type ?? cls)} is not an architecture the studio builds (llama, mistral, qwen2)`,
      { field: 'model_type' },
    );
  }
  return arch;
}

/** Rope settings: transformers ≥ 5 nests them in `rope_parameters`, older configs use rope_theta / rope_scaling. */
export function ropeParameters(config: Json): Json {
  const nested = (config.rope_parameters ?? config.rope_scaling ?? {}) as Json;
  return { rope_theta: config.rope_theta, ...nested };
}

/** transformers' _compute_llama3_parameters: long wavelengths divided by `factor`, a smooth blend between. */
function llama3Scaling(invFreq: Float64Array, rope: Json): Float64Array {
  const field = (k: string) => positiveNumber(rope[k], `rope_scaling.${k}`);
  const factor = field('factor');
  const low = field('low_freq_factor');
  const high = field('high_freq_factor');
  const original = field('original_max_position_embeddings');
  if (!(high > low)) bad('rope_scaling.high_freq_factor', `greater than low_freq_factor (${low})`, high);
  const lowWavelen = original / low;
  const highWavelen = original / high;
  return invFreq.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / factor;
    const smooth = (original / wavelen - low) / (high - low);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}

function readRope(config: Json, headDim: number): RopeConfig {
  const rope = ropeParameters(config);
  if (rope.rope_theta === undefined) {
    throw new UnsupportedModelError('config.json: no rope_theta (nor rope_parameters.rope_theta); the rotary base is needed', { field: 'rope_theta' });
  }
  const theta = positiveNumber(rope.rope_theta, 'rope_theta');
  const type = String(rope.rope_type ?? rope.type ?? 'default');
  const half = headDim / 2;
  const base = Float64Array.from({ length: half }, (_, i) => 1 / theta ** ((2 * i) / headDim));
  if (type === 'default') return { theta, type, invFreq: base };
  if (type === 'linear') {
    const factor = positiveNumber(rope.factor, 'rope_scaling.factor');
    return { theta, type, invFreq: base.map((f) => f / factor) };
  }
  if (type === 'llama3') return { theta, type, invFreq: llama3Scaling(base, rope) };
  throw new UnsupportedModelError(`config.json: rope type "${type}" is not supported by the graph builder yet (default, linear and llama3 are)`, { field: 'rope_type' });
}

/** Reads and checks a llama-family config; every refusal names the field. */
export function readDecoderConfig(config: Json): DecoderConfig {
  const architecture = decoderArchitecture(config);
  const hidden = positiveInt(config, 'hidden_size');
  const heads = positiveInt(config, 'num_attention_heads');
  const kvHeads = positiveInt(config, 'num_key_value_heads', heads);
  if (heads % kvHeads !== 0) bad('num_key_value_heads', `a divisor of num_attention_heads (${heads})`, kvHeads);
  if (config.head_dim === undefined && hidden % heads !== 0) bad('num_attention_heads', `a divisor of hidden_size (${hidden}) when head_dim is not given`, heads);
  const headDim = positiveInt(config, 'head_dim', hidden / heads);
  if (headDim % 2 !== 0) bad('head_dim', 'even (rotary embeddings pair the halves)', headDim);
  const eps = config.rms_norm_eps;
  if (typeof eps !== 'number' || !(eps > 0)) bad('rms_norm_eps', 'a positive number', eps);
  const act = config.hidden_act ?? 'silu';
  if (act !== 'silu') bad('hidden_act', '"silu" (the llama family\'s gated MLP)', act);
  const attentionBias = config.attention_bias === true;
  const window = config.sliding_window;
  const useWindow = architecture === 'qwen2' ? config.use_sliding_window === true : architecture === 'mistral';
  let slidingWindow: number | undefined;
  if (useWindow && window !== null && window !== undefined) slidingWindow = positiveInt(config, 'sliding_window');
  return {
    architecture,
    layers: positiveInt(config, 'num_hidden_layers'),
    hidden,
    heads,
    kvHeads,
    headDim,
    intermediate: positiveInt(config, 'intermediate_size'),
    vocab: positiveInt(config, 'vocab_size'),
    rmsEps: eps,
    maxPositions: positiveInt(config, 'max_position_embeddings'),
    tieWordEmbeddings: config.tie_word_embeddings === true,
    qkvBias: architecture === 'qwen2' || attentionBias,
    oBias: architecture === 'llama' && attentionBias,
    mlpBias: architecture === 'llama' && config.mlp_bias === true,
    slidingWindow,
    rope: readRope(config, headDim),
  };
}
