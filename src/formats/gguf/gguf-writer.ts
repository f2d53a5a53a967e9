// Streaming GGUF v3 writer (docs/FORMATS.md §4.1): header (typed metadata, tensor infos with
// sequential aligned offsets), zero padding to the alignment, then each tensor's bytes, produced
// on demand in order and each followed by zero padding, the last one included, as gguf.cpp
// writes. Never holds more than one tensor plus a 1 MiB header chunk.
import type { ByteSink } from '../../core/byte-sink';
import { UsageError } from '../../core/errors';
import { ggmlTensorBytes, ggmlTypeByName, type GgmlTypeInfo } from '../../core/ggml-types';
import { GgufEncoder, keyValueBytes } from './gguf-encoder';
import { alignUp, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_MAX_DIMS, GGUF_MAX_NAME_BYTES } from './gguf-reader';
import type { GgufMetadata } from './gguf-value';

export interface GgufTensorToWrite {
  name: string;
  /** numpy order (outermost first); written reversed, as ggml dims. */
  shape: number[];
  /** ggml type name ('F32', 'Q4_K', …). */
  type: string;
  /** Produces exactly the tensor's bytes; called once, when the writer reaches the tensor. */
  data: () => Uint8Array | Promise<Uint8Array>;
}

export interface GgufWriteResult {
  byteLength: number;
  dataOffset: number;
  /** Absolute offset of each tensor's bytes, in write order. */
  tensorOffsets: number[];
}

interface Planned {
  t: GgufTensorToWrite;
  type: GgmlTypeInfo;
  byteLength: number;
  relativeOffset: number;
}

const utf8 = new TextEncoder();

/** Checks the tensors and assigns offsets: offset₀ = 0, offsetᵢ₊₁ = offsetᵢ + pad(bytesᵢ). */
function plan(tensors: GgufTensorToWrite[], alignment: number): Planned[] {
  const names = new Set<string>();
  let offset = 0;
  return tensors.map((t) => {
    if (names.has(t.name)) throw new UsageError(`tensor "${t.name}" is listed twice`);
    names.add(t.name);
    if (utf8.encode(t.name).byteLength >= GGUF_MAX_NAME_BYTES) throw new UsageError(`tensor name "${t.name}" is too long (GGUF allows ${GGUF_MAX_NAME_BYTES - 1} bytes)`);
    if (t.shape.length < 1 || t.shape.length > GGUF_MAX_DIMS) throw new UsageError(`tensor "${t.name}" has ${t.shape.length} dimensions; GGUF allows 1 to ${GGUF_MAX_DIMS}`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new UsageError(`tensor "${t.name}" has an invalid shape ${JSON.stringify(t.shape)}`);
    const type = ggmlTypeByName(t.type);
    if (!type) throw new UsageError(`tensor "${t.name}" has unknown ggml type ${t.type}`);
    const rowLength = t.shape[t.shape.length - 1];
    if (rowLength % type.blockSize !== 0) throw new UsageError(`tensor "${t.name}": row length ${rowLength} is not a multiple of the ${type.name} block size ${type.blockSize}`);
    const byteLength = ggmlTensorBytes(type, t.shape.reduce((a, b) => a * b, 1));
    const p = { t, type, byteLength, relativeOffset: offset };
    offset += alignUp(byteLength, alignment);
    return p;
  });
}

function alignmentOf(metadata: GgufMetadata): number {
  const a = metadata.get('general.alignment');
  if (!a) return GGUF_DEFAULT_ALIGNMENT;
  const v = a.value as number;
  if (a.type !== 'u32' || v === 0 || (v & (v - 1)) !== 0) throw new UsageError(`general.alignment must be a u32 power of two, got ${a.type} ${String(a.value)}`);
  return v;
}

/** Exact size of the file writeGguf would produce, without producing any tensor bytes. */
export function ggufFileBytes(metadata: GgufMetadata, tensors: GgufTensorToWrite[]): number {
  const alignment = alignmentOf(metadata);
  const planned = plan(tensors, alignment);
  let header = 24;
  for (const [k, v] of metadata) header += keyValueBytes(k, v);
  for (const p of planned) header += 8 + utf8.encode(p.t.name).byteLength + 4 + 8 * p.t.shape.length + 4 + 8;
  const last = planned[planned.length - 1];
  return alignUp(header, alignment) + (last ? last.relativeOffset + alignUp(last.byteLength, alignment) : 0);
}

/** Streams a GGUF file to `sink` (and closes it). Alignment comes from `general.alignment` (default 32). */
export async function writeGguf(sink: ByteSink, metadata: GgufMetadata, tensors: GgufTensorToWrite[]): Promise<GgufWriteResult> {
  const alignment = alignmentOf(metadata);
  const planned = plan(tensors, alignment);
  const enc = new GgufEncoder(sink);
  await enc.u32(GGUF_MAGIC);
  await enc.u32(3);
  await enc.u64(planned.length);
  await enc.u64(metadata.size);
  for (const [key, value] of metadata) await enc.keyValue(key, value);
  for (const p of planned) {
    await enc.string(p.t.name);
    await enc.u32(p.t.shape.length);
    for (let d = p.t.shape.length - 1; d >= 0; d--) await enc.u64(p.t.shape[d]);
    await enc.i32(p.type.id);
    await enc.u64(p.relativeOffset);
  }
  const dataOffset = alignUp(enc.position, alignment);
  await enc.zeros(dataOffset - enc.position);
  await enc.flush();
  const tensorOffsets: number[] = [];
  let position = dataOffset;
  for (const p of planned) {
    const bytes = await p.t.data();
    if (bytes.byteLength !== p.byteLength) {
      throw new UsageError(`tensor "${p.t.name}" (${p.type.name} ${JSON.stringify(p.t.shape)}) must be ${p.byteLength} bytes, got ${bytes.byteLength}`);
    }
    tensorOffsets.push(position);
    await sink.write(bytes);
    const pad = alignUp(bytes.byteLength, alignment) - bytes.byteLength;
    if (pad > 0) await sink.write(new Uint8Array(pad));
    position += bytes.byteLength + pad;
  }
  await sink.close();
  return { byteLength: position, dataOffset, tensorOffsets };
}
