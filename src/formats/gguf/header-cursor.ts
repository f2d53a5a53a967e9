// Sequential little-endian reads of a file header through a ByteSource, one chunk at a time, so
// a GGUF header of any size is parsed without loading the tensor data. Every read is checked
// against the file size first: a short file is a FormatError at the offset where it ran out.
import type { ByteSource } from '../../core/byte-source';
import { FormatError } from '../../core/errors';

const DEFAULT_CHUNK_BYTES = 1 << 20;
const utf8 = new TextDecoder('utf-8');

export class HeaderCursor {
  /** Absolute file offset of the next byte to read. */
  pos = 0;
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private bufStart = 0;

  constructor(
    readonly source: ByteSource,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {}

  get fileBytes(): number {
    return this.source.byteLength;
  }

  /** Bytes between the cursor and the end of the file. */
  get remaining(): number {
    return this.source.byteLength - this.pos;
  }

  fail(message: string, byteOffset = this.pos): never {
    throw new FormatError(message, byteOffset, this.source.name);
  }

  /** Makes the next `byteLength` bytes available; `what` names the field for the error message. */
  async need(byteLength: number, what: string): Promise<void> {
    if (byteLength > this.remaining) {
      this.fail(`file is truncated: ${what} needs ${byteLength} bytes but only ${this.remaining} remain`);
    }
    const end = this.pos + byteLength;
    if (this.pos >= this.bufStart && end <= this.bufStart + this.buf.byteLength) return;
    const readBytes = Math.min(Math.max(byteLength, this.chunkBytes), this.remaining);
    const bytes = await this.source.read(this.pos, readBytes);
    // Copy so the DataView starts at offset 0 of its own buffer.
    this.buf = bytes.slice();
    this.view = new DataView(this.buf.buffer);
    this.bufStart = this.pos;
  }

  private at(byteLength: number): number {
    const i = this.pos - this.bufStart;
    if (i < 0 || i + byteLength > this.buf.byteLength) {
      throw new Error(`Internal error: HeaderCursor read of ${byteLength} bytes at ${this.pos} without need()`);
    }
    this.pos += byteLength;
    return i;
  }

  u8(): number {
    return this.view.getUint8(this.at(1));
  }
  i8(): number {
    return this.view.getInt8(this.at(1));
  }
  u16(): number {
    return this.view.getUint16(this.at(2), true);
  }
  i16(): number {
    return this.view.getInt16(this.at(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.at(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.at(4), true);
  }
  f32(): number {
    return this.view.getFloat32(this.at(4), true);
  }
  f64(): number {
    return this.view.getFloat64(this.at(8), true);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.at(8), true);
  }
  i64(): bigint {
    return this.view.getBigInt64(this.at(8), true);
  }

  /** A u64/i64 count or size that must fit a JS number; `what` names it for the error. */
  safeCount(value: bigint, what: string, at: number): number {
    if (value < 0n) this.fail(`${what} is negative (${value})`, at);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${value} is too large`, at);
    return Number(value);
  }

  /** Copies the next `byteLength` bytes (call need() first). */
  bytes(byteLength: number): Uint8Array {
    const i = this.at(byteLength);
    return this.buf.slice(i, i + byteLength);
  }

  /** A GGUF string: u64 byte length, then UTF-8 bytes (no terminator). */
  async string(what: string): Promise<string> {
    const at = this.pos;
    await this.need(8, `${what} length`);
    const byteLength = this.safeCount(this.u64(), `${what} length`, at);
    if (byteLength > this.remaining) {
      this.fail(`${what} length ${byteLength} runs past the end of the file (${this.remaining} bytes left)`, at);
    }
    await this.need(byteLength, what);
    const i = this.at(byteLength);
    return utf8.decode(this.buf.subarray(i, i + byteLength));
  }
}
