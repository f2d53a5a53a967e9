// A built decoder graph as one .onnx file, streamed (docs/FORMATS.md §1): the ModelProto is a
// chunk list whose small parts (nodes, value infos, constants) are encoded in memory and whose
// weights are deferred sources, each read from the checkpoint only when the sink reaches it.
// Memory is bounded by the largest tensor, never the model. Past protobuf's 2 GiB (a float32 model
// of more than about 0.5 B parameters) the initializers go to external data files beside the
// .onnx, named as transformers.js loads them (onnx-external-data.ts).
import type { ByteSink } from '../../../core/byte-sink';
import { CancelledError, UnsupportedModelError } from '../../../core/errors';
import type { DecoderConfig } from '../../hf/decoder-config';
import { encodeNode, encodeTensor, encodeValueInfo } from '../onnx-encode';
import { EXTERNAL_MIN_TENSOR_BYTES, ExternalDataPlacer, type ExternalDataFile } from '../onnx-external-data';
import { F } from '../onnx-model';
import { MAX_PROTOBUF_BYTES, streamChunks } from '../onnx-rewrite';
import { ChunkList, RecordWriter } from '../protobuf-writer';
import { type GraphBuilder, deferredSource } from './graph-builder';
import { type DecoderGraphOptions, type DecoderWeights, llamaGraph, MS_DOMAIN } from './llama-graph';

export const BUILDER_PRODUCER = 'compression-studio';
export const OPSET = 17;

export interface DecoderModelOptions extends DecoderGraphOptions {
  /** metadata_props entries (provenance). */
  metadata?: Record<string, string>;
  /** Bytes written so far of the total, after each write. */
  onProgress?: (written: number, total: number) => void;
  /** Stops between writes with a CancelledError. */
  signal?: AbortSignal;
  /** The .onnx file's name: external data files are named after it (default model.onnx). */
  fileName?: string;
  /** Above this the initializers go to external data files (default: protobuf's 2 GiB limit; tests set it low). */
  maxModelBytes?: number;
  /** Most bytes per external data file (default 2 GiB), a tensor never split. */
  maxDataFileBytes?: number;
  /** Opens a file beside the .onnx for its external data; without it a graph past the limit is refused before anything is written. */
  openBeside?: (fileName: string) => Promise<ByteSink>;
}

/** The ModelProto of a built graph as chunks; with `placer`, its initializers of 1 KiB or more go to the placer's data files. */
function assembleModel(g: GraphBuilder, metadata: Record<string, string>, placer?: ExternalDataPlacer): ChunkList {
  const graph = new ChunkList();
  for (const n of g.nodes) graph.pushLenRecord(F.graph.node, encodeNode(n));
  graph.pushLenRecord(F.graph.name, new TextEncoder().encode('main_graph'));
  for (const t of g.initializers) {
    const raw = t.bytes ?? new ChunkList().push({ source: deferredSource(t.name, t.byteLength, t.load!), byteOffset: 0, byteLength: t.byteLength });
    const tensor = encodeTensor(t.name, t.dataType, t.dims, raw);
    graph.pushLenRecord(F.graph.initializer, placer && t.byteLength >= EXTERNAL_MIN_TENSOR_BYTES ? placer.place(tensor) : tensor);
  }
  for (const v of g.inputs) graph.pushLenRecord(F.graph.input, encodeValueInfo(v.name, v.elemType, v.dims));
  for (const v of g.outputs) graph.pushLenRecord(F.graph.output, encodeValueInfo(v.name, v.elemType, v.dims));
  const model = new ChunkList();
  model.push(new RecordWriter().int(F.model.irVersion, 8).string(F.model.producerName, BUILDER_PRODUCER).finish());
  model.pushLenRecord(F.model.graph, graph);
  model.pushLenRecord(F.model.opsetImport, new RecordWriter().string(F.opset.domain, '').int(F.opset.version, OPSET).finish());
  if (g.nodes.some((n) => n.domain === MS_DOMAIN)) model.pushLenRecord(F.model.opsetImport, new RecordWriter().string(F.opset.domain, MS_DOMAIN).int(F.opset.version, 1).finish());
  for (const [key, value] of Object.entries(metadata)) {
    model.pushLenRecord(F.model.metadataProps, new RecordWriter().string(F.entry.key, key).string(F.entry.value, value).finish());
  }
  return model;
}

/**
 * A built graph as files, sized before any weight is read: one self-contained .onnx when it fits
 * `maxModelBytes`, else an .onnx whose initializers live in `<fileName>_data` (`_data_1`, … past
 * `maxDataFileBytes`).
 */
export function assembleGraphFiles(g: GraphBuilder, options: DecoderModelOptions = {}): { model: ChunkList; data: ExternalDataFile[]; byteLength: number } {
  const metadata = options.metadata ?? {};
  const inline = assembleModel(g, metadata);
  if (inline.byteLength <= Math.min(options.maxModelBytes ?? MAX_PROTOBUF_BYTES, MAX_PROTOBUF_BYTES)) return { model: inline, data: [], byteLength: inline.byteLength };
  const placer = new ExternalDataPlacer({ modelFileName: options.fileName ?? 'model.onnx', maxFileBytes: options.maxDataFileBytes ?? MAX_PROTOBUF_BYTES });
  const model = assembleModel(g, metadata, placer);
  if (model.byteLength > MAX_PROTOBUF_BYTES) {
    throw new UnsupportedModelError(`the ONNX graph alone (without its weights) would be ${model.byteLength} bytes, over protobuf's 2 GiB limit`, { bytes: model.byteLength });
  }
  return { model, data: placer.files, byteLength: model.byteLength + placer.files.reduce((n, f) => n + f.chunks.byteLength, 0) };
}

/**
 * Builds a llama-family decoder's .onnx from checkpoint weights into `sink` (not closed here) and,
 * past the size limit, its external data files into sinks from `openBeside` (each closed);
 * returns the bytes written, all files together.
 */
export async function writeDecoderOnnx(config: DecoderConfig, weights: DecoderWeights, sink: ByteSink, options: DecoderModelOptions = {}): Promise<number> {
  const files = assembleGraphFiles(llamaGraph(config, weights, options), {
    ...options,
    metadata: { 'studio.builder': `${config.architecture} decoder, opset ${OPSET}, ${options.float16 ? 'float16' : 'float32'}${options.style === 'contrib' ? ', onnxruntime contrib ops' : ''}`, ...options.metadata },
  });
  if (files.data.length && !options.openBeside) {
    throw new UnsupportedModelError(
      `the ONNX graph would be ${files.byteLength} bytes: past protobuf's 2 GiB its weights go to ${files.data.length} external data file(s) beside the .onnx, and this output takes a single file`,
      { bytes: files.byteLength },
    );
  }
  const { onProgress, signal } = options;
  let written = 0;
  const watched = (to: ByteSink): ByteSink => ({
    async write(bytes) {
      if (signal?.aborted) throw new CancelledError('Building the ONNX graph was cancelled');
      await to.write(bytes);
      written += bytes.byteLength;
      onProgress?.(written, files.byteLength);
    },
    close: () => to.close(),
    get bytesWritten() {
      return to.bytesWritten;
    },
  });
  await streamChunks(files.model, watched(sink));
  for (const f of files.data) {
    const beside = await options.openBeside!(f.name);
    await streamChunks(f.chunks, watched(beside));
    await beside.close();
  }
  return written;
}
