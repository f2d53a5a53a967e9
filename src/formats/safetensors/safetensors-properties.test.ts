// Property tests (fast-check) for the safetensors reader and writer: write → read round trips;
// truncations and flipped bytes give a valid parse or a FormatError, never another error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../../core/byte-sink';
import { bytesSource } from '../../core/byte-source';
import { FormatError } from '../../core/errors';
import { openSafetensors, readSafetensorsTensor, SAFETENSORS_DTYPE_BITS } from './safetensors-reader';
import { writeSafetensors } from './safetensors-writer';

const DTYPES = Object.keys(SAFETENSORS_DTYPE_BITS).filter((d) => SAFETENSORS_DTYPE_BITS[d] % 8 === 0);

const tensorsArb = fc.uniqueArray(
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }).filter((n) => n !== '__metadata__'), fc.constantFrom(...DTYPES), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.nat()),
  { selector: ([n]) => n, maxLength: 5 },
).map((list) => list.map(([name, dtype, shape, seed]) => {
  const n = (shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BITS[dtype]) / 8;
  const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);
  return { name, dtype, shape, bytes, data: () => bytes };
}));

const metadataArb = fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 });

async function write(tensors: Parameters<typeof writeSafetensors>[1], metadata: Record<string, string>): Promise<Uint8Array> {
  const sink = blobSink();
  await writeSafetensors(sink, tensors, metadata);
  return concatChunks(sink.chunks);
}

async function validOrFormatError(bytes: Uint8Array): Promise<void> {
  try {
    const f = await openSafetensors(bytesSource(bytes, 'fuzz.safetensors'));
    for (const t of f.tensors) expect((await readSafetensorsTensor(f, t)).byteLength).toBe(t.byteLength);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
  }
}

describe('safetensors properties', () => {
  it('write → read keeps names, dtypes, shapes, metadata and bytes', async () => {
    await fc.assert(fc.asyncProperty(tensorsArb, metadataArb, async (tensors, metadata) => {
      const f = await openSafetensors(bytesSource(await write(tensors, metadata), 'rt.safetensors'));
      expect(f.headerBytes % 8).toBe(0);
      expect(f.metadata).toEqual(metadata);
      expect(f.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(tensors.map((t) => [t.name, t.dtype, t.shape]));
      for (let i = 0; i < tensors.length; i++) expect(await readSafetensorsTensor(f, f.tensors[i])).toEqual(tensors[i].bytes);
    }), { numRuns: 150 });
  });

  it('every proper truncation is a FormatError (the data length is exact)', async () => {
    await fc.assert(fc.asyncProperty(tensorsArb, metadataArb, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), async (tensors, metadata, frac) => {
      const bytes = await write(tensors, metadata);
      const cut = Math.floor(bytes.byteLength * frac);
      await expect(openSafetensors(bytesSource(bytes.subarray(0, cut), 'cut.safetensors'))).rejects.toThrow(FormatError);
    }), { numRuns: 150 });
  });

  it('flipped bytes give a valid parse or a FormatError', async () => {
    await fc.assert(fc.asyncProperty(
      tensorsArb, metadataArb,
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      async (tensors, metadata, flips) => {
        const bytes = (await write(tensors, metadata)).slice();
        for (const [pos, v] of flips) bytes[Math.floor(pos * bytes.byteLength)] = v;
        await validOrFormatError(bytes);
      },
    ), { numRuns: 300 });
  });
});
