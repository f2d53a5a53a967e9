// DESIGN decision 4, held to the real thing: the perplexity of a variant computed by feeding
// dequantized weights into one weights-as-inputs session must agree (within 0.5 %) with the
// perplexity of the exported MatMulNBits file evaluated the normal way in onnxruntime-node.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { RECIPE_VERSION, type RtnQuantize } from '../core/recipe';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { selectionRules } from '../core/tensor-selection';
import { createNodeLmSession } from '../eval/ort-node';
import { evaluatePerplexity } from '../eval/perplexity';
import { loadTokenizer } from '../eval/tokenizer';
import { VariantEvaluator } from '../eval/variant-evaluator';
import { compressFixture, exportedBytes, openFixture } from './exporters/testing/export-fixtures';
import { variantWeights } from './variant-weights';

const TINY = ['models', 'tiny-llama'];
const WINDOWS = 16;

describeWithFixtures('VariantEvaluator (tiny-llama)', [[...TINY, 'onnx', 'model.onnx'], ['text', 'wikitext-2-test.txt']], () => {
  it('matches the exported MatMulNBits model within 0.5 % and reproduces the original', async () => {
    const model = await openFixture('tiny-llama', 'onnx/model.onnx');
    const tokenizer = loadTokenizer(await readFile(fixturePath(...TINY, 'tokenizer.json')));
    const text = await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8');
    const tokens = tokenizer.encode(text.slice(0, 200_000));
    const evaluator = await VariantEvaluator.create(model, (bytes) => createNodeLmSession(bytes));
    try {
      const original = await evaluator.evaluate(tokens, [], { windows: WINDOWS });
      expect(Math.abs(original.ppl / 57.9834 - 1)).toBeLessThan(1e-3); // EVAL.md, W=16

      for (const spec of [
        { method: 'rtn', bits: 4, symmetric: false, group: 32 },
        { method: 'rtn', bits: 3, symmetric: true, group: 'per-channel' },
      ] as RtnQuantize[]) {
        const recipe = { recipe: RECIPE_VERSION, rules: selectionRules({ kind: 'all-matmuls' }, { quantize: spec }) };
        const compressed = await compressFixture('tiny-llama', 'onnx/model.onnx', recipe, 'onnx');
        const fast = await evaluator.evaluate(tokens, variantWeights(compressed.resolved.plan, compressed.results), { windows: WINDOWS });
        const exported = await createNodeLmSession(await exportedBytes(compressed));
        const direct = await evaluatePerplexity(exported, tokens, { windows: WINDOWS });
        await exported.release();
        expect(Math.abs(fast.ppl / direct.ppl - 1), `${JSON.stringify(spec)}: ${fast.ppl} vs ${direct.ppl}`).toBeLessThan(0.005);
        expect(fast.ppl).toBeGreaterThan(original.ppl); // quantization costs something
      }
    } finally {
      await evaluator.release();
    }
  });
});
