// Acceptance test of the quantized export (docs/FORMATS.md §2.1): tiny-llama and small-llama
// quantized with the RTN reference, written as MatMulNBits by writeOnnx, run in onnxruntime-node
// and compared with the original graph fed the same dequantized weights.
import { expect, it } from 'vitest';
import { blobSink, concatChunks, countingSink } from '../../core/byte-sink';
import { describeWithFixtures, fixtureSource } from '../../core/testing/fixtures';
import type { RtnSettings } from '../../core/compressed-tensor';
import { intGroupsStoredBytes } from './quantized-blocks';
import { openOnnx } from './onnx-reader';
import { type OnnxEdit, writeOnnx } from './onnx-writer';
import { float16Weights } from './testing/derived-models';
import { quantizeModel } from './testing/quantize-model';
import { llmFeeds, maxDiff, runLogits } from './testing/run-llm';

async function exportBytes(model: Awaited<ReturnType<typeof openOnnx>>, edit: OnnxEdit): Promise<Uint8Array> {
  const sink = blobSink();
  const { bytesWritten } = await writeOnnx(model, edit, sink);
  const bytes = concatChunks(sink.chunks);
  expect(bytesWritten).toBe(bytes.byteLength);
  return bytes;
}

const CASES: { model: string; vocab: number; scheme: RtnSettings }[] = [
  { model: 'tiny-llama', vocab: 4096, scheme: { bits: 4, symmetric: false, group: 32 } },
  { model: 'tiny-llama', vocab: 4096, scheme: { bits: 8, symmetric: false, group: 'per-channel' } },
  { model: 'tiny-llama', vocab: 4096, scheme: { bits: 2, symmetric: true, group: 32 } },
  { model: 'tiny-llama', vocab: 4096, scheme: { bits: 3, symmetric: true, group: 64 } },
  { model: 'small-llama', vocab: 4096, scheme: { bits: 4, symmetric: false, group: 32 } },
  { model: 'small-llama', vocab: 4096, scheme: { bits: 8, symmetric: false, group: 'per-channel' } },
];

describeWithFixtures('ONNX export with MatMulNBits runs in onnxruntime-node', [['models', 'tiny-llama', 'onnx'], ['models', 'small-llama', 'onnx']], () => {
  for (const { model: name, vocab, scheme } of CASES) {
    it(`${name} ${scheme.bits}-bit ${scheme.symmetric ? 'sym' : 'asym'} block ${scheme.group}`, async () => {
      const model = await openOnnx([await fixtureSource('models', name, 'onnx', 'model.onnx')]);
      const { quantized, dequantized } = await quantizeModel(model, scheme);
      const exported = await exportBytes(model, { quantized, metadata: { 'studio.recipe': JSON.stringify(scheme) } });
      const reference = await exportBytes(model, { replaced: dequantized });

      // The export holds MatMulNBits nodes and no float copy of the quantized weights.
      const reread = await openOnnx([{ name: 'q.onnx', byteLength: exported.byteLength, read: async (o, n) => exported.subarray(o, o + n) }]);
      const nbits = reread.graph.nodes.filter((n) => n.opType === 'MatMulNBits');
      expect(nbits.length).toBe(quantized.size);
      for (const w of quantized.keys()) expect(reread.initializerByName.has(w)).toBe(false);
      expect(reread.opsetImports).toContainEqual({ domain: 'com.microsoft', version: 1 });
      expect(reread.metadata['studio.recipe']).toBe(JSON.stringify(scheme));
      // Size is exact: a counting sink agrees, and the weights shrank by what the scheme stores.
      const counted = countingSink();
      expect((await writeOnnx(model, { quantized, metadata: { 'studio.recipe': JSON.stringify(scheme) } }, counted)).bytesWritten).toBe(exported.byteLength);
      const saved = [...quantized].reduce((n, [w, q]) => n + model.initializerByName.get(w)!.data.byteLength - intGroupsStoredBytes(q), 0);
      expect(model.file.byteLength - exported.byteLength).toBeGreaterThan(saved * 0.95);

      const feeds = llmFeeds(model, vocab);
      const got = await runLogits(exported, feeds);
      const want = await runLogits(reference, feeds);
      expect(got.length).toBe(want.length);
      const { maxAbsDiff, maxAbs } = maxDiff(want, got);
      console.log(`${name} ${JSON.stringify(scheme)}: max|Δlogit| ${maxAbsDiff.toExponential(2)} of max|logit| ${maxAbs.toFixed(3)}, ${exported.byteLength} bytes`);
      expect(maxAbs).toBeGreaterThan(0);
      expect(maxAbsDiff).toBeLessThanOrEqual(1e-3 * maxAbs);
    });
  }
});

describeWithFixtures('ONNX export of quantized embeddings and float16 weights', [['models', 'tiny-llama', 'onnx']], () => {
  for (const scheme of [
    { bits: 4, symmetric: false, group: 32 },
    { bits: 8, symmetric: true, group: 'per-channel' },
  ] as RtnSettings[]) {
    it(`GatherBlockQuantized ${scheme.bits}-bit block ${scheme.group} matches dequantized weights`, async () => {
      const model = await openOnnx([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
      const { quantized, dequantized } = await quantizeModel(model, scheme, ['matmul-weight', 'embedding']);
      const exported = await exportBytes(model, { quantized });
      const reread = await openOnnx([{ name: 'q.onnx', byteLength: exported.byteLength, read: async (o, n) => exported.subarray(o, o + n) }]);
      expect(reread.graph.nodes.filter((n) => n.opType === 'GatherBlockQuantized').length).toBe(1);
      const feeds = llmFeeds(model, 4096);
      const { maxAbsDiff, maxAbs } = maxDiff(await runLogits(await exportBytes(model, { replaced: dequantized }), feeds), await runLogits(exported, feeds));
      expect(maxAbsDiff).toBeLessThanOrEqual(1e-3 * maxAbs);
    });
  }

  it('quantizes a float16-weight model (Cast before each MatMul) and drops the Casts', async () => {
    const base = await openOnnx([await fixtureSource('models', 'tiny-llama', 'onnx', 'model.onnx')]);
    const model = await openOnnx([await float16Weights(base)]);
    const scheme: RtnSettings = { bits: 4, symmetric: false, group: 32 };
    const { quantized, dequantized } = await quantizeModel(model, scheme);
    const exported = await exportBytes(model, { quantized });
    const reread = await openOnnx([{ name: 'q.onnx', byteLength: exported.byteLength, read: async (o, n) => exported.subarray(o, o + n) }]);
    expect(reread.graph.nodes.filter((n) => n.name.startsWith('/cast_f16/')).map((n) => n.inputs[0])).toEqual(['model.model.embed_tokens.weight_f16']);
    const feeds = llmFeeds(model, 4096);
    const { maxAbsDiff, maxAbs } = maxDiff(await runLogits(await exportBytes(model, { replaced: dequantized }), feeds), await runLogits(exported, feeds));
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-3 * maxAbs);
  });
});
