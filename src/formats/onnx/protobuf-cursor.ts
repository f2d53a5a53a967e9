// Buffered async protobuf cursor over a ByteSource (DESIGN decision 2): reads the file in
// windows (up to 256 KiB, so at most one window of weight bytes is read where the nodes end) and can step over a LEN payload without reading it, so parsing a graph
// does not read the weight bytes. After a skip the next window starts small (512 B) and doubles
// while reading stays sequential, so a tensor header pulls in at most 512 B of the data after it.
// Offsets are absolute file offsets.
import type { ByteSource } from '../../core/byte-source';
import { FormatError } from '../../core/errors';
import { type Tag, type WireTypeValue, WireType, decodeVarint, splitTag, toInt64, toUint } from './protobuf-reader';

export const DEFAULT_WINDOW_BYTES = 256 << 10;
export const MIN_WINDOW_BYTES = 512;

export class ProtoCursor {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private nextWindowBytes = MIN_WINDOW_BYTES;
  /** Absolute offset of the next byte to read. */
  pos = 0;

  constructor(
    readonly source: ByteSource,
    private readonly windowBytes = DEFAULT_WINDOW_BYTES,
  ) {}

  private fail(message: string, at = this.pos): never {
    throw new FormatError(message, at, this.source.name);
  }

  /** Makes bytes [pos, pos + n) available in the window (n may be cut at `limit`). */
  private async ensure(n: number, limit: number): Promise<void> {
    const want = Math.min(n, limit - this.pos);
    if (this.pos >= this.windowStart && this.pos + want <= this.windowStart + this.window.length) return;
    const len = Math.min(Math.max(want, this.nextWindowBytes), this.source.byteLength - this.pos);
    if (len < want) this.fail(`file is truncated: needs ${want} bytes, the file has ${this.source.byteLength - this.pos} left`);
    this.window = await this.source.read(this.pos, len);
    this.windowStart = this.pos;
    this.nextWindowBytes = Math.min(this.windowBytes, Math.max(MIN_WINDOW_BYTES, len * 2));
  }

  private async rawVarint(limit: number): Promise<number | bigint> {
    await this.ensure(10, limit);
    const local = this.pos - this.windowStart;
    const avail = Math.min(this.window.length, limit - this.windowStart);
    const [v, next] = decodeVarint(this.window.subarray(0, avail), local, this.windowStart, this.source.name);
    this.pos = this.windowStart + next;
    return v;
  }

  async readTag(limit: number): Promise<Tag> {
    const at = this.pos;
    return splitTag(toUint(await this.rawVarint(limit), at, this.source.name), at, this.source.name);
  }

  async readUint(limit: number): Promise<number> {
    const at = this.pos;
    return toUint(await this.rawVarint(limit), at, this.source.name);
  }

  async readInt(limit: number): Promise<number> {
    const at = this.pos;
    return toInt64(await this.rawVarint(limit), at, this.source.name);
  }

  /** Length prefix of a LEN record; the payload must end by `limit`. */
  async readLength(limit: number): Promise<number> {
    const at = this.pos;
    const len = await this.readUint(limit);
    if (this.pos + len > limit) {
      const what = limit === this.source.byteLength ? 'the file' : 'its message';
      this.fail(`file is truncated: a field of ${len} bytes runs past the end of ${what} (${limit - this.pos} bytes left)`, at);
    }
    return len;
  }

  /** Reads `n` bytes at the cursor (a view of the window when it fits, else a direct read). */
  async readBytes(n: number, limit: number): Promise<Uint8Array> {
    if (this.pos + n > limit) this.fail(`file is truncated: needs ${n} bytes, ${limit - this.pos} left`);
    let out: Uint8Array;
    if (n <= this.windowBytes) {
      await this.ensure(n, limit);
      const local = this.pos - this.windowStart;
      out = this.window.subarray(local, local + n);
    } else {
      out = await this.source.read(this.pos, n);
    }
    this.pos += n;
    return out;
  }

  /** Bytes [start, end) of the source, from the window when they are in it. */
  async slice(start: number, end: number): Promise<Uint8Array> {
    if (start >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(start - this.windowStart, end - this.windowStart);
    }
    return this.source.read(start, end - start);
  }

  /** Moves past `n` bytes without reading them. */
  skipBytes(n: number, limit: number): void {
    if (this.pos + n > limit) this.fail(`file is truncated: needs ${n} bytes, ${limit - this.pos} left`);
    this.pos += n;
    if (this.pos > this.windowStart + this.window.length) this.nextWindowBytes = MIN_WINDOW_BYTES;
  }

  /** Skips the payload of a field whose tag was just read. */
  async skip(wireType: WireTypeValue, limit: number): Promise<void> {
    switch (wireType) {
      case WireType.VARINT:
        await this.rawVarint(limit);
        return;
      case WireType.I64:
        this.skipBytes(8, limit);
        return;
      case WireType.I32:
        this.skipBytes(4, limit);
        return;
      case WireType.LEN:
        this.skipBytes(await this.readLength(limit), limit);
        return;
    }
  }
}
