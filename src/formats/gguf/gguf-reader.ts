// Lazy GGUF (v2/v3) reader, docs/FORMATS.md §4.1: parses the header (typed metadata, tensor
// infos), validates it against the file size, and records each tensor's byte range; tensor bytes
// are read only when asked for. Offsets and lengths are in bytes; dims are in ggml order
// (dims[0] innermost), shapes in numpy order.
import type { ByteSource } from '../../core/byte-source';
import { FormatError, UnsupportedModelError, UsageError } from '../../core/errors';
import { ggmlTypeById, ggmlTensorBytes, type GgmlTypeInfo } from '../../core/ggml-types';
import { HeaderCursor } from './header-cursor';
import {
  GGUF_SCALAR_BYTES,
  ggufValueTypeName,
  type GgufArray,
  type GgufMetadata,
  type GgufScalarType,
  type GgufValue,
} from './gguf-value';

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as u32 LE
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_DIMS. */
export const GGUF_MAX_DIMS = 4;
/** ggml's GGML_MAX_NAME: tensor names must be shorter. */
export const GGUF_MAX_NAME_BYTES = 64;

// Smallest possible records, used to reject absurd counts before looping over them.
const MIN_KV_BYTES = 8 + 1 + 4 + 1; // key length, 1-byte key, type, 1-byte value
const MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8; // name, n_dims, 1 dim, type, offset
// No ggml type packs more than 8 elements per byte (Q1_0: 128 in 18), so a tensor with more
// elements than 8 × file size cannot be in the file.
const MAX_ELEMENTS_PER_BYTE = 8;
const utf8 = new TextEncoder();

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the contiguous (innermost) axis. */
  dims: number[];
  /** numpy order (dims reversed): outermost first. */
  shape: number[];
  type: GgmlTypeInfo;
  numel: number;
  byteLength: number;
  /** Offset relative to the data section, as stored. */
  relativeOffset: number;
  /** Absolute file offset of the first byte. */
  byteOffset: number;
}

export interface GgufFile {
  source: ByteSource;
  version: number;
  alignment: number;
  metadata: GgufMetadata;
  tensors: GgufTensorInfo[];
  /** Absolute offset of the tensor data section. */
  dataOffset: number;
}

/** Parses and validates a GGUF header; throws FormatError (with byteOffset) on bad input. */
export async function openGguf(source: ByteSource): Promise<GgufFile> {
  const c = new HeaderCursor(source);
  await c.need(24, 'GGUF header');
  const magic = c.u32();
  if (magic !== GGUF_MAGIC) c.fail(`not a GGUF file: magic is 0x${magic.toString(16).padStart(8, '0')}, expected 0x46554747 ("GGUF")`, 0);
  const version = c.u32();
  if ((version & 0xffff) === 0) {
    throw new UnsupportedModelError(`${source.name}: big-endian GGUF files are not supported (version field 0x${version.toString(16)})`, { file: source.name, byteOffset: 4 });
  }
  if (version === 1) throw new UnsupportedModelError(`${source.name}: GGUF version 1 is obsolete; convert it with a current llama.cpp`, { file: source.name, byteOffset: 4 });
  if (version !== 2 && version !== 3) throw new UnsupportedModelError(`${source.name}: GGUF version ${version} is not supported (expected 2 or 3)`, { file: source.name, byteOffset: 4 });
  const tensorCount = c.safeCount(c.i64(), 'tensor count', 8);
  const kvCount = c.safeCount(c.i64(), 'metadata count', 16);
  if (kvCount * MIN_KV_BYTES > c.remaining) c.fail(`metadata count ${kvCount} cannot fit in the ${c.remaining} bytes left in the file`, 16);
  if (tensorCount * MIN_TENSOR_INFO_BYTES > c.remaining) c.fail(`tensor count ${tensorCount} cannot fit in the ${c.remaining} bytes left in the file`, 8);

  const metadata: GgufMetadata = new Map();
  for (let i = 0; i < kvCount; i++) {
    const at = c.pos;
    const key = await c.string(`metadata key ${i}`);
    if (key.length === 0) c.fail(`metadata key ${i} is empty`, at);
    if (metadata.has(key)) c.fail(`duplicate metadata key "${key}"`, at);
    metadata.set(key, await readValue(c, key));
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const align = metadata.get('general.alignment');
  if (align) {
    if (align.type !== 'u32') c.fail(`general.alignment must be stored as u32, got ${align.type}`, 24);
    const a = align.value as number;
    if (a === 0 || (a & (a - 1)) !== 0) c.fail(`general.alignment ${a} is not a power of two`, 24);
    alignment = a;
  }

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const at = c.pos;
    const info = await readTensorInfo(c, i, alignment);
    if (names.has(info.name)) c.fail(`duplicate tensor name "${info.name}"`, at);
    names.add(info.name);
    tensors.push(info);
  }
  const dataOffset = alignUp(c.pos, alignment);
  if (tensorCount > 0 && dataOffset > c.fileBytes) c.fail(`data section would start at ${dataOffset}, past the end of the file (${c.fileBytes} bytes)`, c.pos);
  for (const t of tensors) t.byteOffset = dataOffset + t.relativeOffset;
  checkTensorRanges(source, tensors, dataOffset);
  return { source, version, alignment, metadata, tensors, dataOffset };
}

/**
 * Reads one tensor's stored bytes (exactly `byteLength` bytes; may be a view into the source).
 * A name the file does not have is a UsageError.
 */
export async function readGgufTensor(file: GgufFile, tensor: GgufTensorInfo | string): Promise<Uint8Array> {
  const t = typeof tensor === 'string' ? findGgufTensor(file, tensor) : tensor;
  if (!t) throw new UsageError(`${file.source.name} has no tensor named "${tensor as string}"`);
  return file.source.read(t.byteOffset, t.byteLength);
}

/** The tensor with this name, or undefined. */
export function findGgufTensor(file: GgufFile, name: string): GgufTensorInfo | undefined {
  return file.tensors.find((x) => x.name === name);
}

export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

async function readValue(c: HeaderCursor, key: string): Promise<GgufValue> {
  const at = c.pos;
  await c.need(4, `type of "${key}"`);
  const typeId = c.i32();
  const type = ggufValueTypeName(typeId);
  if (!type) c.fail(`metadata "${key}" has unknown value type ${typeId}`, at);
  if (type !== 'array') return readScalar(c, type, key);
  await c.need(12, `array header of "${key}"`);
  const elemId = c.i32();
  const elementType = ggufValueTypeName(elemId);
  if (!elementType) c.fail(`metadata "${key}" is an array of unknown type ${elemId}`, at + 4);
  if (elementType === 'array') c.fail(`metadata "${key}" is an array of arrays, which GGUF does not allow`, at + 4);
  const count = c.safeCount(c.u64(), `array length of "${key}"`, at + 8);
  const minBytes = elementType === 'string' ? 8 : GGUF_SCALAR_BYTES[elementType];
  if (count * minBytes > c.remaining) {
    c.fail(`array "${key}" of ${count} ${elementType} values cannot fit in the ${c.remaining} bytes left`, at + 8);
  }
  return readArray(c, elementType, count, key);
}

async function readScalar(c: HeaderCursor, type: GgufScalarType, key: string): Promise<GgufValue> {
  if (type === 'string') return { type, value: await c.string(`value of "${key}"`) };
  await c.need(GGUF_SCALAR_BYTES[type], `value of "${key}"`);
  switch (type) {
    case 'u8': return { type, value: c.u8() };
    case 'i8': return { type, value: c.i8() };
    case 'u16': return { type, value: c.u16() };
    case 'i16': return { type, value: c.i16() };
    case 'u32': return { type, value: c.u32() };
    case 'i32': return { type, value: c.i32() };
    case 'f32': return { type, value: c.f32() };
    case 'f64': return { type, value: c.f64() };
    case 'u64': return { type, value: c.u64() };
    case 'i64': return { type, value: c.i64() };
    case 'bool': {
      const at = c.pos;
      const b = c.u8();
      if (b > 1) c.fail(`bool "${key}" has value ${b}, expected 0 or 1`, at);
      return { type, value: b === 1 };
    }
  }
}

async function readArray(c: HeaderCursor, elementType: GgufScalarType, count: number, key: string): Promise<GgufArray> {
  if (elementType === 'string') {
    const value: string[] = [];
    for (let i = 0; i < count; i++) value.push(await c.string(`element ${i} of "${key}"`));
    return { type: 'array', elementType, value };
  }
  const byteLength = count * GGUF_SCALAR_BYTES[elementType];
  await c.need(byteLength, `array "${key}"`);
  const at = c.pos;
  const bytes = c.bytes(byteLength); // a fresh copy: aligned, own buffer
  const buf = bytes.buffer as ArrayBuffer;
  switch (elementType) {
    case 'u8': return { type: 'array', elementType, value: bytes };
    case 'i8': return { type: 'array', elementType, value: new Int8Array(buf) };
    case 'u16': return { type: 'array', elementType, value: new Uint16Array(buf) };
    case 'i16': return { type: 'array', elementType, value: new Int16Array(buf) };
    case 'u32': return { type: 'array', elementType, value: new Uint32Array(buf) };
    case 'i32': return { type: 'array', elementType, value: new Int32Array(buf) };
    case 'f32': return { type: 'array', elementType, value: new Float32Array(buf) };
    case 'f64': return { type: 'array', elementType, value: new Float64Array(buf) };
    case 'u64': return { type: 'array', elementType, value: new BigUint64Array(buf) };
    case 'i64': return { type: 'array', elementType, value: new BigInt64Array(buf) };
    case 'bool': {
      const value: boolean[] = [];
      for (let i = 0; i < count; i++) {
        if (bytes[i] > 1) c.fail(`element ${i} of bool array "${key}" is ${bytes[i]}, expected 0 or 1`, at + i);
        value.push(bytes[i] === 1);
      }
      return { type: 'array', elementType, value };
    }
  }
}

async function readTensorInfo(c: HeaderCursor, index: number, alignment: number): Promise<GgufTensorInfo> {
  const at = c.pos;
  const name = await c.string(`name of tensor ${index}`);
  if (utf8.encode(name).byteLength >= GGUF_MAX_NAME_BYTES) {
    c.fail(`tensor name "${name.slice(0, 80)}" is ${name.length} bytes; GGUF allows at most ${GGUF_MAX_NAME_BYTES - 1}`, at);
  }
  const dimsAt = c.pos;
  await c.need(4, `dimension count of "${name}"`);
  const nDims = c.u32();
  if (nDims < 1 || nDims > GGUF_MAX_DIMS) c.fail(`tensor "${name}" has ${nDims} dimensions, expected 1 to ${GGUF_MAX_DIMS}`, dimsAt);
  await c.need(nDims * 8 + 12, `shape, type and offset of "${name}"`);
  const dims: number[] = [];
  let numel = 1;
  for (let d = 0; d < nDims; d++) {
    const dim = c.safeCount(c.u64(), `dimension ${d} of "${name}"`, dimsAt + 4 + 8 * d);
    dims.push(dim);
    numel *= dim;
  }
  if (numel > c.fileBytes * MAX_ELEMENTS_PER_BYTE) {
    c.fail(`tensor "${name}" has ${numel} elements (dims ${dims.join('×')}), more than a ${c.fileBytes}-byte file can hold`, dimsAt + 4);
  }
  const typeAt = c.pos;
  const typeId = c.i32();
  const type = ggmlTypeById(typeId);
  if (!type) c.fail(`tensor "${name}" has unknown ggml type id ${typeId}`, typeAt);
  if (dims[0] % type.blockSize !== 0) {
    c.fail(`tensor "${name}" has row length ${dims[0]}, not a multiple of the ${type.name} block size ${type.blockSize}`, dimsAt + 4);
  }
  const offsetAt = c.pos;
  const relativeOffset = c.safeCount(c.u64(), `offset of "${name}"`, offsetAt);
  if (relativeOffset % alignment !== 0) c.fail(`tensor "${name}" offset ${relativeOffset} is not a multiple of the alignment ${alignment}`, offsetAt);
  const byteLength = ggmlTensorBytes(type, numel);
  return { name, dims, shape: [...dims].reverse(), type, numel, byteLength, relativeOffset, byteOffset: -1 };
}

/** Every tensor inside the file, and no two overlapping. */
function checkTensorRanges(source: ByteSource, tensors: GgufTensorInfo[], dataOffset: number): void {
  for (const t of tensors) {
    if (t.byteOffset + t.byteLength > source.byteLength) {
      throw new FormatError(
        `tensor "${t.name}" (${t.byteLength} bytes at ${t.byteOffset}) runs past the end of the file (${source.byteLength} bytes)`,
        t.byteOffset > source.byteLength ? dataOffset : t.byteOffset,
        source.name,
      );
    }
  }
  const sorted = [...tensors].sort((a, b) => a.relativeOffset - b.relativeOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (cur.relativeOffset < prev.relativeOffset + prev.byteLength) {
      throw new FormatError(
        `tensor "${cur.name}" at data offset ${cur.relativeOffset} overlaps "${prev.name}" (${prev.relativeOffset}+${prev.byteLength})`,
        cur.byteOffset,
        source.name,
      );
    }
  }
}
