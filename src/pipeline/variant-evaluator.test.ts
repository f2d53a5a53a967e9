// DESIGN decision 4, held to the real thing: the perplexity of a variant computed by feeding
// dequantized weights into one weights-as-inputs session must agree (within 0.5 %) with the
// perplexity of the exported MatMulNBits file evaluated the normal way in onnxruntime-node.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { blobSink, concatChunks } from '../core/byte-sink';
import { describeWithFixtures, fixturePath, fixtureSource } from '../core/testing/fixtures';
import { createNodeLmSession } from '../eval/ort-node';
import { evaluatePerplexity } from '../eval/perplexity';
import { loadTokenizer } from '../eval/tokenizer';
import { cpuReferenceBackend } from './cpu-backend';
import { exportQuantizedOnnx } from './export-onnx';
import { openModel } from './open-model';
import { quantizeModel } from './quantize-model';
import { rtnVariant, VariantEvaluator } from './variant-evaluator';

const TINY = ['models', 'tiny-llama'];
const WINDOWS = 16;

describeWithFixtures('VariantEvaluator (tiny-llama)', [[...TINY, 'onnx', 'model.onnx'], ['text', 'wikitext-2-test.txt']], () => {
  it('matches the exported MatMulNBits model within 0.5 % and reproduces the original', async () => {
    const model = await openModel([await fixtureSource(...TINY, 'onnx', 'model.onnx')]);
    const tokenizer = loadTokenizer(await readFile(fixturePath(...TINY, 'tokenizer.json')));
    const text = await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8');
    const tokens = tokenizer.encode(text.slice(0, 200_000));
    const evaluator = await VariantEvaluator.create(model, (bytes) => createNodeLmSession(bytes));
    try {
      const original = await evaluator.evaluate(tokens, [], { windows: WINDOWS });
      expect(Math.abs(original.ppl / 57.9834 - 1)).toBeLessThan(1e-3); // EVAL.md, W=16

      for (const scheme of [
        { bits: 4, symmetric: false, blockSize: 32 },
        { bits: 3, symmetric: true, blockSize: 'per-channel' },
      ] as const) {
        const result = await quantizeModel(model, scheme, { kind: 'all-matmuls' }, cpuReferenceBackend);
        const fast = await evaluator.evaluate(tokens, rtnVariant(result.entries), { windows: WINDOWS });
        const sink = blobSink();
        await exportQuantizedOnnx(model, result, sink);
        const exported = await createNodeLmSession(concatChunks(sink.chunks));
        const direct = await evaluatePerplexity(exported, tokens, { windows: WINDOWS });
        await exported.release();
        expect(Math.abs(fast.ppl / direct.ppl - 1), `${JSON.stringify(scheme)}: ${fast.ppl} vs ${direct.ppl}`).toBeLessThan(0.005);
        expect(fast.ppl).toBeGreaterThan(original.ppl); // quantization costs something
      }
    } finally {
      await evaluator.release();
    }
  });
});
