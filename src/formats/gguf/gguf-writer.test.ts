// GGUF writer: byte-identical copies of llama.cpp's own files, every metadata value type through
// a write → read round trip, sizes known before writing, and its usage errors.
import { describe, expect, it } from 'vitest';
import { blobSink, concatChunks, countingSink } from '../../core/byte-sink';
import { bytesSource } from '../../core/byte-source';
import { UsageError } from '../../core/errors';
import { openGguf, readGgufTensor } from './gguf-reader';
import { ggufFileBytes, writeGguf, type GgufTensorToWrite } from './gguf-writer';
import type { GgufMetadata, GgufValue } from './gguf-value';
import { buildGguf } from './testing/build-gguf';
import { fixtureSource, itWithFixtures } from './testing/fixtures';

const EVERY_TYPE: [string, GgufValue][] = [
  ['t.u8', { type: 'u8', value: 255 }],
  ['t.i8', { type: 'i8', value: -128 }],
  ['t.u16', { type: 'u16', value: 65535 }],
  ['t.i16', { type: 'i16', value: -32768 }],
  ['t.u32', { type: 'u32', value: 0xffffffff }],
  ['t.i32', { type: 'i32', value: -0x80000000 }],
  ['t.f32', { type: 'f32', value: Math.fround(1e-5) }],
  ['t.bool', { type: 'bool', value: true }],
  ['t.string', { type: 'string', value: 'Ġhello · ünïcode ✓' }],
  ['t.u64', { type: 'u64', value: 0xffffffffffffffffn }],
  ['t.i64', { type: 'i64', value: -(2n ** 63n) }],
  ['t.f64', { type: 'f64', value: Math.PI }],
  ['a.u8', { type: 'array', elementType: 'u8', value: new Uint8Array([0, 1, 255]) }],
  ['a.i8', { type: 'array', elementType: 'i8', value: new Int8Array([-128, 127]) }],
  ['a.u16', { type: 'array', elementType: 'u16', value: new Uint16Array([1, 65535]) }],
  ['a.i16', { type: 'array', elementType: 'i16', value: new Int16Array([-1, 2]) }],
  ['a.u32', { type: 'array', elementType: 'u32', value: new Uint32Array([7, 0xffffffff]) }],
  ['a.i32', { type: 'array', elementType: 'i32', value: new Int32Array([3, 1, -6]) }],
  ['a.f32', { type: 'array', elementType: 'f32', value: new Float32Array([0.5, -0, Infinity]) }],
  ['a.f64', { type: 'array', elementType: 'f64', value: new Float64Array([1e300]) }],
  ['a.u64', { type: 'array', elementType: 'u64', value: new BigUint64Array([1n, 2n ** 64n - 1n]) }],
  ['a.i64', { type: 'array', elementType: 'i64', value: new BigInt64Array([-5n]) }],
  ['a.bool', { type: 'array', elementType: 'bool', value: [true, false, true] }],
  ['a.string', { type: 'array', elementType: 'string', value: ['a b', '', 'Ġt'] }],
  ['a.empty', { type: 'array', elementType: 'f32', value: new Float32Array(0) }],
];

const tensor = (name: string, shape: number[], type: string, bytes: Uint8Array): GgufTensorToWrite => ({ name, shape, type, data: () => bytes });
const seq = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

describe('GGUF writer', () => {
  it('round-trips metadata of every value type and tensors of several types', async () => {
    const metadata: GgufMetadata = new Map([['general.architecture', { type: 'string', value: 'llama' }], ...EVERY_TYPE]);
    const tensors = [
      tensor('w.q4_k', [3, 512], 'Q4_K', seq(3 * 2 * 144)),
      tensor('norm', [5], 'F32', seq(20)),
      tensor('w.q8_0', [2, 2, 64], 'Q8_0', seq(4 * 2 * 34)),
      tensor('empty', [0, 32], 'F16', new Uint8Array(0)),
    ];
    const bytes = await buildGguf(metadata, tensors);
    expect(bytes.byteLength).toBe(ggufFileBytes(metadata, tensors));
    const g = await openGguf(bytesSource(bytes, 'rt.gguf'));
    expect([...g.metadata.keys()]).toEqual([...metadata.keys()]);
    for (const [k, v] of metadata) expect(g.metadata.get(k), k).toEqual(v);
    expect(g.tensors.map((t) => [t.name, t.type.name, t.shape, t.dims])).toEqual([
      ['w.q4_k', 'Q4_K', [3, 512], [512, 3]],
      ['norm', 'F32', [5], [5]],
      ['w.q8_0', 'Q8_0', [2, 2, 64], [64, 2, 2]],
      ['empty', 'F16', [0, 32], [32, 0]],
    ]);
    for (const t of g.tensors) {
      expect(t.byteOffset % 32).toBe(0);
      expect(await readGgufTensor(g, t)).toEqual(await tensors.find((x) => x.name === t.name)!.data());
    }
    // Zero padding after the last tensor too: the file ends on the alignment.
    expect(bytes.byteLength % 32).toBe(0);
  });

  it('honours general.alignment and pads with zeros', async () => {
    const metadata: GgufMetadata = new Map([['general.alignment', { type: 'u32', value: 64 }]]);
    const bytes = await buildGguf(metadata, [tensor('a', [3], 'F32', new Uint8Array(12).fill(0xff)), tensor('b', [1], 'F32', new Uint8Array(4).fill(0xee))]);
    const g = await openGguf(bytesSource(bytes, 'a.gguf'));
    expect(g.alignment).toBe(64);
    expect(g.dataOffset % 64).toBe(0);
    expect(g.tensors.map((t) => t.relativeOffset)).toEqual([0, 64]);
    expect(Array.from(bytes.subarray(g.dataOffset + 12, g.dataOffset + 64)).every((b) => b === 0)).toBe(true);
    expect(bytes.byteLength).toBe(g.dataOffset + 128);
  });

  it('rejects bad input with UsageError before or while streaming', async () => {
    const m: GgufMetadata = new Map();
    await expect(writeGguf(countingSink(), m, [tensor('a', [4], 'F32', new Uint8Array(15))])).rejects.toThrow(/must be 16 bytes, got 15/);
    await expect(writeGguf(countingSink(), m, [tensor('a', [2, 48], 'Q4_0', new Uint8Array(0))])).rejects.toThrow(/row length 48 is not a multiple of the Q4_0 block size 32/);
    await expect(writeGguf(countingSink(), m, [tensor('a', [1], 'Q9_9', new Uint8Array(0))])).rejects.toThrow(UsageError);
    await expect(writeGguf(countingSink(), m, [tensor('a', [1], 'F32', seq(4)), tensor('a', [1], 'F32', seq(4))])).rejects.toThrow(/listed twice/);
    await expect(writeGguf(countingSink(), new Map([['k', { type: 'u8', value: 256 }]]), [])).rejects.toThrow(/256 does not fit GGUF type u8/);
    await expect(writeGguf(countingSink(), new Map([['general.alignment', { type: 'u32', value: 48 }]]), [])).rejects.toThrow(/power of two/);
  });

  for (const path of ['models/tiny-llama/gguf/model-f32.gguf', 'models/small-llama/gguf/llama.cpp-quantized/model-Q4_K_M.gguf']) {
    itWithFixtures([path], `copies ${path.split('/').pop()} byte for byte (metadata, tensor infos, padding)`, async () => {
      const source = await fixtureSource(path);
      const g = await openGguf(source);
      const sink = blobSink();
      const result = await writeGguf(sink, g.metadata, g.tensors.map((t) => ({
        name: t.name, shape: t.shape, type: t.type.name, data: () => readGgufTensor(g, t),
      })));
      expect(result.dataOffset).toBe(g.dataOffset);
      const written = concatChunks(sink.chunks);
      const original = await source.read(0, source.byteLength);
      expect(written.byteLength).toBe(original.byteLength);
      let firstDiff = -1;
      for (let i = 0; i < written.byteLength && firstDiff < 0; i++) if (written[i] !== original[i]) firstDiff = i;
      expect(firstDiff).toBe(-1);
    });
  }
});
