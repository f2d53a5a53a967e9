// Property tests (fast-check) for the GGUF reader and writer (STYLE.md "Tests"): write → read
// round trips keep every value; truncated, byte-flipped or absurdly patched files give either a
// valid parse or a typed error (FormatError, or UnsupportedModelError for a flipped version),
// never a RangeError, a hang or a huge allocation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../core/byte-source';
import { FormatError, UnsupportedModelError } from '../../core/errors';
import { GGML_TYPES } from '../../core/ggml-types';
import { openGguf, readGgufTensor } from './gguf-reader';
import type { GgufTensorToWrite } from './gguf-writer';
import type { GgufMetadata, GgufValue } from './gguf-value';
import { buildGguf } from './testing/build-gguf';

const SAFE_TYPES = GGML_TYPES.filter((t) => t.blockSize <= 64);

const scalarValue: fc.Arbitrary<GgufValue> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((value) => ({ type: 'u8', value }) as GgufValue),
  fc.integer({ min: -128, max: 127 }).map((value) => ({ type: 'i8', value }) as GgufValue),
  fc.integer({ min: 0, max: 65535 }).map((value) => ({ type: 'u16', value }) as GgufValue),
  fc.integer({ min: -32768, max: 32767 }).map((value) => ({ type: 'i16', value }) as GgufValue),
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ type: 'u32', value }) as GgufValue),
  fc.integer().map((value) => ({ type: 'i32', value }) as GgufValue),
  fc.float({ noNaN: true }).map((value) => ({ type: 'f32', value }) as GgufValue),
  fc.double({ noNaN: true }).map((value) => ({ type: 'f64', value }) as GgufValue),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ type: 'u64', value }) as GgufValue),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ type: 'i64', value }) as GgufValue),
  fc.boolean().map((value) => ({ type: 'bool', value }) as GgufValue),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((value) => ({ type: 'string', value }) as GgufValue),
);

const arrayValue: fc.Arbitrary<GgufValue> = fc.oneof(
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 6 }).map((value) => ({ type: 'array', elementType: 'string', value }) as GgufValue),
  fc.array(fc.float({ noNaN: true }), { maxLength: 6 }).map((v) => ({ type: 'array', elementType: 'f32', value: Float32Array.from(v) }) as GgufValue),
  fc.array(fc.integer(), { maxLength: 6 }).map((v) => ({ type: 'array', elementType: 'i32', value: Int32Array.from(v) }) as GgufValue),
  fc.array(fc.boolean(), { maxLength: 6 }).map((value) => ({ type: 'array', elementType: 'bool', value }) as GgufValue),
  fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 4 }).map((v) => ({ type: 'array', elementType: 'u64', value: BigUint64Array.from(v) }) as GgufValue),
);

const metadataArb: fc.Arbitrary<GgufMetadata> = fc
  .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(scalarValue, arrayValue)), { selector: ([k]) => k, maxLength: 8 })
  .map((entries) => new Map(entries.filter(([k]) => k !== 'general.alignment')));

const tensorArb = fc.record({
  typeIndex: fc.nat({ max: SAFE_TYPES.length - 1 }),
  rows: fc.integer({ min: 0, max: 3 }),
  blocks: fc.integer({ min: 1, max: 3 }),
  seed: fc.nat(),
});

const tensorsArb = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9._]{0,20}$/), tensorArb), { selector: ([n]) => n, maxLength: 5 })
  .map((list) => list.map(([name, t]): GgufTensorToWrite & { bytes: Uint8Array } => {
    const type = SAFE_TYPES[t.typeIndex];
    const shape = t.rows ? [t.rows, t.blocks * type.blockSize] : [t.blocks * type.blockSize];
    const byteLength = (shape.reduce((a, b) => a * b, 1) / type.blockSize) * type.blockBytes;
    const bytes = Uint8Array.from({ length: byteLength }, (_, i) => (i * 31 + t.seed) & 0xff);
    return { name, shape, type: type.name, bytes, data: () => bytes };
  }));

/** Parses, then reads every tensor: the whole reader surface a caller would touch. */
async function parseFully(bytes: Uint8Array): Promise<void> {
  const g = await openGguf(bytesSource(bytes, 'fuzz.gguf'));
  for (const t of g.tensors) expect((await readGgufTensor(g, t)).byteLength).toBe(t.byteLength);
}

async function expectValidOrTypedError(bytes: Uint8Array): Promise<void> {
  try {
    await parseFully(bytes);
  } catch (e) {
    if (!(e instanceof FormatError || e instanceof UnsupportedModelError)) throw e;
  }
}

describe('GGUF properties', () => {
  it('write → read keeps every metadata value and tensor byte', async () => {
    await fc.assert(
      fc.asyncProperty(metadataArb, tensorsArb, async (metadata, tensors) => {
        const bytes = await buildGguf(metadata, tensors);
        const g = await openGguf(bytesSource(bytes, 'rt.gguf'));
        expect([...g.metadata.entries()]).toEqual([...metadata.entries()]);
        expect(g.tensors.map((t) => [t.name, t.type.name, t.shape])).toEqual(tensors.map((t) => [t.name, t.type, t.shape]));
        for (let i = 0; i < tensors.length; i++) expect(await readGgufTensor(g, g.tensors[i])).toEqual(tensors[i].bytes);
      }),
      { numRuns: 150 },
    );
  });

  it('every truncation is a valid prefix parse or a FormatError', async () => {
    await fc.assert(
      fc.asyncProperty(metadataArb, tensorsArb, fc.double({ min: 0, max: 1, noNaN: true }), async (metadata, tensors, frac) => {
        const bytes = await buildGguf(metadata, tensors);
        const cut = Math.floor(bytes.byteLength * frac);
        try {
          await parseFully(bytes.subarray(0, cut));
        } catch (e) {
          expect(e).toBeInstanceOf(FormatError);
          return;
        }
        // Only zero padding (after the last tensor, or after a tensor-less header) may go missing.
        const g = await openGguf(bytesSource(bytes, 'full.gguf'));
        if (g.tensors.length) expect(cut).toBeGreaterThanOrEqual(Math.max(g.dataOffset, ...g.tensors.map((t) => t.byteOffset + t.byteLength)));
      }),
      { numRuns: 150 },
    );
  });

  it('flipped bytes give a valid parse or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        metadataArb, tensorsArb,
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (metadata, tensors, flips) => {
          const bytes = (await buildGguf(metadata, tensors)).slice();
          for (const [pos, value] of flips) bytes[Math.floor(pos * bytes.byteLength)] = value;
          await expectValidOrTypedError(bytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('absurd u64 counts, lengths, dims and offsets are rejected without allocating', async () => {
    // A file with one KV string and one 2-D F32 tensor; patch each u64 field with huge values.
    const metadata: GgufMetadata = new Map([['k', { type: 'string', value: 'v' }], ['a', { type: 'array', elementType: 'f32', value: new Float32Array(2) }]]);
    const bytes = await buildGguf(metadata, [{ name: 't', shape: [2, 8], type: 'F32', data: () => new Uint8Array(64) }]);
    // counts @8 @16; key length @24; string value length @37; key length @46; array count @63;
    // tensor name length @79; dims @92 @100; offset @112.
    const u64Fields = [8, 16, 24, 37, 46, 63, 79, 92, 100, 112];
    expect(new DataView(bytes.buffer).getBigUint64(63, true)).toBe(2n);
    expect(new DataView(bytes.buffer).getBigUint64(100, true)).toBe(2n);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...u64Fields), fc.bigInt({ min: 2n ** 31n, max: 2n ** 64n - 1n }), async (at, value) => {
        const patched = bytes.slice();
        new DataView(patched.buffer).setBigUint64(at, value, true);
        await expectValidOrTypedError(patched);
      }),
      { numRuns: 200 },
    );
  });
});
