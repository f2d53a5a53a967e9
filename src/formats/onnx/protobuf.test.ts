// Protobuf codec: varints at the edges, packed and unpacked repeated scalars, unknown fields,
// and write→read round trips of random records (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../core/errors';
import { ProtoReader, WireType } from './protobuf-reader';
import { RecordWriter, encodeVarint, varintSize } from './protobuf-writer';

const read = (bytes: number[] | Uint8Array) => new ProtoReader(Uint8Array.from(bytes));

describe('varints', () => {
  it('encodes and decodes the edges of the safe range', () => {
    for (const v of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const bytes = encodeVarint(v);
      expect(bytes.length).toBe(varintSize(v));
      expect(read(bytes).readUint()).toBe(v);
    }
    expect(encodeVarint(300)).toEqual([0xac, 0x02]);
  });

  it('reads negative int64 as 10-byte two’s complement', () => {
    const bytes = encodeVarint(-1);
    expect(bytes).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(read(bytes).readInt()).toBe(-1);
    expect(read(encodeVarint(-(2 ** 40))).readInt()).toBe(-(2 ** 40));
  });

  it('rejects values beyond 2^53, overlong and truncated varints with FormatError', () => {
    const big = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]; // 2^56
    expect(() => read(big).readUint()).toThrow(/exceeds 2\^53/);
    expect(() => read(big).readInt()).toThrow(FormatError);
    expect(() => read(new Array(11).fill(0x80)).readUint()).toThrow(/longer than 10 bytes/);
    expect(() => read([0x80, 0x80]).readUint()).toThrow(/truncated inside a varint \(at byte 2\)/);
  });
});

describe('records', () => {
  it('reads packed and unpacked repeated ints and floats alike', () => {
    const w = new RecordWriter().ints(1, [3, -4, 5]).packedInts(1, [6, 7]).float(2, 1.5).packedFloats(2, [2.5, -3]);
    const r = read(w.finish());
    const ints: number[] = [];
    const floats: number[] = [];
    while (!r.done) {
      const tag = r.readTag();
      if (tag.field === 1) r.readRepeatedInt(tag.wireType, ints);
      else r.readRepeatedFloat(tag.wireType, floats);
    }
    expect(ints).toEqual([3, -4, 5, 6, 7]);
    expect(floats).toEqual([1.5, 2.5, -3]);
  });

  it('skips unknown fields of every wire type', () => {
    const w = new RecordWriter().int(50, 123456789).double(51, 1.25).float(52, 2).string(53, 'skip me').string(1, 'kept');
    const r = read(w.finish());
    let kept = '';
    while (!r.done) {
      const tag = r.readTag();
      if (tag.field === 1) kept = r.readString();
      else r.skip(tag.wireType);
    }
    expect(kept).toBe('kept');
  });

  it('rejects group wire types and a length past the end', () => {
    expect(() => read([(1 << 3) | 3]).readTag()).toThrow(/unsupported protobuf wire type 3/);
    const r = read([0x0a, 0x05, 0x61]);
    r.readTag();
    expect(() => r.readBytes()).toThrow(/runs past the end of its message/);
  });

  it('round-trips random records', () => {
    type Rec = { kind: 'int'; v: number } | { kind: 'str'; v: string } | { kind: 'float'; v: number } | { kind: 'packed'; v: number[] };
    const rec = fc.oneof(
      fc.record({ kind: fc.constant('int' as const), v: fc.maxSafeInteger() }),
      fc.record({ kind: fc.constant('str' as const), v: fc.string() }),
      fc.record({ kind: fc.constant('float' as const), v: fc.float({ noNaN: true }) }),
      fc.record({ kind: fc.constant('packed' as const), v: fc.array(fc.maxSafeInteger(), { maxLength: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 30 }), (recs: Rec[]) => {
        const w = new RecordWriter();
        recs.forEach((x, i) => {
          const field = i + 1;
          if (x.kind === 'int') w.int(field, x.v);
          else if (x.kind === 'str') w.string(field, x.v);
          else if (x.kind === 'float') w.float(field, x.v);
          else w.packedInts(field, x.v);
        });
        const r = read(w.finish());
        const back: Rec[] = [];
        while (!r.done) {
          const tag = r.readTag();
          const x = recs[tag.field - 1];
          if (x.kind === 'int') back.push({ kind: 'int', v: r.readInt() });
          else if (x.kind === 'str') back.push({ kind: 'str', v: r.readString() });
          else if (x.kind === 'float') { expect(tag.wireType).toBe(WireType.I32); back.push({ kind: 'float', v: r.readFloat() }); }
          else { const v: number[] = []; r.readRepeatedInt(tag.wireType, v); back.push({ kind: 'packed', v }); }
        }
        expect(back).toEqual(recs.map((x) => (x.kind === 'float' ? { ...x, v: Math.fround(x.v) } : x)));
      }),
    );
  });
});
