// DESIGN decision 4, held to the real thing: the perplexity of a variant computed by feeding
// dequantized weights into one weights-as-inputs session must agree (within 0.5 %) with the
// perplexity of the exported MatMulNBits file evaluated the normal way in onnxruntime-node. Every
// variant also gets its KL divergence from the original: 0 for the original's own weights fed as
// a variant, larger for fewer bits, with top-1 agreement falling accordingly.
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
import { decodeFloats } from '../core/dtypes';
import { toRowMajor } from '../core/weight-layout';

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
      const kls: NonNullable<typeof original.kl>[] = [];
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
        console.log(`${JSON.stringify(spec)}: ppl ${fast.ppl.toFixed(4)}, KL ${fast.kl!.mean.toExponential(3)} nats, top-1 agreement ${(fast.kl!.top1Agreement * 100).toFixed(2)} % (top ${fast.kl!.topK})`);
        kls.push(fast.kl!);
      }
      expect(original.kl).toBeUndefined();
      expect(kls[0].mean).toBeGreaterThan(0);
      expect(kls[1].mean).toBeGreaterThan(kls[0].mean); // 3-bit per channel costs more than 4-bit/32
      expect(kls[1].top1Agreement).toBeLessThan(kls[0].top1Agreement);
      expect(kls[0].top1Agreement).toBeGreaterThan(0.8);
      // The original's weights fed as a variant: the same logits, KL 0, every top token agreeing.
      const same = model.index.tensors.filter((t) => t.role === 'matmul-weight').slice(0, 2);
      const itself = await evaluator.evaluate(tokens, await Promise.all(same.map(async (t) => {
        const values = toRowMajor(decodeFloats(await model.readTensor(t.name), t.dtype as 'f32'), t.layout!);
        return { name: t.name, values: () => values };
      })), { windows: WINDOWS });
      expect(itself.kl!.mean).toBeLessThan(1e-9);
      expect(itself.kl!.top1Agreement).toBe(1);
    } finally {
      await evaluator.release();
    }
  });
});
