// A sweep: a grid of settings run as a queue — quantize, measure the exact export size, evaluate
// perplexity, next (DESIGN decision 5: a sweep is a recipe with axes). Two kinds of point: RTN
// (bits × block × symmetry × tensors, on the GPU, exported as MatMulNBits ONNX) and llama.cpp
// types (GGUF presets or pure types, through the GGUF converter, exported as GGUF). Each
// finished point is handed out at once; pausing or cancelling stops between points and keeps
// every finished one; resuming skips points already done.
import { CancelledError, MissingFileError } from '../core/errors';
import type { TensorSelection } from '../core/tensor-filter';
import type { PerplexityProgress } from '../eval/perplexity';
import type { QuantBits, RtnScheme } from '../core/quantized-tensor';
import { exportedOnnxBytes } from './export-onnx';
import type { OpenedModel } from './open-model';
import { ggufVariant, type GgufVariantInputs } from './gguf-variant';
import { bitsPerWeight, type QuantBackend, quantizeModel } from './quantize-model';
import { rtnVariant, type VariantEvaluator, type VariantWeight } from './variant-evaluator';

export interface SweepAxes {
  bits: QuantBits[];
  blocks: RtnScheme['blockSize'][];
  symmetric: boolean[];
  selections: { label: string; selection: TensorSelection }[];
  /** llama.cpp targets (`Q4_K_M`, `Q8_0`, pure types such as `Q4_1`), one point each. */
  ggufTypes?: string[];
}

export interface RtnPointConfig {
  /** Absent in points saved before llama.cpp types existed. */
  kind?: 'rtn';
  /** Stable key of the configuration (for resuming and de-duplication). */
  id: string;
  scheme: RtnScheme;
  selectionLabel: string;
  selection: TensorSelection;
}

export interface GgufPointConfig {
  kind: 'gguf';
  id: string;
  /** A GGUF --type name. */
  ggufType: string;
  selectionLabel: string;
}

export type SweepPointConfig = RtnPointConfig | GgufPointConfig;

export type SweepPoint = SweepPointConfig & {
  method: 'rtn' | 'llama.cpp';
  /** Nominal bits (the digit of a llama.cpp type name). */
  bits: QuantBits | 5 | 6;
  /** Elements per block (256 for k-quants). */
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
};

export function pointId(scheme: RtnScheme, selectionLabel: string): string {
  return `rtn:${scheme.bits}:${scheme.blockSize}:${scheme.symmetric ? 'sym' : 'asym'}:${selectionLabel}`;
}

/** Nominal bits, block and symmetry of a llama.cpp type name, for the chart's axes and colours. */
export function ggufTypeTraits(name: string): { bits: SweepPoint['bits']; block: 32 | 256; sym: boolean } {
  const bits = Number(/^Q(\d)/i.exec(name)?.[1] ?? 8) as SweepPoint['bits'];
  return { bits, block: /_K/i.test(name) ? 256 : 32, sym: /^Q(8_0|4_0|5_0|6_K|3_K)/i.test(name) };
}

/** The grid in a sensible order: higher bits first (the cheap, near-lossless points show up first). */
export function expandGrid(axes: SweepAxes): SweepPointConfig[] {
  const out: SweepPointConfig[] = (axes.ggufTypes ?? []).map((t) => ({
    kind: 'gguf' as const,
    id: `llama.cpp:${t.toUpperCase()}`,
    ggufType: t.toUpperCase(),
    selectionLabel: 'llama.cpp mix',
  }));
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
  onPoint?: (point: SweepPoint) => void;
  /** Which point runs and how far its evaluation got. */
  onProgress?: (p: { pointIndex: number; pointsTotal: number; config: SweepPointConfig; phase: 'quantize' | 'evaluate'; eval?: PerplexityProgress }) => void;
}

export interface SweepOptions extends SweepEvents {
  windows: number;
  signal?: AbortSignal;
  /** Points already finished (e.g. restored after a reload): skipped. */
  done?: ReadonlySet<string>;
  /** config.json and tokenizer.json, needed by llama.cpp-type points (GGUF conversion). */
  ggufInputs?: GgufVariantInputs;
}

interface MeasuredVariant {
  weights: VariantWeight[];
  bytes: number;
  bitsPerWeight: number;
  tensors: SweepPoint['tensors'];
  quantizeMs: number;
}

async function measureRtn(model: OpenedModel, config: RtnPointConfig, backend: QuantBackend, signal?: AbortSignal): Promise<MeasuredVariant> {
  const result = await quantizeModel(model, config.scheme, config.selection, backend, { signal });
  return {
    weights: rtnVariant(result.entries),
    bytes: await exportedOnnxBytes(model, result),
    bitsPerWeight: bitsPerWeight(result.entries),
    tensors: result.entries.map((e) => ({ name: e.info.name, layer: e.info.layer, relError: e.tensor.relError })),
    quantizeMs: result.durationMs,
  };
}

async function measureGguf(model: OpenedModel, config: GgufPointConfig, inputs: GgufVariantInputs | undefined, signal?: AbortSignal): Promise<MeasuredVariant> {
  if (!inputs) throw new MissingFileError('llama.cpp types need the model\'s config.json and tokenizer.json (drop them with the model)', 'config.json');
  const v = await ggufVariant(model, config.ggufType, inputs, { signal });
  return { weights: v.weights, bytes: v.bytes, bitsPerWeight: v.bitsPerWeight, tensors: v.tensors, quantizeMs: v.durationMs };
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
    const measured =
      config.kind === 'gguf'
        ? await measureGguf(model, config, opts.ggufInputs, opts.signal)
        : await measureRtn(model, config, backend, opts.signal);
    const t0 = performance.now();
    const evaluation = await evaluator.evaluate(tokenIds, measured.weights, {
      windows: opts.windows,
      signal: opts.signal,
      onProgress: (e) => opts.onProgress?.({ pointIndex: i, pointsTotal: todo.length, config, phase: 'evaluate', eval: e }),
    });
    const traits =
      config.kind === 'gguf'
        ? { method: 'llama.cpp' as const, ...ggufTypeTraits(config.ggufType) }
        : { method: 'rtn' as const, bits: config.scheme.bits, block: config.scheme.blockSize, sym: config.scheme.symmetric };
    const point: SweepPoint = {
      ...config,
      ...traits,
      bytes: measured.bytes,
      bitsPerWeight: measured.bitsPerWeight,
      ppl: evaluation.ppl,
      windows: evaluation.windows,
      tensors: measured.tensors,
      quantizeMs: measured.quantizeMs,
      evalMs: performance.now() - t0,
    };
    finished.push(point);
    opts.onPoint?.(point);
  }
  return finished;
}
