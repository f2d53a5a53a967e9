// Writes a quantized ONNX model (MatMulNBits) through the streaming writer, and measures its
// exact size with a counting sink when no file is wanted (DESIGN decision 8).
import { type ByteSink, countingSink } from '../core/byte-sink';
import { UnsupportedModelError } from '../core/errors';
import { writeOnnx } from '../formats/onnx/onnx-writer';
import type { QuantizedTensor } from '../core/quantized-tensor';
import type { OpenedModel } from './open-model';
import type { QuantizeModelResult } from './quantize-model';

export function recipeMetadata(result: QuantizeModelResult): Record<string, string> {
  return {
    'compression_studio.recipe': JSON.stringify({
      method: 'rtn',
      scheme: result.scheme,
      tensors: result.entries.map((e) => e.info.name),
    }),
  };
}

/** Streams the quantized model into `sink` and closes it (the writer does); returns the bytes written. */
export async function exportQuantizedOnnx(model: OpenedModel, result: QuantizeModelResult, sink: ByteSink): Promise<number> {
  if (!model.onnx) throw new UnsupportedModelError('ONNX export needs an ONNX source model');
  const quantized = new Map<string, QuantizedTensor>(result.entries.map((e) => [e.info.name, e.tensor]));
  const { bytesWritten } = await writeOnnx(model.onnx, { quantized, metadata: recipeMetadata(result) }, sink);
  return bytesWritten;
}

/** Exact size of the export, without keeping any bytes. */
export function exportedOnnxBytes(model: OpenedModel, result: QuantizeModelResult): Promise<number> {
  return exportQuantizedOnnx(model, result, countingSink());
}

/** `model.onnx` + 4-bit block 32 asymmetric → `model-q4-b32-asym.onnx`. */
export function quantizedFileName(sourceName: string, result: Pick<QuantizeModelResult, 'scheme'>): string {
  const stem = sourceName.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, '') || 'model';
  const { bits, blockSize, symmetric } = result.scheme;
  const block = blockSize === 'per-channel' ? 'pc' : `b${blockSize}`;
  return `${stem}-q${bits}-${block}-${symmetric ? 'sym' : 'asym'}.onnx`;
}
