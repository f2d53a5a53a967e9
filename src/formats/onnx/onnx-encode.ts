// Encoders for the ONNX messages a writer creates (docs/FORMATS.md §1.2), fields in ascending
// number order as onnx.save writes them: NodeProto with attributes, TensorProto with raw_data,
// ValueInfoProto, and an existing TensorProto re-encoded around new raw bytes.
import { AttrType, F, type OnnxTensor } from './onnx-model';
import type { ByteSource } from '../../core/byte-source';
import { type Chunk, ChunkList, RecordWriter } from './protobuf-writer';

/** A small tensor held in an attribute (a Constant node's `value`). */
export interface AttrTensor {
  dataType: number;
  dims: number[];
  raw: Uint8Array;
}

export type AttrValue = number | { float: number } | number[] | string | { tensor: AttrTensor };

export interface NodeSpec {
  name: string;
  opType: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  /** Integers (INT), { float } (FLOAT), integer lists (INTS), strings (STRING) or { tensor } (TENSOR). */
  attributes?: Record<string, AttrValue>;
}

function encodeAttribute(name: string, value: AttrValue): RecordWriter {
  const w = new RecordWriter().string(F.attr.name, name);
  if (typeof value === 'number') return w.int(F.attr.i, value).int(F.attr.type, AttrType.INT);
  if (typeof value === 'string') return w.string(F.attr.s, value).int(F.attr.type, AttrType.STRING);
  if (Array.isArray(value)) return w.ints(F.attr.ints, value).int(F.attr.type, AttrType.INTS);
  if ('tensor' in value) {
    const { dataType, dims, raw } = value.tensor;
    const t = new RecordWriter().ints(F.tensor.dims, dims).int(F.tensor.dataType, dataType).bytes(F.tensor.rawData, raw);
    return w.message(F.attr.t, t).int(F.attr.type, AttrType.TENSOR);
  }
  return w.float(F.attr.f, value.float).int(F.attr.type, AttrType.FLOAT);
}

/** NodeProto payload. */
export function encodeNode(n: NodeSpec): Uint8Array {
  const w = new RecordWriter();
  for (const i of n.inputs) w.string(F.node.input, i);
  for (const o of n.outputs) w.string(F.node.output, o);
  if (n.name) w.string(F.node.name, n.name);
  w.string(F.node.opType, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(F.node.attribute, encodeAttribute(k, v));
  if (n.domain) w.string(F.node.domain, n.domain);
  return w.finish();
}

/** ValueInfoProto payload of a tensor with a fixed or symbolic shape, or (dims null) of unknown rank. */
export function encodeValueInfo(name: string, elemType: number, dims: (number | string)[] | null): Uint8Array {
  const tensorType = new RecordWriter().int(F.tensorType.elemType, elemType);
  if (dims) {
    const shape = new RecordWriter();
    for (const d of dims) {
      const dim = new RecordWriter();
      if (typeof d === 'number') dim.int(F.dim.value, d);
      else dim.string(F.dim.param, d);
      shape.message(F.shape.dim, dim);
    }
    tensorType.message(F.tensorType.shape, shape);
  }
  const type = new RecordWriter().message(F.type.tensorType, tensorType);
  return new RecordWriter().string(F.valueInfo.name, name).message(F.valueInfo.type, type).finish();
}

/**
 * A TensorProto payload that keeps apart its fields and its raw_data, so a writer can move the
 * data to an external file (onnx-external-data.ts) without parsing the message again.
 */
export class TensorPayload extends ChunkList {
  constructor(
    /** The fields numbered below raw_data (dims, data_type, name…), encoded, in field order. */
    readonly before: ChunkList,
    /** The raw_data bytes. */
    readonly raw: ChunkList,
    /** The fields numbered above raw_data (doc_string…). */
    readonly after: ChunkList = new ChunkList(),
  ) {
    super();
    this.pushAll(before).pushLenRecord(F.tensor.rawData, raw).pushAll(after);
  }
}

const asList = (raw: Uint8Array | ChunkList) => (raw instanceof Uint8Array ? new ChunkList().push(raw) : raw);

/** A new TensorProto payload with raw_data (bytes in memory or chunks of a source file). */
export function encodeTensor(name: string, dataType: number, dims: number[], raw: Uint8Array | ChunkList): TensorPayload {
  const head = new RecordWriter().ints(F.tensor.dims, dims).int(F.tensor.dataType, dataType).string(F.tensor.name, name);
  return new TensorPayload(new ChunkList().push(head.finish()), asList(raw));
}

/** Fields that say where the data is: dropped when a tensor gets new raw_data. */
const DATA_FIELDS = new Set<number>([
  F.tensor.floatData, F.tensor.int32Data, F.tensor.stringData, F.tensor.int64Data, F.tensor.rawData,
  F.tensor.doubleData, F.tensor.uint64Data, F.tensor.externalData, F.tensor.dataLocation,
]);

/**
 * Re-encodes an existing TensorProto around new raw bytes: name, dims, doc_string and other
 * fields are copied verbatim from the source; the data fields are replaced by one raw_data.
 * `overrides` change the element type or name (e.g. a float16 copy of a float32 weight).
 */
export function reencodeTensor(
  t: OnnxTensor,
  modelFile: ByteSource,
  raw: Chunk[],
  overrides: { dataType?: number; name?: string; dims?: number[] } = {},
): TensorPayload {
  const rawList = new ChunkList();
  for (const c of raw) rawList.push(c);
  const before = new ChunkList();
  const after = new ChunkList();
  let dimsWritten = false;
  for (const f of t.fields) {
    if (DATA_FIELDS.has(f.field)) continue;
    const out = f.field > F.tensor.rawData ? after : before;
    if (f.field === F.tensor.dims && overrides.dims !== undefined) {
      // dims come as one record per element (or one packed record): all of them replaced at the first.
      if (!dimsWritten) out.push(new RecordWriter().ints(F.tensor.dims, overrides.dims).finish());
      dimsWritten = true;
    } else if (f.field === F.tensor.dataType && overrides.dataType !== undefined) {
      out.push(new RecordWriter().int(F.tensor.dataType, overrides.dataType).finish());
    } else if (f.field === F.tensor.name && overrides.name !== undefined) {
      out.push(new RecordWriter().string(F.tensor.name, overrides.name).finish());
    } else {
      out.push({ source: modelFile, byteOffset: f.start, byteLength: f.end - f.start });
    }
  }
  return new TensorPayload(before, rawList, after);
}
