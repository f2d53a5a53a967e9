// Streaming ONNX writer: byte-identical copies, inlined external data, weights as graph inputs,
// metadata, and the errors for bad edits and for outputs past the 2 GiB protobuf limit.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { blobSink, concatChunks, countingSink } from '../../core/byte-sink';
import { type ByteSource, bytesSource } from '../../core/byte-source';
import { ShapeError, UnsupportedModelError, UsageError } from '../../core/errors';
import { describeWithFixtures, fixtureSource } from '../../core/testing/fixtures';
import { indexOnnx } from '../../model/onnx-index';
import { F } from './onnx-model';
import { openOnnx, readInitializerFloats } from './onnx-reader';
import { type OnnxEdit, onnxExportBytes, writeOnnx } from './onnx-writer';
import { RecordWriter } from './protobuf-writer';
import { externalize } from './testing/derived-models';
import { llmFeeds, maxDiff, runLogits } from './testing/run-llm';
import { syntheticSource } from './testing/synthetic-models';

async function write(model: Awaited<ReturnType<typeof openOnnx>>, edit: OnnxEdit = {}): Promise<Uint8Array> {
  const sink = blobSink();
  const { bytesWritten } = await writeOnnx(model, edit, sink);
  const out = concatChunks(sink.chunks);
  expect(bytesWritten).toBe(out.byteLength);
  return out;
}

const same = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));

describe('writeOnnx on a synthetic graph', () => {
  it('copies an unedited model byte for byte and sets metadata', async () => {
    const src = syntheticSource();
    const m = await openOnnx([src]);
    expect(same(await write(m), await src.read(0, src.byteLength))).toBe(true);
    const edited = await openOnnx([bytesSource(await write(m, { metadata: { note: 'changed', extra: 'x' } }), 'e.onnx')]);
    expect(edited.metadata).toEqual({ note: 'changed', extra: 'x' });
    expect(edited.graph.nodes.length).toBe(m.graph.nodes.length);
  });

  it('rejects bad edits with typed errors', async () => {
    const m = await openOnnx([syntheticSource()]);
    await expect(write(m, { replaced: new Map([['fc1.weight', new Uint8Array(3)]]) })).rejects.toThrow(ShapeError);
    await expect(write(m, { replaced: new Map([['nope', new Uint8Array(3)]]) })).rejects.toThrow(UsageError);
    await expect(write(m, { weightsAsInputs: ['fc1.weight'], replaced: new Map([['fc1.weight', new Uint8Array(2048)]]) })).rejects.toThrow(/both/);
    const q = { kind: 'int-groups', rows: 1, cols: 16, bits: 4, storedBits: 4, symmetric: true, groupSize: 16, packBlock: 16, codes: new Uint8Array(8), scales: new Float32Array(1), zeroPoints: new Uint8Array(1), relError: 0 } as const;
    await expect(write(m, { quantized: new Map([['norm.weight', q]]) })).rejects.toThrow(/not used as a MatMul\/Gemm weight/);
    await expect(write(m, { quantized: new Map([['fc1.weight', q]]) })).rejects.toThrow(/is 1×16 but the graph uses it as 32×16/);
  });

  it('past 2 GiB the tensors go to external data, sized before anything is read; a single-file output refuses it before writing', async () => {
    // A tensor of 2^29 + 16 floats in a (never read) external file.
    const numel = 2 ** 29 + 16;
    const entry = (k: string, v: string) => new RecordWriter().string(F.entry.key, k).string(F.entry.value, v);
    const tensor = new RecordWriter().int(F.tensor.dims, numel).int(F.tensor.dataType, 1).string(F.tensor.name, 'big')
      .message(F.tensor.externalData, entry('location', 'big.bin')).int(F.tensor.dataLocation, 1);
    const graph = new RecordWriter().message(F.graph.initializer, tensor);
    const bytes = new RecordWriter().int(F.model.irVersion, 8).message(F.model.graph, graph).finish();
    let reads = 0;
    const data: ByteSource = { name: 'big.bin', byteLength: numel * 4, read: async () => { reads++; return new Uint8Array(0); } };
    const m = await openOnnx([bytesSource(bytes, 'big.onnx'), data]);
    const sink = countingSink();
    await expect(writeOnnx(m, {}, sink)).rejects.toThrow(/past protobuf's 2 GiB its tensors go to 1 external data file\(s\) beside the \.onnx, and this output takes a single file/);
    await expect(writeOnnx(m, {}, sink)).rejects.toThrow(UnsupportedModelError);
    const total = await onnxExportBytes(m, {});
    expect(total - numel * 4).toBeGreaterThan(0);
    expect(total - numel * 4).toBeLessThan(200); // the .onnx: a graph with one tensor that points at model.onnx_data
    expect(sink.bytesWritten).toBe(0);
    expect(reads).toBe(0);
  });
});

describeWithFixtures('writeOnnx on the fixtures', [['models', 'tiny-llama', 'onnx'], ['models', 'small-llama', 'onnx']], () => {
  for (const name of ['tiny-llama', 'small-llama']) {
    it(`${name}: no edit → identical bytes`, async () => {
      const src = await fixtureSource('models', name, 'onnx', 'model.onnx');
      const out = await write(await openOnnx([src]));
      expect(same(out, await src.read(0, src.byteLength))).toBe(true);
    });
  }

  it('inlines external data: model.onnx + model.onnx_data → the original single file', async () => {
    const src = await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx');
    const { model, data } = await externalize(await openOnnx([src]));
    expect(model.byteLength).toBeLessThan(src.byteLength / 4);
    const out = await write(await openOnnx([model, data]));
    expect(same(out, await src.read(0, src.byteLength))).toBe(true);
  });

  it('moves weights to graph inputs (dims symbolic, so a narrower variant can be fed) and gives the same logits when they are fed', async () => {
    const model = await openOnnx([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
    const weights = indexOnnx(model).tensors.filter((t) => t.role === 'matmul-weight');
    const out = await write(model, { weightsAsInputs: weights.map((t) => t.name) });
    const reread = await openOnnx([bytesSource(out, 'w.onnx')]);
    for (const w of weights) {
      expect(reread.initializerByName.has(w.name)).toBe(false);
      expect(reread.graph.inputs.find((i) => i.name === w.name)).toMatchObject({ dtype: 'f32', shape: w.shape.map((_, i) => `${w.name}:${i}`) });
    }
    const feeds = llmFeeds(model, 4096);
    const want = await runLogits(await write(model), feeds);
    const weightFeeds = { ...feeds };
    for (const w of weights) weightFeeds[w.name] = new ort.Tensor('float32', await readInitializerFloats(model, w.name), w.shape);
    const { maxAbsDiff } = maxDiff(want, await runLogits(out, weightFeeds));
    expect(maxAbsDiff).toBe(0);
  });
});
