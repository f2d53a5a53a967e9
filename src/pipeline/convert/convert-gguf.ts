// Converts HF-named float weights to a llama GGUF that llama.cpp loads (docs/FORMATS.md §4.6):
// metadata from config.json + tokenizer.json (or copied from a GGUF source), GGUF tensor names,
// the Q/K row permutation, then each tensor's type (float, a preset mix or --pure) encoded by
// quantizeTensorForGguf. Streams: one tensor is read, permuted and encoded at a time.
import type { ByteSink } from '../../core/byte-sink';
import { throwIfAborted, UnsupportedModelError, UsageError } from '../../core/errors';
import { gguf, type GgufMetadata } from '../../formats/gguf/gguf-value';
import { ggufVocabMetadata } from '../../formats/gguf/gguf-vocab';
import { llamaHparams, llamaMetadata } from '../../formats/gguf/llama-metadata';
import { writeGguf, type GgufTensorToWrite } from '../../formats/gguf/gguf-writer';
import { hfToGgufName, permuteQkRows } from '../../model/llama-names';
import type { PresetModel } from '../../quant/ggml/gguf-presets';
import { planGgufTypes, type GgufTarget, type GgufTypePlan } from './gguf-target';
import { type GgufEncoder, quantizeTensorForGguf } from './quantize-tensor';
import type { HfWeightSource } from './weight-source';

export interface ConvertProgress {
  tensorsDone: number;
  tensorsTotal: number;
  currentTensor: string;
}

export interface GgufConvertOptions {
  target: GgufTarget;
  /** config.json (required unless the source is a GGUF, whose metadata is copied). */
  config?: Record<string, unknown>;
  /** Parsed tokenizer.json (required unless the source is a GGUF). */
  tokenizer?: unknown;
  tokenizerConfig?: unknown;
  /** `general.name` (default: "model"). */
  name?: string;
  onProgress?: (p: ConvertProgress) => void;
  signal?: AbortSignal;
  /** How block types are encoded (default: the CPU references; gpuGgufEncoder for the GPU). */
  encode?: GgufEncoder;
  /** Sees each tensor as written (GGUF name, type, encoded bytes): sweeps evaluate these very bytes. */
  onTensorEncoded?: (t: { name: string; type: string; shape: readonly number[]; bytes: Uint8Array }) => void;
}

export interface ConvertedTensor {
  name: string;
  /** ggml type ('F32', 'Q4_K', …) or safetensors dtype. */
  type: string;
  /** numpy order. */
  shape: number[];
}

export interface GgufConvertResult {
  bytes: number;
  tensors: ConvertedTensor[];
  fallbacks: GgufTypePlan['fallbacks'];
  /** llama.cpp's fallback warning line, when any tensor fell back. */
  fallbackSummary?: string;
}

/** Tensors llama.cpp's converter skips (rotary caches some checkpoints carry). */
const SKIPPED = /\.rotary_emb\.inv_freq$/;

function u32Of(m: GgufMetadata, key: string): number | undefined {
  const v = m.get(key);
  return v && (v.type === 'u32' || v.type === 'i32') ? v.value : undefined;
}

interface Built {
  metadata: GgufMetadata;
  model: PresetModel;
}

function buildMetadata(source: HfWeightSource, options: GgufConvertOptions): Built {
  if (source.ggufMetadata) {
    const metadata: GgufMetadata = new Map(source.ggufMetadata);
    metadata.delete('general.alignment');
    // Existing keys keep their position in the Map; missing ones are appended.
    metadata.set('general.file_type', gguf.u32(options.target.fileType));
    metadata.set('general.quantization_version', gguf.u32(2));
    const nHead = u32Of(metadata, 'llama.attention.head_count') ?? 0;
    return { metadata, model: { nLayer: u32Of(metadata, 'llama.block_count') ?? 0, nHead, nHeadKv: u32Of(metadata, 'llama.attention.head_count_kv') ?? nHead } };
  }
  if (!options.config) throw new UsageError(`converting ${source.format} to GGUF needs config.json (give --config)`);
  if (options.tokenizer === undefined) throw new UsageError(`converting ${source.format} to GGUF needs tokenizer.json (give --tokenizer)`);
  const h = llamaHparams(options.config);
  const metadata = llamaMetadata(options.config, { name: options.name ?? 'model', fileType: options.target.fileType });
  for (const [k, v] of ggufVocabMetadata({ tokenizer: options.tokenizer, tokenizerConfig: options.tokenizerConfig, config: options.config })) metadata.set(k, v);
  return { metadata, model: { nLayer: h.nLayer, nHead: h.nHead, nHeadKv: h.nHeadKv } };
}

/** Heads to permute by for an HF tensor name (q_proj: heads, k_proj: kv heads), 0 for none. */
function permuteHeads(hfName: string, model: PresetModel): number {
  if (/\.self_attn\.q_proj\.(weight|bias)$/.test(hfName)) return model.nHead;
  if (/\.self_attn\.k_proj\.(weight|bias)$/.test(hfName)) return model.nHeadKv;
  return 0;
}

/** Streams the GGUF to `sink` (closing it); returns what was written. */
export async function convertToGguf(source: HfWeightSource, sink: ByteSink, options: GgufConvertOptions): Promise<GgufConvertResult> {
  const { metadata, model } = buildMetadata(source, options);
  const inputs = source.tensors.filter((t) => !SKIPPED.test(t.name)).map((t) => {
    const name = hfToGgufName(t.name);
    if (!name) throw new UnsupportedModelError(`tensor "${t.name}" has no llama GGUF name`);
    return { hf: t, name, shape: t.shape };
  });
  const plan = planGgufTypes(options.target, inputs, model);
  let done = 0;
  const tensors: GgufTensorToWrite[] = inputs.map((t, i) => ({
    name: t.name,
    shape: t.shape,
    type: plan.types[i],
    data: async () => {
      throwIfAborted(options.signal);
      options.onProgress?.({ tensorsDone: done, tensorsTotal: inputs.length, currentTensor: t.name });
      let values = await source.readFloats(t.hf.name);
      const heads = permuteHeads(t.hf.name, model);
      if (heads) {
        const rows = t.shape[0];
        values = permuteQkRows(values, rows, t.hf.numel / rows, heads);
      }
      const bytes = await (options.encode ?? quantizeTensorForGguf)(plan.types[i], { name: t.name, shape: t.shape, values });
      options.onTensorEncoded?.({ name: t.name, type: plan.types[i], shape: t.shape, bytes });
      done++;
      return bytes;
    },
  }));
  const written = await writeGguf(sink, metadata, tensors);
  options.onProgress?.({ tensorsDone: done, tensorsTotal: inputs.length, currentTensor: '' });
  return {
    bytes: written.byteLength,
    tensors: inputs.map((t, i) => ({ name: t.name, type: plan.types[i], shape: t.shape })),
    fallbacks: plan.fallbacks,
    fallbackSummary: plan.summary,
  };
}
