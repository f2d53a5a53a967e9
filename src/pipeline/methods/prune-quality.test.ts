// Pruning quality on a real trained model (small-llama, docs/EVAL.md wikitext2-w256, W=16): the
// calibrated methods against magnitude at the same sparsity, through the whole seam — recipe,
// calibration on the bundled validation text (onnxruntime-node), the CPU references, and
// perplexity of the pruned weights. The figures are printed for the closing note. Wanda at 50 %
// unstructured is measured but not asserted better than magnitude: on small-llama it is not
// (the closing note gives the figures, and why: the RMSNorm-ed inputs of q/k/v/gate/up have
// nearly equal channel norms and correlated channels, where per-tensor magnitude wins).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION, RECIPE_VERSION, type CalibrationSpec, type PruneSpec, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { qualityHarness, type QualityHarness } from './testing/quality-run';

const W = 16;

function pruneRecipe(prune: PruneSpec, calibration?: CalibrationSpec): Recipe {
  return { recipe: RECIPE_VERSION, ...(calibration ? { calibration } : {}), rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', prune }] };
}

describeWithFixtures('pruning quality on small-llama (W=16)', [['models', 'small-llama', 'onnx', 'model.onnx']], () => {
  let harness: QualityHarness;
  beforeAll(async () => {
    harness = await qualityHarness('small-llama');
  }, 120_000);
  afterAll(() => harness?.release());

  async function ppl(recipe: Recipe): Promise<number> {
    const { evaluation, report } = await harness.run(recipe, W);
    expect(report.sparsity!.pruned).toBeGreaterThanOrEqual(0.5);
    console.log(`${JSON.stringify(recipe.rules[1].prune)} ${JSON.stringify(recipe.calibration ?? {})}: ppl ${evaluation.ppl.toFixed(4)} (W=${W}), sparsity ${report.sparsity!.pruned.toFixed(4)}`);
    return evaluation.ppl;
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
