// Any opened model → ONNX decoder graph (the builder of formats/onnx/decoder): its weights by
// Hugging Face name (safetensors as stored, GGUF dequantized, an ONNX export's own initializers)
// and its config.json, so a model that arrives without an ONNX export can be evaluated,
// quantized and exported to ONNX like one that has it.
import type { ByteSink } from '../core/byte-sink';
import { UsageError } from '../core/errors';
import { type DecoderConfig, readDecoderConfig } from '../formats/hf/decoder-config';
import { writeDecoderOnnx } from '../formats/onnx/decoder/decoder-model';
import type { DecoderWeights } from '../formats/onnx/decoder/llama-graph';
import { readJsonSource } from '../formats/safetensors/safetensors-checkpoint';
import type { OpenedModel } from './open-model';
import { hfWeightSource } from './weights/hf-weights';
import type { HfWeightSource } from './weights/weight-source';

/** The builder's view of a weight source: dims and float32 values by Hugging Face name. */
export function decoderWeights(source: HfWeightSource): DecoderWeights {
  const byName = new Map(source.tensors.map((t) => [t.name, t]));
  return { dims: (name) => byName.get(name)?.shape, floats: (name) => source.readFloats(name) };
}

/** config.json of an opened model, read and checked for the builder. */
export async function modelDecoderConfig(model: OpenedModel): Promise<{ json: Record<string, unknown>; config: DecoderConfig }> {
  if (!model.config) throw new UsageError(`building an ONNX graph for ${model.index.fileName} needs its config.json beside it`);
  const json = (await readJsonSource(model.config)) as Record<string, unknown>;
  return { json, config: readDecoderConfig(json) };
}

/** Writes the model as a float32 ONNX decoder graph; returns the bytes written. */
export async function writeModelOnnx(model: OpenedModel, sink: ByteSink): Promise<number> {
  const { json, config } = await modelDecoderConfig(model);
  const weights = decoderWeights(hfWeightSource(model, json));
  return writeDecoderOnnx(config, weights, sink, { metadata: { 'studio.source': model.index.fileName } });
}
