// GPTQ quality on a real trained model (small-llama, docs/EVAL.md wikitext2-w256, W=16): GPTQ
// against round-to-nearest on the same grid, through the whole seam — recipe, calibration on the
// bundled validation text (onnxruntime-node, sequential as by default), the CPU references, and
// perplexity of the quantized weights. Sizes are equal by construction (the same grid); the
// figures are printed for the closing note.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION, RECIPE_VERSION, type QuantizeSpec, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { qualityHarness, type QualityHarness } from './testing/quality-run';

const W = 16;
/** Calibration windows (of the protocol's 128): the CPU reference Hessians within CI's time. */
const CALIBRATION = { ...DEFAULT_CALIBRATION, windows: 32 };

function recipeOf(quantize: QuantizeSpec): Recipe {
  const calibrated = quantize.method === 'gptq';
  return { recipe: RECIPE_VERSION, ...(calibrated ? { calibration: CALIBRATION } : {}), rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', quantize }] };
}

describeWithFixtures('GPTQ quality on small-llama (W=16)', [['models', 'small-llama', 'onnx', 'model.onnx']], () => {
  let harness: QualityHarness;
  beforeAll(async () => {
    harness = await qualityHarness('small-llama');
  }, 120_000);
  afterAll(() => harness?.release());

  async function measure(quantize: QuantizeSpec): Promise<{ ppl: number; bytes: number }> {
    // bytes: the quantized tensors' (the file also carries the recipe, longer for gptq).
    const { evaluation, report, plan } = await harness.run(recipeOf(quantize), W);
    const tokens = report.calibration ? `, ${report.calibration.tokens} calibration tokens` : '';
    const bytes = plan.tensors.reduce((n, t) => n + t.bytesAfter, 0);
    console.log(`${JSON.stringify(quantize)}: ppl ${evaluation.ppl.toFixed(4)} (W=${W}), tensors ${bytes} B, ${plan.bitsPerWeight.toFixed(4)} bits/weight${tokens}`);
    return { ppl: evaluation.ppl, bytes };
  }

  const grid = (bits: 3 | 4) => ({ bits, group: 128 as const, symmetric: false });
  const gptq = (bits: 3 | 4, actOrder: boolean): QuantizeSpec => ({ method: 'gptq', ...grid(bits), damping: 0.01, blocksize: 128, actOrder });
  let rtn3: { ppl: number; bytes: number };
  beforeAll(async () => {
    rtn3 = await measure({ method: 'rtn', ...grid(3) });
  }, 300_000);

  it('GPTQ beats round-to-nearest at 3-bit/128, at the same size, with and without act-order', async () => {
    for (const actOrder of [false, true]) {
      const g = await measure(gptq(3, actOrder));
      expect(g.bytes).toBe(rtn3.bytes);
      expect(g.ppl).toBeLessThan(rtn3.ppl);
    }
  }, 900_000);

  it('GPTQ beats round-to-nearest at 4-bit/128', async () => {
    const rtn4 = await measure({ method: 'rtn', ...grid(4) });
    expect((await measure(gptq(4, false))).ppl).toBeLessThan(rtn4.ppl);
  }, 900_000);
});
