// Test helpers for conversion: the fixture models opened as HF weight sources with their
// config/tokenizer JSON, and a converted GGUF read back from memory.
import { blobSink, concatChunks } from '../../../core/byte-sink';
import { bytesSource } from '../../../core/byte-source';
import { openGguf, type GgufFile } from '../../../formats/gguf/gguf-reader';
import { fixtureSource } from '../../../formats/gguf/testing/fixtures';
import { readJsonSource } from '../../../formats/safetensors/safetensors-checkpoint';
import { openModel } from '../../open-model';
import { convertToGguf, type GgufConvertOptions, type GgufConvertResult } from '../convert-gguf';
import { hfWeightSource } from '../hf-weights';
import type { HfWeightSource } from '../weight-source';

export type FixtureModel = 'tiny-llama' | 'small-llama';

export async function fixtureJson(model: FixtureModel, file: string): Promise<Record<string, unknown>> {
  return (await readJsonSource(await fixtureSource(`models/${model}/${file}`))) as Record<string, unknown>;
}

/** The HF weights of a fixture file (relative to the model folder), config.json included for safetensors/ONNX. */
export async function fixtureWeights(model: FixtureModel, file: string): Promise<HfWeightSource> {
  const config = await fixtureJson(model, 'config.json');
  const sources = [await fixtureSource(`models/${model}/${file}`)];
  if (file.endsWith('.safetensors')) sources.push(await fixtureSource(`models/${model}/config.json`));
  return hfWeightSource(await openModel(sources), config);
}

/** Converts in memory and reopens the result. */
export async function convertFixtureToGguf(model: FixtureModel, source: HfWeightSource, options: Omit<GgufConvertOptions, 'config' | 'tokenizer' | 'tokenizerConfig'>): Promise<{ file: GgufFile; result: GgufConvertResult }> {
  const sink = blobSink();
  const result = await convertToGguf(source, sink, {
    config: await fixtureJson(model, 'config.json'),
    tokenizer: await fixtureJson(model, 'tokenizer.json'),
    tokenizerConfig: await fixtureJson(model, 'tokenizer_config.json'),
    name: model,
    ...options,
  });
  const bytes = concatChunks(sink.chunks);
  return { file: await openGguf(bytesSource(bytes, `${model}.gguf`)), result };
}
