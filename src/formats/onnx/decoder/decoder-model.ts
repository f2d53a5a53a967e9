// A built decoder graph as one .onnx file, streamed (docs/FORMATS.md §1): the ModelProto is a
// chunk list whose small parts (nodes, value infos, constants) are encoded in memory and whose
// weights are deferred sources, each read from the checkpoint only when the sink reaches it.
// Memory is bounded by the largest tensor, never the model.
import type { ByteSink } from '../../../core/byte-sink';
import { CancelledError, UnsupportedModelError } from '../../../core/errors';
import type { DecoderConfig } from '../../hf/decoder-config';
import { encodeNode, encodeTensor, encodeValueInfo } from '../onnx-encode';
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
}

/** The ModelProto of a built graph, as chunks. */
export function assembleGraph(g: GraphBuilder, options: DecoderModelOptions = {}): ChunkList {
  const graph = new ChunkList();
  for (const n of g.nodes) graph.pushLenRecord(F.graph.node, encodeNode(n));
  graph.pushLenRecord(F.graph.name, new TextEncoder().encode('main_graph'));
  for (const t of g.initializers) {
    const raw = t.bytes ?? new ChunkList().push({ source: deferredSource(t.name, t.byteLength, t.load!), byteOffset: 0, byteLength: t.byteLength });
    graph.pushLenRecord(F.graph.initializer, encodeTensor(t.name, t.dataType, t.dims, raw));
  }
  for (const v of g.inputs) graph.pushLenRecord(F.graph.input, encodeValueInfo(v.name, v.elemType, v.dims));
  for (const v of g.outputs) graph.pushLenRecord(F.graph.output, encodeValueInfo(v.name, v.elemType, v.dims));
  const model = new ChunkList();
  model.push(new RecordWriter().int(F.model.irVersion, 8).string(F.model.producerName, BUILDER_PRODUCER).finish());
  model.pushLenRecord(F.model.graph, graph);
  model.pushLenRecord(F.model.opsetImport, new RecordWriter().string(F.opset.domain, '').int(F.opset.version, OPSET).finish());
  if (g.nodes.some((n) => n.domain === MS_DOMAIN)) model.pushLenRecord(F.model.opsetImport, new RecordWriter().string(F.opset.domain, MS_DOMAIN).int(F.opset.version, 1).finish());
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    model.pushLenRecord(F.model.metadataProps, new RecordWriter().string(F.entry.key, key).string(F.entry.value, value).finish());
  }
  if (model.byteLength > MAX_PROTOBUF_BYTES) {
    throw new UnsupportedModelError(
      `the ONNX graph would be ${model.byteLength} bytes, over the 2 GiB limit of a single ONNX file; external-data output is not supported yet`,
      { bytes: model.byteLength },
    );
  }
  return model;
}

/** Builds a llama-family decoder's .onnx from checkpoint weights; returns the bytes written. */
export async function writeDecoderOnnx(config: DecoderConfig, weights: DecoderWeights, sink: ByteSink, options: DecoderModelOptions = {}): Promise<number> {
  const chunks = assembleGraph(llamaGraph(config, weights, options), {
    metadata: { 'studio.builder': `${config.architecture} decoder, opset ${OPSET}, ${options.float16 ? 'float16' : 'float32'}${options.style === 'contrib' ? ', onnxruntime contrib ops' : ''}`, ...options.metadata },
  });
  const { onProgress, signal } = options;
  let written = 0;
  const watched: ByteSink = {
    async write(bytes) {
      if (signal?.aborted) throw new CancelledError('Building the ONNX graph was cancelled');
      await sink.write(bytes);
      written += bytes.byteLength;
      onProgress?.(written, chunks.byteLength);
    },
    close: () => sink.close(),
    get bytesWritten() {
      return sink.bytesWritten;
    },
  };
  return streamChunks(chunks, watched);
}
