// Protobuf wire-format encoding (docs/FORMATS.md §1.1): a record writer for small messages held
// in memory, and chunk lists for large ones, whose parts are bytes in memory or byte ranges of a
// source file. Lengths are known before anything is written, so a writer can stream.
import type { ByteSource } from '../../core/byte-source';
import { assert } from '../../core/assert';
import { WireType, type WireTypeValue } from './protobuf-reader';

/** A byte range of a source file, copied verbatim when the output is streamed. */
export interface SourceRange {
  source: ByteSource;
  byteOffset: number;
  byteLength: number;
}

export type Chunk = Uint8Array | SourceRange;

export function chunkLength(c: Chunk): number {
  return c instanceof Uint8Array ? c.byteLength : c.byteLength;
}

/** Number of bytes a non-negative varint takes. */
export function varintSize(value: number): number {
  assert(Number.isSafeInteger(value) && value >= 0, `varint value ${value}`);
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Encodes an int64 (negative values as 10-byte two's complement) or uint64 ≤ 2^53. */
export function encodeVarint(value: number, out: number[] = []): number[] {
  assert(Number.isSafeInteger(value), `varint value ${value}`);
  if (value < 0) {
    let big = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 9; i++) {
      out.push(Number(big & 0x7fn) | 0x80);
      big >>= 7n;
    }
    out.push(Number(big));
    return out;
  }
  while (value >= 128) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

export function tagValue(field: number, wireType: WireTypeValue): number {
  return field * 8 + wireType;
}

/** Header (tag + length) of a LEN record whose payload is `payloadLength` bytes. */
export function lenHeader(field: number, payloadLength: number): Uint8Array {
  const out: number[] = [];
  encodeVarint(tagValue(field, WireType.LEN), out);
  encodeVarint(payloadLength, out);
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();

/** Builds one small message in memory, field by field, in the order the calls are made. */
export class RecordWriter {
  private parts: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  private flushScratch(): void {
    if (this.scratch.length) {
      this.parts.push(Uint8Array.from(this.scratch));
      this.length += this.scratch.length;
      this.scratch = [];
    }
  }

  private raw(bytes: Uint8Array): this {
    this.flushScratch();
    this.parts.push(bytes);
    this.length += bytes.byteLength;
    return this;
  }

  /** Varint field (int32/int64/uint64/enum/bool). */
  int(field: number, value: number): this {
    encodeVarint(tagValue(field, WireType.VARINT), this.scratch);
    encodeVarint(value, this.scratch);
    return this;
  }

  float(field: number, value: number): this {
    encodeVarint(tagValue(field, WireType.I32), this.scratch);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  double(field: number, value: number): this {
    encodeVarint(tagValue(field, WireType.I64), this.scratch);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    encodeVarint(tagValue(field, WireType.LEN), this.scratch);
    encodeVarint(value.byteLength, this.scratch);
    return this.raw(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, sub: RecordWriter): this {
    return this.bytes(field, sub.finish());
  }

  /** Repeated varints, one record each (how proto2 writes non-packed fields such as dims). */
  ints(field: number, values: readonly number[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  /** Repeated varints as one packed LEN record. */
  packedInts(field: number, values: readonly number[]): this {
    const payload: number[] = [];
    for (const v of values) encodeVarint(v, payload);
    return this.bytes(field, Uint8Array.from(payload));
  }

  /** Repeated floats as one packed LEN record. */
  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }

  /** Copies already-encoded records verbatim. */
  records(encoded: Uint8Array): this {
    return this.raw(encoded);
  }

  get byteLength(): number {
    return this.length + this.scratch.length;
  }

  finish(): Uint8Array {
    this.flushScratch();
    if (this.parts.length === 1) return this.parts[0];
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}

/** An ordered list of chunks with its total length: the body of a large message. */
export class ChunkList {
  readonly chunks: Chunk[] = [];
  byteLength = 0;

  push(c: Chunk): this {
    const n = chunkLength(c);
    if (n === 0) return this;
    const last = this.chunks[this.chunks.length - 1];
    // Contiguous ranges of the same file merge, so unchanged runs are copied in big reads.
    if (last && !(last instanceof Uint8Array) && !(c instanceof Uint8Array) && last.source === c.source &&
        last.byteOffset + last.byteLength === c.byteOffset) {
      this.chunks[this.chunks.length - 1] = { ...last, byteLength: last.byteLength + n };
    } else {
      this.chunks.push(c);
    }
    this.byteLength += n;
    return this;
  }

  pushAll(list: ChunkList): this {
    for (const c of list.chunks) this.push(c);
    return this;
  }

  /** Appends a LEN record (tag, length, then the body's chunks). */
  pushLenRecord(field: number, body: ChunkList | Uint8Array): this {
    const len = body instanceof Uint8Array ? body.byteLength : body.byteLength;
    this.push(lenHeader(field, len));
    return body instanceof Uint8Array ? this.push(body) : this.pushAll(body);
  }
}
