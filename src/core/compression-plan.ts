// A recipe resolved against one model for one output format (DESIGN "The compression seam"):
// per tensor the rule that decided it, the method and its settings, how the exporter stores the
// result and the exact bytes it takes; for the whole file the exact size the writer will stream.
// Made without reading any weights (pipeline/recipe/resolve-recipe.ts); the page shows it, the
// CLI prints it (--dry-run), the pipeline runs it.
import type { CalibrationSpec, MethodNeeds, PruneSpec, QuantizeSpec, Recipe, RecipeRule } from './recipe';
import type { TensorRole } from './model-index';

export type OutputFormat = 'onnx' | 'gguf' | 'safetensors';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['onnx', 'gguf', 'safetensors'];

/** Integer codes in groups along the input dimension, with scales and (unless implicit) zero points. */
export interface IntGroupsLayout {
  bits: number;
  /** Container bits per code (3-bit codes in 4-bit containers). */
  storedBits: 2 | 4 | 8;
  symmetric: boolean;
  /** Elements per scale along the input dimension (= cols for per-channel). */
  groupSize: number;
  /** Elements per packed blob; the input dimension is zero-padded to a multiple of it. */
  packBlock: number;
  /** Zero points are floats (HQQ), stored in the scales' type, not packed integer codes. */
  floatZeroPoints?: boolean;
}

/** How the exporter stores one tensor. */
export type TensorEncoding =
  /** The source bytes as they are (ONNX initializer, a quantized GGUF tensor kept). */
  | { kind: 'copy' }
  /** Float values in this type (kept weights, or a quantized weight stored dequantized). */
  | { kind: 'float'; dtype: 'F32' | 'F16' | 'BF16'; dequantized: boolean }
  /** ONNX com.microsoft.MatMulNBits (matmul weights) or GatherBlockQuantized (embeddings). */
  | ({ kind: 'matmul-nbits' | 'gather-block-quantized' } & IntGroupsLayout)
  /** safetensors: a Linear as GPTQ's qweight/qzeros/scales/g_idx (AutoGPTQ v1, docs/FORMATS.md §6.1). */
  | ({ kind: 'gptq-packed' } & IntGroupsLayout)
  /** A llama.cpp block type in GGUF. */
  | { kind: 'ggml'; type: string }
  /** Not written: the output reuses another tensor (a tied output head in GGUF and safetensors). */
  | { kind: 'tied'; to: string };

/**
 * What the recipe does to one tensor: keep it, prune it, or quantize it (after pruning, when both);
 * `fold`: a norm weight (or a bias of rows AWQ divides) divided by the AWQ scales of the weights
 * after it (the model computes the same function; the weights after it carry the scales).
 */
export type TensorAction = { kind: 'keep' } | { kind: 'prune'; prune: PruneSpec } | { kind: 'quantize'; spec: QuantizeSpec; prune?: PruneSpec } | { kind: 'fold' };

/**
 * Weights that read one input and take one AWQ scale vector s on its channels (their columns
 * multiplied by s), and where 1/s is folded: a norm's weight, or the output rows of the weight
 * that produces the input (v_proj before o_proj, up_proj before down_proj).
 */
export interface AwqScaleGroup {
  /** "model.layers.3 attention input", for progress and notes. */
  id: string;
  /** Source tensor names of the weights taking s on their input columns. */
  consumers: string[];
  /**
   * Where 1/s goes: a norm's weight, or a weight's output rows — and then its bias too (`bias`,
   * Qwen2's v_proj), which adds to those rows' outputs and so is divided by the same scales.
   */
  producer: { name: string; kind: 'norm' | 'rows'; bias?: string };
  /** Grouped-query attention (v → o): o's input column c takes the scale of v's row tiedIndex(tie, c). */
  tie?: AwqHeadTie;
}

export interface AwqHeadTie {
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** o_proj's input column c (head ⌊c/headDim⌋) → the v_proj row of its key/value head. */
export function tiedIndex(tie: AwqHeadTie, c: number): number {
  const h = Math.floor(c / tie.headDim);
  return Math.floor(h / (tie.heads / tie.kvHeads)) * tie.headDim + (c % tie.headDim);
}

/** The prune spec of an action, if it prunes. */
export function actionPrune(a: TensorAction): PruneSpec | undefined {
  return a.kind === 'prune' ? a.prune : a.kind === 'quantize' ? a.prune : undefined;
}

export interface TensorPlan {
  /** Tensor name in the source model. */
  name: string;
  layer: string;
  role: TensorRole;
  /** Logical [out, in] as written (smaller than the source's when channel pruning narrowed it). */
  rows: number;
  cols: number;
  numel: number;
  /** Set when channel pruning keeps `kept` of the MLP's `of` channels: output rows (gate/up) or input columns (down). */
  channels?: { kept: number; of: number; axis: 'rows' | 'cols' };
  /** Index into the plan's `rules`, or null when no rule matched (the tensor is kept). */
  rule: number | null;
  action: TensorAction;
  /** What its methods need from calibration. */
  needs: MethodNeeds;
  encoding: TensorEncoding;
  /** Bytes as stored in the source. */
  bytesBefore: number;
  /** Bytes of this tensor's data in the output (codes, scales, zero points; 0 when tied). */
  bytesAfter: number;
  /** Set when a preset's choice was not possible for this tensor's rows (llama.cpp's tensor_type_fallback). */
  fallback?: { from: string; to: string; message: string };
  /** Things the user should know (llama.cpp fallbacks, padding, dequantized storage). */
  notes: string[];
}

export interface CompressionPlan {
  format: OutputFormat;
  /** The recipe as given (canonical), and its id. */
  recipe: Recipe;
  recipeId: string;
  /** The rules tensors were matched against: the recipe's own, then its preset's expansion. */
  rules: RecipeRule[];
  /** Where each of `rules` came from: 'recipe' or the preset's name. */
  ruleSources: string[];
  /** Every tensor rules can see (matmul weights and embeddings), in model order; then the norms AWQ folds scales into. */
  tensors: TensorPlan[];
  /** Names of the tensors the plan compresses (prunes or quantizes), in the order the exporter writes them. */
  order: string[];
  /** The calibration text and windows, when a method needs calibration. */
  calibration?: CalibrationSpec;
  /** AWQ's scale groups, when a rule quantizes with AWQ and scales can be folded. */
  awq?: AwqScaleGroup[];
  /** The MLP width of every layer after channel pruning (GGUF feed_forward_length, config.json intermediate_size), when it changed. */
  mlpWidth?: { from: number; to: number };
  /** Bytes of the input model files. */
  inputBytes: number;
  /** Exact bytes of every output file together (equals what the writer streams). */
  outputBytes: number;
  /** 8 · bytes of the quantized tensors / their element count (0 when nothing is quantized). */
  bitsPerWeight: number;
  /** Plan-wide notes (e.g. "safetensors stores quantized weights dequantized"). */
  notes: string[];
}

/** Tensors and bytes a rule took, for the rules editor (index = rule index). */
export function ruleTotals(plan: Pick<CompressionPlan, 'rules' | 'tensors'>): { tensors: number; bytesBefore: number; bytesAfter: number }[] {
  const totals = plan.rules.map(() => ({ tensors: 0, bytesBefore: 0, bytesAfter: 0 }));
  for (const t of plan.tensors) {
    if (t.rule === null) continue;
    totals[t.rule].tensors++;
    totals[t.rule].bytesBefore += t.bytesBefore;
    totals[t.rule].bytesAfter += t.bytesAfter;
  }
  return totals;
}
