// A size budget (issue #10): given a target — bits per quantized weight, or the output file's
// bytes — choose per matmul weight one of the candidate settings so the file fits and the
// predicted loss is least, and say it as a recipe the person can read, edit and run.
//   Sensitivity: each candidate's calibrated output error on each weight, Σ_j E[x_j²]·Σ_i ΔW_ij²
//   (the diagonal of the calibration Hessian: what the layer's output moves by on the calibration
//   text, per token), from one calibration pass on the original model — the statistics llama.cpp's
//   importance matrix holds. Output errors of different layers are not in the same currency (an
//   error in the logits is not an error in the residual stream), so with a probe each weight's
//   errors are scaled into the model's: the KL divergence of the next-token distribution when that
//   weight alone takes the smallest candidate, on calibration windows, over its output error there
//   (both are second order in ΔW, so one ratio per weight carries over to the other candidates).
//   Losses are then summed over weights (each weight's effect taken alone).
//   Sizes: each candidate's exact bytes per tensor, from the plan of a uniform recipe of it.
//   Choice: allocate.ts (exact, multiple-choice knapsack).
// Memory: one weight and its candidates' results at a time. The methods run on the GPU when one
// is given, else their CPU references.
import type { OutputFormat } from '../../core/compression-plan';
import { CancelledError, RecipeError, throwIfAborted } from '../../core/errors';
import { isIntGridSpec, quantizeLabel, RECIPE_VERSION, type MethodNeeds, type QuantizeSpec, type Recipe, type RecipeRule } from '../../core/recipe';
import { escapeRegExp } from '../../core/regexp';
import type { BudgetSensitivity, BudgetSummary, BudgetTarget } from '../../core/size-budget';
import type { GpuContext } from '../../gpu/context';
import type { VariantEvaluator } from '../../eval/variant-evaluator';
import { dequantizeCompressed } from '../../quant/dequantize-compressed';
import type { CalibrationStats } from '../calibration/calibrate';
import type { ExportContext } from '../exporters/exporter';
import { methodOf } from '../methods/registry';
import { originalValues } from '../methods/prune-run';
import type { OpenedModel } from '../open-model';
import { resolveRecipe } from '../recipe/resolve-recipe';
import { readWeight } from '../weights/read-weight';
import { allocateBudget } from './allocate';

/** Round-to-nearest settings a budget chooses among for ONNX and safetensors output (asymmetric). */
export const RTN_BUDGET_CANDIDATES: readonly QuantizeSpec[] = [2, 3, 4, 8].flatMap((bits) =>
  ([32, 64, 128] as const).map((group): QuantizeSpec => ({ method: 'rtn', bits: bits as 2 | 3 | 4 | 8, group, symmetric: false })),
);
/** llama.cpp types a budget chooses among for GGUF output. */
export const GGML_BUDGET_CANDIDATES: readonly QuantizeSpec[] = (['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'Q8_0'] as const).map((type): QuantizeSpec => ({ method: 'ggml', type }));

export function defaultCandidates(format: OutputFormat): readonly QuantizeSpec[] {
  return format === 'gguf' ? GGML_BUDGET_CANDIDATES : RTN_BUDGET_CANDIDATES;
}

export interface BudgetProgress {
  stage: 'calibration' | 'sensitivity';
  done: number;
  total: number;
  current?: string;
}

export interface SizeBudgetOptions {
  /** The settings to choose among (default: defaultCandidates(format)). */
  candidates?: readonly QuantizeSpec[];
  /** Calibration of every matmul weight's input (per-column sums of squares), e.g. pipeline/calibration/calibrator.ts. */
  calibrate(needs: ReadonlyMap<string, MethodNeeds>, signal?: AbortSignal): Promise<CalibrationStats>;
  gpu?: GpuContext;
  context?: ExportContext;
  signal?: AbortSignal;
  onProgress?(p: BudgetProgress): void;
  /**
   * KL probes (needs the model's ONNX graph): calibration-text tokens and windows the evaluator
   * scores each weight's smallest candidate on. Without it, raw output errors are summed.
   */
  probe?: { evaluator: VariantEvaluator; tokens: ArrayLike<number>; windows: number };
}

/** A candidate used uniformly on every weight: its size and predicted loss (what the budget is compared with). */
export interface UniformFigure {
  spec: QuantizeSpec;
  bytes: number;
  bitsPerWeight: number;
  loss: number;
}

export interface SizeBudgetResult {
  recipe: Recipe;
  /** Bytes the quantized weights may take, and what the choice takes. */
  budgetBytes: number;
  bytes: number;
  bitsPerWeight: number;
  /** Predicted loss (summed calibrated output error) of the choice. */
  loss: number;
  uniform: UniformFigure[];
  /** The setting each weight got, in model order. */
  tensors: { layer: string; spec: QuantizeSpec; bytes: number; loss: number; kl?: number }[];
  calibrationTokens: number;
  sensitivity: BudgetSensitivity;
}

/** The part of a result the page shows (plain data across the worker boundary). */
export function budgetSummary(r: SizeBudgetResult): BudgetSummary {
  const { recipe, bitsPerWeight, bytes, budgetBytes, loss, sensitivity, calibrationTokens } = r;
  return { recipe, bitsPerWeight, bytes, budgetBytes, loss, sensitivity, calibrationTokens, uniform: r.uniform.map((u) => ({ label: quantizeLabel(u.spec), bytes: u.bytes, bitsPerWeight: u.bitsPerWeight, loss: u.loss })) };
}

/** "4.5 bits/weight" → the budget of the quantized weights in bytes. */
function budgetBytesOf(target: BudgetTarget, numel: number, fixedBytes: number): number {
  if ('bitsPerWeight' in target) {
    if (!(target.bitsPerWeight > 0)) throw new RecipeError(`the target must be a positive number of bits per weight; got ${target.bitsPerWeight}`);
    return Math.floor((target.bitsPerWeight * numel) / 8);
  }
  if (!(target.bytes > 0)) throw new RecipeError(`the target size must be a positive number of bytes; got ${target.bytes}`);
  return target.bytes - fixedBytes;
}

/** One rule per chosen setting, naming its weights exactly (in model order), largest bits first. */
function rulesOf(layers: string[], choice: QuantizeSpec[]): RecipeRule[] {
  const groups = new Map<string, { spec: QuantizeSpec; layers: string[] }>();
  choice.forEach((spec, t) => {
    const key = quantizeLabel(spec);
    const g = groups.get(key) ?? { spec, layers: [] };
    g.layers.push(layers[t]);
    groups.set(key, g);
  });
  const bitsOf = (s: QuantizeSpec) => (isIntGridSpec(s) ? s.bits : Number(/\d+/.exec(s.type)?.[0] ?? 0));
  return [...groups.values()]
    .sort((a, b) => bitsOf(b.spec) - bitsOf(a.spec))
    .map((g) => ({ match: `^(${g.layers.map(escapeRegExp).join('|')})$`, role: 'matmul-weight' as const, quantize: g.spec }));
}

export async function sizeBudgetRecipe(model: OpenedModel, target: BudgetTarget, format: OutputFormat, opts: SizeBudgetOptions): Promise<SizeBudgetResult> {
  if (!model.onnx) throw new RecipeError(`a size budget calibrates and probes by running the model's ONNX graph, and ${model.index.fileName} has none: open the ONNX export of the model`);
  const candidates = opts.candidates ?? defaultCandidates(format);
  // Exact bytes of every candidate on every weight, from the plan of a uniform recipe of it.
  const plans = [];
  for (const spec of candidates) {
    const uniform: Recipe = { recipe: RECIPE_VERSION, rules: [{ match: '.*', role: 'matmul-weight', quantize: spec }] };
    plans.push((await resolveRecipe(model, uniform, format, opts.context)).plan);
  }
  const weights = plans[0].tensors.filter((t) => t.role === 'matmul-weight' && t.action.kind === 'quantize');
  if (weights.length === 0) throw new RecipeError('this model has no matmul weights to fit a size budget to');
  const numel = weights.reduce((n, t) => n + t.numel, 0);
  const bytesOf = plans.map((p) => new Map(p.tensors.map((t) => [t.name, t.bytesAfter])));
  const fixedBytes = plans[0].outputBytes - weights.reduce((n, t) => n + bytesOf[0].get(t.name)!, 0);
  const budgetBytes = budgetBytesOf(target, numel, fixedBytes);
  // Refused before any work when even the smallest setting of every weight does not fit.
  const smallest = weights.reduce((n, t) => n + Math.min(...bytesOf.map((b) => b.get(t.name)!)), 0);
  if (smallest > budgetBytes) {
    const bpw = (8 * smallest) / numel;
    throw new RecipeError(
      `the target is below the smallest the candidates can make: every weight at its smallest setting takes ${smallest} bytes (${bpw.toFixed(3)} bits/weight${'bytes' in target ? `, a ${smallest + fixedBytes}-byte file` : ''})`,
    );
  }

  opts.onProgress?.({ stage: 'calibration', done: 0, total: 1 });
  const stats = await opts.calibrate(new Map(weights.map((t) => [t.name, 'input-stats' as const])), opts.signal);
  const infos = new Map(model.index.tensors.map((t) => [t.name, t]));
  const losses: number[][] = [];
  const kls: (number | undefined)[] = [];
  // The probe: the candidate with the fewest bytes overall (the largest, best-measured change).
  const totals = candidates.map((_, c) => weights.reduce((n, t) => n + bytesOf[c].get(t.name)!, 0));
  const probeIndex = totals.indexOf(Math.min(...totals));
  for (const [i, t] of weights.entries()) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ stage: 'sensitivity', done: i, total: weights.length, current: t.layer });
    const input = await readWeight(model, infos.get(t.name)!);
    const w = originalValues(input);
    const s = stats.get(t.name);
    if (!s) throw new Error(`Internal error: calibration measured no input of ${t.layer}`);
    const { cols } = input.layout;
    const meanSquare = Float64Array.from(s.sumSquares, (v) => v / Math.max(1, s.tokens));
    const row: number[] = [];
    let kl: number | undefined;
    for (const [c, spec] of candidates.entries()) {
      const method = methodOf(spec);
      const result = opts.gpu ? await method.runGpu(opts.gpu, input, spec, opts.signal) : await method.runRef(input, spec);
      const approx = dequantizeCompressed(result);
      let loss = 0;
      for (let k = 0; k < w.length; k++) {
        const d = w[k] - approx[k];
        loss += meanSquare[k % cols] * d * d;
      }
      row.push(loss);
      if (opts.probe && c === probeIndex) {
        const r = await opts.probe.evaluator.evaluate(opts.probe.tokens, [{ name: t.name, values: () => approx }], { windows: opts.probe.windows, signal: opts.signal });
        kl = r.kl?.mean ?? 0;
      }
    }
    if (kl !== undefined) {
      const gain = row[probeIndex] > 0 ? kl / row[probeIndex] : 0;
      for (let c = 0; c < row.length; c++) row[c] *= gain;
    }
    losses.push(row);
    kls.push(kl);
  }
  opts.onProgress?.({ stage: 'sensitivity', done: weights.length, total: weights.length });
  if (opts.signal?.aborted) throw new CancelledError('the size budget was cancelled');

  const options = weights.map((t, i) => candidates.map((_, c) => ({ bytes: bytesOf[c].get(t.name)!, loss: losses[i][c] })));
  const layers = weights.map((t) => t.layer);
  const label = 'bitsPerWeight' in target ? `${target.bitsPerWeight}bpw` : `${target.bytes}B`;
  const allocate = (bytes: number) => {
    const a = allocateBudget(options, bytes);
    if (!a) throw new RecipeError(`the target leaves ${bytes} bytes for the weights, too few once sizes are rounded to the allocator's units; raise it slightly`);
    const choice = a.choice.map((c) => candidates[c]);
    return { allocation: a, choice, recipe: { recipe: RECIPE_VERSION, name: `budget-${label}`, rules: rulesOf(layers, choice) } satisfies Recipe };
  };
  let chosen = allocate(budgetBytes);
  if ('bytes' in target) {
    // The file also carries its recipe (longer than the uniform one the fixed bytes came from): give back what it overshoots.
    for (let tries = 0; tries < 3; tries++) {
      const over = (await resolveRecipe(model, chosen.recipe, format, opts.context)).plan.outputBytes - target.bytes;
      if (over <= 0) break;
      chosen = allocate(chosen.allocation.bytes - over);
    }
  }
  const { allocation, choice } = chosen;
  return {
    recipe: chosen.recipe,
    budgetBytes,
    bytes: allocation.bytes,
    bitsPerWeight: (8 * allocation.bytes) / numel,
    loss: allocation.loss,
    uniform: candidates.map((spec, c) => {
      const bytes = weights.reduce((n, t) => n + bytesOf[c].get(t.name)!, 0);
      return { spec, bytes, bitsPerWeight: (8 * bytes) / numel, loss: losses.reduce((n, row) => n + row[c], 0) };
    }),
    tensors: weights.map((t, i) => ({ layer: t.layer, spec: choice[i], bytes: options[i][allocation.choice[i]].bytes, loss: options[i][allocation.choice[i]].loss, ...(kls[i] !== undefined ? { kl: kls[i] } : {}) })),
    calibrationTokens: stats.tokens,
    sensitivity: opts.probe ? 'kl-probe' : 'output-error',
  };
}
