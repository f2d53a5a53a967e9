// Sweeps as a queue of recipes (DESIGN "The compression seam": a base recipe plus axes): every
// point is a recipe — the base's rules, then the point's own — resolved, compressed and evaluated
// like any other run, and sized by the exporter of its format (ONNX for rtn and float points, GGUF
// for llama.cpp types). The quantization methods (rtn, gptq) cross bits × blocks × zero point; the
// pruning axes (methods × sparsities) cross every rtn setting (gptq would refill the zeros);
// calibrated points share one calibration through the caller's cache. Each finished point is
// handed out at once; pausing or cancelling stops between points and keeps every finished one;
// resuming skips points already done.
import type { CompressedTensor } from '../core/compressed-tensor';
import { CancelledError } from '../core/errors';
import type { OutputFormat } from '../core/compression-plan';
import { recipeId } from '../core/recipe-id';
import {
  AWQ_DEFAULTS, DEFAULT_CALIBRATION, HQQ_DEFAULTS, hqqDefaultZeroPoint, pruneLabel, quantizeLabel, RECIPE_VERSION, ruleCalibrates,
  type CalibrationSpec, type AwqIntQuantize, type GgufPresetName, type GptqIntQuantize, type HqqQuantize, type MethodNeeds, type PruneMethodId, type PruneSpec, type Recipe, type RtnBits, type RtnGroupSize, type RtnQuantize,
} from '../core/recipe';
import type { SweepAxes, SweepPoint, SweepPointConfig, SweepQuantizeMethod, SweepSparsity } from '../core/sweep';
import { MLP_PROJECTIONS, selectionRules } from '../core/tensor-selection';
import type { CalibrationStats, SequentialRun } from './calibration/calibrate';
import type { CaptureProgress } from '../eval/activation-capture';
import type { PerplexityProgress } from '../eval/perplexity';
import type { VariantEvaluator } from '../eval/variant-evaluator';
import type { GpuContext } from '../gpu/context';
import { compressModel } from './compress-model';
import type { ExportContext } from './exporters/exporter';
import type { OpenedModel } from './open-model';
import { resolveRecipe, type ResolvedPlan } from './recipe/resolve-recipe';
import { variantWeights } from './variant-weights';
import { BUDGET_CALIBRATION_WINDOWS, BUDGET_PROBE_WINDOWS } from '../core/size-budget';
import { loadTokenizer } from '../eval/tokenizer';
import { sizeBudgetRecipe } from './budget/size-budget';

/** Nominal bits, block and symmetry of a llama.cpp type name, for the chart's axes and colours. */
export function ggufTypeTraits(name: string): { bits: number; block: 32 | 256; sym: boolean } {
  const bits = Number(/^Q(\d)/i.exec(name)?.[1] ?? 8);
  return { bits, block: /_K/i.test(name) ? 256 : 32, sym: /^Q(8_0|4_0|5_0|6_K|3_K)/i.test(name) };
}

function point(recipe: Recipe, format: OutputFormat, rest: Omit<SweepPointConfig, 'id' | 'recipe' | 'format'>): SweepPointConfig {
  return { id: recipeId(recipe), recipe, format, ...rest };
}

/** The recipe's prune spec for a method at one point of the sparsity axis (defaults filled); channels take sparsities only. */
export function pruneSpecOf(method: PruneMethodId, target: SweepSparsity): PruneSpec {
  if (method === 'channels') {
    if (typeof target !== 'number') throw new Error(`Internal error: channel pruning has no ${target} pattern`);
    return { method, sparsity: target };
  }
  const t = typeof target === 'number' ? { sparsity: target } : { pattern: target };
  if (method === 'magnitude') return { method, ...t, scope: 'tensor' };
  if (method === 'sparsegpt') return { method, ...t, damping: 0.01, blocksize: 128 };
  return { method, ...t };
}

type Selection = SweepAxes['selections'][number];
type PointPrune = { method: PruneMethodId; target: SweepSparsity } | undefined;

function recipeOf(rules: Recipe['rules'], base: Recipe | undefined, calibration: CalibrationSpec | undefined): Recipe {
  return { recipe: RECIPE_VERSION, ...(calibration ? { calibration } : {}), rules: [...(base?.rules ?? []), ...rules] };
}

/** A setting of the integer grid: rtn, or gptq on the same grid (its solver's defaults). */
export type GridSpec = RtnQuantize | GptqIntQuantize | AwqIntQuantize | HqqQuantize;

/** The spec of `method` on one grid setting (each method's defaults); null where the method has no such setting (HQQ is asymmetric). */
export function gridSpec(method: SweepQuantizeMethod, grid: { bits: RtnBits; group: RtnGroupSize; symmetric: boolean }): GridSpec | null {
  if (method === 'rtn') return { method, ...grid };
  if (method === 'gptq') return { method, ...grid, damping: 0.01, blocksize: 128, actOrder: false };
  if (method === 'awq') return { method, ...grid, ...AWQ_DEFAULTS };
  if (grid.symmetric) return null;
  return { method, bits: grid.bits, group: grid.group, symmetric: false, zeroPoint: hqqDefaultZeroPoint(grid.bits), ...HQQ_DEFAULTS };
}

/** A point for one grid setting (or none: float) over one selection, optionally pruned first, after the base's rules. */
export function gridPoint(spec: GridSpec | null, selection: Selection, base?: Recipe, prune?: PointPrune, calibration?: CalibrationSpec): SweepPointConfig {
  const pruneSpec = prune ? pruneSpecOf(prune.method, prune.target) : undefined;
  const calibrates = ruleCalibrates({ prune: pruneSpec, quantize: spec ?? undefined });
  const quantize = spec ? { quantize: spec } : {};
  // Channel pruning takes the MLP projections (all three together), before the selection's rules.
  const rules =
    pruneSpec?.method === 'channels'
      ? [{ match: MLP_PROJECTIONS, prune: pruneSpec, ...quantize }, ...(spec ? selectionRules(selection.selection, quantize) : [])]
      : selectionRules(selection.selection, { ...(pruneSpec ? { prune: pruneSpec } : {}), ...quantize });
  const recipe = recipeOf(rules, base, calibrates ? (calibration ?? DEFAULT_CALIBRATION) : undefined);
  const label = [pruneSpec ? pruneLabel(pruneSpec) : '', spec ? quantizeLabel(spec) : ''].filter(Boolean).join(' + ') || 'float';
  const traits = spec ? { method: spec.method, bits: spec.bits, block: spec.group, sym: spec.symmetric } : { method: 'float' as const, bits: 16, block: 'per-channel' as const, sym: true };
  return point(recipe, 'onnx', { label, selectionLabel: selection.label, ...traits, ...(prune ? { prune } : {}) });
}

/**
 * A point for one llama.cpp preset or pure type, after the base's rules; with `imatrix`, its types
 * weighted by an importance matrix measured on `calibration` in one pass over the original model
 * (llama-imatrix's way, and shared by every such point).
 */
export function ggufPoint(type: string, base?: Recipe, imatrix = false, calibration?: CalibrationSpec): SweepPointConfig {
  const preset = type.toUpperCase() as GgufPresetName;
  const recipe: Recipe = {
    recipe: RECIPE_VERSION,
    preset,
    ...(imatrix ? { imatrix: true, calibration: { ...(calibration ?? DEFAULT_CALIBRATION), sequential: false } } : {}),
    rules: [...(base?.rules ?? [])],
  };
  const method = imatrix ? 'llama.cpp imatrix' : 'llama.cpp';
  return point(recipe, 'gguf', { label: `llama.cpp ${preset}${imatrix ? ' + imatrix' : ''}`, selectionLabel: 'llama.cpp mix', method, ...ggufTypeTraits(preset) });
}

/**
 * A size-budget point at `bitsPerWeight`: until it runs, its recipe holds only the calibration it
 * will use (so its id names target and calibration); runSweep writes the real one.
 */
export function budgetPoint(bitsPerWeight: number, calibration?: CalibrationSpec): SweepPointConfig {
  const spec: CalibrationSpec = { ...(calibration ?? { ...DEFAULT_CALIBRATION, windows: BUDGET_CALIBRATION_WINDOWS }), sequential: false };
  const recipe: Recipe = { recipe: RECIPE_VERSION, name: `budget-${bitsPerWeight}bpw`, calibration: spec, rules: [] };
  const id = `b-${bitsPerWeight}-${recipeId(recipe).slice(2)}`;
  return { id, recipe, format: 'onnx', label: `budget ${bitsPerWeight} bits/weight`, selectionLabel: 'size budget', method: 'budget', budget: { bitsPerWeight }, bits: Math.floor(bitsPerWeight), block: 'per-channel', sym: false };
}

/** The pruning of each point of the axes: none for sparsity 0, else every method at every target. */
function prunings(axes: SweepAxes): PointPrune[] {
  const targets = axes.sparsities?.length ? axes.sparsities : [0];
  const methods = axes.pruneMethods?.length ? axes.pruneMethods : ['magnitude' as const];
  return targets.flatMap((t): PointPrune[] =>
    t === 0 ? [undefined] : methods.filter((m) => m !== 'channels' || typeof t === 'number').map((method) => ({ method, target: t })),
  );
}

/**
 * The grid in a sensible order: llama.cpp types (never pruned: their mixes hold types that cannot
 * store exact zeros), then higher bits first and, within a setting, the denser points first (the
 * cheap, near-lossless points show up first).
 */
export function expandGrid(axes: SweepAxes): SweepPointConfig[] {
  const imatrix = axes.ggufImatrix?.length ? axes.ggufImatrix : [false];
  const out = (axes.ggufTypes ?? []).flatMap((t) => imatrix.map((i) => ggufPoint(t, axes.base, i, axes.calibration)));
  const bits = [...new Set(axes.bits)].sort((a, b) => b - a);
  const prunes = prunings(axes);
  const methods = axes.quantizeMethods?.length ? axes.quantizeMethods : ['rtn' as const];
  const settings: (GridSpec | null)[] = [];
  if (axes.unquantized) settings.push(null);
  for (const b of bits) {
    for (const group of axes.blocks) {
      for (const symmetric of axes.symmetric) {
        for (const method of methods) {
          const spec = gridSpec(method, { bits: b, group, symmetric });
          if (spec) settings.push(spec);
        }
      }
    }
  }
  for (const spec of settings) {
    for (const s of axes.selections) {
      for (const p of prunes) {
        // Float and not pruned is the original model: the reference line, not a point. GPTQ does not follow
        // pruning (it would refill the zeros), nor do AWQ (its scales are searched on unpruned weights)
        // and HQQ (its float zero points cannot store them).
        if ((spec || p) && !(p && (spec?.method === 'gptq' || spec?.method === 'awq' || spec?.method === 'hqq'))) out.push(gridPoint(spec, s, axes.base, p, axes.calibration));
      }
    }
  }
  for (const b of axes.budgets ?? []) out.push(budgetPoint(b, axes.calibration));
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(p.id) && seen.add(p.id));
}

/** Channel pruning: the fraction of the narrowed tensors' parameters removed (its point on the sparsity axis). */
function removedFraction(plan: ResolvedPlan['plan']): number {
  let before = 0;
  let after = 0;
  for (const t of plan.tensors) {
    if (!t.channels) continue;
    after += t.numel;
    before += (t.numel / t.channels.kept) * t.channels.of;
  }
  return before ? 1 - after / before : 0;
}

export interface SweepEvents {
  onPoint?: (point: SweepPoint) => void;
  /** Which point runs and how far its evaluation got. */
  onProgress?: (p: { pointIndex: number; pointsTotal: number; config: SweepPointConfig; phase: 'calibrate' | 'quantize' | 'evaluate'; eval?: Pick<PerplexityProgress, 'windowsDone' | 'windowsTotal' | 'tokensPerSecond'> }) => void;
}

export interface SweepOptions extends SweepEvents {
  windows: number;
  signal?: AbortSignal;
  /** Points already finished (e.g. restored after a reload): skipped. */
  done?: ReadonlySet<string>;
  /** The GPU the kernels run on (else the CPU references). */
  gpu?: GpuContext;
  /** config.json and tokenizer.json, needed by llama.cpp-type points (GGUF output). */
  exportContext?: ExportContext;
  /** Calibrates for a point whose method needs it (the caller owns the runtime, the text and the cache). */
  calibrate?: (spec: CalibrationSpec, needs: ReadonlyMap<string, MethodNeeds>, signal: AbortSignal | undefined, onProgress: (p: CaptureProgress) => void, sequential?: SequentialRun) => Promise<CalibrationStats>;
  /** Measures the gzip size of a pruned point's export (zeros only shrink once compressed). */
  gzipBytes?: (resolved: ResolvedPlan, results: ReadonlyMap<string, CompressedTensor>) => Promise<number>;
  /** A calibration text by name (what `calibrate` runs on), for size-budget points' KL probes. */
  calibrationText?: (name: string) => Promise<string>;
}

/** The recipe a size-budget point runs: the budget's, calibrated (and probed) on the point's calibration. */
async function budgetPointRecipe(model: OpenedModel, config: SweepPointConfig, evaluator: VariantEvaluator, opts: SweepOptions, onCalibration: (c: CaptureProgress) => void): Promise<Recipe> {
  const spec = config.recipe.calibration!;
  if (!opts.calibrate) throw new Error('Internal error: a size-budget point needs calibrate()');
  let probe;
  if (opts.calibrationText && model.tokenizer) {
    const tokenizer = loadTokenizer(await model.tokenizer.read(0, model.tokenizer.byteLength), {}, model.tokenizer.name);
    probe = { evaluator, tokens: tokenizer.encode(await opts.calibrationText(spec.text)), windows: BUDGET_PROBE_WINDOWS };
  }
  const r = await sizeBudgetRecipe(model, { bitsPerWeight: config.budget!.bitsPerWeight }, 'onnx', {
    calibrate: (needs, signal) => opts.calibrate!(spec, needs, signal, onCalibration),
    gpu: opts.gpu,
    signal: opts.signal,
    probe,
  });
  return r.recipe;
}

/** Runs every point of `grid` not in `done`; stops with CancelledError when the signal aborts. */
export async function runSweep(
  model: OpenedModel,
  grid: readonly SweepPointConfig[],
  evaluator: VariantEvaluator,
  tokenIds: ArrayLike<number>,
  opts: SweepOptions,
): Promise<SweepPoint[]> {
  const finished: SweepPoint[] = [];
  const todo = grid.filter((c) => !opts.done?.has(c.id));
  for (let i = 0; i < todo.length; i++) {
    const config = todo[i];
    if (opts.signal?.aborted) throw new CancelledError('Sweep paused');
    opts.onProgress?.({ pointIndex: i, pointsTotal: todo.length, config, phase: 'quantize' });
    const onCalibration = (c: CaptureProgress) =>
      opts.onProgress?.({ pointIndex: i, pointsTotal: todo.length, config, phase: 'calibrate', eval: { windowsDone: c.windowsDone, windowsTotal: c.windowsTotal, tokensPerSecond: c.tokensPerSecond } });
    const recipe = config.budget ? await budgetPointRecipe(model, config, evaluator, opts, onCalibration) : config.recipe;
    const resolved = await resolveRecipe(model, recipe, config.format, opts.exportContext);
    const spec = resolved.plan.calibration;
    const calibrate = spec && opts.calibrate ? (needs: ReadonlyMap<string, MethodNeeds>, signal?: AbortSignal, sequential?: SequentialRun) => opts.calibrate!(spec, needs, signal, onCalibration, sequential) : undefined;
    const { report, results } = await compressModel(model, resolved, { gpu: opts.gpu, signal: opts.signal, keepResults: true, calibrate });
    const gzipBytes = report.sparsity && opts.gzipBytes ? await opts.gzipBytes(resolved, results!) : undefined;
    const t0 = performance.now();
    const evaluation = await evaluator.evaluate(tokenIds, variantWeights(resolved.plan, results!), {
      windows: opts.windows,
      signal: opts.signal,
      onProgress: (e) => opts.onProgress?.({ pointIndex: i, pointsTotal: todo.length, config, phase: 'evaluate', eval: e }),
    });
    const p: SweepPoint = {
      ...config,
      recipe,
      bytes: report.outputBytes,
      bitsPerWeight: report.bitsPerWeight,
      sparsity: report.sparsity?.pruned ?? removedFraction(resolved.plan),
      modelSparsity: report.sparsity?.model ?? 0,
      ...(gzipBytes !== undefined ? { gzipBytes } : {}),
      ppl: evaluation.ppl,
      ...(evaluation.kl ? { kl: evaluation.kl } : {}),
      windows: evaluation.windows,
      tensors: report.tensors.flatMap((t) => (t.relError === null ? [] : [{ name: t.name, layer: t.layer, label: t.label, relError: t.relError }])),
      quantizeMs: report.durationMs,
      evalMs: performance.now() - t0,
    };
    finished.push(p);
    opts.onPoint?.(p);
  }
  return finished;
}
