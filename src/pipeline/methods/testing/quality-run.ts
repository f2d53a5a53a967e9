// What the quality tests of calibrated methods share: a fixture model opened once with its
// evaluation tokens (docs/EVAL.md wikitext2-w256) and one weights-as-inputs evaluator, and a run
// of a recipe through the whole seam — resolve, calibrate on the bundled validation text
// (onnxruntime-node, cached across runs), the CPU references, perplexity of the result.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CompressReport } from '../../../core/compression-report';
import type { CompressionPlan } from '../../../core/compression-plan';
import type { Recipe } from '../../../core/recipe';
import type { FixtureModel } from '../../exporters/testing/export-fixtures';
import { openFixture } from '../../exporters/testing/export-fixtures';
import { createNodeLmSession } from '../../../eval/ort-node';
import { loadTokenizer } from '../../../eval/tokenizer';
import { VariantEvaluator } from '../../../eval/variant-evaluator';
import type { PerplexityResult } from '../../../eval/perplexity';
import { CalibrationCache, calibrator } from '../../calibration/calibrator';
import { compressModel } from '../../compress-model';
import { resolveRecipe } from '../../recipe/resolve-recipe';
import { variantWeights } from '../../variant-weights';

const PUBLIC = resolve(import.meta.dirname, '../../../../public/eval');

export interface QualityRun {
  evaluation: PerplexityResult;
  report: CompressReport;
  plan: CompressionPlan;
}

export interface QualityHarness {
  run(recipe: Recipe, windows: number): Promise<QualityRun>;
  release(): Promise<void>;
}

export async function qualityHarness(fixture: FixtureModel): Promise<QualityHarness> {
  const model = await openFixture(fixture, 'onnx/model.onnx');
  const tokenizer = loadTokenizer(await model.tokenizer!.read(0, model.tokenizer!.byteLength), {}, 'tokenizer.json');
  const evalTokens = tokenizer.encode(readFileSync(`${PUBLIC}/wikitext-2-test-excerpt.txt`, 'utf8'));
  const evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
  const text = readFileSync(`${PUBLIC}/wikitext-2-valid-excerpt.txt`, 'utf8');
  const cache = new CalibrationCache();
  return {
    async run(recipe, windows) {
      const resolved = await resolveRecipe(model, recipe, 'onnx');
      const spec = resolved.plan.calibration;
      const { results, report } = await compressModel(model, resolved, {
        keepResults: true,
        calibrate: spec ? calibrator(model, spec, { text: async () => text, createSession: (b) => createNodeLmSession(b), cache }) : undefined,
      });
      const evaluation = await evaluator.evaluate(evalTokens, variantWeights(resolved.plan, results!), { windows });
      return { evaluation, report, plan: resolved.plan };
    },
    release: () => evaluator.release(),
  };
}
