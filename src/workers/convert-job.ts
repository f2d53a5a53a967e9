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
import { gpuGgmlDequantizer, gpuGgufEncoder } from '../pipeline/convert/quantize-tensor';
import type { GpuContext } from '../gpu/context';
import type { OpenedModel } from '../pipeline/open-model';
import { ggufInputsOf } from './evaluation';
import type { ConvertProgress, ConvertRequest } from './studio-api';

export interface ConvertJobOptions {
  signal?: AbortSignal;
  onProgress?: (p: ConvertProgress) => void;
  /** Encode and decode llama.cpp block types on this GPU (else the CPU references: same bytes). */
  gpu?: GpuContext;
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
  const { gpu, ...progressAndSignal } = options;
  const config = model.config ? ((await readJsonSource(model.config)) as Record<string, unknown>) : undefined;
  const weights = hfWeightSource(model, config, gpu ? gpuGgmlDequantizer(gpu, options.signal) : undefined);
  if (request.format === 'safetensors') {
    const r = await convertToSafetensors(weights, () => sink, { dtype: request.dtype, maxShardBytes: Number.POSITIVE_INFINITY, ...progressAndSignal });
    return r.bytes;
  }
  const target = parseGgufTarget(request.type, request.pure);
  const inputs = await ggufInputsOf(model);
  if (!model.gguf && !inputs) {
    const missing = model.config ? 'tokenizer.json' : 'config.json';
    throw new MissingFileError(`Converting ${model.index.format.toUpperCase()} to GGUF needs the model's config.json and tokenizer.json: open them together with the model`, missing);
  }
  const encode = gpu ? gpuGgufEncoder(gpu, options.signal) : undefined;
  const r = await convertToGguf(weights, sink, { target, ...inputs, name: stemOf(model.index.fileName), encode, ...progressAndSignal });
  return r.bytes;
}
