// Small ONNX models built in memory with the record writer, for parser, index and fuzz tests.
import { type ByteSource, bytesSource } from '../../../core/byte-source';
import { type NodeSpec, encodeNode, encodeValueInfo } from '../onnx-encode';
import { F, OnnxDataType } from '../onnx-model';
import { RecordWriter } from '../protobuf-writer';

export interface SyntheticTensor {
  name: string;
  dims: number[];
  /** float32 values (raw_data), or int64 values written as packed int64_data. */
  values?: Float32Array;
  int64?: number[];
  /** Raw bytes of any data_type (for element types without a Dtype, or a wrong one). */
  raw?: { dataType: number; bytes: Uint8Array };
}

export interface SyntheticGraph {
  nodes: NodeSpec[];
  initializers: SyntheticTensor[];
  inputs: { name: string; elemType?: number; dims: (number | string)[] }[];
  outputs: { name: string; elemType?: number; dims: (number | string)[] }[];
  metadata?: Record<string, string>;
  /** Opsets besides the default domain's 17 (com.microsoft for contrib ops). */
  opsets?: { domain: string; version: number }[];
}

export function buildModel(g: SyntheticGraph): Uint8Array {
  const graph = new RecordWriter();
  for (const n of g.nodes) graph.bytes(F.graph.node, encodeNode(n));
  graph.string(F.graph.name, 'synthetic');
  for (const t of g.initializers) {
    const w = new RecordWriter().ints(F.tensor.dims, t.dims);
    if (t.raw) {
      w.int(F.tensor.dataType, t.raw.dataType).string(F.tensor.name, t.name).bytes(F.tensor.rawData, t.raw.bytes);
    } else if (t.int64) {
      w.int(F.tensor.dataType, OnnxDataType.INT64).packedInts(F.tensor.int64Data, t.int64).string(F.tensor.name, t.name);
    } else {
      const v = t.values ?? new Float32Array(t.dims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i + 1));
      w.int(F.tensor.dataType, OnnxDataType.FLOAT).string(F.tensor.name, t.name).bytes(F.tensor.rawData, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
    graph.message(F.graph.initializer, w);
  }
  for (const i of g.inputs) graph.bytes(F.graph.input, encodeValueInfo(i.name, i.elemType ?? OnnxDataType.FLOAT, i.dims));
  for (const o of g.outputs) graph.bytes(F.graph.output, encodeValueInfo(o.name, o.elemType ?? OnnxDataType.FLOAT, o.dims));
  const model = new RecordWriter()
    .int(F.model.irVersion, 8)
    .string(F.model.producerName, 'studio-test')
    .message(F.model.graph, graph)
    .message(F.model.opsetImport, new RecordWriter().string(F.opset.domain, '').int(F.opset.version, 17));
  for (const o of g.opsets ?? []) model.message(F.model.opsetImport, new RecordWriter().string(F.opset.domain, o.domain).int(F.opset.version, o.version));
  for (const [k, v] of Object.entries(g.metadata ?? {})) {
    model.message(F.model.metadataProps, new RecordWriter().string(F.entry.key, k).string(F.entry.value, v));
  }
  return model.finish();
}

/** y = Gemm(x, W1ᵀ) + b → MatMul(·, Transpose(W2)) → Gather(table) side branch → Mul(norm). */
export function mixedGraph(): SyntheticGraph {
  return {
    nodes: [
      { name: '/enc/embed/Gather', opType: 'Gather', inputs: ['embed.weight', 'ids'], outputs: ['h0'] },
      { name: '/enc/norm/Mul', opType: 'Mul', inputs: ['h0', 'norm.weight'], outputs: ['h1'] },
      { name: '/enc/fc1/Gemm', opType: 'Gemm', inputs: ['h1', 'fc1.weight'], outputs: ['h2'], attributes: { transB: 1 } },
      { name: '/enc/fc2/Transpose', opType: 'Transpose', inputs: ['fc2.weight'], outputs: ['fc2.t'], attributes: { perm: [1, 0] } },
      { name: '/enc/fc2/MatMul', opType: 'MatMul', inputs: ['h2', 'fc2.t'], outputs: ['h3'] },
      { name: '/enc/fc2/Add', opType: 'Add', inputs: ['h3', 'fc2.bias'], outputs: ['y'] },
      { name: '/enc/shape/Reshape', opType: 'Reshape', inputs: ['y', 'shape'], outputs: ['z'] },
    ],
    initializers: [
      { name: 'embed.weight', dims: [10, 16] },
      { name: 'norm.weight', dims: [16] },
      { name: 'fc1.weight', dims: [32, 16] }, // Gemm transB: stored [N=32, K=16]
      { name: 'fc2.weight', dims: [8, 32] }, // Transposed to [32, 8] before MatMul: stored [N=8, K=32]
      { name: 'fc2.bias', dims: [8] },
      { name: 'shape', dims: [2], int64: [-1, 8] },
    ],
    inputs: [{ name: 'ids', elemType: OnnxDataType.INT64, dims: ['batch', 4] }],
    outputs: [{ name: 'z', dims: ['n', 8] }],
    metadata: { note: 'synthetic' },
  };
}

export function syntheticSource(g: SyntheticGraph = mixedGraph(), name = 'synthetic.onnx'): ByteSource {
  return bytesSource(buildModel(g), name);
}
