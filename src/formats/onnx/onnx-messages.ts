// Decoders for the small ONNX messages the reader keeps in memory: NodeProto, AttributeProto,
// ValueInfoProto, OperatorSetIdProto, StringStringEntryProto, and TensorProto field by field
// (raw_data is recorded as a byte range, never copied). docs/FORMATS.md §1.2–1.3.
import { FormatError } from '../../core/errors';
import { F, type OnnxAttribute, type OnnxDim, type OnnxNode, type OnnxValueInfo, type ProtoRecord, dtypeOfOnnx } from './onnx-model';
import { type ProtoReader, type Tag, WireType } from './protobuf-reader';

/** Iterates the fields of a message: calls `onField` after each tag; it must consume the payload. */
export function forEachField(r: ProtoReader, onField: (tag: Tag, recordStart: number) => void): void {
  while (!r.done) {
    const start = r.offset;
    onField(r.readTag(), start);
  }
}

export function decodeOpset(r: ProtoReader): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  forEachField(r, (tag) => {
    if (tag.field === F.opset.domain) { r.expect(tag, WireType.LEN, 'opset domain'); domain = r.readString(); }
    else if (tag.field === F.opset.version) { r.expect(tag, WireType.VARINT, 'opset version'); version = r.readInt(); }
    else r.skip(tag.wireType);
  });
  return { domain, version };
}

export function decodeEntry(r: ProtoReader): { key: string; value: string } {
  let key = '';
  let value = '';
  forEachField(r, (tag) => {
    if (tag.field === F.entry.key) { r.expect(tag, WireType.LEN, 'key'); key = r.readString(); }
    else if (tag.field === F.entry.value) { r.expect(tag, WireType.LEN, 'value'); value = r.readString(); }
    else r.skip(tag.wireType);
  });
  return { key, value };
}

export function decodeAttribute(r: ProtoReader, decodeTensor: (r: ProtoReader) => OnnxAttribute['t']): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0 };
  forEachField(r, (tag) => {
    const A = F.attr;
    switch (tag.field) {
      case A.name: r.expect(tag, WireType.LEN, 'attribute name'); a.name = r.readString(); break;
      case A.type: r.expect(tag, WireType.VARINT, 'attribute type'); a.type = r.readInt(); break;
      case A.f: r.expect(tag, WireType.I32, 'attribute f'); a.f = r.readFloat(); break;
      case A.i: r.expect(tag, WireType.VARINT, 'attribute i'); a.i = r.readInt(); break;
      case A.s: r.expect(tag, WireType.LEN, 'attribute s'); a.s = r.readBytes(); break;
      case A.t: r.expect(tag, WireType.LEN, 'attribute t'); a.t = decodeTensor(r.readMessage()); break;
      case A.floats: r.readRepeatedFloat(tag.wireType, (a.floats ??= [])); break;
      case A.ints: r.readRepeatedInt(tag.wireType, (a.ints ??= [])); break;
      case A.strings: r.expect(tag, WireType.LEN, 'attribute strings'); (a.strings ??= []).push(r.readBytes()); break;
      default: r.skip(tag.wireType);
    }
  });
  return a;
}

export function decodeNode(
  r: ProtoReader,
  index: number,
  record: ProtoRecord,
  decodeTensor: (r: ProtoReader) => OnnxAttribute['t'],
): OnnxNode {
  const n: OnnxNode = { index, name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [], record };
  forEachField(r, (tag) => {
    const N = F.node;
    switch (tag.field) {
      case N.input: r.expect(tag, WireType.LEN, 'node input'); n.inputs.push(r.readString()); break;
      case N.output: r.expect(tag, WireType.LEN, 'node output'); n.outputs.push(r.readString()); break;
      case N.name: r.expect(tag, WireType.LEN, 'node name'); n.name = r.readString(); break;
      case N.opType: r.expect(tag, WireType.LEN, 'node op_type'); n.opType = r.readString(); break;
      case N.domain: r.expect(tag, WireType.LEN, 'node domain'); n.domain = r.readString(); break;
      case N.attribute: r.expect(tag, WireType.LEN, 'node attribute'); n.attributes.push(decodeAttribute(r.readMessage(), decodeTensor)); break;
      default: r.skip(tag.wireType);
    }
  });
  return n;
}

function decodeShape(r: ProtoReader): OnnxDim[] {
  const dims: OnnxDim[] = [];
  forEachField(r, (tag) => {
    if (tag.field !== F.shape.dim) return r.skip(tag.wireType);
    r.expect(tag, WireType.LEN, 'shape dim');
    const d = r.readMessage();
    let dim: OnnxDim = null;
    forEachField(d, (t) => {
      if (t.field === F.dim.value) { d.expect(t, WireType.VARINT, 'dim_value'); dim = d.readInt(); }
      else if (t.field === F.dim.param) { d.expect(t, WireType.LEN, 'dim_param'); dim = d.readString(); }
      else d.skip(t.wireType);
    });
    dims.push(dim);
  });
  return dims;
}

export function decodeValueInfo(r: ProtoReader, record: ProtoRecord): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', record };
  forEachField(r, (tag) => {
    if (tag.field === F.valueInfo.name) { r.expect(tag, WireType.LEN, 'value name'); v.name = r.readString(); return; }
    if (tag.field !== F.valueInfo.type) return r.skip(tag.wireType);
    r.expect(tag, WireType.LEN, 'value type');
    const t = r.readMessage();
    forEachField(t, (tt) => {
      if (tt.field !== F.type.tensorType) return t.skip(tt.wireType);
      t.expect(tt, WireType.LEN, 'tensor_type');
      const tensorType = t.readMessage();
      v.shape = undefined;
      forEachField(tensorType, (f) => {
        if (f.field === F.tensorType.elemType) {
          tensorType.expect(f, WireType.VARINT, 'elem_type');
          v.elemType = tensorType.readInt();
          v.dtype = dtypeOfOnnx(v.elemType);
        } else if (f.field === F.tensorType.shape) {
          tensorType.expect(f, WireType.LEN, 'shape');
          v.shape = decodeShape(tensorType.readMessage());
        } else tensorType.skip(f.wireType);
      });
    });
  });
  return v;
}

/** TensorProto fields collected before the data location is resolved. */
export interface TensorParts {
  name: string;
  dataType: number;
  dims: number[];
  raw?: { byteOffset: number; byteLength: number };
  /** One packed float_data record: its payload is raw little-endian float32. */
  floatRange?: { byteOffset: number; byteLength: number };
  /** Typed-field values by field number (float_data unpacked, int32_data, int64_data, …). */
  typed: Map<number, number[]>;
  external: Record<string, string>;
  dataLocation: number;
  fields: ProtoRecord[];
}

export function emptyTensorParts(): TensorParts {
  return { name: '', dataType: 0, dims: [], typed: new Map(), external: {}, dataLocation: 0, fields: [] };
}

/** Applies one TensorProto field whose tag was just read from `r`. */
export function applyTensorField(p: TensorParts, tag: Tag, r: ProtoReader): void {
  const T = F.tensor;
  const typed = (field: number) => {
    let list = p.typed.get(field);
    if (!list) p.typed.set(field, (list = []));
    return list;
  };
  switch (tag.field) {
    case T.dims: r.readRepeatedInt(tag.wireType, p.dims); break;
    case T.dataType: r.expect(tag, WireType.VARINT, 'data_type'); p.dataType = r.readInt(); break;
    case T.name: r.expect(tag, WireType.LEN, 'tensor name'); p.name = r.readString(); break;
    case T.rawData: {
      r.expect(tag, WireType.LEN, 'raw_data');
      const byteLength = r.readLength();
      p.raw = { byteOffset: r.offset, byteLength };
      r.pos += byteLength;
      break;
    }
    case T.floatData:
      if (tag.wireType === WireType.LEN && !p.floatRange && !p.typed.has(T.floatData)) {
        const byteLength = r.readLength();
        if (byteLength % 4 !== 0) throw new FormatError(`float_data of ${byteLength} bytes is not whole floats`, r.offset, r.file);
        p.floatRange = { byteOffset: r.offset, byteLength };
        r.pos += byteLength;
      } else {
        if (p.floatRange) throw new FormatError('float_data split over several packed records is not supported', r.offset, r.file);
        r.readRepeatedFloat(tag.wireType, typed(T.floatData));
      }
      break;
    case T.int32Data: r.readRepeatedInt(tag.wireType, typed(T.int32Data)); break;
    case T.int64Data: r.readRepeatedInt(tag.wireType, typed(T.int64Data)); break;
    case T.uint64Data: r.readRepeatedInt(tag.wireType, typed(T.uint64Data), false); break;
    case T.doubleData: r.readRepeatedDouble(tag.wireType, typed(T.doubleData)); break;
    case T.externalData: {
      r.expect(tag, WireType.LEN, 'external_data');
      const e = decodeEntry(r.readMessage());
      p.external[e.key] = e.value;
      break;
    }
    case T.dataLocation: r.expect(tag, WireType.VARINT, 'data_location'); p.dataLocation = r.readInt(); break;
    default: r.skip(tag.wireType);
  }
}
