// Perplexity of compressed variants without writing a model file per variant (DESIGN decision 4):
// the quantizable weights become graph inputs of ONE session, and each evaluation feeds them —
// dequantized for the variant's quantized tensors, the originals for the rest. Sequential
// calibration runs the same session with activation taps as extra outputs. The original's
// next-token distributions (top k per position) are kept per evaluation text, so every variant
// also gets its KL divergence from the original (eval/kl-divergence.ts); a variant evaluated before
// the original first runs the original once.
// The runtime is handed in (a session factory), so the page (onnxruntime-web) and the CLI
// (onnxruntime-node) share this code (decision 7).
import { Tensor } from 'onnxruntime-common';
import { blobSink, concatChunks } from '../core/byte-sink';
import { UnsupportedModelError } from '../core/errors';
import { f32ArrayToF16 } from '../core/float16';
import { decodeFloats } from '../core/dtypes';
import { writeOnnx } from '../formats/onnx/onnx-writer';
import type { OnnxModel } from '../formats/onnx/onnx-model';
import type { LmSession } from './lm-session';
import { captureActivations, type ActivationTap, type CaptureOptions } from './activation-capture';
import { emptyReference, KL_TOP_K, type TopKReference } from './kl-divergence';
import { evaluatePerplexity, type PerplexityOptions, type PerplexityResult } from './perplexity';
import { EVAL_PROTOCOL } from '../core/evaluation';
import type { ModelIndex, TensorInfo } from '../core/model-index';
import { resizedTensor, toStorageOrder } from '../core/weight-layout';
import { evaluationWeightInputs } from '../core/evaluation-memory';

export type SessionFactory = (modelBytes: Uint8Array) => Promise<LmSession>;

/** What evaluation needs of an opened model: its graph, its index and its stored weights. */
export interface EvaluatedModel {
  onnx?: OnnxModel;
  index: ModelIndex;
  readTensor(name: string): Promise<Uint8Array>;
}

/** One compressed weight of a variant: Ŵ in logical [rows][cols] order, made on demand. */
export interface VariantWeight {
  /** Name of the tensor in the model (ONNX initializer). */
  name: string;
  values(): Float32Array | Promise<Float32Array>;
  /** Its logical size when channel pruning made it narrower than the stored weight. */
  rows?: number;
  cols?: number;
}

function feedTensor(info: TensorInfo, values: Float32Array): Tensor {
  if (info.dtype === 'f16') return new Tensor('float16', f32ArrayToF16(values), info.shape);
  return new Tensor('float32', values, info.shape);
}

export class VariantEvaluator {
  private originals = new Map<string, Tensor>();
  /** The original's distributions, per evaluation text (the token array the caller keeps). */
  private references = new WeakMap<object, TopKReference>();

  private constructor(
    private readonly model: EvaluatedModel,
    private readonly session: LmSession,
    readonly weightInputs: TensorInfo[],
  ) {}

  /** Builds the weights-as-inputs graph of `model` (with `taps` as extra outputs) and opens one session on it. */
  static async create(model: EvaluatedModel, createSession: SessionFactory, taps: readonly ActivationTap[] = []): Promise<VariantEvaluator> {
    if (!model.onnx) throw new UnsupportedModelError('evaluating variants needs an ONNX model (a graph to run)');
    const weightInputs = evaluationWeightInputs(model.index);
    const sink = blobSink();
    // The graph without its big weights is small: joining it into one buffer is fine here.
    const extraOutputs = taps.map((t) => ({ name: t.value, elemType: t.elemType }));
    await writeOnnx(model.onnx, { weightsAsInputs: weightInputs.map((t) => t.name), ...(extraOutputs.length ? { extraOutputs } : {}) }, sink);
    const session = await createSession(concatChunks(sink.chunks));
    return new VariantEvaluator(model, session, weightInputs);
  }

  get executionProvider(): string {
    return this.session.executionProvider;
  }

  /** Why WebGPU was not used, when the session fell back to another provider. */
  get fallbackReason(): string | undefined {
    return this.session.fallbackReason;
  }

  private async original(info: TensorInfo): Promise<Tensor> {
    let t = this.originals.get(info.name);
    if (!t) {
      t = feedTensor(info, decodeFloats(await this.model.readTensor(info.name), info.dtype as 'f32'));
      this.originals.set(info.name, t);
    }
    return t;
  }

  /** The feeds for a variant: its compressed weights where it has them, originals elsewhere. */
  async feedsFor(weights: readonly VariantWeight[]): Promise<Record<string, Tensor>> {
    const compressed = new Map(weights.map((w) => [w.name, w]));
    const feeds: Record<string, Tensor> = {};
    for (const info of this.weightInputs) {
      const w = compressed.get(info.name);
      if (!w) {
        feeds[info.name] = await this.original(info);
        continue;
      }
      // A narrower weight is fed at its own size (the graph's weight inputs have symbolic dims).
      if (!info.layout) {
        feeds[info.name] = feedTensor(info, await w.values()); // a norm or bias: a vector, no layout
        continue;
      }
      const fed = w.rows !== undefined && w.cols !== undefined ? resizedTensor(info, w.rows, w.cols) : info;
      feeds[info.name] = feedTensor(fed, toStorageOrder(await w.values(), fed.layout!, fed.numel));
    }
    return feeds;
  }

  /**
   * Perplexity of the variant (no weights = the original model), and for a variant its KL
   * divergence from the original over the same windows.
   */
  async evaluate(
    tokenIds: ArrayLike<number>,
    weights: readonly VariantWeight[],
    options: Omit<PerplexityOptions, 'extraFeeds' | 'recordReference' | 'klReference'> = {},
  ): Promise<PerplexityResult> {
    const windows = options.windows ?? EVAL_PROTOCOL.defaultWindows;
    const known = this.references.get(tokenIds);
    if (weights.length === 0) {
      const recordReference = emptyReference(KL_TOP_K, windows, EVAL_PROTOCOL.windowLength - 1);
      const r = await evaluatePerplexity(this.session, tokenIds, { ...options, extraFeeds: await this.feedsFor([]), recordReference });
      if (!known || known.windows <= windows) this.references.set(tokenIds, recordReference);
      return r;
    }
    if (!known || known.windows < windows) await this.evaluate(tokenIds, [], { windows, signal: options.signal });
    const extraFeeds = await this.feedsFor(weights);
    return evaluatePerplexity(this.session, tokenIds, { ...options, extraFeeds, klReference: this.references.get(tokenIds) });
  }

  /** Runs calibration windows through the variant and hands out the taps' activations (taps given at create). */
  async capture(tokenIds: ArrayLike<number>, weights: readonly VariantWeight[], options: Omit<CaptureOptions, 'feeds'>): Promise<{ tokens: number; windows: number }> {
    return captureActivations(this.session, tokenIds, { ...options, feeds: await this.feedsFor(weights) });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
