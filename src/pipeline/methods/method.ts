// What a compression method is to the pipeline (DESIGN "The compression seam"): a registered
// module with its id, the recipe fields it takes (validated, with messages that name the rule),
// what it needs besides the weight, which result it produces, and its two implementations — the
// GPU kernel and the CPU reference that is its spec. Adding a method touches its own file and
// registry.ts; the worker, the CLI and sweeps only ever see plans.
import type { CompressedTensor, DenseTensor } from '../../core/compressed-tensor';
import type { IntGroupsLayout } from '../../core/compression-plan';
import type { TensorInfo, WeightLayout } from '../../core/model-index';
import type { MethodNeeds, PruneSpec, QuantizeSpec } from '../../core/recipe';
import type { GpuContext } from '../../gpu/context';

/** What calibration measured at a weight's input (pipeline/calibration). */
export interface InputStats {
  /** Σ over calibration tokens of x_j², per input channel. */
  sumSquares: Float32Array;
  /** H = 2/n · Σ xᵀx, [cols][cols] row-major, when a method asked for it. */
  hessian?: Float32Array;
  /** Calibration tokens seen. */
  tokens: number;
}

/** One weight as a method receives it: stored values and how they map to W[rows][cols]. */
export interface WeightInput {
  info: TensorInfo;
  /** W in storage order, little-endian float32 or float16. */
  bytes: Uint8Array;
  dtype: 'f32' | 'f16';
  layout: WeightLayout;
  /** Calibration statistics of the weight's input, for methods that need them. */
  stats?: InputStats;
  /** Channel pruning: the kept channels of the weight's MLP (ascending), chosen once for the MLP. */
  channels?: Uint32Array;
}

/** The geometry of a method's result, known before it runs (exporters size files from it). */
export type ResultGeometry = { kind: 'int-groups'; layout: IntGroupsLayout } | { kind: 'ggml'; type: string };

export interface QuantizeMethod<S extends QuantizeSpec = QuantizeSpec> {
  id: S['method'];
  /** Recipe fields of `quantize` besides `method`, in schema order (for messages). */
  fields: readonly string[];
  /**
   * Validates a rule's `quantize` object and fills defaults; throws RecipeError naming the rule
   * and the field. `raw` has been checked to be an object whose `method` is this id.
   */
  parse(raw: Record<string, unknown>, rule: number): S;
  /** What it needs from calibration to quantize this tensor ('nothing' for data-free methods). */
  needs(spec: S, tensor: TensorInfo): MethodNeeds;
  /** What it produces for a tensor of `cols` inputs. */
  geometry(spec: S, cols: number): ResultGeometry;
  /** Why it cannot compress this tensor, or undefined when it can. */
  problem(spec: S, tensor: TensorInfo): string | undefined;
  /** The GPU kernel. */
  runGpu(gpu: GpuContext, input: WeightInput, spec: S, signal?: AbortSignal): Promise<CompressedTensor>;
  /** The CPU reference (the spec the kernel is held to); with `cpu`, spread over its threads where the method can (same bytes). */
  runRef(input: WeightInput, spec: S, cpu?: CpuParallel): Promise<CompressedTensor>;
}

/**
 * CPU threads for the references (the CLI's worker_threads pool, cli/cpu-pool.ts): llama.cpp
 * block types quantized a slice of rows per thread — blocks never cross rows, so the bytes are
 * those of one thread — with the error measured beside them.
 */
export interface CpuParallel {
  readonly threads: number;
  /** Weights quantized through it so far (the report names the threads only when they did work). */
  readonly tensors: number;
  /** Row-major [rows, cols] values in `type` blocks, and ‖W − Ŵ‖ / ‖W‖; importance per column (llama-quantize --imatrix). */
  quantizeGgml(type: string, values: Float32Array, rows: number, cols: number, importance?: Float32Array): Promise<{ bytes: Uint8Array; relError: number }>;
}

/** A pruning method: sets weights to exactly zero (and, for SparseGPT, updates the others). */
export interface PruneMethod<S extends PruneSpec = PruneSpec> {
  id: S['method'];
  /** Recipe fields of `prune` besides `method`, in schema order (for messages). */
  fields: readonly string[];
  /** Validates a rule's `prune` object and fills defaults; RecipeError naming the rule and field. */
  parse(raw: Record<string, unknown>, rule: number): S;
  /** What it needs from calibration to prune this tensor. */
  needs(spec: S, tensor: TensorInfo): MethodNeeds;
  /** Why it cannot prune this tensor (an N:M group that does not divide the row), or undefined. */
  problem(spec: S, tensor: TensorInfo): string | undefined;
  runGpu(gpu: GpuContext, input: WeightInput, spec: S, signal?: AbortSignal): Promise<DenseTensor>;
  runRef(input: WeightInput, spec: S): Promise<DenseTensor>;
}
