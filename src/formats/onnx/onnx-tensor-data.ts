// Resolves where a TensorProto's bytes are (docs/FORMATS.md §1.3–1.4): raw_data in the model
// file, an external data file matched by the base name of `location`, or typed fields
// (float_data, int64_data, …) converted to raw little-endian bytes in memory.
import { type ByteSource, baseName, bytesSource } from '../../core/byte-source';
import { dtypeBytes, numelOf } from '../../core/dtypes';
import { FormatError, MissingFileError, UnsupportedModelError } from '../../core/errors';
import { F, type OnnxTensor, dtypeOfOnnx } from './onnx-model';
import type { TensorParts } from './onnx-messages';

/** Raw LE bytes of typed-field values for a tensor of `dtype`. */
function typedToRaw(p: TensorParts, at: number, file: string): Uint8Array {
  const dtype = dtypeOfOnnx(p.dataType);
  const T = F.tensor;
  const fieldFor: Partial<Record<string, number>> = {
    f32: T.floatData, f64: T.doubleData, i64: T.int64Data, u64: T.uint64Data, u32: T.uint64Data,
    i32: T.int32Data, i16: T.int32Data, i8: T.int32Data, u16: T.int32Data, u8: T.int32Data, bool: T.int32Data,
    f16: T.int32Data, bf16: T.int32Data,
  };
  const field = fieldFor[dtype];
  const values = field === undefined ? undefined : p.typed.get(field);
  if (!values) {
    if (p.typed.size === 0 || dtype === 'string') return new Uint8Array(0);
    throw new UnsupportedModelError(`${file}: tensor "${p.name}" stores ${dtype} values in an unexpected typed field`);
  }
  const out = new Uint8Array(values.length * dtypeBytes(dtype));
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    switch (dtype) {
      case 'f32': dv.setFloat32(i * 4, v, true); break;
      case 'f64': dv.setFloat64(i * 8, v, true); break;
      case 'i64': dv.setBigInt64(i * 8, BigInt(v), true); break;
      case 'u64': dv.setBigUint64(i * 8, BigInt(v), true); break;
      case 'u32': dv.setUint32(i * 4, v, true); break;
      case 'i32': dv.setInt32(i * 4, v, true); break;
      case 'i16': dv.setInt16(i * 2, v, true); break;
      case 'u16': case 'f16': case 'bf16': dv.setUint16(i * 2, v, true); break;
      case 'i8': dv.setInt8(i, v); break;
      default: dv.setUint8(i, v);
    }
  });
  if (out.byteLength === 0 && values.length) throw new FormatError(`tensor "${p.name}" has typed data of unknown width`, at, file);
  return out;
}

function parseDecimal(value: string | undefined, what: string, tensor: string, at: number, file: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new FormatError(`tensor "${tensor}": external data ${what} "${value}" is not a byte count`, at, file);
  }
  return Number(value);
}

/**
 * Bits per element of the ONNX element types the studio has no Dtype for (onnx.proto
 * TensorProto.DataType): complex64/128, the float8 variants, uint4/int4/float4 (two per byte),
 * float8e8m0, uint2/int2. Anything else is not an element type.
 */
const OTHER_ELEMENT_BITS: Readonly<Record<number, number>> = { 14: 64, 15: 128, 17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4, 24: 8, 25: 2, 26: 2 };
const MAX_ONNX_DATA_TYPE = 26;

/**
 * Builds the tensor descriptor: checks that the byte count matches dims × element size and
 * finds external data among `dataFiles` (by base name). `at` = offset of the tensor record.
 */
export function finishTensor(p: TensorParts, model: ByteSource, dataFiles: ByteSource[], at: number): OnnxTensor {
  const file = model.name;
  const dtype = dtypeOfOnnx(p.dataType);
  const base = { name: p.name, dataType: p.dataType, dtype, dims: p.dims, fields: p.fields };
  let t: OnnxTensor;
  if (p.dataLocation === 1) {
    const location = p.external.location;
    if (!location) throw new FormatError(`tensor "${p.name}" is marked external but has no location`, at, file);
    const source = dataFiles.find((f) => baseName(f.name) === baseName(location));
    if (!source) {
      throw new MissingFileError(
        `${file}: tensor "${p.name}" is stored in the external data file "${location}", which was not given. ` +
          `Open "${baseName(location)}" together with ${baseName(file)}.`,
        location,
      );
    }
    const offset = parseDecimal(p.external.offset, 'offset', p.name, at, file) ?? 0;
    const length = parseDecimal(p.external.length, 'length', p.name, at, file) ?? source.byteLength - offset;
    if (offset + length > source.byteLength || length < 0) {
      throw new FormatError(
        `external data file is truncated: tensor "${p.name}" needs bytes ${offset}…${offset + length} but the file has ${source.byteLength}`,
        Math.min(offset, source.byteLength),
        source.name,
      );
    }
    t = { ...base, storage: 'external', data: { source, byteOffset: offset, byteLength: length }, external: { location, offset, length } };
  } else if (p.raw) {
    t = { ...base, storage: 'raw', data: { source: model, ...p.raw } };
  } else if (p.floatRange) {
    // Packed float_data is already raw little-endian float32 (or complex64 pairs).
    t = { ...base, storage: 'typed', data: { source: model, ...p.floatRange } };
  } else {
    const bytes = typedToRaw(p, at, file);
    t = { ...base, storage: 'typed', data: { source: bytesSource(bytes, `${p.name} (typed data)`), byteOffset: 0, byteLength: bytes.byteLength } };
  }
  const width = dtypeBytes(dtype);
  const bits = width > 0 ? 8 * width : OTHER_ELEMENT_BITS[p.dataType];
  if (bits === undefined) {
    if (p.dataType === 8) return t; // strings: no fixed width
    throw new FormatError(`tensor "${p.name}" has data_type ${p.dataType}, which is not an ONNX element type (1…${MAX_ONNX_DATA_TYPE})`, at, file);
  }
  const expected = Math.ceil((numelOf(p.dims) * bits) / 8);
  if (t.data.byteLength !== expected) {
    throw new FormatError(
      `tensor "${p.name}" holds ${t.data.byteLength} bytes but dims [${p.dims.join(', ')}] of ${dtype} need ${expected}`,
      at,
      file,
    );
  }
  return t;
}
