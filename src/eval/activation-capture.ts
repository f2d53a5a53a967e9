// Calibration capture (DESIGN "Calibration"): what flows into each matmul weight, read from
// onnxruntime. The input of every calibrated weight's MatMul becomes an extra graph output; the
// model runs the calibration windows (256 tokens each, as the perplexity protocol runs them) one
// at a time, and each window's activations are handed to the caller and let go — never all at once.
import { Tensor } from 'onnxruntime-common';
import { blobSink, concatChunks } from '../core/byte-sink';
import { CancelledError, ShapeError, UnsupportedModelError } from '../core/errors';
import type { ModelIndex } from '../core/model-index';
import { graphUses, traceWeight } from '../formats/onnx/onnx-graph';
import type { OnnxModel } from '../formats/onnx/onnx-model';
import { writeOnnx } from '../formats/onnx/onnx-writer';
import type { LmSession } from './lm-session';
import { EVAL_PROTOCOL } from '../core/evaluation';
import { fixedWindowFeeds } from './perplexity';

/** One activation value of the graph and the weights it feeds (q/k/v share one, gate/up another). */
export interface ActivationTap {
  /** Graph value name (the MatMul's input A). */
  value: string;
  /** Inputs per token (the weights' K). */
  cols: number;
  /** Initializer names of the weights it feeds. */
  weights: string[];
  /** ONNX element type of the activation. */
  elemType: number;
}

/** The activation feeding each weight's MatMul/Gemm, grouped by value. */
export function activationTaps(onnx: OnnxModel, index: ModelIndex, weights: readonly string[]): ActivationTap[] {
  const uses = graphUses(onnx.graph);
  const layers = new Map(index.tensors.map((t) => [t.name, t.layer]));
  const byValue = new Map<string, ActivationTap>();
  for (const name of weights) {
    const t = onnx.initializerByName.get(name);
    const trace = t ? traceWeight(t, uses) : undefined;
    if (!trace || (trace.kind !== 'matmul' && trace.kind !== 'gemm') || !trace.consumer || !trace.layout) {
      throw new UnsupportedModelError(`${layers.get(name) ?? name} (${name}) is not a MatMul/Gemm weight, so it has no input activations to calibrate on (an embedding table?)`, { tensor: name });
    }
    const value = trace.consumer.inputs[0];
    const tap = byValue.get(value) ?? { value, cols: trace.layout.cols, weights: [], elemType: trace.computeType };
    tap.weights.push(name);
    byValue.set(value, tap);
  }
  return [...byValue.values()];
}

/** The model with every tap's value as an extra output (original weights; small enough to hold). */
export async function calibrationGraph(onnx: OnnxModel, taps: readonly ActivationTap[]): Promise<Uint8Array> {
  const sink = blobSink();
  await writeOnnx(onnx, { extraOutputs: taps.map((t) => ({ name: t.value, elemType: t.elemType })) }, sink);
  return concatChunks(sink.chunks);
}

export interface CaptureProgress {
  windowsDone: number;
  windowsTotal: number;
  tokensPerSecond: number;
  elapsedMs: number;
}

export interface CaptureOptions {
  windows: number;
  taps: readonly ActivationTap[];
  signal?: AbortSignal;
  onProgress?: (p: CaptureProgress) => void;
  /** Feeds besides the tokens (the weights of a weights-as-inputs graph). */
  feeds?: Readonly<Record<string, Tensor>>;
  /** One window's activation of a tap: [tokens][cols] row-major float32 (valid until the promise settles). */
  onActivation(tap: ActivationTap, x: Float32Array, tokens: number): Promise<void> | void;
}

/** Runs the windows of `tokenIds` through `session` (the calibration graph) and hands out each tap's activations. */
export async function captureActivations(session: LmSession, tokenIds: ArrayLike<number>, opts: CaptureOptions): Promise<{ tokens: number; windows: number }> {
  const L = EVAL_PROTOCOL.windowLength;
  const { windows, taps } = opts;
  if (tokenIds.length < windows * L) {
    throw new ShapeError(
      `the calibration text is too short: ${windows} windows of ${L} tokens need ${windows * L} tokens, but it encodes to ${tokenIds.length} ` +
        `(enough for ${Math.floor(tokenIds.length / L)} windows); use fewer calibration windows or a longer text`,
      { tokens: tokenIds.length, windows },
    );
  }
  const fixed = fixedWindowFeeds(session, { extraFeeds: opts.feeds });
  const names = taps.map((t) => t.value);
  const start = performance.now();
  for (let w = 0; w < windows; w++) {
    if (opts.signal?.aborted) throw new CancelledError('Calibration cancelled');
    const ids = new BigInt64Array(L);
    for (let i = 0; i < L; i++) ids[i] = BigInt(tokenIds[w * L + i]);
    const out = await session.runOutputs({ ...fixed, input_ids: new Tensor('int64', ids, [1, L]) }, names);
    for (const tap of taps) {
      const { data } = out[tap.value];
      if (data.length !== L * tap.cols) {
        throw new UnsupportedModelError(`calibration: the input of ${tap.weights[0]} has ${data.length} values in a window, expected ${L}×${tap.cols}`);
      }
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i])) {
          throw new ShapeError(`calibration window ${w}: the input of ${tap.weights.join(', ')} holds a non-finite value (${data[i]}) at token ${Math.floor(i / tap.cols)}, channel ${i % tap.cols}`, { window: w });
        }
      }
      await opts.onActivation(tap, data, L);
    }
    const elapsedMs = performance.now() - start;
    opts.onProgress?.({ windowsDone: w + 1, windowsTotal: windows, tokensPerSecond: ((w + 1) * L) / (elapsedMs / 1000), elapsedMs });
  }
  return { tokens: windows * L, windows };
}
