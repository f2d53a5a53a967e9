// Structured width pruning end to end on small-llama (issue: "a 25 % channel-pruned small-llama
// exports to ONNX and GGUF that onnxruntime and llama.cpp run, with the perplexity the studio
// showed"): one calibration (16 windows, one pass, to keep CI quick), every MLP narrowed from 768
// to 576 channels; the ONNX file's perplexity in onnxruntime-node is the studio's (W=16, within
// 0.5 %); the GGUF says feed_forward_length 576 and scores in llama.cpp what the studio scores for
// the same weights (2 windows, within 1 %: two runtimes' float arithmetic); the safetensors
// checkpoint has [576, 256] / [256, 576] tensors; every file is really smaller, by the plan's bytes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bytesSource } from '../core/byte-source';
import type { OutputFormat } from '../core/compression-plan';
import { RECIPE_VERSION, type Recipe } from '../core/recipe';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { MLP_PROJECTIONS } from '../core/tensor-selection';
import { createNodeLmSession } from '../eval/ort-node';
import { evaluatePerplexity } from '../eval/perplexity';
import { loadTokenizer } from '../eval/tokenizer';
import { VariantEvaluator } from '../eval/variant-evaluator';
import { openGguf } from '../formats/gguf/gguf-reader';
import { openOnnx } from '../formats/onnx/onnx-reader';
import { openSafetensors } from '../formats/safetensors/safetensors-reader';
import { CalibrationCache, calibrator } from './calibration/calibrator';
import { compressModel, exportCompressed } from './compress-model';
import { fixtureContext, openFixture } from './exporters/testing/export-fixtures';
import { llamaCppNll, openLlama, type Llama } from './exporters/testing/llama-cpp';
import type { OpenedModel } from './open-model';
import { resolveRecipe } from './recipe/resolve-recipe';
import { variantWeights } from './variant-weights';
import { blobSink, concatChunks } from '../core/byte-sink';

const RECIPE: Recipe = {
  recipe: RECIPE_VERSION,
  calibration: { text: 'builtin', windows: 16, sequential: false },
  rules: [{ match: MLP_PROJECTIONS, prune: { method: 'channels', sparsity: 0.25 } }],
};
const SMALL = ['models', 'small-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-channels-'));

describeWithFixtures('channel pruning of small-llama, 25 %', [[...SMALL, 'onnx', 'model.onnx']], () => {
  let model: OpenedModel;
  let evaluator: VariantEvaluator;
  let ids: Int32Array;
  let llama: Llama;
  const cache = new CalibrationCache();
  const text = readFile(resolve(import.meta.dirname, '../../public/eval/wikitext-2-valid-excerpt.txt'), 'utf8');

  beforeAll(async () => {
    model = await openFixture('small-llama', 'onnx/model.onnx');
    ids = loadTokenizer(await readFile(fixturePath(...SMALL, 'tokenizer.json'))).encode(await readFile(resolve(import.meta.dirname, '../../public/eval/wikitext-2-test-excerpt.txt'), 'utf8'));
    evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
    llama = await openLlama();
  }, 120_000);
  afterAll(async () => {
    await evaluator?.release();
    await llama?.dispose();
  });

  /** The recipe for one format: plan, run (one shared calibration), file. */
  async function run(format: OutputFormat) {
    const resolved = await resolveRecipe(model, RECIPE, format, await fixtureContext(model, 'small-llama'));
    const { results, report } = await compressModel(model, resolved, {
      keepResults: true,
      calibrate: calibrator(model, resolved.plan.calibration!, { text: () => text, createSession: (b) => createNodeLmSession(b), cache }),
    });
    const sink = blobSink();
    await exportCompressed(resolved, results!, async () => sink);
    const bytes = concatChunks(sink.chunks);
    return { plan: resolved.plan, report, results: results!, bytes };
  }

  it('ONNX: narrower MatMul weights, a smaller file, and the studio\'s perplexity in onnxruntime-node', async () => {
    const { plan, report, results, bytes } = await run('onnx');
    expect(plan.mlpWidth).toEqual({ from: 768, to: 576 });
    expect(bytes.byteLength).toBe(plan.outputBytes);
    expect(bytes.byteLength).toBeLessThan(model.index.fileBytes - 8 * 3 * 192 * 256 * 4 + 100_000);
    const before = model.index.paramCount;
    expect(report.parameters).toEqual({ before, after: before - 8 * 3 * 192 * 256, mlpWidth: { from: 768, to: 576 } });
    const onnx = await openOnnx([bytesSource(bytes, 'pruned.onnx')]);
    const gate = plan.tensors.find((t) => t.layer === 'model.layers.0.mlp.gate_proj')!;
    const down = plan.tensors.find((t) => t.layer === 'model.layers.0.mlp.down_proj')!;
    expect(onnx.initializerByName.get(gate.name)!.dims).toEqual([256, 576]); // MatMul B is [in, out]
    expect(onnx.initializerByName.get(down.name)!.dims).toEqual([576, 256]);

    const shown = (await evaluator.evaluate(ids, variantWeights(plan, results), { windows: 16 })).ppl;
    const path = join(tmp, 'pruned.onnx');
    writeFileSync(path, bytes);
    const session = await createNodeLmSession(path);
    const inFile = (await evaluatePerplexity(session, ids, { windows: 16 })).ppl;
    await session.release();
    console.log(`channels 25 %: studio ppl ${shown.toFixed(4)}, exported ONNX in onnxruntime-node ${inFile.toFixed(4)} (W=16; original 94.0163)`);
    expect(Math.abs(inFile / shown - 1)).toBeLessThan(0.005);
    expect(shown).toBeGreaterThan(94.0163); // removing channels costs something
  }, 600_000);

  it('GGUF: feed_forward_length 576, narrower ffn tensors, and llama.cpp scores what the studio scores', async () => {
    const { plan, results, bytes } = await run('gguf');
    expect(bytes.byteLength).toBe(plan.outputBytes);
    const gguf = await openGguf(bytesSource(bytes, 'pruned.gguf'));
    expect(gguf.metadata.get('llama.feed_forward_length')).toMatchObject({ value: 576 });
    expect(gguf.tensors.find((t) => t.name === 'blk.0.ffn_gate.weight')!.dims).toEqual([256, 576]); // ne0 = in
    expect(gguf.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')!.dims).toEqual([576, 256]);
    const path = join(tmp, 'pruned.gguf');
    writeFileSync(path, bytes);
    const theirs = Math.exp(await llamaCppNll(llama, path, ids, 2));
    const ours = (await evaluator.evaluate(ids, variantWeights(plan, results), { windows: 2 })).ppl;
    console.log(`channels 25 % GGUF: llama.cpp ppl ${theirs.toFixed(4)}, studio ${ours.toFixed(4)} (2 windows)`);
    expect(Math.abs(theirs / ours - 1)).toBeLessThan(0.01);
  }, 600_000);

  it('safetensors: [576, 256] and [256, 576] projections, exactly the plan\'s bytes', async () => {
    const { plan, bytes } = await run('safetensors');
    expect(bytes.byteLength).toBe(plan.outputBytes);
    const file = await openSafetensors(bytesSource(bytes, 'model.safetensors'));
    expect(file.tensors.find((t) => t.name === 'model.layers.0.mlp.up_proj.weight')!.shape).toEqual([576, 256]);
    expect(file.tensors.find((t) => t.name === 'model.layers.0.mlp.down_proj.weight')!.shape).toEqual([256, 576]);
  }, 600_000);
});
