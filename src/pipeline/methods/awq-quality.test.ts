// AWQ quality on a real trained model (small-llama, docs/EVAL.md wikitext2-w256, W=16) against
// round-to-nearest on the same grid (asymmetric, group 128), through the whole seam — recipe,
// calibration on the bundled validation text (onnxruntime-node), the scale search and clip search
// (CPU references), the scales folded into the norms, v_proj and up_proj, and perplexity of the
// result as the exported model computes it. Sizes are equal by construction (the same grid; the
// folded norms keep their type). Figures are printed for the closing note and the README.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION, RECIPE_VERSION, type QuantizeSpec, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { qualityHarness, type QualityHarness } from './testing/quality-run';

const W = 16;
/** Calibration windows (of the protocol's 128), as the GPTQ quality test. */
const CALIBRATION = { ...DEFAULT_CALIBRATION, windows: 32 };

function recipeOf(quantize: QuantizeSpec): Recipe {
  return { recipe: RECIPE_VERSION, ...(quantize.method === 'awq' ? { calibration: CALIBRATION } : {}), rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', quantize }] };
}

describeWithFixtures('AWQ quality on small-llama (W=16)', [['models', 'small-llama', 'onnx', 'model.onnx']], () => {
  let harness: QualityHarness;
  beforeAll(async () => {
    harness = await qualityHarness('small-llama');
  }, 120_000);
  afterAll(() => harness?.release());

  async function measure(quantize: QuantizeSpec): Promise<{ ppl: number; kl: number; bytes: number }> {
    const { evaluation, plan } = await harness.run(recipeOf(quantize), W);
    const bytes = plan.tensors.filter((t) => t.role === 'matmul-weight').reduce((n, t) => n + t.bytesAfter, 0);
    const kl = evaluation.kl?.mean ?? NaN;
    console.log(`${JSON.stringify(quantize)}: ppl ${evaluation.ppl.toFixed(4)} KL ${kl.toFixed(4)} (W=${W}), weights ${bytes} B, ${plan.bitsPerWeight.toFixed(4)} bits/weight, ${plan.awq?.length ?? 0} scale groups`);
    return { ppl: evaluation.ppl, kl, bytes };
  }

  const grid = (bits: 3 | 4) => ({ bits, group: 128 as const, symmetric: false });
  const awq = (bits: 3 | 4, clip = true): QuantizeSpec => ({ method: 'awq', ...grid(bits), gridPoints: 20, clip });

  // Measured (sequential calibration, 32 windows): 4-bit/128 RTN ppl 94.5959 KL 0.0226, AWQ 94.8789
  // KL 0.0196; 3-bit/128 RTN 99.6827 KL 0.1072, AWQ 99.1978. The KL divergence from the original
  // drops clearly at both widths; perplexity over 16 windows moves within ±0.5 % — at 4 bits AWQ's is
  // 0.3 % above RTN's, which the README reports as it is.
  it('at 4-bit/128 AWQ is closer to the original than round-to-nearest (KL), perplexity within 0.5 %, at the same size', async () => {
    const rtn = await measure({ method: 'rtn', ...grid(4) });
    const a = await measure(awq(4));
    expect(a.bytes).toBe(rtn.bytes);
    expect(a.kl).toBeLessThan(rtn.kl * 0.95);
    expect(a.ppl).toBeLessThan(rtn.ppl * 1.005);
  }, 900_000);

  it('at 3-bit/128 AWQ beats round-to-nearest in KL and perplexity', async () => {
    const rtn = await measure({ method: 'rtn', ...grid(3) });
    const a = await measure(awq(3));
    expect(a.kl).toBeLessThan(rtn.kl * 0.95);
    expect(a.ppl).toBeLessThan(rtn.ppl);
  }, 900_000);
});
