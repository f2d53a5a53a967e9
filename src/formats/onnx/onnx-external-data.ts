// ONNX external data on the way out (docs/FORMATS.md §1.3): a protobuf message cannot pass 2 GiB,
// so a larger export keeps its tensors' bytes in files beside the .onnx, each TensorProto naming
// its file, offset and length (`external_data` entries, `data_location` EXTERNAL). The files are
// named as transformers.js loads them: `<model file>_data`, then `_data_1`, `_data_2`… when the
// data is cut into files of at most `maxFileBytes` (a tensor is never split).
import { F } from './onnx-model';
import { TensorPayload } from './onnx-encode';
import { ChunkList, RecordWriter } from './protobuf-writer';

export interface ExternalDataLayout {
  /** The .onnx file's name: the data files beside it are named after it (model_q4.onnx → model_q4.onnx_data). */
  modelFileName: string;
  /** A data file holds at most this much, unless one tensor alone is larger. */
  maxFileBytes: number;
}

/**
 * The source's own tensors with fewer data bytes stay in the .onnx, as copied records (onnx's
 * convert_model_to_external_data default). Tensors the writer makes — a quantized weight's codes,
 * scales and zero points, replaced weights — all go out, however small: the parts of one weight
 * must stream one after the other, so it is computed once and let go (quantized-nodes.ts), not
 * held from the .onnx's pass until the data file's.
 */
export const EXTERNAL_MIN_TENSOR_BYTES = 1024;

/** The data file names of a model file: `<name>_data`, `<name>_data_1`, … */
export function externalDataName(modelFileName: string, index: number): string {
  return index === 0 ? `${modelFileName}_data` : `${modelFileName}_data_${index}`;
}

export interface ExternalDataFile {
  name: string;
  chunks: ChunkList;
}

/**
 * Offsets in a data file: 4096 (the page size, so onnxruntime can map a large tensor straight
 * from the file) for tensors of a MiB or more, 64 for smaller ones, whose padding would
 * otherwise outweigh them.
 */
function alignmentFor(byteLength: number): number {
  return byteLength >= 1 << 20 ? 4096 : 64;
}

/** Moves raw_data of large tensors into data files as the writer meets them; `files` holds what it placed. */
export class ExternalDataPlacer {
  readonly files: ExternalDataFile[] = [];

  constructor(private readonly layout: ExternalDataLayout) {}

  /** The payload to write for a TensorProto: a TensorPayload with its data moved out; anything else unchanged. */
  place(payload: ChunkList): ChunkList {
    if (!(payload instanceof TensorPayload)) return payload;
    const length = payload.raw.byteLength;
    let file = this.files[this.files.length - 1];
    const align = alignmentFor(length);
    let pad = file ? (align - (file.chunks.byteLength % align)) % align : 0;
    if (!file || (file.chunks.byteLength > 0 && file.chunks.byteLength + pad + length > this.layout.maxFileBytes)) {
      file = { name: externalDataName(this.layout.modelFileName, this.files.length), chunks: new ChunkList() };
      this.files.push(file);
      pad = 0;
    }
    if (pad) file.chunks.push(new Uint8Array(pad));
    const offset = file.chunks.byteLength;
    file.chunks.pushAll(payload.raw);
    const entry = (key: string, value: string) => new RecordWriter().string(F.entry.key, key).string(F.entry.value, value);
    const where = new RecordWriter()
      .message(F.tensor.externalData, entry('location', file.name))
      .message(F.tensor.externalData, entry('offset', String(offset)))
      .message(F.tensor.externalData, entry('length', String(length)))
      .int(F.tensor.dataLocation, 1);
    return new ChunkList().pushAll(payload.before).pushAll(payload.after).push(where.finish());
  }
}
