// AWQ on a llama.cpp grid, GGUF out (small-llama ONNX → GGUF, the matmul weights of layers 0 and 1
// at Q4_K, 5 grid points, the rest kept): the scales are searched with llama.cpp's own Q4_K quantizer as the grid and folded into the
// norms (F32 in the file) and the rows of v/up, then the weights go through that quantizer; the file
// is an ordinary GGUF whose tensors are all valid Q4_K blocks, llama.cpp (node-llama-cpp) scores it
// as the studio's evaluator does (within 1 %: llama.cpp's own kernels), and the figures beside plain
// Q4_K of the same tensors are printed for the README.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../../core/byte-sink';
import { bytesSource } from '../../core/byte-source';
import { RECIPE_VERSION, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { describeWithFixtures, fixturePath } from '../../core/testing/fixtures';
import { createNodeLmSession } from '../../eval/ort-node';
import { loadTokenizer } from '../../eval/tokenizer';
import { VariantEvaluator } from '../../eval/variant-evaluator';
import { openGguf } from '../../formats/gguf/gguf-reader';
import { CalibrationCache, calibrator } from '../calibration/calibrator';
import { compressModel, exportCompressed } from '../compress-model';
import { fixtureContext, openFixture } from '../exporters/testing/export-fixtures';
import { llamaCppNll, openLlama, type Llama } from '../exporters/testing/llama-cpp';
import type { OpenedModel } from '../open-model';
import { parseRecipe } from '../recipe/parse-recipe';
import { resolveRecipe } from '../recipe/resolve-recipe';
import { variantWeights } from '../variant-weights';

const SMALL = ['models', 'small-llama'];
const W = 16;
const tmp = mkdtempSync(join(tmpdir(), 'studio-awq-gguf-'));

/** Layers 0 and 1 (of 8): llama.cpp's Q4_K quantizer runs once per weight and candidate, here as the CPU reference codec. */
function recipeOf(quantize: Record<string, unknown>): Recipe {
  return parseRecipe({ recipe: RECIPE_VERSION, calibration: { text: 'builtin', windows: 16, sequential: false }, rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: 'layers\\.[01]\\.', role: 'matmul-weight', quantize }] });
}

describeWithFixtures('AWQ on Q4_K, GGUF out (small-llama)', [[...SMALL, 'onnx', 'model.onnx'], [...SMALL, 'tokenizer.json']], () => {
  let model: OpenedModel;
  let ids: Int32Array;
  let evaluator: VariantEvaluator;
  let llama: Llama;
  const cache = new CalibrationCache();
  beforeAll(async () => {
    model = await openFixture('small-llama', 'onnx/model.onnx');
    ids = Int32Array.from(loadTokenizer(await readFile(fixturePath(...SMALL, 'tokenizer.json'))).encode(await readFile(resolve(import.meta.dirname, '../../../public/eval/wikitext-2-test-excerpt.txt'), 'utf8')));
    evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
    llama = await openLlama();
  }, 120_000);
  afterAll(async () => {
    await evaluator?.release();
    await llama?.dispose();
  });

  async function run(quantize: Record<string, unknown>) {
    const resolved = await resolveRecipe(model, recipeOf(quantize), 'gguf', await fixtureContext(model, 'small-llama'));
    const text = await readFile(resolve(import.meta.dirname, '../../../public/eval/wikitext-2-valid-excerpt.txt'), 'utf8');
    const calibrate = resolved.plan.calibration ? calibrator(model, resolved.plan.calibration, { text: async () => text, createSession: (b) => createNodeLmSession(b), cache }) : undefined;
    const { results } = await compressModel(model, resolved, { keepResults: true, calibrate });
    const shown = await evaluator.evaluate(ids, variantWeights(resolved.plan, results!), { windows: W });
    const sink = blobSink();
    await exportCompressed(resolved, results!, async () => sink);
    return { plan: resolved.plan, results: results!, shown, bytes: concatChunks(sink.chunks) };
  }

  it('an ordinary Q4_K GGUF that llama.cpp scores as the studio does', async () => {
    const awq = await run({ method: 'awq', type: 'Q4_K', gridPoints: 5 });
    expect(awq.plan.awq).toHaveLength(8);
    expect(awq.bytes.byteLength).toBe(awq.plan.outputBytes);
    const gguf = await openGguf(bytesSource(awq.bytes, 'awq.gguf'));
    const types = new Map(gguf.tensors.map((t) => [t.name, t.type.name]));
    expect(types.get('blk.0.attn_q.weight')).toBe('Q4_K');
    expect(types.get('blk.1.ffn_down.weight')).toBe('Q4_K');
    expect(types.get('blk.0.attn_norm.weight')).toBe('F32');
    const path = join(tmp, 'awq-q4_k.gguf');
    writeFileSync(path, awq.bytes);
    const theirs = Math.exp(await llamaCppNll(llama, path, ids, 2));
    const ours = (await evaluator.evaluate(ids, variantWeights(awq.plan, awq.results), { windows: 2 })).ppl;
    const plain = await run({ method: 'ggml', type: 'Q4_K' });
    const weightBytes = (p: typeof awq.plan) => p.tensors.filter((t) => t.role === 'matmul-weight').reduce((n, t) => n + t.bytesAfter, 0);
    expect(weightBytes(awq.plan)).toBe(weightBytes(plain.plan));
    console.log(`small-llama Q4_K (head kept), W=${W}: plain ppl ${plain.shown.ppl.toFixed(4)} KL ${plain.shown.kl!.mean.toFixed(4)}, AWQ ppl ${awq.shown.ppl.toFixed(4)} KL ${awq.shown.kl!.mean.toFixed(4)}; AWQ file, 2 windows: llama.cpp ${theirs.toFixed(4)}, studio ${ours.toFixed(4)}`);
    expect(Math.abs(theirs / ours - 1)).toBeLessThan(0.01);
  }, 1_800_000);
});
