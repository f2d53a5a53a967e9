// Sweep points as files: the table as CSV and JSON, the Pareto frontier, and the file name of an
// exported point (the main export's name, plus the tensor selection when it is not every matmul).
import type { EvalReport, SweepPoint } from '../workers/studio-api';
import { exportFileName } from './export-name';

/** Size axis of the trade-off chart: exact bytes (shown as MB) or bits per weight. */
export type SizeAxis = 'mb' | 'bpw';

export function sizeValue(p: Pick<SweepPoint, 'bytes' | 'bitsPerWeight'>, axis: SizeAxis): number {
  return axis === 'mb' ? p.bytes / 1e6 : p.bitsPerWeight;
}

/**
 * Ids of the points no other point beats on both size and perplexity (smaller is better on
 * both), in order of increasing size.
 */
export function paretoFrontier(points: readonly SweepPoint[], axis: SizeAxis): SweepPoint[] {
  const sorted = [...points].sort((a, b) => sizeValue(a, axis) - sizeValue(b, axis) || a.ppl - b.ppl);
  const out: SweepPoint[] = [];
  let best = Infinity;
  for (const p of sorted) {
    if (p.ppl < best) {
      out.push(p);
      best = p.ppl;
    }
  }
  return out;
}

/** File name of an exported point: MatMulNBits ONNX for RTN points, GGUF for llama.cpp types. */
export function pointFileName(sourceName: string, point: SweepPoint): string {
  if (point.kind === 'gguf') {
    const stem = sourceName.replace(/^.*[\\/]/, '').replace(/\.(onnx|gguf|safetensors)$/i, '') || 'model';
    return `${stem}-${point.ggufType}.gguf`;
  }
  const name = exportFileName(sourceName, point.scheme);
  if (point.selectionLabel === 'all-matmuls') return name;
  const tag = point.selectionLabel.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '');
  return name.replace(/\.onnx$/, `-${tag}.onnx`);
}

const COLUMNS = ['id', 'method', 'bits', 'block', 'symmetric', 'tensors', 'bytes', 'bits_per_weight', 'ppl', 'ppl_vs_original', 'windows', 'quantize_ms', 'eval_ms'] as const;

function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per point; `ppl_vs_original` is ppl / reference ppl (empty without a reference). */
export function pointsToCsv(points: readonly SweepPoint[], reference: EvalReport | null): string {
  const rows = points.map((p) => [
    p.id,
    p.method,
    p.bits,
    p.block,
    p.sym,
    p.selectionLabel,
    p.bytes,
    p.bitsPerWeight.toFixed(4),
    p.ppl.toFixed(4),
    reference ? (p.ppl / reference.ppl).toFixed(5) : '',
    p.windows,
    Math.round(p.quantizeMs),
    Math.round(p.evalMs),
  ]);
  return [COLUMNS.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}

/** Everything the studio knows about the sweep, per-tensor errors included. */
export function pointsToJson(points: readonly SweepPoint[], reference: EvalReport | null, model: string): string {
  return JSON.stringify({ protocol: 'wikitext2-w256', model, reference, points }, null, 2) + '\n';
}

/** "<model stem>-sweep.<ext>" */
export function sweepFileName(sourceName: string, ext: string): string {
  const stem = (sourceName.split(/[\\/]/).pop() ?? '').replace(/\.onnx$/i, '').replace(/[^\w.-]+/g, '_') || 'model';
  return `${stem}-sweep.${ext}`;
}
