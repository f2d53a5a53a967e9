// Protobuf wire-format decoding over bytes already in memory (docs/FORMATS.md §1.1): varints,
// fixed32/64, LEN payloads, packed or unpacked repeated scalars, skipping unknown fields.
// int64 values become numbers; anything beyond ±2^53 is a FormatError. Offsets in errors are
// absolute file offsets (`baseOffset` + position in `bytes`).
import { FormatError } from '../../core/errors';

export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;
export type WireTypeValue = (typeof WireType)[keyof typeof WireType];

export interface Tag {
  field: number;
  wireType: WireTypeValue;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Decodes a tag varint value into field number and wire type (throws on groups or bad types). */
export function splitTag(value: number, at: number, file?: string): Tag {
  const wireType = value % 8;
  const field = Math.floor(value / 8);
  if (field === 0) throw new FormatError('invalid protobuf field number 0', at, file);
  if (wireType !== 0 && wireType !== 1 && wireType !== 2 && wireType !== 5) {
    throw new FormatError(`unsupported protobuf wire type ${wireType} (field ${field})`, at, file);
  }
  return { field, wireType: wireType as WireTypeValue };
}

/**
 * Decodes one varint at `pos` in `bytes`. Returns [value as bigint-free number or bigint, next pos].
 * Values above 2^53 come back as bigint so signed int64 (two's complement) can be resolved.
 */
export function decodeVarint(bytes: Uint8Array, pos: number, baseOffset: number, file?: string): [number | bigint, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) {
      throw new FormatError('file is truncated inside a varint', baseOffset + pos + i, file);
    }
    const b = bytes[pos + i];
    if (i < 7) {
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return [value, pos + i + 1];
    } else {
      // 8th byte or later: exact arithmetic needs BigInt.
      let big = 0n;
      for (let j = i; j >= 0; j--) big = (big << 7n) | BigInt(bytes[pos + j] & 0x7f);
      let k = i;
      while (bytes[pos + k] >= 0x80) {
        k++;
        if (k >= 10) throw new FormatError('varint longer than 10 bytes', baseOffset + pos, file);
        if (pos + k >= bytes.length) throw new FormatError('file is truncated inside a varint', baseOffset + pos + k, file);
        big |= BigInt(bytes[pos + k] & 0x7f) << BigInt(7 * k);
      }
      big &= (1n << 64n) - 1n;
      return [big <= BigInt(MAX_SAFE) ? Number(big) : big, pos + k + 1];
    }
  }
  throw new FormatError('varint longer than 10 bytes', baseOffset + pos, file);
}

/** Unsigned varint value → number, or FormatError beyond 2^53. */
export function toUint(value: number | bigint, at: number, file?: string): number {
  if (typeof value === 'number') return value;
  throw new FormatError(`integer ${value} exceeds 2^53`, at, file);
}

/** int64 varint value (two's complement) → number, or FormatError beyond ±2^53. */
export function toInt64(value: number | bigint, at: number, file?: string): number {
  if (typeof value === 'number') return value;
  const signed = BigInt.asIntN(64, value);
  if (signed < -BigInt(MAX_SAFE) || signed > BigInt(MAX_SAFE)) {
    throw new FormatError(`integer ${signed} exceeds ±2^53`, at, file);
  }
  return Number(signed);
}

/** Sequential reader over one message held in memory. */
export class ProtoReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    /** Absolute offset of bytes[0] in the file (for error messages and byte ranges). */
    readonly baseOffset = 0,
    readonly file?: string,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Absolute file offset of the current position. */
  get offset(): number {
    return this.baseOffset + this.pos;
  }

  private fail(message: string, at = this.pos): never {
    throw new FormatError(message, this.baseOffset + at, this.file);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      this.fail(`file is truncated: needs ${n} bytes for a field but the message has ${this.end - this.pos} left`);
    }
  }

  private rawVarint(): number | bigint {
    const [v, next] = decodeVarint(this.bytes.subarray(0, this.end), this.pos, this.baseOffset, this.file);
    this.pos = next;
    return v;
  }

  readTag(): Tag {
    const at = this.pos;
    return splitTag(toUint(this.rawVarint(), this.baseOffset + at, this.file), this.baseOffset + at, this.file);
  }

  /** uint64/uint32/enum/bool as a non-negative number. */
  readUint(): number {
    const at = this.offset;
    return toUint(this.rawVarint(), at, this.file);
  }

  /** int64/int32 (not zigzag). */
  readInt(): number {
    const at = this.offset;
    return toInt64(this.rawVarint(), at, this.file);
  }

  readFloat(): number {
    this.need(4);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  readDouble(): number {
    this.need(8);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** Length prefix of a LEN record, checked against the message end. */
  readLength(): number {
    const len = this.readUint();
    if (this.pos + len > this.end) {
      this.fail(`file is truncated: a field of ${len} bytes runs past the end of its message (${this.end - this.pos} left)`);
    }
    return len;
  }

  /** LEN payload as a view (no copy). */
  readBytes(): Uint8Array {
    const len = this.readLength();
    const view = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return view;
  }

  readString(): string {
    return utf8.decode(this.readBytes());
  }

  /** The unread rest of this message as a string (for a reader over one string payload). */
  restString(): string {
    const s = utf8.decode(this.bytes.subarray(this.pos, this.end));
    this.pos = this.end;
    return s;
  }

  /** A sub-reader over the next LEN payload (advances past it). */
  readMessage(): ProtoReader {
    const len = this.readLength();
    const sub = new ProtoReader(this.bytes, this.baseOffset, this.file, this.pos, this.pos + len);
    this.pos += len;
    return sub;
  }

  /** Skips the payload of a field whose tag was just read. */
  skip(wireType: WireTypeValue): void {
    switch (wireType) {
      case WireType.VARINT:
        this.rawVarint();
        return;
      case WireType.I64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.I32:
        this.need(4);
        this.pos += 4;
        return;
      case WireType.LEN:
        {
          const len = this.readLength();
          this.pos += len;
        }
        return;
    }
  }

  /** Reads a repeated varint field element(s): one value (unpacked) or a packed LEN run. */
  readRepeatedInt(wireType: WireTypeValue, out: number[], signed = true): void {
    if (wireType === WireType.LEN) {
      const sub = this.readMessage();
      while (!sub.done) out.push(signed ? sub.readInt() : sub.readUint());
    } else if (wireType === WireType.VARINT) {
      out.push(signed ? this.readInt() : this.readUint());
    } else {
      this.fail(`expected a varint or packed field, got wire type ${wireType}`);
    }
  }

  /** Repeated float (fixed32) field: unpacked or packed. */
  readRepeatedFloat(wireType: WireTypeValue, out: number[]): void {
    if (wireType === WireType.LEN) {
      const sub = this.readMessage();
      if ((sub.end - sub.pos) % 4 !== 0) this.fail('packed float field length is not a multiple of 4', sub.pos);
      while (!sub.done) out.push(sub.readFloat());
    } else if (wireType === WireType.I32) {
      out.push(this.readFloat());
    } else {
      this.fail(`expected a float or packed field, got wire type ${wireType}`);
    }
  }

  /** Repeated double (fixed64) field: unpacked or packed. */
  readRepeatedDouble(wireType: WireTypeValue, out: number[]): void {
    if (wireType === WireType.LEN) {
      const sub = this.readMessage();
      if ((sub.end - sub.pos) % 8 !== 0) this.fail('packed double field length is not a multiple of 8', sub.pos);
      while (!sub.done) out.push(sub.readDouble());
    } else if (wireType === WireType.I64) {
      out.push(this.readDouble());
    } else {
      this.fail(`expected a double or packed field, got wire type ${wireType}`);
    }
  }

  /** Checks that a field has the wire type its schema says (corrupt files otherwise misparse). */
  expect(tag: Tag, wireType: WireTypeValue, what: string): void {
    if (tag.wireType !== wireType) {
      this.fail(`${what} (field ${tag.field}) has wire type ${tag.wireType}, expected ${wireType}`);
    }
  }
}

export const utf8 = new TextDecoder('utf-8');
