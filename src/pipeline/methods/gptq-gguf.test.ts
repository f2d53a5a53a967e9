// GPTQ on llama.cpp grids, GGUF out (small-llama ONNX → GGUF, every matmul weight but the head,
// 16 calibration windows): `{method: "gptq", type}` for Q4_K, Q4_0 and Q6_K against llama.cpp's own
// quantizer of the same type (`{method: "ggml", type}`) on the same tensors — the same weight bytes, and
// lower KL divergence from the original (the point: quality llama-quantize cannot produce in its
// own format); the file is an ordinary GGUF of that type, llama.cpp (node-llama-cpp) scores it as
// the studio's evaluator does (within 1 %: llama.cpp's own kernels); the figures go in the README.
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
const tmp = mkdtempSync(join(tmpdir(), 'studio-gptq-gguf-'));

function recipeOf(quantize: Record<string, unknown>): Recipe {
  return parseRecipe({ recipe: RECIPE_VERSION, calibration: { text: 'builtin', windows: 16, sequential: false }, rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', quantize }] });
}

describeWithFixtures('GPTQ on llama.cpp types, GGUF out (small-llama)', [[...SMALL, 'onnx', 'model.onnx'], [...SMALL, 'tokenizer.json']], () => {
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

  for (const type of ['Q4_K', 'Q4_0', 'Q6_K']) {
    it(`${type}: the same bytes as llama.cpp's quantizer, lower KL, an ordinary GGUF llama.cpp scores as the studio does`, async () => {
      const gptq = await run({ method: 'gptq', type });
      const plain = await run({ method: 'ggml', type });
      expect(gptq.bytes.byteLength).toBe(gptq.plan.outputBytes);
      const weightBytes = (p: typeof gptq.plan) => p.tensors.filter((t) => t.role === 'matmul-weight').reduce((n, t) => n + t.bytesAfter, 0);
      expect(weightBytes(gptq.plan)).toBe(weightBytes(plain.plan)); // the files differ only by the recipe they carry
      const gguf = await openGguf(bytesSource(gptq.bytes, 'gptq.gguf'));
      const types = new Map(gguf.tensors.map((t) => [t.name, t.type.name]));
      for (const name of ['blk.0.attn_q.weight', 'blk.3.ffn_down.weight', 'blk.7.attn_output.weight']) expect(types.get(name), name).toBe(type);
      const path = join(tmp, `gptq-${type}.gguf`);
      writeFileSync(path, gptq.bytes);
      const theirs = Math.exp(await llamaCppNll(llama, path, ids, 2));
      const ours = (await evaluator.evaluate(ids, variantWeights(gptq.plan, gptq.results), { windows: 2 })).ppl;
      console.log(`small-llama ${type} (head kept), W=${W}: llama.cpp's quantizer ppl ${plain.shown.ppl.toFixed(4)} KL ${plain.shown.kl!.mean.toFixed(4)}, GPTQ ppl ${gptq.shown.ppl.toFixed(4)} KL ${gptq.shown.kl!.mean.toFixed(4)}; GPTQ file, 2 windows: llama.cpp ${theirs.toFixed(4)}, studio ${ours.toFixed(4)}`);
      expect(gptq.shown.kl!.mean).toBeLessThan(plain.shown.kl!.mean);
      expect(Math.abs(theirs / ours - 1)).toBeLessThan(0.01);
    }, 900_000);
  }
});
