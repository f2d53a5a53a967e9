// Sweeps as recipes, held to llama.cpp itself: a llama.cpp-type point (a preset recipe, GGUF
// output) evaluates exactly the tensors llama-quantize wrote into the fixture (bytes identical,
// after llama.cpp's q/k row permutation), its size is the exact GGUF size, and its perplexity runs
// through the one weights-as-inputs session; point ids are recipe ids (the same in page and CLI).
// A pruned point calibrates as its recipe says and scores what a plain run of its recipe makes.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import type { GgmlBlockTensor } from '../core/compressed-tensor';
import { recipeId } from '../core/recipe-id';
import { describeWithFixtures, fixturePath, fixtureSource } from '../core/testing/fixtures';
import { createNodeLmSession } from '../eval/ort-node';
import { loadTokenizer } from '../eval/tokenizer';
import { VariantEvaluator } from '../eval/variant-evaluator';
import { openGguf, readGgufTensor } from '../formats/gguf/gguf-reader';
import { hfToGgufName, permuteQkRows } from '../model/llama-names';
import { compressFixture, exportedBytes, openFixture } from './exporters/testing/export-fixtures';
import { expandGrid, ggufPoint, runSweep } from './sweep';
import { variantWeights } from './variant-weights';
import { bytesSource } from '../core/byte-source';
import { calibrator } from './calibration/calibrator';
import { compressModel } from './compress-model';
import { resolveRecipe } from './recipe/resolve-recipe';

const TINY = ['models', 'tiny-llama'];
const PURE = (t: string) => [...TINY, 'gguf', 'llama.cpp-quantized', `model-${t}-pure.gguf`];

describeWithFixtures('llama.cpp points of a sweep (tiny-llama ONNX)', [[...TINY, 'onnx', 'model.onnx'], PURE('Q8_0'), PURE('Q4_0')], () => {
  it('evaluate exactly the tensors llama.cpp writes, with the exact GGUF size', async () => {
    const tokens = loadTokenizer(await readFile(fixturePath(...TINY, 'tokenizer.json'))).encode(
      (await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8')).slice(0, 40_000),
    );
    const model = await openFixture('tiny-llama', 'onnx/model.onnx');
    const evaluator = await VariantEvaluator.create(model, (bytes) => createNodeLmSession(bytes));
    try {
      const original = await evaluator.evaluate(tokens, [], { windows: 4 });
      let previous = original.ppl;
      for (const type of ['Q8_0', 'Q4_0']) {
        const point = ggufPoint(type);
        expect(point).toMatchObject({ id: recipeId(point.recipe), format: 'gguf', label: `llama.cpp ${type}` });
        const c = await compressFixture('tiny-llama', 'onnx/model.onnx', point.recipe, 'gguf');
        // Same size as the file a GGUF export of this point writes.
        const file = await exportedBytes(c);
        expect(c.resolved.plan.outputBytes).toBe(file.byteLength);
        // Every tensor quantized to the same type as in llama-quantize's --pure file has its bytes
        // (the default Q4_0 mix differs from --pure only in output.weight, which llama.cpp makes Q6_K,
        // or Q8_0 when its rows — 128 here — are not a multiple of 256).
        const reference = await openGguf(await fixtureSource(...PURE(type)));
        const ours = await openGguf(bytesSource(file, 'ours.gguf'));
        const differentType: string[] = [];
        for (const t of reference.tensors.filter((x) => x.type.name !== 'F32')) {
          const mine = ours.tensors.find((x) => x.name === t.name)!;
          if (mine.type.name !== type) {
            differentType.push(`${t.name}:${mine.type.name}`);
            continue;
          }
          expect(Buffer.compare(Buffer.from(await readGgufTensor(ours, mine)), Buffer.from(await readGgufTensor(reference, t))), `${type} ${t.name}`).toBe(0);
        }
        expect(differentType).toEqual(type === 'Q4_0' ? ['output.weight:Q8_0'] : []);
        // The result in HF row order is the file's tensor with llama.cpp's q/k permutation undone.
        const q = c.resolved.plan.tensors.find((t) => t.layer === 'model.layers.1.self_attn.q_proj')!;
        const r = c.results.get(q.name) as GgmlBlockTensor;
        const inFile = await readGgufTensor(ours, hfToGgufName(`${q.layer}.weight`)!);
        expect(Buffer.compare(Buffer.from(permuteQkRows(r.bytes, r.rows, r.bytes.byteLength / r.rows, 4)), Buffer.from(inFile))).toBe(0);
        expect(c.report.bitsPerWeight).toBeGreaterThanOrEqual(type === 'Q8_0' ? 8.5 : 4.5);
        const ppl = (await evaluator.evaluate(tokens, variantWeights(c.resolved.plan, c.results), { windows: 4 })).ppl;
        expect(ppl).toBeGreaterThan(original.ppl * 0.999);
        expect(ppl).toBeGreaterThan(previous * 0.999); // fewer bits, no better
        previous = ppl;
      }
    } finally {
      await evaluator.release();
    }
  });

  it('runs a grid of rtn and llama.cpp points, skipping finished ones, with recipe ids', async () => {
    const model = await openFixture('tiny-llama', 'onnx/model.onnx');
    const { exportContextOf } = await import('./export-context');
    const grid = expandGrid({ bits: [8, 4], blocks: [32], symmetric: [false], selections: [{ label: 'all-matmuls', selection: { kind: 'all-matmuls' } }], ggufTypes: ['Q8_0'] });
    expect(grid.map((p) => p.label)).toEqual(['llama.cpp Q8_0', 'rtn 8-bit/32 asym', 'rtn 4-bit/32 asym']);
    expect(new Set(grid.map((p) => p.id)).size).toBe(3);
    const tokens = loadTokenizer(await readFile(fixturePath(...TINY, 'tokenizer.json'))).encode((await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8')).slice(0, 20_000));
    const evaluator = await VariantEvaluator.create(model, (bytes) => createNodeLmSession(bytes));
    try {
      const points = await runSweep(model, grid, evaluator, tokens, { windows: 2, done: new Set([grid[1].id]), exportContext: await exportContextOf(model) });
      expect(points.map((p) => p.id)).toEqual([grid[0].id, grid[2].id]);
      expect(points[1]).toMatchObject({ method: 'rtn', bits: 4, block: 32, sym: false, format: 'onnx', windows: 2 });
      expect(points[1].tensors).toHaveLength(29);
      expect(points[0]).toMatchObject({ format: 'gguf', method: 'llama.cpp', bits: 8, block: 32 });
      expect(points[0].bitsPerWeight).toBeCloseTo(8.5, 6);
    } finally {
      await evaluator.release();
    }
  });
});

describeWithFixtures('pruned points of a sweep (tiny-llama ONNX)', [[...TINY, 'onnx', 'model.onnx']], () => {
  it('calibrate as their recipe says (sequential) and score what a plain run of the recipe makes', async () => {
    const model = await openFixture('tiny-llama', 'onnx/model.onnx');
    const calibrationText = (await readFile(fixturePath('text', 'wikitext-2-valid.txt'), 'utf8')).slice(0, 40_000);
    const tokens = loadTokenizer(await readFile(fixturePath(...TINY, 'tokenizer.json'))).encode((await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8')).slice(0, 20_000));
    const grid = expandGrid({
      bits: [],
      blocks: [32],
      symmetric: [false],
      unquantized: true,
      sparsities: [0, 0.5],
      pruneMethods: ['wanda'],
      calibration: { text: 'builtin', windows: 2, sequential: true },
      selections: [{ label: 'all-matmuls', selection: { kind: 'all-matmuls' } }],
    });
    expect(grid.map((p) => p.label)).toEqual(['wanda 50%']); // float and not pruned is the original: no point
    const env = { text: async () => calibrationText, createSession: (b: Uint8Array) => createNodeLmSession(b) };
    const passes: number[] = [];
    const evaluator = await VariantEvaluator.create(model, (bytes) => createNodeLmSession(bytes));
    try {
      const [point] = await runSweep(model, grid, evaluator, tokens, {
        windows: 2,
        calibrate: async (spec, needs, signal, onProgress, sequential) => {
          const stats = await calibrator(model, spec, env)(needs, signal, sequential);
          passes.push(stats.passes);
          return stats;
        },
      });
      expect(passes).toEqual([4]); // one capture pass per decoder layer
      expect(point).toMatchObject({ method: 'float', prune: { method: 'wanda', target: 0.5 } });
      expect(point.sparsity).toBeGreaterThanOrEqual(0.5);
      // The same recipe run on its own scores the same.
      const resolved = await resolveRecipe(model, point.recipe, 'onnx');
      const { results } = await compressModel(model, resolved, { keepResults: true, calibrate: calibrator(model, resolved.plan.calibration!, env) });
      expect((await evaluator.evaluate(tokens, variantWeights(resolved.plan, results!), { windows: 2 })).ppl).toBe(point.ppl);
    } finally {
      await evaluator.release();
    }
  });
});
