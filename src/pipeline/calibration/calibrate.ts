// Calibration (DESIGN "Calibration"): runs the model on calibration text through onnxruntime
// (eval/activation-capture.ts) and accumulates, for every weight a calibrated method asked about,
// the statistics of its input — per-input-channel sums of squares (Wanda) and, where needed, the
// Hessian H = 2/n·XᵀX (SparseGPT, GPTQ) — on the GPU (src/kernels/linalg/hessian.ts, and the
// column sum-of-squares kernel of src/kernels/prune/channels.ts) or with the CPU references.
// Activations are streamed window by window; only the sums are kept.
//
// Two ways: one pass on the original model, or sequential — as the Wanda and SparseGPT reference
// code does — where decoder layer by layer the capture runs with every tensor before that layer
// already compressed (weights fed as graph inputs), and the layer is compressed as soon as its
// statistics are known. Sequential costs one pass per layer; the caller keeps what it compressed.
import { throwIfAborted } from '../../core/errors';
import type { MethodNeeds } from '../../core/recipe';
import { EVAL_PROTOCOL } from '../../core/evaluation';
import type { ModelIndex } from '../../core/model-index';
import { activationTaps, calibrationGraph, captureActivations, type ActivationTap, type CaptureProgress } from '../../eval/activation-capture';
import { VariantEvaluator, type SessionFactory } from '../../eval/variant-evaluator';
import type { GpuContext } from '../../gpu/context';
import { HessianAccumulatorGpu } from '../../kernels/linalg/hessian';
import { channelSumSquaresGpu } from '../../kernels/prune/channels';
import { channelSumSquaresRef } from '../../quant/prune/channels';
import { HessianAccumulatorRef } from '../../quant/linalg/hessian';
import type { InputStats } from '../methods/method';
import type { OpenedModel } from '../open-model';

/** What a run measured on its calibration text. */
export class CalibrationStats {
  constructor(
    private readonly perWeight: ReadonlyMap<string, InputStats>,
    readonly windows: number,
    readonly tokens: number,
    /** 'builtin' or the text file's name. */
    readonly text: string,
    /** Capture passes over the text: 1, or one per decoder layer when sequential (0: read from an importance-matrix file). */
    readonly passes: number = 1,
  ) {}

  /** What the run should tell the person (weights a file had no statistics for). */
  readonly notes: string[] = [];

  /** The statistics of a weight's input, if calibration measured it. */
  get(weight: string): InputStats | undefined {
    return this.perWeight.get(weight);
  }

  /** Whether it holds what `needs` asks of every weight. */
  covers(needs: ReadonlyMap<string, MethodNeeds>): boolean {
    for (const [w, n] of needs) {
      const s = this.perWeight.get(w);
      if (n !== 'nothing' && (!s || (n === 'hessian' && !s.hessian))) return false;
    }
    return true;
  }
}

export interface CalibrateOptions {
  windows: number;
  /** Encoded calibration text (at least windows · 256 tokens). */
  tokens: ArrayLike<number>;
  textLabel: string;
  /** Opens an onnxruntime session on model bytes (web in the page, node in the CLI). */
  createSession: SessionFactory;
  /** Accumulate on this GPU; else the CPU reference. */
  gpu?: GpuContext;
  signal?: AbortSignal;
  onProgress?: (p: CaptureProgress) => void;
}

/**
 * What a sequential calibration compresses as it goes: every tensor the plan compresses, and how
 * to compress one once its input statistics are known (none for methods that need none).
 */
export interface SequentialRun {
  /** What was compressed (format and recipe id): a sequential calibration belongs to it. */
  key: string;
  tensors: readonly string[];
  /**
   * Compresses the tensor and returns Ŵ, logical row-major float32 (what later layers then see);
   * `statsOf` gives the statistics measured so far (this layer's included) by weight name.
   */
  compress(name: string, statsOf: (weight: string) => InputStats | undefined): Promise<{ values: Float32Array; rows: number; cols: number }>;
}

/** The decoder layer of a layer name ("model.layers.3.mlp.up_proj" → 3); embeddings before all, the rest (head, norms) after. */
export function blockOrder(layer: string, role: string): number {
  const n = /(?:^|\.)(?:layers|h|blocks)\.(\d+)\./.exec(layer);
  if (n) return Number(n[1]);
  return role === 'embedding' ? -1 : Number.POSITIVE_INFINITY;
}

/** Tensors grouped by decoder layer, in model order. */
export function blocksOf(tensors: readonly string[], index: ModelIndex): string[][] {
  const infos = new Map(index.tensors.map((t) => [t.name, t]));
  const byBlock = new Map<number, string[]>();
  for (const name of tensors) {
    const info = infos.get(name)!;
    const b = blockOrder(info.layer, info.role);
    byBlock.set(b, [...(byBlock.get(b) ?? []), name]);
  }
  return [...byBlock.entries()].sort((a, b) => a[0] - b[0]).map(([, names]) => names);
}

interface Accumulator {
  add(x: Float32Array, tokens: number): Promise<void>;
  read(): Promise<{ hessian?: Float32Array; sumSquares: Float32Array; count: number }>;
  destroy(): void;
}

/**
 * Σ x_j² per input channel (Wanda, channel pruning): each window summed by the column
 * sum-of-squares kernel (float32, in token order; the CPU reference does the same bits), windows
 * added in float64.
 */
function sumSquaresOnly(cols: number, gpu: GpuContext | undefined, signal?: AbortSignal): Accumulator {
  const sums = new Float64Array(cols);
  let count = 0;
  return {
    async add(x, tokens) {
      const layout = { rows: tokens, cols, rowStride: cols, colStride: 1 };
      const bytes = new Uint8Array(x.buffer, x.byteOffset, tokens * cols * 4);
      const window = gpu ? await channelSumSquaresGpu(gpu, { bytes, dtype: 'f32', layout }, 'cols', signal) : channelSumSquaresRef(x.subarray(0, tokens * cols), tokens, cols, 'cols');
      for (let c = 0; c < cols; c++) sums[c] += window[c];
      count += tokens;
    },
    async read() {
      return { sumSquares: Float32Array.from(sums), count };
    },
    destroy() {},
  };
}

function hessianAccumulator(cols: number, gpu: GpuContext | undefined, signal?: AbortSignal): Accumulator {
  if (gpu) {
    const acc = HessianAccumulatorGpu.create(gpu, cols);
    return { add: (x, tokens) => acc.add(x, tokens, signal), read: () => acc.read(), destroy: () => acc.destroy() };
  }
  const acc = new HessianAccumulatorRef(cols);
  return {
    async add(x, tokens) {
      acc.add(x, tokens);
    },
    async read() {
      return { hessian: Float32Array.from(acc.hessian()), sumSquares: Float32Array.from(acc.sumSquares()), count: acc.count };
    },
    destroy() {},
  };
}

/** Accumulators for `taps`: the Hessian where a weight of the tap needs it, else sums of squares. */
function accumulatorsFor(taps: readonly ActivationTap[], needs: ReadonlyMap<string, MethodNeeds>, opts: CalibrateOptions): Map<string, Accumulator> {
  const hessianTap = (tap: ActivationTap) => tap.weights.some((w) => needs.get(w) === 'hessian');
  return new Map(taps.map((tap) => [tap.value, hessianTap(tap) ? hessianAccumulator(tap.cols, opts.gpu, opts.signal) : sumSquaresOnly(tap.cols, opts.gpu, opts.signal)]));
}

async function readInto(perWeight: Map<string, InputStats>, taps: readonly ActivationTap[], accumulators: ReadonlyMap<string, Accumulator>): Promise<void> {
  for (const tap of taps) {
    const r = await accumulators.get(tap.value)!.read();
    for (const w of tap.weights) perWeight.set(w, { sumSquares: r.sumSquares, hessian: r.hessian, tokens: r.count });
  }
}

/**
 * Calibrates an ONNX model for `needs` (weight name → what its method needs): one pass on the
 * original model, or, given `sequential`, layer by layer on the model as it is being compressed.
 */
export async function calibrate(model: OpenedModel, needs: ReadonlyMap<string, MethodNeeds>, opts: CalibrateOptions, sequential?: SequentialRun): Promise<CalibrationStats> {
  const wanted = [...needs].filter(([, n]) => n !== 'nothing').map(([w]) => w);
  if (!model.onnx) throw new Error('Internal error: calibrating a model without an ONNX graph');
  const taps = activationTaps(model.onnx, model.index, wanted);
  if (sequential) return calibrateSequential(model, needs, taps, opts, sequential);
  const accumulators = accumulatorsFor(taps, needs, opts);
  const session = await opts.createSession(await calibrationGraph(model.onnx, taps));
  try {
    const { tokens, windows } = await captureActivations(session, opts.tokens, {
      windows: opts.windows,
      taps,
      signal: opts.signal,
      onProgress: opts.onProgress,
      onActivation: (tap, x, n) => accumulators.get(tap.value)!.add(x, n),
    });
    throwIfAborted(opts.signal);
    const perWeight = new Map<string, InputStats>();
    await readInto(perWeight, taps, accumulators);
    return new CalibrationStats(perWeight, windows, tokens, opts.textLabel);
  } finally {
    for (const a of accumulators.values()) a.destroy();
    await session.release();
  }
}

async function calibrateSequential(model: OpenedModel, needs: ReadonlyMap<string, MethodNeeds>, taps: readonly ActivationTap[], opts: CalibrateOptions, run: SequentialRun): Promise<CalibrationStats> {
  const blocks = blocksOf(run.tensors, model.index);
  const tapsOf = (block: readonly string[]) => taps.filter((t) => t.weights.some((w) => block.includes(w)));
  const passes = blocks.filter((b) => tapsOf(b).length > 0).length;
  const session = await VariantEvaluator.create(model, opts.createSession, taps);
  const replaced = new Map<string, { values: Float32Array; rows: number; cols: number }>();
  const perWeight = new Map<string, InputStats>();
  const start = performance.now();
  let pass = 0;
  try {
    for (const block of blocks) {
      const blockTaps = tapsOf(block);
      if (blockTaps.length) {
        const accumulators = accumulatorsFor(blockTaps, needs, opts);
        try {
          const done = pass * opts.windows;
          await session.capture(opts.tokens, [...replaced].map(([name, w]) => ({ name, values: () => w.values, rows: w.rows, cols: w.cols })), {
            windows: opts.windows,
            taps: blockTaps,
            signal: opts.signal,
            onProgress: (c) => {
              const elapsedMs = performance.now() - start;
              const windowsDone = done + c.windowsDone;
              opts.onProgress?.({ windowsDone, windowsTotal: passes * opts.windows, tokensPerSecond: (windowsDone * EVAL_PROTOCOL.windowLength) / (elapsedMs / 1000), elapsedMs });
            },
            onActivation: (tap, x, n) => accumulators.get(tap.value)!.add(x, n),
          });
          throwIfAborted(opts.signal);
          await readInto(perWeight, blockTaps, accumulators);
        } finally {
          for (const a of accumulators.values()) a.destroy();
        }
        pass++;
      }
      for (const name of block) {
        throwIfAborted(opts.signal);
        replaced.set(name, await run.compress(name, (w) => perWeight.get(w)));
      }
    }
    return new CalibrationStats(perWeight, opts.windows, opts.windows * EVAL_PROTOCOL.windowLength, opts.textLabel, passes);
  } finally {
    await session.release();
  }
}
