// Lazy ONNX reader: graph and initializer descriptors of the fixtures and a synthetic graph,
// weight bytes left unread, external data, and the error messages for bad input (with fuzzing).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ByteSource, bytesSource } from '../../core/byte-source';
import { FormatError, MissingFileError, StudioError } from '../../core/errors';
import { describeWithFixtures, fixtureSource } from '../../core/testing/fixtures';
import { indexOnnx } from '../../model/onnx-index';
import { openOnnx, readInitializer, readInitializerFloats } from './onnx-reader';
import { externalize } from './testing/derived-models';
import { buildModel, mixedGraph, syntheticSource } from './testing/synthetic-models';

/** Wraps a source and records every range read. */
function countingSource(inner: ByteSource): ByteSource & { reads: [number, number][] } {
  const reads: [number, number][] = [];
  return { name: inner.name, byteLength: inner.byteLength, reads, read: (o, n) => (reads.push([o, n]), inner.read(o, n)) };
}

async function expectFormatError(p: Promise<unknown>, message: RegExp): Promise<FormatError> {
  const e = await p.then(() => undefined, (err) => err);
  expect(e).toBeInstanceOf(FormatError);
  expect((e as Error).message).toMatch(message);
  return e as FormatError;
}

describe('openOnnx on a synthetic graph', () => {
  it('parses nodes, attributes, value infos, typed and raw initializers', async () => {
    const m = await openOnnx([syntheticSource()]);
    expect(m.irVersion).toBe(8);
    expect(m.producerName).toBe('studio-test');
    expect(m.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(m.metadata).toEqual({ note: 'synthetic' });
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Gather', 'Mul', 'Gemm', 'Transpose', 'MatMul', 'Add', 'Reshape']);
    expect(m.graph.nodes[2].attributes).toEqual([{ name: 'transB', type: 2, i: 1 }]);
    expect(m.graph.nodes[3].attributes[0].ints).toEqual([1, 0]);
    expect(m.graph.inputs[0]).toMatchObject({ name: 'ids', dtype: 'i64', shape: ['batch', 4] });
    expect(m.graph.outputs[0]).toMatchObject({ name: 'z', dtype: 'f32', shape: ['n', 8] });
    const shape = m.initializerByName.get('shape')!;
    expect(shape.storage).toBe('typed');
    expect([...new BigInt64Array((await readInitializer(m, 'shape')).slice().buffer)]).toEqual([-1n, 8n]);
    const fc1 = await readInitializerFloats(m, 'fc1.weight');
    expect(fc1.length).toBe(32 * 16);
    expect(fc1[3]).toBeCloseTo(Math.sin(4), 6);
  });

  it('gives a valid parse or a StudioError on truncation and byte flips, never RangeError or a hang', async () => {
    const bytes = buildModel((await import('./testing/synthetic-models')).mixedGraph());
    await fc.assert(
      fc.asyncProperty(fc.nat(bytes.length - 1), fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }), async (cut, flips) => {
        const copy = bytes.slice(0, flips.length ? bytes.length : cut);
        for (const [at, x] of flips) copy[at] ^= x;
        try {
          const m = await openOnnx([bytesSource(copy, 'fuzz.onnx')]);
          indexOnnx(m);
        } catch (e) {
          if (!(e instanceof StudioError)) throw e;
          expect(['format', 'missing-file', 'unsupported']).toContain(e.code);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('openOnnx errors', () => {
  it('checks the byte count of element types without a Dtype (int4: two per byte) and refuses an unknown data_type', async () => {
    const withTensor = (dataType: number, bytes: number) =>
      syntheticSource({ ...mixedGraph(), initializers: [...mixedGraph().initializers, { name: 'packed', dims: [4, 4], raw: { dataType, bytes: new Uint8Array(bytes) } }] });
    const ok = await openOnnx([withTensor(22, 8)]);
    expect(ok.graph.initializers.find((t) => t.name === 'packed')).toMatchObject({ dtype: 'other', dataType: 22 });
    await expect(openOnnx([withTensor(22, 9)])).rejects.toThrow('tensor "packed" holds 9 bytes but dims [4, 4] of other need 8');
    await expect(openOnnx([withTensor(999, 16)])).rejects.toThrow('tensor "packed" has data_type 999, which is not an ONNX element type (1…26)');
    await expect(openOnnx([withTensor(999, 16)])).rejects.toBeInstanceOf(FormatError);
  });

  it('says a PNG, a text file, random bytes and an empty file are not ONNX models', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expectFormatError(openOnnx([bytesSource(png, 'cat.onnx')]), /cat\.onnx: not an ONNX model: .*a PNG image \(at byte 0\)/);
    const text = new TextEncoder().encode('hello, this is a README\n');
    await expectFormatError(openOnnx([bytesSource(text, 'README.onnx')]), /not an ONNX model: .*a text file/);
    const text2 = new TextEncoder().encode('Bonjour: "notes" (draft) 2');
    await expectFormatError(openOnnx([bytesSource(text2, 'notes.onnx')]), /not an ONNX model/);
    await expectFormatError(openOnnx([bytesSource(new Uint8Array(0), 'empty.onnx')]), /not an ONNX model: the file is empty/);
    const random = Uint8Array.from({ length: 256 }, (_, i) => (i * 97 + 31) & 0xff);
    await expectFormatError(openOnnx([bytesSource(random, 'random.onnx')]), /not an ONNX model/);
  });
});

describeWithFixtures('openOnnx on the fixtures', [['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  it('parses tiny-llama without reading the weight bytes', async () => {
    const src = countingSource(await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx'));
    const m = await openOnnx([src]);
    expect(m.graph.nodes.length).toBe(1038);
    expect(m.graph.initializers.length).toBe(39);
    expect(m.graph.inputs.map((i) => i.name).slice(0, 3)).toEqual(['input_ids', 'attention_mask', 'position_ids']);
    const weights = m.graph.initializers.map((t) => t.data);
    const weightBytes = weights.reduce((n, d) => n + d.byteLength, 0);
    let readInWeights = 0;
    let readTotal = 0;
    for (const [o, n] of src.reads) {
      readTotal += n;
      for (const d of weights) readInWeights += Math.max(0, Math.min(o + n, d.byteOffset + d.byteLength) - Math.max(o, d.byteOffset));
    }
    // Weight bytes read: at most one window where the nodes end (256 KiB) and 512 B after each
    // tensor header; everything else is stepped over.
    expect(readInWeights).toBeLessThanOrEqual((256 << 10) + 512 * weights.length);
    expect(readInWeights).toBeLessThan(weightBytes / 20);
    expect(readTotal).toBeLessThanOrEqual(src.byteLength - weightBytes + readInWeights + 4096);
    console.log(`opened tiny-llama reading ${readTotal} of ${src.byteLength} bytes (${readInWeights} of ${weightBytes} weight bytes) in ${src.reads.length} reads`);
    const emb = m.initializerByName.get('model.model.embed_tokens.weight')!;
    expect(emb).toMatchObject({ dtype: 'f32', dims: [4096, 128], storage: 'raw' });
    expect((await readInitializer(m, emb.name)).byteLength).toBe(4096 * 128 * 4);
  });

  it('reports a truncated file with the byte offset', async () => {
    const full = await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx');
    for (const cut of [40, 100_000, full.byteLength - 3]) {
      const bytes = await full.read(0, cut);
      const e = await expectFormatError(openOnnx([bytesSource(bytes, 'model.onnx')]), /truncated/);
      expect(e.byteOffset).toBeLessThanOrEqual(cut);
      expect(e.message).toMatch(/\(at byte \d+\)$/);
    }
  });

  it('survives byte flips in the graph section of a real model', async () => {
    const full = await (await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')).read(0, 7526296);
    await fc.assert(
      fc.asyncProperty(fc.nat(300_000), fc.integer({ min: 1, max: 255 }), async (at, x) => {
        const copy = full.slice();
        copy[at] ^= x;
        try {
          indexOnnx(await openOnnx([bytesSource(copy, 'model.onnx')]));
        } catch (e) {
          if (!(e instanceof StudioError)) throw e;
        }
      }),
      { numRuns: 25 },
    );
  });

  it('reads external data matched by base name, and names a missing data file', async () => {
    const base = await openOnnx([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
    const { model, data } = await externalize(base);
    const ext = await openOnnx([data, model]);
    expect(ext.file).toBe(model);
    expect(ext.graph.initializers.filter((t) => t.storage === 'external').length).toBe(30); // all but the 512-byte norms
    const a = indexOnnx(base);
    const b = indexOnnx(ext);
    expect(b.tensors).toEqual(a.tensors);
    expect(b.architecture).toBe(a.architecture);
    expect(b.fileBytes).toBe(model.byteLength + data.byteLength);
    for (const name of ['onnx::MatMul_1328', 'model.model.norm.weight']) {
      const [x, y] = [await readInitializer(ext, name), await readInitializer(base, name)];
      expect(x.byteLength).toBe(y.byteLength);
      expect(Buffer.from(x).equals(Buffer.from(y))).toBe(true);
    }
    const e = await openOnnx([model]).then(() => undefined, (err) => err);
    expect(e).toBeInstanceOf(MissingFileError);
    expect(e.message).toMatch(/external data file "model\.onnx_data", which was not given/);
    expect(e.missing).toBe('model.onnx_data');
  });
});
