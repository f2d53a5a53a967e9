// Sweeps as a queue of recipes (DESIGN "The compression seam": a base recipe plus axes): every
// point is a recipe — the base's rules, then the point's own — resolved, compressed and evaluated
// like any other run, and sized by the exporter of its format (ONNX for rtn points, GGUF for
// llama.cpp types). Each finished point is handed out at once; pausing or cancelling stops between
// points and keeps every finished one; resuming skips points already done.
import { CancelledError } from '../core/errors';
import type { OutputFormat } from '../core/compression-plan';
import { recipeId } from '../core/recipe-id';
import { quantizeLabel, RECIPE_VERSION, type GgufPresetName, type Recipe, type RtnQuantize } from '../core/recipe';
import type { SweepAxes, SweepPoint, SweepPointConfig } from '../core/sweep';
import { selectionRules } from '../core/tensor-selection';
import type { PerplexityProgress } from '../eval/perplexity';
import type { VariantEvaluator } from '../eval/variant-evaluator';
import type { GpuContext } from '../gpu/context';
import { compressModel } from './compress-model';
import type { ExportContext } from './exporters/exporter';
import type { OpenedModel } from './open-model';
import { resolveRecipe } from './recipe/resolve-recipe';
import { variantWeights } from './variant-weights';

/** Nominal bits, block and symmetry of a llama.cpp type name, for the chart's axes and colours. */
export function ggufTypeTraits(name: string): { bits: number; block: 32 | 256; sym: boolean } {
  const bits = Number(/^Q(\d)/i.exec(name)?.[1] ?? 8);
  return { bits, block: /_K/i.test(name) ? 256 : 32, sym: /^Q(8_0|4_0|5_0|6_K|3_K)/i.test(name) };
}

function point(recipe: Recipe, format: OutputFormat, rest: Omit<SweepPointConfig, 'id' | 'recipe' | 'format'>): SweepPointConfig {
  return { id: recipeId(recipe), recipe, format, ...rest };
}

/** A point for one rtn setting over one selection, after the base's rules. */
export function rtnPoint(spec: RtnQuantize, selection: SweepAxes['selections'][number], base?: Recipe): SweepPointConfig {
  const recipe: Recipe = { recipe: RECIPE_VERSION, rules: [...(base?.rules ?? []), ...selectionRules(selection.selection, spec)] };
  return point(recipe, 'onnx', { label: quantizeLabel(spec), selectionLabel: selection.label, method: 'rtn', bits: spec.bits, block: spec.group, sym: spec.symmetric });
}

/** A point for one llama.cpp preset or pure type, after the base's rules. */
export function ggufPoint(type: string, base?: Recipe): SweepPointConfig {
  const preset = type.toUpperCase() as GgufPresetName;
  const recipe: Recipe = { recipe: RECIPE_VERSION, preset, rules: [...(base?.rules ?? [])] };
  return point(recipe, 'gguf', { label: `llama.cpp ${preset}`, selectionLabel: 'llama.cpp mix', method: 'llama.cpp', ...ggufTypeTraits(preset) });
}

/** The grid in a sensible order: llama.cpp types, then higher bits first (the cheap, near-lossless points show up first). */
export function expandGrid(axes: SweepAxes): SweepPointConfig[] {
  const out = (axes.ggufTypes ?? []).map((t) => ggufPoint(t, axes.base));
  const bits = [...new Set(axes.bits)].sort((a, b) => b - a);
  for (const b of bits) {
    for (const group of axes.blocks) {
      for (const symmetric of axes.symmetric) {
        for (const s of axes.selections) out.push(rtnPoint({ method: 'rtn', bits: b, group, symmetric }, s, axes.base));
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(p.id) && seen.add(p.id));
}

export interface SweepEvents {
  onPoint?: (point: SweepPoint) => void;
  /** Which point runs and how far its evaluation got. */
  onProgress?: (p: { pointIndex: number; pointsTotal: number; config: SweepPointConfig; phase: 'quantize' | 'evaluate'; eval?: PerplexityProgress }) => void;
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
    const resolved = await resolveRecipe(model, config.recipe, config.format, opts.exportContext);
    const { report, results } = await compressModel(model, resolved, { gpu: opts.gpu, signal: opts.signal, keepResults: true });
    const t0 = performance.now();
    const evaluation = await evaluator.evaluate(tokenIds, variantWeights(resolved.plan, results!), {
      windows: opts.windows,
      signal: opts.signal,
      onProgress: (e) => opts.onProgress?.({ pointIndex: i, pointsTotal: todo.length, config, phase: 'evaluate', eval: e }),
    });
    const p: SweepPoint = {
      ...config,
      bytes: report.outputBytes,
      bitsPerWeight: report.bitsPerWeight,
      ppl: evaluation.ppl,
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
