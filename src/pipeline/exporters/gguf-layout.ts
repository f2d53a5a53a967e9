// What a llama-family GGUF (llama, qwen2) made from HF-named weights holds (docs/FORMATS.md §4.6), before any tensor
// bytes exist: metadata from config.json + tokenizer.json (or copied from a GGUF source), the
// GGUF name and shape of every tensor in the order llama.cpp's converter writes them, the Q/K
// row permutation each needs, and the model facts llama-quantize's presets look at.
import { UnsupportedModelError, UsageError } from '../../core/errors';
import { gguf, type GgufMetadata } from '../../formats/gguf/gguf-value';
import { ggufVocabMetadata } from '../../formats/gguf/gguf-vocab';
import { ggufArchOf, llamaHparams, llamaMetadata, ropeFreqFactors } from '../../formats/gguf/llama-metadata';
import { hfToGgufName } from '../../model/llama-names';
import type { PresetModel } from '../../quant/ggml/gguf-presets';
import type { HfTensor, HfWeightSource } from '../weights/weight-source';

export interface GgufLayoutOptions {
  /** config.json (required unless the source is a GGUF, whose metadata is copied). */
  config?: Record<string, unknown>;
  /** Parsed tokenizer.json (required unless the source is a GGUF). */
  tokenizer?: unknown;
  tokenizerConfig?: unknown;
  /** `general.name` (default: "model"). */
  name?: string;
}

export interface GgufLayoutTensor {
  hf: HfTensor;
  /** GGUF name (`blk.0.attn_q.weight`). */
  name: string;
  /** numpy order (= HF shape). */
  shape: number[];
  /** Heads to permute rows by (q_proj: heads, k_proj: kv heads), 0 for none. */
  permuteHeads: number;
}

export interface GgufLayout {
  /** Metadata with `general.file_type` in its place (the exporter sets its value). */
  metadata: GgufMetadata;
  model: PresetModel;
  tensors: GgufLayoutTensor[];
  /** No output.weight: llama.cpp uses token_embd as the output head. */
  tied: boolean;
  /** Tensors the converter makes rather than copies (llama3's rope_freqs), F32, written first. */
  extras: { name: string; values: Float32Array }[];
}

/** Tensors llama.cpp's converter skips (rotary caches some checkpoints carry). */
const SKIPPED = /\.rotary_emb\.inv_freq$/;

function u32Of(m: GgufMetadata, key: string): number | undefined {
  const v = m.get(key);
  return v && (v.type === 'u32' || v.type === 'i32') ? v.value : undefined;
}

function buildMetadata(source: HfWeightSource, options: GgufLayoutOptions): { metadata: GgufMetadata; model: PresetModel } {
  if (source.ggufMetadata) {
    const metadata: GgufMetadata = new Map(source.ggufMetadata);
    metadata.delete('general.alignment');
    for (const key of [...metadata.keys()]) if (key.startsWith('compression_studio.')) metadata.delete(key);
    // Existing keys keep their position in the Map; missing ones are appended.
    metadata.set('general.file_type', gguf.u32(0));
    metadata.set('general.quantization_version', gguf.u32(2));
    const a = ggufArchOf(metadata);
    const nHead = u32Of(metadata, `${a}.attention.head_count`) ?? 0;
    return { metadata, model: { nLayer: u32Of(metadata, `${a}.block_count`) ?? 0, nHead, nHeadKv: u32Of(metadata, `${a}.attention.head_count_kv`) ?? nHead } };
  }
  if (!options.config) throw new UsageError(`converting ${source.format} to GGUF needs config.json (give --config)`);
  if (options.tokenizer === undefined) throw new UsageError(`converting ${source.format} to GGUF needs tokenizer.json (give --tokenizer)`);
  const h = llamaHparams(options.config);
  const metadata = llamaMetadata(options.config, { name: options.name ?? 'model', fileType: 0 });
  for (const [k, v] of ggufVocabMetadata({ tokenizer: options.tokenizer, tokenizerConfig: options.tokenizerConfig, config: options.config })) metadata.set(k, v);
  return { metadata, model: { nLayer: h.nLayer, nHead: h.nHead, nHeadKv: h.nHeadKv } };
}

/** llama.cpp's converter permutes q/k rows for the llama architecture only (LlamaModel.permute). */
function permuteHeads(hfName: string, model: PresetModel, arch: string): number {
  if (arch !== 'llama') return 0;
  if (/\.self_attn\.q_proj\.(weight|bias)$/.test(hfName)) return model.nHead;
  if (/\.self_attn\.k_proj\.(weight|bias)$/.test(hfName)) return model.nHeadKv;
  return 0;
}

export function ggufLayout(source: HfWeightSource, options: GgufLayoutOptions): GgufLayout {
  const { metadata, model } = buildMetadata(source, options);
  const arch = ggufArchOf(metadata);
  const tensors = source.tensors.filter((t) => !SKIPPED.test(t.name)).map((hf) => {
    const name = hfToGgufName(hf.name);
    if (!name) throw new UnsupportedModelError(`tensor "${hf.name}" has no llama GGUF name`);
    return { hf, name, shape: hf.shape, permuteHeads: permuteHeads(hf.name, model, arch) };
  });
  const factors = !source.ggufMetadata && options.config ? ropeFreqFactors(options.config) : undefined;
  const extras = factors ? [{ name: 'rope_freqs.weight', values: factors }] : [];
  return { metadata, model, tensors, tied: !tensors.some((t) => t.name === 'output.weight'), extras };
}
