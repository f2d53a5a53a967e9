// Mixed recipes on small-llama, exported in every format through the whole seam: the plan's size is
// the file's to the byte; the same input and recipe give byte-identical files; each file carries
// its recipe, and compressing again with the recipe read back gives the same bytes. The ONNX
// export holds the MatMulNBits settings the rules asked for, and runs in onnxruntime-node with the
// perplexity the studio's evaluator showed (within 0.5 %).
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import type { OutputFormat } from '../../core/compression-plan';
import type { Recipe } from '../../core/recipe';
import { describeWithFixtures, fixturePath } from '../../core/testing/fixtures';
import { createNodeLmSession } from '../../eval/ort-node';
import { evaluatePerplexity } from '../../eval/perplexity';
import { loadTokenizer } from '../../eval/tokenizer';
import { VariantEvaluator } from '../../eval/variant-evaluator';
import { openOnnx } from '../../formats/onnx/onnx-reader';
import { attrInt } from '../../formats/onnx/onnx-model';
import { openModel } from '../open-model';
import { embeddedRecipe } from '../recipe/embedded-recipe';
import { parseRecipe } from '../recipe/parse-recipe';
import { ISSUE_RECIPE } from '../recipe/testing/recipes';
import { variantWeights } from '../variant-weights';
import { compressFixture, exportedBytes, exportFixture } from './testing/export-fixtures';

const SMALL = ['models', 'small-llama'];

const GGUF_MIX: Recipe = parseRecipe({
  recipe: 1,
  rules: [
    { match: 'self_attn\\.v_proj|mlp\\.down_proj', quantize: { method: 'ggml', type: 'Q8_0' } },
    { match: 'embed', quantize: { method: 'ggml', type: 'Q6_K' } },
    { match: '.*', quantize: { method: 'ggml', type: 'Q4_0' } },
  ],
});

const CASES: [OutputFormat, Recipe][] = [['onnx', ISSUE_RECIPE], ['gguf', GGUF_MIX], ['safetensors', ISSUE_RECIPE]];

async function bytesOf(files: { read(o: number, n: number): Promise<Uint8Array>; byteLength: number }[]): Promise<Buffer> {
  return Buffer.concat(await Promise.all(files.map((f) => f.read(0, f.byteLength))));
}

describeWithFixtures('exports of mixed recipes (small-llama ONNX)', [[...SMALL, 'onnx', 'model.onnx'], [...SMALL, 'config.json'], [...SMALL, 'tokenizer.json']], () => {
  for (const [format, recipe] of CASES) {
    it(`${format}: plan bytes = file bytes, deterministic, and reproducible from the recipe it carries`, async () => {
      const first = await exportFixture('small-llama', 'onnx/model.onnx', recipe, format);
      const bytes = await bytesOf(first.files);
      expect(first.plan.outputBytes).toBe(bytes.byteLength);
      expect(first.report.outputBytes).toBe(bytes.byteLength);
      expect(first.plan.tensors.some((t) => t.action.kind === 'quantize')).toBe(true);

      const again = await bytesOf((await exportFixture('small-llama', 'onnx/model.onnx', recipe, format)).files);
      expect(Buffer.compare(again, bytes)).toBe(0);

      const reopened = await openModel([first.files[0]]);
      const carried = embeddedRecipe(reopened);
      expect(carried?.recipe).toEqual(recipe);
      const reproduced = await bytesOf((await exportFixture('small-llama', 'onnx/model.onnx', carried!.recipe, format)).files);
      expect(Buffer.compare(reproduced, bytes)).toBe(0);
    }, 180_000);
  }

  it('onnx: MatMulNBits nodes carry the rules\' bits and blocks, and the file scores what the studio showed (W=16)', async () => {
    const compressed = await compressFixture('small-llama', 'onnx/model.onnx', ISSUE_RECIPE, 'onnx');
    const exported = await exportedBytes(compressed);
    const onnx = await openOnnx([{ name: 'mixed.onnx', byteLength: exported.byteLength, read: async (o, n) => exported.subarray(o, o + n) }]);
    const nodes = onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits');
    expect(nodes).toHaveLength(compressed.resolved.plan.order.length);
    for (const n of nodes) {
      const eightBit = /(v_proj|o_proj|down_proj)/.test(n.name);
      const k = attrInt(n, 'K', 0);
      expect([n.name, attrInt(n, 'bits', 0), attrInt(n, 'block_size', 0)]).toEqual([n.name, eightBit ? 8 : 4, eightBit ? Math.min(256, k) : 32]);
      expect(n.inputs.length, n.name).toBe(eightBit ? 3 : 4); // symmetric 8-bit needs no zero points
    }
    expect(onnx.graph.nodes.some((n) => /lm_head/.test(n.name) && n.opType === 'MatMul')).toBe(true);

    const tokens = loadTokenizer(await readFile(fixturePath(...SMALL, 'tokenizer.json'))).encode(await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8'));
    const evaluator = await VariantEvaluator.create(compressed.opened, (b) => createNodeLmSession(b));
    try {
      const shown = await evaluator.evaluate(tokens, variantWeights(compressed.resolved.plan, compressed.results), { windows: 16 });
      const session = await createNodeLmSession(exported);
      const direct = await evaluatePerplexity(session, tokens, { windows: 16 });
      await session.release();
      console.log(`small-llama issue recipe (ONNX): studio ${shown.ppl.toFixed(4)}, onnxruntime-node on the export ${direct.ppl.toFixed(4)} (W=16)`);
      expect(Math.abs(direct.ppl / shown.ppl - 1)).toBeLessThan(0.005);
    } finally {
      await evaluator.release();
    }
  }, 300_000);
});
