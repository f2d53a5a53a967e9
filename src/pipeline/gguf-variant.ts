// A llama.cpp-typed variant of an ONNX llama model for sweeps: the model goes through the very
// GGUF converter an export uses (so size and bytes are the export's, exactly), each encoded
// tensor is tapped, dequantized by the ggml reference and un-permuted back to HF row order, and
// fed to the weights-as-inputs session in place of the ONNX initializer it came from.
import { countingSink } from '../core/byte-sink';
import { UnsupportedModelError, UsageError } from '../core/errors';
import { llamaHparams } from '../formats/gguf/llama-metadata';
import { hfToGgufName, unpermuteQkRows } from '../model/llama-names';
import type { TensorInfo } from '../model/model-index';
import { dequantizeGgmlRef } from '../quant/ggml/ggml-codec';
import { convertToGguf } from './convert/convert-gguf';
import { parseGgufTarget, type GgufTarget } from './convert/gguf-target';
import { onnxWeights, toRowMajor } from './convert/onnx-weights';
import { readInitializerFloats } from '../formats/onnx/onnx-reader';
import type { OpenedModel } from './open-model';
import type { VariantWeight } from './variant-evaluator';

export interface GgufVariantInputs {
  config: Record<string, unknown>;
  tokenizer: unknown;
  tokenizerConfig?: unknown;
}

export interface GgufVariant {
  target: GgufTarget;
  weights: VariantWeight[];
  /** Exact bytes of the GGUF file this variant exports as. */
  bytes: number;
  /** 8 · bytes of the block-quantized tensors / their element count. */
  bitsPerWeight: number;
  tensors: { name: string; layer: string; type: string; relError: number }[];
  fallbackSummary?: string;
  durationMs: number;
}

/** A --type name as a target; pure-only names (Q4_1, Q4_K_S, …) imply --pure. */
export function ggufTargetOf(name: string): GgufTarget {
  try {
    return parseGgufTarget(name, false);
  } catch (e) {
    if (e instanceof UsageError && /only available with --pure/.test(e.message)) return parseGgufTarget(name, true);
    throw e;
  }
}

const isFloatType = (type: string) => type === 'F32' || type === 'F16' || type === 'BF16';

function relativeError(original: Float32Array, approx: Float32Array): number {
  let err = 0;
  let norm = 0;
  for (let i = 0; i < original.length; i++) {
    err += (original[i] - approx[i]) ** 2;
    norm += original[i] ** 2;
  }
  return norm === 0 ? 0 : Math.sqrt(err / norm);
}

export async function ggufVariant(
  model: OpenedModel,
  targetName: string,
  inputs: GgufVariantInputs,
  opts: { signal?: AbortSignal } = {},
): Promise<GgufVariant> {
  if (!model.onnx) throw new UnsupportedModelError('llama.cpp types in sweeps need an ONNX model (a graph to evaluate)');
  const start = performance.now();
  const target = ggufTargetOf(targetName);
  const encoded = new Map<string, { type: string; bytes: Uint8Array }>();
  const result = await convertToGguf(onnxWeights(model.onnx, model.index, inputs.config), countingSink(), {
    target,
    config: inputs.config,
    tokenizer: inputs.tokenizer,
    tokenizerConfig: inputs.tokenizerConfig,
    signal: opts.signal,
    onTensorEncoded: (t) => encoded.set(t.name, { type: t.type, bytes: t.bytes }),
  });
  const h = llamaHparams(inputs.config);
  const weights: VariantWeight[] = [];
  const tensors: GgufVariant['tensors'] = [];
  let quantizedBytes = 0;
  let quantizedNumel = 0;
  for (const info of model.index.tensors) {
    const ggufName = ggufNameOf(info, h.tieWordEmbeddings);
    const e = ggufName ? encoded.get(ggufName) : undefined;
    if (!e || !info.layout) continue;
    if (!isFloatType(e.type)) {
      quantizedBytes += e.bytes.byteLength;
      quantizedNumel += info.numel;
    }
    if (e.type === 'F32') continue;
    const heads = /attn_q\.weight$/.test(ggufName!) ? h.nHead : /attn_k\.weight$/.test(ggufName!) ? h.nHeadKv : 0;
    const { rows, cols } = info.layout;
    const dequantized = dequantizeGgmlRef(e.type, e.bytes);
    const values = heads ? unpermuteQkRows(dequantized, rows, cols, heads) : dequantized;
    const original = toRowMajor(await readInitializerFloats(model.onnx, info.name), info.layout);
    tensors.push({ name: info.name, layer: info.layer, type: e.type, relError: relativeError(original, values) });
    weights.push({ name: info.name, values: () => values });
  }
  return {
    target,
    weights,
    bytes: result.bytes,
    bitsPerWeight: quantizedNumel === 0 ? 0 : (8 * quantizedBytes) / quantizedNumel,
    tensors,
    fallbackSummary: result.fallbackSummary,
    durationMs: performance.now() - start,
  };
}

/** The GGUF tensor an ONNX weight becomes; with tied embeddings the output head is token_embd. */
function ggufNameOf(info: TensorInfo, tied: boolean): string | undefined {
  const hf = `${info.layer}.weight`;
  if (tied && hf === 'lm_head.weight') return 'token_embd.weight';
  return hfToGgufName(hf);
}
