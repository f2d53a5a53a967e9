// `studio sweep MODEL --bits 8,4,3 --block 32,128 [--sym both|yes|no] [--methods rtn,gptq]
// [--sparsity 0,0.5,2:4 --prune-methods magnitude,wanda,sparsegpt,channels] [--calib FILE]
// [--calib-windows N] [--gguf-types Q8_0,Q4_K_M] [--budget-bpw 4.5,5.125] [--include RE] [--exclude RE] [--recipe BASE]
// [--windows N] [--tokenizer FILE] [--text FILE] --json`: the grid as a queue of recipes (a base
// recipe's rules first, then each point's), one JSON line per finished point on stdout (its id is
// its recipe's, as in the page), then a summary. Calibrated points share one calibration each.
import { exportContextOf } from '../../pipeline/export-context';
import { calibrator, CalibrationCache } from '../../pipeline/calibration/calibrator';
import { MissingFileError, UsageError } from '../../core/errors';
import { DEFAULT_CALIBRATION, PRUNE_METHODS, PRUNE_PATTERNS, RTN_GROUP_SIZES, type PruneMethodId, type RtnBits, type RtnGroupSize } from '../../core/recipe';
import { CALIBRATED_SWEEP_METHODS, SWEEP_QUANTIZE_METHODS, type SweepAxes, type SweepQuantizeMethod, type SweepSparsity } from '../../core/sweep';
import { selectionLabel } from '../../core/tensor-selection';
import { BUDGET_CALIBRATION_WINDOWS } from '../../core/size-budget';
import { createNodeLmSession } from '../../eval/ort-node';
import { VariantEvaluator } from '../../eval/variant-evaluator';
import { openModel } from '../../pipeline/open-model';
import { ggufTypeRecipe, rtnSpecFromFlags, selectionFromFlags } from '../../pipeline/recipe/shorthands';
import { expandGrid, runSweep } from '../../pipeline/sweep';
import { nodeGpuContext } from '../gpu-node';
import { calibrationText, evaluationTokens, parseWindows } from '../eval-inputs';
import { graphModel } from '../graph-model';
import { modelSources } from '../node-files';
import { printJson, progressLine } from '../output';
import { findSidecars } from '../sidecars';
import { readRecipeFile } from './compress';

export interface SweepArgs {
  model: string;
  bits?: string;
  ggufTypes?: string;
  /** llama.cpp points without (no), with (yes) or both ways with an importance matrix. */
  ggufImatrix?: string;
  block?: string;
  sym?: string;
  methods?: string;
  /** Size-budget points at these bits per weight. */
  budgetBpw?: string;
  sparsity?: string;
  pruneMethods?: string;
  calib?: string;
  calibWindows?: string;
  include?: string;
  exclude?: string;
  recipe?: string;
  windows?: string;
  tokenizer?: string;
  text?: string;
  json: boolean;
}

function list(value: string | undefined, flag: string): string[] {
  if (!value) throw new UsageError(`${flag} is required (a comma-separated list)`);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

export async function sweepAxesFromArgs(args: SweepArgs): Promise<SweepAxes> {
  const ggufTypes = (args.ggufTypes ? list(args.ggufTypes, '--gguf-types') : []).map((t) => {
    const preset = ggufTypeRecipe(t, true).preset;
    if (!preset) throw new UsageError(`--gguf-types takes llama.cpp presets or pure types (Q8_0, Q4_K_M, Q4_1, …); got "${t}"`);
    return preset;
  });
  const budgets = (args.budgetBpw ? list(args.budgetBpw, '--budget-bpw') : []).map((b) => {
    const n = Number(b);
    if (!(n > 0 && n <= 32)) throw new UsageError(`--budget-bpw values must be bits per weight in (0, 32], got "${b}"`);
    return n;
  });
  if (!args.bits && ggufTypes.length === 0 && budgets.length === 0) throw new UsageError('give --bits (RTN points), --gguf-types (llama.cpp points) and/or --budget-bpw (size-budget points)');
  const bits = (args.bits ? list(args.bits, '--bits') : []).map((b) => rtnSpecFromFlags({ bits: b, perChannel: false, sym: false }).bits as RtnBits);
  const blocks = list(args.block ?? '32', '--block').map((b): RtnGroupSize => {
    if (b === 'pc' || b === 'per-channel') return 'per-channel';
    const n = Number(b);
    if (!(RTN_GROUP_SIZES as readonly number[]).includes(n)) throw new UsageError(`--block values must be ${RTN_GROUP_SIZES.join(', ')} or per-channel, got "${b}"`);
    return n as RtnGroupSize;
  });
  const sym = args.sym ?? 'no';
  const symmetric = sym === 'both' ? [false, true] : sym === 'yes' || sym === 'true' ? [true] : sym === 'no' || sym === 'false' ? [false] : null;
  if (!symmetric) throw new UsageError(`--sym must be both, yes or no, got "${sym}"`);
  const selection = selectionFromFlags(args);
  const base = args.recipe ? await readRecipeFile(args.recipe) : undefined;
  const methods = list(args.methods ?? 'rtn', '--methods').map((m) => {
    if (!(SWEEP_QUANTIZE_METHODS as readonly string[]).includes(m)) throw new UsageError(`--methods values must be ${SWEEP_QUANTIZE_METHODS.join(', ')}, got "${m}"`);
    return m as SweepQuantizeMethod;
  });
  const sparsities = args.sparsity === undefined ? [0] : list(args.sparsity, '--sparsity').map((s): SweepSparsity => {
    if ((PRUNE_PATTERNS as readonly string[]).includes(s)) return s as SweepSparsity;
    const n = Number(s);
    if (!(n >= 0 && n < 1)) throw new UsageError(`--sparsity values must be fractions in [0, 1) or ${PRUNE_PATTERNS.join(', ')}, got "${s}"`);
    return n;
  });
  const pruneMethods = list(args.pruneMethods ?? 'magnitude', '--prune-methods').map((m) => {
    if (!(PRUNE_METHODS as readonly string[]).includes(m)) throw new UsageError(`--prune-methods values must be ${PRUNE_METHODS.join(', ')}, got "${m}"`);
    return m as PruneMethodId;
  });
  if (args.pruneMethods !== undefined && args.sparsity === undefined) throw new UsageError('--prune-methods goes with --sparsity (e.g. 0,0.5,2:4)');
  const prunes = sparsities.some((s) => s !== 0);
  const imatrix = args.ggufImatrix ?? 'no';
  const ggufImatrix = imatrix === 'both' ? [false, true] : imatrix === 'yes' ? [true] : imatrix === 'no' ? [false] : null;
  if (!ggufImatrix) throw new UsageError(`--gguf-imatrix must be no, yes or both, got "${imatrix}"`);
  if (args.ggufImatrix !== undefined && ggufTypes.length === 0) throw new UsageError('--gguf-imatrix goes with --gguf-types');
  const calibrates = budgets.length > 0 || methods.some((m) => CALIBRATED_SWEEP_METHODS.includes(m)) || (prunes && pruneMethods.some((m) => m !== 'magnitude')) || ggufImatrix.includes(true);
  // Size budgets alone calibrate on fewer windows by default (per-column sums settle quickly).
  const onlyBudgets = budgets.length > 0 && !methods.some((m) => CALIBRATED_SWEEP_METHODS.includes(m)) && !(prunes && pruneMethods.some((m) => m !== 'magnitude')) && !ggufImatrix.includes(true);
  const windows = args.calibWindows === undefined ? (onlyBudgets ? BUDGET_CALIBRATION_WINDOWS : DEFAULT_CALIBRATION.windows) : Number(args.calibWindows);
  if (!Number.isInteger(windows) || windows < 1) throw new UsageError(`--calib-windows must be a positive integer, got "${args.calibWindows}"`);
  return {
    bits,
    blocks,
    symmetric,
    selections: [{ label: selectionLabel(selection), selection }],
    ggufTypes,
    ...(ggufImatrix.includes(true) ? { ggufImatrix } : {}),
    ...(base ? { base } : {}),
    // An rtn-only sweep leaves the axis out, so its request (and its points' ids) stay as they were.
    ...(methods.some((m) => m !== 'rtn') ? { quantizeMethods: methods } : {}),
    ...(prunes ? { sparsities, pruneMethods } : {}),
    ...(budgets.length ? { budgets } : {}),
    ...(calibrates ? { calibration: { ...DEFAULT_CALIBRATION, text: args.calib ?? DEFAULT_CALIBRATION.text, windows } } : {}),
  };
}

export async function sweepCommand(args: SweepArgs): Promise<void> {
  if (!args.json) throw new UsageError('sweep prints JSON lines: pass --json');
  const axes = await sweepAxesFromArgs(args);
  const windows = parseWindows(args.windows);
  const model = await graphModel(await openModel(await modelSources(args.model)), 'a sweep evaluates every point');
  const tokens = await evaluationTokens(model, args);
  const grid = expandGrid(axes);
  // GGUF points need a config and tokenizer: the files beside the model, else what the model
  // carries (a lone GGUF's own metadata and vocabulary, through its built graph).
  const sidecars = grid.some((p) => p.format === 'gguf') ? await findSidecars(args.model, args) : undefined;
  const exportContext = sidecars ? await exportContextOf(model, Object.fromEntries(Object.entries(sidecars.context).filter(([, v]) => v !== undefined))) : undefined;
  if (exportContext && (!exportContext.config || !exportContext.tokenizer)) {
    const missing = exportContext.config ? 'tokenizer.json' : 'config.json';
    throw new MissingFileError(`--gguf-types needs ${missing} beside the model or in its parent folder`, missing);
  }
  const ctx = await nodeGpuContext();
  const evaluator = await VariantEvaluator.create(model, (bytes) => createNodeLmSession(bytes));
  const env = { text: calibrationText, createSession: (bytes: Uint8Array) => createNodeLmSession(bytes), gpu: ctx, cache: new CalibrationCache() };
  try {
    const reference = await evaluator.evaluate(tokens, [], { windows });
    const started = performance.now();
    const points = await runSweep(model, grid, evaluator, tokens, {
      windows,
      gpu: ctx,
      exportContext,
      calibrate: (spec, needs, signal, onProgress, sequential) => calibrator(model, spec, env, (p) => p.calibration && onProgress(p.calibration))(needs, signal, sequential),
      calibrationText,
      onProgress: (p) =>
        progressLine(`sweep [${p.pointIndex + 1}/${p.pointsTotal}] ${p.config.label} ${p.phase}${p.eval ? ` ${p.eval.windowsDone}/${p.eval.windowsTotal}` : ''}`),
      onPoint: (point) => printJson(point),
    });
    printJson({
      summary: true,
      points: points.length,
      referencePpl: reference.ppl,
      referenceBytes: model.index.fileBytes,
      windows,
      elapsedMs: performance.now() - started,
      adapter: ctx.adapterInfo,
    });
  } finally {
    await evaluator.release();
    ctx.destroy();
  }
}
