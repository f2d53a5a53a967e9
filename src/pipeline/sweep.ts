// A sweep: a grid of RTN settings run as a queue — quantize on the GPU, measure the exact export
// size, evaluate perplexity, next (DESIGN decision 5: a sweep is a recipe with axes). Each
// finished point is handed out at once; pausing or cancelling stops between points and keeps
// every finished one; resuming skips points already done.
import { CancelledError } from '../core/errors';
import type { TensorSelection } from '../core/tensor-filter';
import type { PerplexityProgress } from '../eval/perplexity';
import type { QuantBits, RtnScheme } from '../core/quantized-tensor';
import { exportedOnnxBytes } from './export-onnx';
import type { OpenedModel } from './open-model';
import { bitsPerWeight, type QuantBackend, quantizeModel, type QuantizeModelResult } from './quantize-model';
import type { VariantEvaluator } from './variant-evaluator';

export interface SweepAxes {
  bits: QuantBits[];
  blocks: RtnScheme['blockSize'][];
  symmetric: boolean[];
  selections: { label: string; selection: TensorSelection }[];
}

export interface SweepPointConfig {
  /** Stable key of the configuration (for resuming and de-duplication). */
  id: string;
  scheme: RtnScheme;
  selectionLabel: string;
  selection: TensorSelection;
}

export interface SweepPoint extends SweepPointConfig {
  method: 'rtn';
  bits: QuantBits;
  block: RtnScheme['blockSize'];
  sym: boolean;
  /** Exact bytes of the exported ONNX. */
  bytes: number;
  bitsPerWeight: number;
  ppl: number;
  windows: number;
  tensors: { name: string; layer: string; relError: number }[];
  quantizeMs: number;
  evalMs: number;
}

export function pointId(scheme: RtnScheme, selectionLabel: string): string {
  return `rtn:${scheme.bits}:${scheme.blockSize}:${scheme.symmetric ? 'sym' : 'asym'}:${selectionLabel}`;
}

/** The grid in a sensible order: higher bits first (the cheap, near-lossless points show up first). */
export function expandGrid(axes: SweepAxes): SweepPointConfig[] {
  const out: SweepPointConfig[] = [];
  const bits = [...new Set(axes.bits)].sort((a, b) => b - a);
  for (const b of bits) {
    for (const blockSize of axes.blocks) {
      for (const symmetric of axes.symmetric) {
        for (const s of axes.selections) {
          const scheme: RtnScheme = { bits: b, blockSize, symmetric };
          out.push({ id: pointId(scheme, s.label), scheme, selectionLabel: s.label, selection: s.selection });
        }
      }
    }
  }
  return out;
}

export interface SweepEvents {
  onPoint?: (point: SweepPoint, result: QuantizeModelResult) => void;
  /** Which point runs and how far its evaluation got. */
  onProgress?: (p: { pointIndex: number; pointsTotal: number; config: SweepPointConfig; phase: 'quantize' | 'evaluate'; eval?: PerplexityProgress }) => void;
}

export interface SweepOptions extends SweepEvents {
  windows: number;
  signal?: AbortSignal;
  /** Points already finished (e.g. restored after a reload): skipped. */
  done?: ReadonlySet<string>;
}

/** Runs every point of `grid` not in `done`; stops with CancelledError when the signal aborts. */
export async function runSweep(
  model: OpenedModel,
  grid: readonly SweepPointConfig[],
  backend: QuantBackend,
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
    const result = await quantizeModel(model, config.scheme, config.selection, backend, { signal: opts.signal });
    const bytes = await exportedOnnxBytes(model, result);
    const t0 = performance.now();
    const evaluation = await evaluator.evaluate(tokenIds, result.entries, {
      windows: opts.windows,
      signal: opts.signal,
      onProgress: (e) => opts.onProgress?.({ pointIndex: i, pointsTotal: todo.length, config, phase: 'evaluate', eval: e }),
    });
    const point: SweepPoint = {
      ...config,
      method: 'rtn',
      bits: config.scheme.bits,
      block: config.scheme.blockSize,
      sym: config.scheme.symmetric,
      bytes,
      bitsPerWeight: bitsPerWeight(result.entries),
      ppl: evaluation.ppl,
      windows: evaluation.windows,
      tensors: result.entries.map((e) => ({ name: e.info.name, layer: e.info.layer, relError: e.tensor.relError })),
      quantizeMs: result.durationMs,
      evalMs: performance.now() - t0,
    };
    finished.push(point);
    opts.onPoint?.(point, result);
  }
  return finished;
}
