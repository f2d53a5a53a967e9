// "Export as" GGUF or safetensors in the page: the open model (ONNX, GGUF or safetensors) goes
// through the same converters as `studio convert` (src/cli/commands/convert.ts), streamed into
// one sink. GGUF from ONNX or safetensors needs config.json and tokenizer.json (a GGUF source
// carries its own metadata); safetensors is written as one file (no shards in the page), and the
// person's own config.json / tokenizer.json go beside it unchanged.
import type { ByteSink } from '../core/byte-sink';
import { MissingFileError } from '../core/errors';
import { readJsonSource } from '../formats/safetensors/safetensors-checkpoint';
import { convertToGguf } from '../pipeline/convert/convert-gguf';
import { convertToSafetensors } from '../pipeline/convert/convert-safetensors';
import { parseGgufTarget } from '../pipeline/convert/gguf-target';
import { hfWeightSource } from '../pipeline/convert/hf-weights';
import type { OpenedModel } from '../pipeline/open-model';
import { ggufInputsOf } from './evaluation';
import type { ConvertProgress, ConvertRequest } from './studio-api';

export interface ConvertJobOptions {
  signal?: AbortSignal;
  onProgress?: (p: ConvertProgress) => void;
}

function stemOf(sourceName: string): string {
  const base = sourceName.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(onnx|gguf|safetensors\.index\.json|safetensors)$/i, '').replace(/[^\w.-]+/g, '_') || 'model';
}

/** The suggested file name: <stem>-<TYPE>[-pure].gguf or <stem>-<dtype>.safetensors. */
export function convertedFileName(sourceName: string, request: ConvertRequest): string {
  const stem = stemOf(sourceName);
  if (request.format === 'gguf') return `${stem}-${request.type.toUpperCase()}${request.pure ? '-pure' : ''}.gguf`;
  return `${stem}-${request.dtype}.safetensors`;
}

/** Converts `model` into `sink` (which the writer closes); returns the bytes written. */
export async function convertJob(model: OpenedModel, request: ConvertRequest, sink: ByteSink, options: ConvertJobOptions = {}): Promise<number> {
  const config = model.config ? ((await readJsonSource(model.config)) as Record<string, unknown>) : undefined;
  const weights = hfWeightSource(model, config);
  if (request.format === 'safetensors') {
    const r = await convertToSafetensors(weights, () => sink, { dtype: request.dtype, maxShardBytes: Number.POSITIVE_INFINITY, ...options });
    return r.bytes;
  }
  const target = parseGgufTarget(request.type, request.pure);
  const inputs = await ggufInputsOf(model);
  if (!model.gguf && !inputs) {
    const missing = model.config ? 'tokenizer.json' : 'config.json';
    throw new MissingFileError(`Converting ${model.index.format.toUpperCase()} to GGUF needs the model's config.json and tokenizer.json: open them together with the model`, missing);
  }
  const r = await convertToGguf(weights, sink, { target, ...inputs, name: stemOf(model.index.fileName), ...options });
  return r.bytes;
}
