// `studio compress MODEL (--recipe FILE | --target-bpw B | --target-size S [--calib F] [--calib-windows N])
// -o OUT.onnx|OUT.gguf|OUT.safetensors [--dry-run] [--json] [--print-recipe] [--config F]
// [--tokenizer F] [--max-shard-size S]`: runs a recipe (the one format the page, sweeps and exports
// share), or the size budget's recipe for a target, and writes the output; --dry-run prints the plan.
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { MissingFileError, UnsupportedModelError, UsageError } from '../../core/errors';
import { canonicalRecipe } from '../../core/recipe-id';
import type { Recipe } from '../../core/recipe';
import { parseRecipeText } from '../../pipeline/recipe/parse-recipe';
import { budgetRecipeFor } from '../budget-run';
import { dryRunReport, planRun, replannedFor, runPlanned } from '../compress-run';
import { formatBytes, printJson, printLine } from '../output';
import { printReportJson, printReportTable } from '../plan-output';
import { copySidecars } from '../sidecars';
import { finishTransformersJsFolder, transformersJsTarget } from '../transformers-js-folder';
import { parseSize } from '../sizes';

export interface CompressArgs {
  model: string;
  out?: string;
  recipe?: string;
  dryRun: boolean;
  json: boolean;
  printRecipe: boolean;
  config?: string;
  tokenizer?: string;
  maxShardSize?: string;
  /** A size budget instead of a recipe: bits per quantized weight, or the output's size. */
  targetBpw?: string;
  targetSize?: string;
  calib?: string;
  calibWindows?: string;
  /** 'transformers.js': OUT is a folder transformers.js loads (onnx/model_<dtype>.onnx and the files beside). */
  layout?: string;
  /** With --layout transformers.js: the dtype the recipe must make (q4, q8, fp16, fp32). */
  dtype?: string;
}

export async function readRecipeFile(path: string | undefined): Promise<Recipe> {
  if (!path) throw new UsageError('--recipe FILE is required (a recipe JSON file, docs/recipe.schema.json)');
  const text = await readFile(path, 'utf8').catch(() => {
    throw new MissingFileError(`${path}: recipe file not found`, path);
  });
  return parseRecipeText(text, path);
}

/**
 * Shared by compress, quantize and convert: print the recipe, print the plan, or run it.
 * `requireQuantized`: a plan that quantizes nothing is an error (quantize's flags matched nothing).
 */
export async function compressWith(args: Omit<CompressArgs, 'recipe'>, recipe: Recipe, opts: { requireQuantized?: boolean; gzip?: boolean } = {}): Promise<void> {
  const maxShardBytes = args.maxShardSize === undefined ? undefined : parseSize(args.maxShardSize);
  if (args.printRecipe && !recipe.preset) {
    printJson(canonicalRecipe(recipe));
    return;
  }
  if (args.layout !== undefined && args.layout !== 'transformers.js') throw new UsageError(`--layout must be "transformers.js", got "${args.layout}"`);
  if (args.dtype !== undefined && args.layout === undefined) throw new UsageError('--dtype goes with --layout transformers.js (it names the file); the recipe decides the weights');
  const folder = args.layout ? args.out : undefined;
  if (folder === undefined && args.layout) throw new UsageError('-o FOLDER is required with --layout transformers.js');
  const graphFloat16 = args.dtype === 'fp16' || args.dtype === 'q4f16';
  let planned = await planRun({ ...args, out: folder ? join(folder, 'onnx', 'model.onnx') : args.out, recipe, maxShardBytes, graphFloat16 });
  const { plan } = planned.resolved;
  if (opts.requireQuantized && plan.order.length === 0) {
    const matmuls = planned.model.index.tensors.filter((t) => t.role === 'matmul-weight').length;
    throw new UnsupportedModelError(
      matmuls === 0
        ? `nothing to compress: ${planned.model.index.fileName} has no MatMul/Gemm weight initializers`
        : `nothing to quantize: none of the ${matmuls} matmul weights matches the tensor selection`,
    );
  }
  if (args.printRecipe) {
    // The preset's expansion for this model: the same plan without the preset.
    const { preset: _preset, pure: _pure, ...rest } = recipe;
    printJson(canonicalRecipe({ ...rest, rules: plan.rules }));
    return;
  }
  if (args.dryRun) {
    const report = dryRunReport(plan);
    if (args.json) printReportJson(report, false);
    else printReportTable(report, false);
    return;
  }
  const out = folder ? await transformersJsTarget(folder, planned, args.dtype) : args.out!;
  if (folder) planned = await replannedFor(planned, out, recipe, maxShardBytes);
  const outcome = await runPlanned(planned, out, { gzip: opts.gzip || plan.tensors.some((t) => t.action.kind === 'prune') });
  const beside = folder ? await finishTransformersJsFolder(folder, args.model, planned, outcome, out, args.dtype) : [];
  // A checkpoint needs its config.json (with the new dtype and MLP width) and tokenizer beside it.
  if (plan.format === 'safetensors') await copySidecars(dirname(resolve(args.out!)), planned.sidecars, plan);
  if (args.json) {
    printReportJson(outcome.report, true);
    return;
  }
  printReportTable(outcome.report, true);
  printLine(`wrote ${outcome.paths.join(', ')}: ${formatBytes(outcome.bytes)} on ${outcome.report.device}`);
  if (folder) printLine(`transformers.js folder ${folder}: ${[...outcome.paths.map((p) => relative(folder, p)), ...beside].join(', ')}`);
}

export async function compressCommand(args: CompressArgs): Promise<void> {
  const budget = args.targetBpw !== undefined || args.targetSize !== undefined;
  if (budget && args.recipe) throw new UsageError('give --recipe FILE or a size target (--target-bpw, --target-size), not both (a budget writes its own recipe: --print-recipe shows it)');
  if (!budget && (args.calib !== undefined || args.calibWindows !== undefined)) throw new UsageError('--calib and --calib-windows go with --target-bpw or --target-size (a recipe says its own calibration)');
  await compressWith(args, budget ? await budgetRecipeFor(args) : await readRecipeFile(args.recipe));
}
