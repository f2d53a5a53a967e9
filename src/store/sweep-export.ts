// Sweep points as files: the table as CSV and JSON, the Pareto frontier, and the file name of an
// exported point (named after its recipe, like every export: core/output-names.ts).
import type { EvalReport } from '../core/evaluation';
import { outputFileName } from '../core/output-names';
import type { SweepPoint } from '../core/sweep';
import { csvText } from './csv';

/** Size axis of the trade-off chart: exact bytes (shown as MB) or bits per weight. */
export type SizeAxis = 'mb' | 'bpw';

export function sizeValue(p: Pick<SweepPoint, 'bytes' | 'bitsPerWeight'>, axis: SizeAxis): number {
  return axis === 'mb' ? p.bytes / 1e6 : p.bitsPerWeight;
}

/** What the charts' vertical axis shows: perplexity, or KL divergence from the original. */
export type QualityMetric = 'ppl' | 'kl';

/** A point's value on the quality axis (NaN for a KL-less point saved before KL was measured). */
export function qualityValue(p: Pick<SweepPoint, 'ppl' | 'kl'>, metric: QualityMetric): number {
  return metric === 'ppl' ? p.ppl : (p.kl?.mean ?? Number.NaN);
}

/** What a frontier trades perplexity against: a size axis (smaller is better) or sparsity (larger is better). */
export type FrontierAxis = SizeAxis | 'sparsity';

function cost(p: SweepPoint, axis: FrontierAxis): number {
  return axis === 'sparsity' ? -(p.sparsity ?? 0) : sizeValue(p, axis);
}

/**
 * The points no other point beats on both the axis and the quality metric (perplexity by default),
 * in order of increasing cost (size up, or sparsity down).
 */
export function paretoFrontier(points: readonly SweepPoint[], axis: FrontierAxis, metric: QualityMetric = 'ppl'): SweepPoint[] {
  const measured = points.filter((p) => !Number.isNaN(qualityValue(p, metric)));
  const sorted = measured.sort((a, b) => cost(a, axis) - cost(b, axis) || qualityValue(a, metric) - qualityValue(b, metric));
  const out: SweepPoint[] = [];
  let best = Infinity;
  for (const p of sorted) {
    const q = qualityValue(p, metric);
    if (q < best) {
      out.push(p);
      best = q;
    }
  }
  return out;
}

/** File name of an exported point: its recipe in its format (ONNX for rtn points, GGUF for llama.cpp types). */
export function pointFileName(sourceName: string, point: Pick<SweepPoint, 'format' | 'recipe'>): string {
  return outputFileName(sourceName, point.format, point.recipe);
}

const COLUMNS = ['id', 'label', 'format', 'method', 'bits', 'block', 'symmetric', 'tensors', 'prune_method', 'prune_target', 'sparsity', 'model_sparsity', 'bytes', 'gzip_bytes', 'bits_per_weight', 'ppl', 'ppl_vs_original', 'kl', 'top1_agreement', 'windows', 'quantize_ms', 'eval_ms'] as const;

/** One row per point; `ppl_vs_original` is ppl / reference ppl (empty without a reference). */
export function pointsToCsv(points: readonly SweepPoint[], reference: EvalReport | null): string {
  const rows = points.map((p) => [
    p.id,
    p.label,
    p.format,
    p.method,
    p.bits,
    p.block,
    p.sym,
    p.selectionLabel,
    p.prune?.method ?? '',
    p.prune?.target ?? '',
    (p.sparsity ?? 0).toFixed(4),
    (p.modelSparsity ?? 0).toFixed(4),
    p.bytes,
    p.gzipBytes ?? '',
    p.bitsPerWeight.toFixed(4),
    p.ppl.toFixed(4),
    reference ? (p.ppl / reference.ppl).toFixed(5) : '',
    p.kl ? p.kl.mean.toExponential(4) : '',
    p.kl ? p.kl.top1Agreement.toFixed(4) : '',
    p.windows,
    Math.round(p.quantizeMs),
    Math.round(p.evalMs),
  ]);
  return csvText(COLUMNS, rows);
}

/** Everything the studio knows about the sweep, per-tensor errors included. */
export function pointsToJson(points: readonly SweepPoint[], reference: EvalReport | null, model: string): string {
  return JSON.stringify({ protocol: 'wikitext2-w256', model, reference, points }, null, 2) + '\n';
}
