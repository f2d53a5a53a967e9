// Pruning quality on a real trained model (small-llama, docs/EVAL.md wikitext2-w256, W=16): the
// calibrated methods against magnitude at the same sparsity, through the whole seam — recipe,
// calibration on the bundled validation text (onnxruntime-node), the CPU references, and
// perplexity of the pruned weights. The figures are printed for the closing note. Wanda at 50 %
// unstructured is measured but not asserted better than magnitude: on small-llama it is not
// (the closing note gives the figures, and why: the RMSNorm-ed inputs of q/k/v/gate/up have
// nearly equal channel norms and correlated channels, where per-tensor magnitude wins).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION, RECIPE_VERSION, type CalibrationSpec, type PruneSpec, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { createNodeLmSession } from '../../eval/ort-node';
import { loadTokenizer } from '../../eval/tokenizer';
import { VariantEvaluator } from '../../eval/variant-evaluator';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { CalibrationCache, calibrator } from '../calibration/calibrator';
import { compressModel } from '../compress-model';
import { openFixture } from '../exporters/testing/export-fixtures';
import type { OpenedModel } from '../open-model';
import { resolveRecipe } from '../recipe/resolve-recipe';
import { variantWeights } from '../variant-weights';

const PUBLIC = resolve(import.meta.dirname, '../../../public/eval');
const W = 16;

function pruneRecipe(prune: PruneSpec, calibration?: CalibrationSpec): Recipe {
  return { recipe: RECIPE_VERSION, ...(calibration ? { calibration } : {}), rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', prune }] };
}

describeWithFixtures('pruning quality on small-llama (W=16)', [['models', 'small-llama', 'onnx', 'model.onnx']], () => {
  let model: OpenedModel;
  let evaluator: VariantEvaluator;
  let evalTokens: Int32Array;
  const cache = new CalibrationCache();
  const text = readFileSync(`${PUBLIC}/wikitext-2-valid-excerpt.txt`, 'utf8');

  beforeAll(async () => {
    model = await openFixture('small-llama', 'onnx/model.onnx');
    const tokenizer = loadTokenizer(await model.tokenizer!.read(0, model.tokenizer!.byteLength), {}, 'tokenizer.json');
    evalTokens = tokenizer.encode(readFileSync(`${PUBLIC}/wikitext-2-test-excerpt.txt`, 'utf8'));
    evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
  }, 120_000);

  async function ppl(recipe: Recipe): Promise<number> {
    const resolved = await resolveRecipe(model, recipe, 'onnx');
    const spec = resolved.plan.calibration;
    const { results, report } = await compressModel(model, resolved, {
      keepResults: true,
      calibrate: spec ? calibrator(model, spec, { text: async () => text, createSession: (b) => createNodeLmSession(b), cache }) : undefined,
    });
    expect(report.sparsity!.pruned).toBeGreaterThanOrEqual(0.5);
    const r = await evaluator.evaluate(evalTokens, variantWeights(resolved.plan, results!), { windows: W });
    console.log(`${JSON.stringify(recipe.rules[1].prune)} ${JSON.stringify(recipe.calibration ?? {})}: ppl ${r.ppl.toFixed(4)} (W=${W}), sparsity ${report.sparsity!.pruned.toFixed(4)}`);
    return r.ppl;
  }

  const magnitude = { fifty: 0, twoFour: 0 };
  beforeAll(async () => {
    magnitude.fifty = await ppl(pruneRecipe({ method: 'magnitude', sparsity: 0.5, scope: 'tensor' }));
    magnitude.twoFour = await ppl(pruneRecipe({ method: 'magnitude', pattern: '2:4', scope: 'tensor' }));
  }, 300_000);

  // 32 windows (of the protocol's 128) keep the CPU reference Hessians within CI's time; sequential, as by default.
  it('SparseGPT beats magnitude at 50 % and at 2:4', async () => {
    const calibration = { ...DEFAULT_CALIBRATION, windows: 32 };
    expect(await ppl(pruneRecipe({ method: 'sparsegpt', sparsity: 0.5, damping: 0.01, blocksize: 128 }, calibration))).toBeLessThan(magnitude.fifty);
    expect(await ppl(pruneRecipe({ method: 'sparsegpt', pattern: '2:4', damping: 0.01, blocksize: 128 }, calibration))).toBeLessThan(magnitude.twoFour);
  }, 900_000);

  it('Wanda beats magnitude at 2:4 (and its 50 % figure is printed: on this model it does not beat magnitude there)', async () => {
    expect(await ppl(pruneRecipe({ method: 'wanda', pattern: '2:4' }, DEFAULT_CALIBRATION))).toBeLessThan(magnitude.twoFour);
    await ppl(pruneRecipe({ method: 'wanda', sparsity: 0.5 }, DEFAULT_CALIBRATION));
  }, 900_000);
});
