// The parsed, lazy view of an ONNX file: graph structure in memory, tensor bytes as byte ranges
// of the source files. Field numbers and DataType values: docs/FORMATS.md §1.2.
import type { ByteSource } from '../../core/byte-source';
import type { Dtype } from '../../core/dtypes';
import type { WireTypeValue } from './protobuf-reader';

/** Field numbers of the messages the reader and writer touch (onnx/onnx.proto). */
export const F = {
  model: { irVersion: 1, producerName: 2, producerVersion: 3, domain: 4, modelVersion: 5, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 },
  opset: { domain: 1, version: 2 },
  graph: { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13 },
  node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7 },
  attr: { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, strings: 9, type: 20 },
  tensor: { dims: 1, dataType: 2, floatData: 4, int32Data: 5, stringData: 6, int64Data: 7, name: 8, rawData: 9, doubleData: 10, uint64Data: 11, docString: 12, externalData: 13, dataLocation: 14 },
  valueInfo: { name: 1, type: 2 },
  type: { tensorType: 1 },
  tensorType: { elemType: 1, shape: 2 },
  shape: { dim: 1 },
  dim: { value: 1, param: 2 },
  entry: { key: 1, value: 2 },
} as const;

/** TensorProto.DataType values used by name. */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16 } as const;

/** AttributeProto.AttributeType values. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const TO_DTYPE: Record<number, Dtype> = {
  1: 'f32', 2: 'u8', 3: 'i8', 4: 'u16', 5: 'i16', 6: 'i32', 7: 'i64', 8: 'string', 9: 'bool',
  10: 'f16', 11: 'f64', 12: 'u32', 13: 'u64', 16: 'bf16',
};

/** ONNX DataType → studio Dtype ('other' for types without one, e.g. int4, fp8, complex). */
export function dtypeOfOnnx(dataType: number): Dtype {
  return TO_DTYPE[dataType] ?? 'other';
}

/** Studio Dtype → ONNX DataType (undefined for 'other'). */
export function onnxOfDtype(dtype: Dtype): number | undefined {
  for (const [k, v] of Object.entries(TO_DTYPE)) if (v === dtype) return Number(k);
  return undefined;
}

/** One field record of a message: [start, end) covers tag, length and payload. */
export interface ProtoRecord {
  field: number;
  wireType: WireTypeValue;
  start: number;
  end: number;
}

/** Where a tensor's raw little-endian bytes are. */
export interface DataLocation {
  source: ByteSource;
  byteOffset: number;
  byteLength: number;
}

export interface OnnxTensor {
  name: string;
  /** ONNX DataType value. */
  dataType: number;
  dtype: Dtype;
  dims: number[];
  /** raw_data, external data, or typed fields converted to raw bytes (held in memory). */
  storage: 'raw' | 'external' | 'typed';
  data: DataLocation;
  external?: { location: string; offset: number; length: number };
  /** Field records of this TensorProto (absolute offsets in the model file). */
  fields: ProtoRecord[];
  /** The GraphProto.initializer record holding it (graph initializers only). */
  record?: ProtoRecord;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface OnnxNode {
  /** Position in GraphProto.node. */
  index: number;
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
  record: ProtoRecord;
}

/** A dimension: a size, a symbolic name, or unknown (null). */
export type OnnxDim = number | string | null;

export interface OnnxValueInfo {
  name: string;
  /** ONNX DataType of a tensor type (undefined for non-tensor types). */
  elemType?: number;
  dtype?: Dtype;
  /** Undefined = unknown rank. */
  shape?: OnnxDim[];
  record: ProtoRecord;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: OnnxTensor[];
  /** Every GraphProto field record, in file order (for verbatim copies). */
  records: ProtoRecord[];
}

export interface OnnxModel {
  /** The .onnx file. */
  file: ByteSource;
  /** All files given (model first). */
  files: ByteSource[];
  irVersion: number;
  producerName: string;
  opsetImports: { domain: string; version: number }[];
  metadata: Record<string, string>;
  graph: OnnxGraph;
  /** Every top-level ModelProto field record, in file order. */
  records: ProtoRecord[];
  initializerByName: Map<string, OnnxTensor>;
}

export function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

export function attrInt(node: OnnxNode, name: string, fallback: number): number {
  return attr(node, name)?.i ?? fallback;
}

export function attrInts(node: OnnxNode, name: string): number[] | undefined {
  return attr(node, name)?.ints;
}
