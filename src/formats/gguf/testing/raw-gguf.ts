// Test helper: hand-assembles GGUF bytes field by field, so tests can write what the writer
// never would (bad magic, wrong counts, overlapping offsets…).

export class RawGguf {
  private parts: number[] = [];

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u32(v: number): this {
    for (let i = 0; i < 4; i++) this.parts.push((v >>> (8 * i)) & 0xff);
    return this;
  }
  i32(v: number): this {
    return this.u32(v >>> 0);
  }
  u64(v: number | bigint): this {
    let b = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < 8; i++) {
      this.parts.push(Number(b & 0xffn));
      b >>= 8n;
    }
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.u64(b.byteLength);
    for (const x of b) this.parts.push(x);
    return this;
  }
  header(tensorCount: number | bigint, kvCount: number | bigint, version = 3): this {
    return this.u32(0x46554747).u32(version).u64(tensorCount).u64(kvCount);
  }
  /** Tensor info: name, dims (ggml order), ggml type id, offset. */
  tensorInfo(name: string, dims: (number | bigint)[], type: number, offset: number | bigint): this {
    this.str(name).u32(dims.length);
    for (const d of dims) this.u64(d);
    return this.i32(type).u64(offset);
  }
  padTo(alignment: number): this {
    while (this.parts.length % alignment) this.parts.push(0);
    return this;
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
