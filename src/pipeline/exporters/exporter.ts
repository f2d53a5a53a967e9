// What an output format is to the pipeline (DESIGN "The compression seam": "Exporter registry"):
// prepared against a model and a recipe it says how each tensor is stored and what it takes,
// refuses what the format cannot hold (with the rule's index), gives the exact file size before
// anything runs, and streams the file, pulling each compressed tensor when it reaches it.
import type { ByteSink } from '../../core/byte-sink';
import type { CompressedTensor } from '../../core/compressed-tensor';
import type { CompressionPlan, OutputFormat, TensorAction, TensorEncoding } from '../../core/compression-plan';
import type { TensorInfo } from '../../core/model-index';
import type { Recipe } from '../../core/recipe';
import type { OpenedModel } from '../open-model';
import type { PresetExpansion } from '../recipe/preset-rules';

/** What a format needs besides the model (GGUF metadata comes from config.json and tokenizer.json). */
export interface ExportContext {
  config?: Record<string, unknown>;
  tokenizer?: unknown;
  tokenizerConfig?: unknown;
  /** GGUF `general.name`. */
  modelName?: string;
  /** safetensors: shard above this many bytes of tensor data (default: one file). */
  maxShardBytes?: number;
  /** ONNX: the .onnx file's name, after which its external data files are named (default model.onnx). */
  onnxFileName?: string;
  /** ONNX: above this the tensors go to external data files, each at most this large (default protobuf's 2 GiB; tests set it low). */
  onnxMaxFileBytes?: number;
  /** Plan as if the model had an ONNX graph (to learn whether a recipe needs one before building it). */
  assumeGraph?: boolean;
}

/** The compressed result of a source tensor (by ModelIndex name), when the exporter reaches it. */
export type CompressedSource = (name: string) => Promise<CompressedTensor>;

/** A sink for the main output file (`null`) or a file beside it (shards, an index). */
export type SinkFactory = (fileName: string | null) => Promise<ByteSink>;

export interface WrittenOutput {
  /** Files written: null for the main file, else the name beside it. */
  files: (string | null)[];
  bytes: number;
}

export interface ExportTarget {
  readonly format: OutputFormat;
  /** The preset's per-tensor rules; absent when the format holds no llama.cpp types. */
  presetRules?(recipe: Recipe): PresetExpansion;
  /** How a tensor is stored for its action; RecipeError (naming `rule`) when the format cannot hold it. */
  encode(tensor: TensorInfo, action: TensorAction, rule: number | null): TensorEncoding;
  /** Bytes of the tensor's data in the output. */
  tensorBytes(tensor: TensorInfo, encoding: TensorEncoding): number;
  /** Notes for the whole plan (e.g. that safetensors stores dequantized floats). */
  planNotes(plan: CompressionPlan): string[];
  /** Exact bytes of every output file, from the plan alone. */
  fileBytes(plan: CompressionPlan): Promise<number>;
  /** Every tensor of the output file (name, stored type, shape), in file order. */
  outputTensors(plan: CompressionPlan): { name: string; type: string; shape: number[] }[];
  /** The quantized tensors in the order `write` asks for them. */
  order(plan: CompressionPlan): string[];
  write(plan: CompressionPlan, results: CompressedSource, openSink: SinkFactory): Promise<WrittenOutput>;
}

export interface Exporter {
  format: OutputFormat;
  /** Checks that the model and the recipe's top-level settings suit the format. */
  prepare(model: OpenedModel, recipe: Recipe, context: ExportContext): ExportTarget;
}
