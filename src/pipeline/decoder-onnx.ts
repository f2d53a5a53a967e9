// Any opened model → ONNX decoder graph (the builder of formats/onnx/decoder): its weights by
// Hugging Face name (safetensors as stored, GGUF dequantized, an ONNX export's own initializers)
// and its config.json, so a model that arrives without an ONNX export can be evaluated,
// quantized and exported to ONNX like one that has it.
import type { ByteSink } from '../core/byte-sink';
import { bytesSource, type ByteSource } from '../core/byte-source';
import { UsageError } from '../core/errors';
import { type DecoderConfig, readDecoderConfig } from '../formats/hf/decoder-config';
import { llamaConfigFromGguf } from '../formats/gguf/llama-config';
import { type DecoderModelOptions, writeDecoderOnnx } from '../formats/onnx/decoder/decoder-model';
import type { DecoderWeights } from '../formats/onnx/decoder/llama-graph';
import { readJsonSource } from '../formats/json-source';
import type { OpenedModel } from './open-model';
import { transpose } from '../core/weight-layout';
import { hfWeightSource } from './weights/hf-weights';
import type { HfWeightSource } from './weights/weight-source';

/** The builder's view of a weight source: dims and float32 values by Hugging Face name. */
export function decoderWeights(source: HfWeightSource): DecoderWeights {
  const byName = new Map(source.tensors.map((t) => [t.name, t]));
  return {
    dims: (name) => byName.get(name)?.shape,
    floats: (name) => source.readFloats(name),
    transposed: async (name, rows, cols) => (await source.readTransposed?.(name)) ?? transpose(await source.readFloats(name), rows, cols),
  };
}

/** config.json of an opened model (a GGUF's own metadata when none came with it), read and checked for the builder. */
export async function modelDecoderConfig(model: OpenedModel): Promise<{ json: Record<string, unknown>; config: DecoderConfig }> {
  let json: Record<string, unknown>;
  if (model.config) json = (await readJsonSource(model.config)) as Record<string, unknown>;
  else if (model.gguf) json = llamaConfigFromGguf(model.gguf.metadata, model.gguf.tensors);
  else throw new UsageError(`building an ONNX graph for ${model.index.fileName} needs its config.json beside it`);
  return { json, config: readDecoderConfig(json) };
}

/**
 * The side files a model's built graph opens with: its own, and for a GGUF without config.json
 * the config read back from its metadata — so the graph, like an export with its config.json,
 * can be written back to GGUF (llama.cpp types in a sweep, GGUF output).
 */
export async function builtGraphSideFiles(model: OpenedModel): Promise<ByteSource[]> {
  const config = model.config ?? (model.gguf ? bytesSource(new TextEncoder().encode(JSON.stringify((await modelDecoderConfig(model)).json)), 'config.json') : undefined);
  return [model.tokenizer, config, model.tokenizerConfig].filter((s): s is ByteSource => s !== undefined);
}

/** Why the model's graph cannot be built (no config, another architecture, a bad field), or its architecture. */
export async function graphBuildability(model: OpenedModel): Promise<{ buildable: true; architecture: string } | { buildable: false; reason: string }> {
  if (model.onnx) return { buildable: false, reason: `${model.index.fileName} is an ONNX graph already` };
  try {
    return { buildable: true, architecture: (await modelDecoderConfig(model)).config.architecture };
  } catch (e) {
    return { buildable: false, reason: (e as Error).message };
  }
}

/** Writes the model as an ONNX decoder graph (float32, or `float16`); returns the bytes written. */
export async function writeModelOnnx(model: OpenedModel, sink: ByteSink, options: Omit<DecoderModelOptions, 'metadata'> = {}): Promise<number> {
  const { json, config } = await modelDecoderConfig(model);
  const weights = decoderWeights(hfWeightSource(model, json));
  return writeDecoderOnnx(config, weights, sink, { ...options, metadata: { 'studio.source': model.index.fileName } });
}
