// Little-endian encoder for GGUF headers that streams to a ByteSink in chunks (never the whole
// header in one buffer) and checks each value fits its stored type. docs/FORMATS.md §4.1.
import type { ByteSink } from '../../core/byte-sink';
import { UsageError } from '../../core/errors';
import { GGUF_SCALAR_BYTES, GGUF_VALUE_TYPE, type GgufScalarType, type GgufValue } from './gguf-value';

const FLUSH_BYTES = 1 << 20;
const utf8 = new TextEncoder();

const TYPED_ARRAYS = {
  u8: Uint8Array, i8: Int8Array, u16: Uint16Array, i16: Int16Array, u32: Uint32Array, i32: Int32Array,
  f32: Float32Array, f64: Float64Array, u64: BigUint64Array, i64: BigInt64Array,
} as const;

const INT_RANGES: Partial<Record<GgufScalarType, [number, number]>> = {
  u8: [0, 0xff], i8: [-0x80, 0x7f], u16: [0, 0xffff], i16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff], i32: [-0x80000000, 0x7fffffff],
};

export class GgufEncoder {
  private buf = new Uint8Array(FLUSH_BYTES);
  private view = new DataView(this.buf.buffer);
  private used = 0;
  /** Bytes handed to the sink or buffered so far. */
  position = 0;

  constructor(private readonly sink: ByteSink) {}

  private async room(byteLength: number): Promise<void> {
    if (this.used + byteLength <= this.buf.byteLength) return;
    await this.flush();
    if (byteLength > this.buf.byteLength) {
      this.buf = new Uint8Array(byteLength);
      this.view = new DataView(this.buf.buffer);
    }
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.sink.write(this.buf.subarray(0, this.used));
    // A fresh buffer: the sink may keep a reference to the one it was given.
    this.buf = new Uint8Array(Math.max(FLUSH_BYTES, this.buf.byteLength));
    this.view = new DataView(this.buf.buffer);
    this.used = 0;
  }

  async u32(v: number): Promise<void> {
    await this.scalar('u32', v);
  }

  async i32(v: number): Promise<void> {
    await this.scalar('i32', v);
  }

  async u64(v: number | bigint): Promise<void> {
    await this.scalar('u64', BigInt(v));
  }

  async bytes(b: Uint8Array): Promise<void> {
    await this.room(b.byteLength);
    this.buf.set(b, this.used);
    this.used += b.byteLength;
    this.position += b.byteLength;
  }

  async zeros(byteLength: number): Promise<void> {
    await this.bytes(new Uint8Array(byteLength));
  }

  async string(s: string): Promise<void> {
    const b = utf8.encode(s);
    await this.u64(b.byteLength);
    await this.bytes(b);
  }

  /** One scalar of a fixed-size type, range-checked. */
  async scalar(type: GgufScalarType, v: number | bigint | boolean | string, what: string = type): Promise<void> {
    if (type === 'string') return this.string(v as string);
    const n = GGUF_SCALAR_BYTES[type];
    await this.room(n);
    const at = this.used;
    const dv = this.view;
    const range = INT_RANGES[type];
    if (range && (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1])) {
      throw new UsageError(`${what}: ${String(v)} does not fit GGUF type ${type}`);
    }
    switch (type) {
      case 'u8': dv.setUint8(at, v as number); break;
      case 'i8': dv.setInt8(at, v as number); break;
      case 'u16': dv.setUint16(at, v as number, true); break;
      case 'i16': dv.setInt16(at, v as number, true); break;
      case 'u32': dv.setUint32(at, v as number, true); break;
      case 'i32': dv.setInt32(at, v as number, true); break;
      case 'f32': dv.setFloat32(at, v as number, true); break;
      case 'f64': dv.setFloat64(at, v as number, true); break;
      case 'bool': dv.setUint8(at, v ? 1 : 0); break;
      case 'u64':
        if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new UsageError(`${what}: ${String(v)} does not fit GGUF type u64`);
        dv.setBigUint64(at, v, true);
        break;
      case 'i64':
        if (typeof v !== 'bigint' || v < -(2n ** 63n) || v >= 2n ** 63n) throw new UsageError(`${what}: ${String(v)} does not fit GGUF type i64`);
        dv.setBigInt64(at, v, true);
        break;
    }
    this.used += n;
    this.position += n;
  }

  /** A KV pair: key, value type, value (arrays: element type, count, elements). */
  async keyValue(key: string, value: GgufValue): Promise<void> {
    if (!key) throw new UsageError('GGUF metadata keys must not be empty');
    await this.string(key);
    await this.scalar('i32', GGUF_VALUE_TYPE[value.type]);
    if (value.type !== 'array') return this.scalar(value.type, value.value, key);
    await this.scalar('i32', GGUF_VALUE_TYPE[value.elementType]);
    await this.u64(value.value.length);
    const items = value.value;
    if (value.elementType === 'string' || value.elementType === 'bool') {
      for (let i = 0; i < items.length; i++) await this.scalar(value.elementType, (items as ArrayLike<string | boolean>)[i], key);
      return;
    }
    // Typed arrays hold in-range values already: copy their little-endian bytes in one go.
    const ctor = TYPED_ARRAYS[value.elementType];
    if (!(items instanceof ctor)) throw new UsageError(`${key}: an array of ${value.elementType} must be a ${ctor.name}`);
    const view = items as ArrayBufferView;
    await this.bytes(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
}

/** Bytes a KV pair takes (for sizing the header without writing it). */
export function keyValueBytes(key: string, value: GgufValue): number {
  const str = (s: string) => 8 + utf8.encode(s).byteLength;
  let n = str(key) + 4;
  if (value.type === 'string') return n + str(value.value);
  if (value.type !== 'array') return n + GGUF_SCALAR_BYTES[value.type];
  n += 4 + 8;
  if (value.elementType === 'string') for (const s of value.value as string[]) n += str(s);
  else n += value.value.length * GGUF_SCALAR_BYTES[value.elementType];
  return n;
}
