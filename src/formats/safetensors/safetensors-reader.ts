// Lazy safetensors reader (docs/FORMATS.md §5): u64 header length N, N bytes of JSON, then the
// data buffer. Validates the header like the Rust reference (first tensor at 0, contiguous,
// size = numel·bits/8, 8 + N + last end = file length, N ≤ 100 MB) and records each tensor's byte
// range; bytes are read on demand. Offsets in bytes, shapes outermost first.
import type { ByteSource } from '../../core/byte-source';
import { decodeFloats, type Dtype } from '../../core/dtypes';
import { FormatError, UnsupportedModelError, UsageError } from '../../core/errors';
import { topLevelKeys } from './json-keys';

/** The Rust reader's cap on the header length. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** Bits per element of every dtype the format defines. */
export const SAFETENSORS_DTYPE_BITS: Record<string, number> = {
  BOOL: 8, U8: 8, I8: 8, F8_E4M3: 8, F8_E5M2: 8, F8_E8M0: 8, F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8,
  I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, I64: 64, U64: 64, F64: 64,
  C64: 64, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
};

const CORE_DTYPES: Record<string, Dtype> = {
  BOOL: 'bool', U8: 'u8', I8: 'i8', I16: 'i16', U16: 'u16', F16: 'f16', BF16: 'bf16',
  I32: 'i32', U32: 'u32', F32: 'f32', F64: 'f64', I64: 'i64', U64: 'u64',
};

export interface SafetensorsTensorInfo {
  name: string;
  /** dtype string as stored ('F32', 'BF16', 'F8_E4M3', …). */
  dtype: string;
  shape: number[];
  numel: number;
  byteLength: number;
  /** data_offsets[0], relative to the data buffer. */
  dataBegin: number;
  /** Absolute file offset. */
  byteOffset: number;
}

export interface SafetensorsFile {
  source: ByteSource;
  /** N: JSON header length in bytes. */
  headerBytes: number;
  /** 8 + N: where the data buffer starts. */
  dataOffset: number;
  /** `__metadata__` (string → string), empty if absent. */
  metadata: Record<string, string>;
  /** In header order. */
  tensors: SafetensorsTensorInfo[];
}

/** The studio's element type for a safetensors dtype ('F32' → 'f32'); other dtypes keep their name. */
export function safetensorsDtype(dtype: string): Dtype | string {
  return Object.hasOwn(CORE_DTYPES, dtype) ? CORE_DTYPES[dtype] : dtype;
}

export async function openSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const fail = (message: string, byteOffset: number): never => {
    throw new FormatError(message, byteOffset, source.name);
  };
  if (source.byteLength < 8) fail(`file is ${source.byteLength} bytes, too short for a safetensors header length`, 0);
  const lenBytes = await source.read(0, 8);
  const n = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`, 0);
  const headerBytes = Number(n);
  if (8 + headerBytes > source.byteLength) fail(`header length ${headerBytes} runs past the end of the file (${source.byteLength} bytes)`, 0);
  const raw = await source.read(8, headerBytes);
  if (raw[0] !== 0x7b) fail(`header must start with "{", got byte 0x${(raw[0] ?? 0).toString(16)}`, 8);
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid UTF-8 JSON: ${(e as Error).message}`, 8);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object', 8);
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) fail(`header lists "${k}" twice`, 8);
    seen.add(k);
  }

  const dataOffset = 8 + headerBytes;
  const dataBytes = source.byteLength - dataOffset;
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  const dataEnds = new Map<string, number>();
  // Iterate in header order (Object.entries would put integer-like names first).
  for (const name of keys) {
    const entry = (header as Record<string, unknown>)[name];
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('__metadata__ must be an object of strings', 8);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__["${k}"] must be a string, got ${typeof v}`, 8);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`tensor "${name}": entry must be an object`, 8);
    // Own keys only: a dtype named like an Object.prototype member ("constructor") is unknown too.
    const bits = typeof e.dtype === 'string' && Object.hasOwn(SAFETENSORS_DTYPE_BITS, e.dtype) ? SAFETENSORS_DTYPE_BITS[e.dtype] : undefined;
    if (bits === undefined) fail(`tensor "${name}": unknown dtype ${JSON.stringify(e.dtype)}`, 8);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor "${name}": shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`, 8);
    }
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      fail(`tensor "${name}": data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(off)}`, 8);
    }
    const [begin, end] = off as [number, number];
    if (end > dataBytes) fail(`tensor "${name}": data_offsets end ${end} is past the ${dataBytes}-byte data buffer`, dataOffset + begin);
    let numel = 1;
    for (const d of shape) numel *= d;
    const bitLength = numel * (bits as number);
    if (bitLength % 8 !== 0 || bitLength / 8 !== end - begin) {
      fail(`tensor "${name}": ${e.dtype} ${JSON.stringify(shape)} needs ${bitLength / 8} bytes but data_offsets span ${end - begin}`, dataOffset + begin);
    }
    tensors.push({ name, dtype: e.dtype as string, shape, numel, byteLength: end - begin, dataBegin: begin, byteOffset: dataOffset + begin });
    dataEnds.set(name, end);
  }

  const sorted = [...tensors].sort((a, b) => a.dataBegin - b.dataBegin || a.byteLength - b.byteLength);
  let expected = 0;
  for (const t of sorted) {
    if (t.dataBegin !== expected) {
      fail(t.dataBegin > expected
        ? `tensor "${t.name}" starts at data offset ${t.dataBegin}, leaving a hole after ${expected}`
        : `tensor "${t.name}" at data offset ${t.dataBegin} overlaps the tensor ending at ${expected}`, dataOffset + t.dataBegin);
    }
    expected = dataEnds.get(t.name) as number;
  }
  if (dataOffset + expected !== source.byteLength) {
    fail(`tensors end at file offset ${dataOffset + expected} but the file has ${source.byteLength} bytes`, dataOffset + expected);
  }
  return { source, headerBytes, dataOffset, metadata, tensors };
}

export function findSafetensorsTensor(file: SafetensorsFile, name: string): SafetensorsTensorInfo | undefined {
  return file.tensors.find((t) => t.name === name);
}

/** A tensor's raw little-endian bytes (may be a view: copy before making typed arrays). */
export async function readSafetensorsTensor(file: SafetensorsFile, tensor: SafetensorsTensorInfo | string): Promise<Uint8Array> {
  const t = typeof tensor === 'string' ? findSafetensorsTensor(file, tensor) : tensor;
  if (!t) throw new UsageError(`${file.source.name} has no tensor named "${tensor as string}"`);
  return file.source.read(t.byteOffset, t.byteLength);
}

/** A float tensor's values as float32; UnsupportedModelError for dtypes other than F32/F16/BF16. */
export async function readSafetensorsFloats(file: SafetensorsFile, tensor: SafetensorsTensorInfo | string): Promise<Float32Array> {
  const t = typeof tensor === 'string' ? findSafetensorsTensor(file, tensor) : tensor;
  if (!t) throw new UsageError(`${file.source.name} has no tensor named "${tensor as string}"`);
  const dtype = safetensorsDtype(t.dtype);
  if (dtype !== 'f32' && dtype !== 'f16' && dtype !== 'bf16') {
    throw new UnsupportedModelError(`${file.source.name}: tensor "${t.name}" is ${t.dtype}; the studio reads only F32, F16 and BF16 values`, { dtype: t.dtype, file: file.source.name });
  }
  return decodeFloats(await readSafetensorsTensor(file, t), dtype);
}
