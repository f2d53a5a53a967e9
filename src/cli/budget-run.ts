// `compress --target-bpw B | --target-size S`: the size budget (pipeline/budget/size-budget.ts)
// for the model and output format, its recipe run like any other. Calibration is one pass over
// --calib (default the bundled wikitext-2 validation excerpt), --calib-windows windows (default
// 32: per-column sums of squares settle quickly); each weight's KL probe scores 4 of those
// windows with onnxruntime-node. Progress and what was chosen go to stderr.
import { UsageError } from '../core/errors';
import { quantizeLabel, type Recipe } from '../core/recipe';
import { createNodeLmSession } from '../eval/ort-node';
import { loadTokenizer } from '../eval/tokenizer';
import { VariantEvaluator } from '../eval/variant-evaluator';
import { sizeBudgetRecipe } from '../pipeline/budget/size-budget';
import { BUDGET_CALIBRATION_WINDOWS, BUDGET_PROBE_WINDOWS, largestUniformWithin, type BudgetTarget } from '../core/size-budget';
import { calibrator } from '../pipeline/calibration/calibrator';
import { openModel } from '../pipeline/open-model';
import { outputFormatOf } from './compress-run';
import { compressionGpu } from './device-choice';
import { calibrationText } from './eval-inputs';
import { graphModel } from './graph-model';
import { modelSources } from './node-files';
import { endProgress, progressLine } from './output';
import { findSidecars } from './sidecars';
import { parseSize } from './sizes';

export interface BudgetFlags {
  model: string;
  out?: string;
  targetBpw?: string;
  targetSize?: string;
  calib?: string;
  calibWindows?: string;
  config?: string;
  tokenizer?: string;
}

export function budgetTargetOf(args: Pick<BudgetFlags, 'targetBpw' | 'targetSize'>): BudgetTarget {
  if (args.targetBpw !== undefined && args.targetSize !== undefined) throw new UsageError('give --target-bpw or --target-size, not both');
  if (args.targetBpw !== undefined) {
    const b = Number(args.targetBpw);
    if (!(b > 0 && b <= 32)) throw new UsageError(`--target-bpw must be bits per weight in (0, 32], e.g. 4.5; got "${args.targetBpw}"`);
    return { bitsPerWeight: b };
  }
  return { bytes: parseSize(args.targetSize!, '--target-size') };
}

/** The budget's recipe for MODEL and OUT's format. */
export async function budgetRecipeFor(args: BudgetFlags): Promise<Recipe> {
  const target = budgetTargetOf(args);
  const format = outputFormatOf(args.out);
  const windows = args.calibWindows === undefined ? BUDGET_CALIBRATION_WINDOWS : Number(args.calibWindows);
  if (!Number.isInteger(windows) || windows < 1) throw new UsageError(`--calib-windows must be a positive integer, got "${args.calibWindows}"`);
  const model = await graphModel(await openModel(await modelSources(args.model)), 'a size budget calibrates and probes by running the model');
  const sidecars = await findSidecars(args.model, args);
  const gpu = await compressionGpu();
  const textName = args.calib ?? 'builtin';
  let evaluator: VariantEvaluator | undefined;
  try {
    const calibrate = calibrator(model, { text: textName, windows, sequential: false }, { text: calibrationText, createSession: (b) => createNodeLmSession(b), gpu }, (p) => {
      if (p.calibration) progressLine(`budget: calibrate [${p.calibration.windowsDone}/${p.calibration.windowsTotal} windows]`);
    });
    let probe;
    if (model.onnx && model.tokenizer) {
      evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
      const tokens = loadTokenizer(await model.tokenizer.read(0, model.tokenizer.byteLength), {}, model.tokenizer.name).encode(await calibrationText(textName));
      probe = { evaluator, tokens, windows: BUDGET_PROBE_WINDOWS };
    }
    const started = performance.now();
    const r = await sizeBudgetRecipe(model, target, format, {
      calibrate: (needs, signal) => calibrate(needs, signal),
      gpu,
      context: sidecars.context,
      probe,
      onProgress: (p) => {
        if (p.stage !== 'sensitivity') return;
        const left = p.done > 0 ? ((p.total - p.done) * (performance.now() - started)) / p.done / 1000 : undefined;
        progressLine(`budget: sensitivity [${p.done}/${p.total}] ${p.current ?? ''}${left !== undefined ? `, ${left.toFixed(0)} s left` : ''}`);
      },
    });
    endProgress();
    const unit = r.sensitivity === 'kl-probe' ? 'KL' : 'output error';
    const near = largestUniformWithin(r.uniform, r.budgetBytes);
    process.stderr.write(
      `studio: budget ${r.bitsPerWeight.toFixed(3)} bits/weight (${r.bytes} bytes of weights, ${r.budgetBytes} allowed), predicted ${unit} ${r.loss.toExponential(3)}` +
        (near ? `; the largest uniform setting that fits, ${quantizeLabel(near.spec)} at ${near.bitsPerWeight.toFixed(3)} bits/weight: ${near.loss.toExponential(3)}` : '') +
        `\nstudio: ${r.recipe.rules.map((rule) => `${quantizeLabel(rule.quantize!)} × ${rule.match.split('|').length}`).join(', ')} (--print-recipe shows the recipe)\n`,
    );
    return r.recipe;
  } finally {
    await evaluator?.release();
    gpu?.destroy();
  }
}
