// llama-family GGUF metadata from a Hugging Face config.json (docs/FORMATS.md §4.6), with the
// exact value types llama.cpp's loader checks and the key order llama.cpp's converter
// (convert_hf_to_gguf.py, LlamaModel / Qwen2Model set_gguf_parameters) writes: llama and mistral
// checkpoints become the `llama` architecture, qwen2 its own (`qwen2.*` keys, no vocab_size or
// rope.dimension_count, q/k rows not permuted). Counts are UINT32, epsilons and frequencies FLOAT32.
import { UnsupportedModelError } from '../../core/errors';
import { readDecoderConfig, ropeParameters } from '../hf/decoder-config';
import { gguf, type GgufMetadata } from './gguf-value';

/** `general.file_type` (llama_ftype) of an all-float file. */
export const FLOAT_FILE_TYPE = { F32: 0, F16: 1, BF16: 32 } as const;

/** The GGUF architectures the studio writes. */
export type GgufArch = 'llama' | 'qwen2';

/** The llama hyper-parameters the converter and the Q/K permutation need. */
export interface LlamaHparams {
  /** `general.architecture` (the key prefix). */
  arch: GgufArch;
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  contextLength: number;
  rmsEps: number;
  /** Rows per head (config head_dim, else hidden/heads). */
  headDim: number;
  vocabSize: number;
  tieWordEmbeddings: boolean;
}

/** config.json model types (and classes) by the GGUF architecture llama.cpp's converter writes for them. */
const ARCH_OF_TYPE: Record<string, GgufArch> = { llama: 'llama', mistral: 'llama', qwen2: 'qwen2' };
const ARCH_OF_CLASS: Record<string, GgufArch> = { LlamaForCausalLM: 'llama', MistralForCausalLM: 'llama', Qwen2ForCausalLM: 'qwen2' };

function int(config: Record<string, unknown>, key: string, fallback?: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new UnsupportedModelError(`config.json: "${key}" must be a positive integer, got ${JSON.stringify(config[key])}`);
  }
  return v;
}

/** Reads and checks the llama hyper-parameters; UnsupportedModelError for other architectures. */
export function llamaHparams(config: Record<string, unknown>): LlamaHparams {
  const type = config.model_type;
  const cls = Array.isArray(config.architectures) ? config.architectures[0] : undefined;
  const arch = typeof type === 'string' ? ARCH_OF_TYPE[type] : ARCH_OF_CLASS[cls as string];
  if (!arch) throw new UnsupportedModelError(`config.json: model_type ${JSON.stringify(type ?? cls)} is not a llama-family model (llama, mistral, qwen2)`);
  const nEmbd = int(config, 'hidden_size');
  const nHead = int(config, 'num_attention_heads');
  const eps = config.rms_norm_eps;
  if (typeof eps !== 'number') throw new UnsupportedModelError(`config.json: "rms_norm_eps" must be a number, got ${JSON.stringify(eps)}`);
  return {
    arch,
    nLayer: int(config, 'num_hidden_layers'),
    nEmbd,
    nHead,
    nHeadKv: int(config, 'num_key_value_heads', nHead),
    nFf: int(config, 'intermediate_size'),
    contextLength: int(config, 'max_position_embeddings'),
    rmsEps: eps,
    headDim: int(config, 'head_dim', Math.floor(nEmbd / nHead)),
    vocabSize: int(config, 'vocab_size'),
    tieWordEmbeddings: config.tie_word_embeddings === true,
  };
}

export interface LlamaMetadataOptions {
  /** `general.name`. */
  name: string;
  /** `general.file_type` (llama_ftype). */
  fileType: number;
}

/** The GGUF architecture of a metadata map (`general.architecture`), which prefixes its model keys. */
export function ggufArchOf(metadata: GgufMetadata): string {
  const v = metadata.get('general.architecture');
  return v?.type === 'string' ? v.value : 'llama';
}

/**
 * llama.cpp's `rope_freqs.weight` for llama3 rope scaling (LlamaModel.generate_extra_tensors): per
 * rotary pair the factor its frequency is divided by — the unscaled inv_freq over the scaled one
 * (decoder-config.ts computes the scaling as transformers does). Undefined for other rope types.
 */
export function ropeFreqFactors(config: Record<string, unknown>): Float32Array | undefined {
  const p = ropeParameters(config);
  if (String(p.rope_type ?? p.type ?? 'default') !== 'llama3') return undefined;
  const rope = readDecoderConfig(config).rope;
  const d = rope.invFreq.length * 2;
  return Float32Array.from(rope.invFreq, (f, i) => 1 / rope.theta ** ((2 * i) / d) / f);
}

/**
 * The `general.*` and `<arch>.*` keys for a llama-family config, in the converter's order; the
 * caller appends the tokenizer keys (gguf-vocab.ts). llama3 rope scaling writes no keys: its
 * factors go in the rope_freqs tensor (ropeFreqFactors).
 */
export function llamaMetadata(config: Record<string, unknown>, options: LlamaMetadataOptions): GgufMetadata {
  const h = llamaHparams(config);
  const a = h.arch;
  const rope = ropeParameters(config);
  const m: GgufMetadata = new Map();
  m.set('general.architecture', gguf.string(a));
  m.set('general.type', gguf.string('model'));
  m.set('general.name', gguf.string(options.name));
  m.set(`${a}.block_count`, gguf.u32(h.nLayer));
  m.set(`${a}.context_length`, gguf.u32(h.contextLength));
  m.set(`${a}.embedding_length`, gguf.u32(h.nEmbd));
  m.set(`${a}.feed_forward_length`, gguf.u32(h.nFf));
  m.set(`${a}.attention.head_count`, gguf.u32(h.nHead));
  m.set(`${a}.attention.head_count_kv`, gguf.u32(h.nHeadKv));
  if (typeof rope.rope_theta === 'number') m.set(`${a}.rope.freq_base`, gguf.f32(rope.rope_theta));
  m.set(`${a}.attention.layer_norm_rms_epsilon`, gguf.f32(h.rmsEps));
  if (typeof config.head_dim === 'number') {
    m.set(`${a}.attention.key_length`, gguf.u32(h.headDim));
    m.set(`${a}.attention.value_length`, gguf.u32(h.headDim));
  }
  m.set('general.file_type', gguf.u32(options.fileType));
  if (a === 'llama') {
    m.set('llama.vocab_size', gguf.u32(h.vocabSize));
    m.set('llama.rope.dimension_count', gguf.u32(h.headDim));
  }
  const ropeType = String(rope.rope_type ?? rope.type ?? 'default');
  if (ropeType === 'linear' || ropeType === 'yarn') {
    m.set(`${a}.rope.scaling.type`, gguf.string(ropeType));
    if (typeof rope.factor === 'number') m.set(`${a}.rope.scaling.factor`, gguf.f32(rope.factor));
    if (ropeType === 'yarn' && typeof rope.original_max_position_embeddings === 'number') {
      m.set(`${a}.rope.scaling.original_context_length`, gguf.u32(rope.original_max_position_embeddings));
    }
  } else if (ropeType !== 'default' && ropeType !== 'llama3') {
    throw new UnsupportedModelError(`config.json: rope type "${ropeType}" is not supported yet (default, linear, yarn and llama3 are)`);
  }
  m.set('general.quantization_version', gguf.u32(2));
  return m;
}
