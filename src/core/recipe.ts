// Recipes (DESIGN "The compression seam", decision 5): what to do to which tensors, as versioned
// JSON data that the page, the CLI, sweeps and export metadata share. The JSON schema is
// docs/recipe.schema.json; parsing with messages for people is pipeline/recipe/parse-recipe.ts.
// The lists of valid settings live here, once, because the form, the CLI and the methods use them.

export const RECIPE_VERSION = 1 as const;

/** Bits round-to-nearest stores (3-bit codes live in 4-bit containers in MatMulNBits). */
export const RTN_BITS = [2, 3, 4, 8] as const;
export type RtnBits = (typeof RTN_BITS)[number];

/** Elements sharing one scale along the input dimension (MatMulNBits takes 16…256). */
export const RTN_GROUP_SIZES = [16, 32, 64, 128, 256] as const;
export type RtnGroupSize = (typeof RTN_GROUP_SIZES)[number] | 'per-channel';

/** The llama.cpp block and float types the studio encodes and decodes (src/quant/ggml). */
export const GGML_QUANT_TYPES = ['F32', 'F16', 'BF16', 'Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K'] as const;
export type GgmlQuantType = (typeof GGML_QUANT_TYPES)[number];
/** The types whose llama.cpp quantizer uses an importance matrix (Q8_0 and the floats ignore it); src/quant/ggml/importance-quantize.ts implements them. */
export const GGML_IMPORTANCE_TYPES: readonly GgmlQuantType[] = ['Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K'];

/** llama-quantize mixes the studio reproduces tensor for tensor (src/quant/ggml/gguf-presets.ts). */
export const GGUF_MIX_PRESETS = ['Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q4_0', 'Q3_K_M', 'Q2_K'] as const;
/** llama-quantize type names the studio offers only as --pure (every tensor one type). */
export const GGUF_PURE_PRESETS = ['Q4_1', 'Q5_0', 'Q5_1', 'Q3_K_S', 'Q4_K_S', 'Q5_K_S'] as const;
export type GgufPresetName = (typeof GGUF_MIX_PRESETS)[number] | (typeof GGUF_PURE_PRESETS)[number];
export const GGUF_PRESET_NAMES: readonly GgufPresetName[] = [...GGUF_MIX_PRESETS, ...GGUF_PURE_PRESETS];

/** Float types for weights a recipe leaves as they are, or stores dequantized. */
export const RECIPE_DTYPES = ['f32', 'f16', 'bf16'] as const;
export type RecipeDtype = (typeof RECIPE_DTYPES)[number];

/** Round-to-nearest with a scale (and zero point unless symmetric) per group of `group` inputs. */
export interface RtnQuantize {
  method: 'rtn';
  bits: RtnBits;
  group: RtnGroupSize;
  symmetric: boolean;
}

/** A llama.cpp block type (GGUF output), encoded bit for bit like llama-quantize. */
export interface GgmlQuantize {
  method: 'ggml';
  type: GgmlQuantType;
  /**
   * Weigh each input column by its importance (mean x² over calibration tokens), as
   * llama-quantize --imatrix does; from `calibration.imatrix` when given, else measured on the
   * calibration text. Embeddings take no importance (llama.cpp has none for them).
   */
  imatrix?: boolean;
}

/**
 * GPTQ (Frantar et al. 2023): each column's rounding error compensated on the columns not yet
 * quantized through the calibration Hessian (needs calibration). On the RTN grid (same groups,
 * scales and zero points, so it exports as MatMulNBits like rtn) or, with `type`, on a llama.cpp
 * block type (GGUF output: each block's scales from llama.cpp's quantizer when the solve reaches it).
 */
export type GptqQuantize = GptqIntQuantize | GptqGgmlQuantize;

/** The solver settings both grids share. */
interface GptqSolver {
  method: 'gptq';
  /** Damping as a fraction of the Hessian's mean diagonal. */
  damping: number;
  /** Columns solved per block (lazy batch updates). */
  blocksize: number;
  /** Quantize columns in order of decreasing Hessian diagonal (groups fixed in the original order: no group index). */
  actOrder: boolean;
}

export interface GptqIntQuantize extends Omit<RtnQuantize, 'method'>, GptqSolver {
  method: 'gptq';
  type?: undefined;
}

export interface GptqGgmlQuantize extends GptqSolver {
  type: GgmlQuantType;
  bits?: undefined;
  group?: undefined;
  symmetric?: undefined;
}

/** The llama.cpp types GPTQ can solve on (each block's parameters fixed, then codes chosen one column at a time). */
export const GPTQ_GGML_TYPES: readonly GgmlQuantType[] = ['Q8_0', 'Q4_0', 'Q4_K', 'Q6_K'];

/** Where HQQ's optimised zero points are stored: as floats (its own result) or rounded to the integer grid. */
export const HQQ_ZERO_POINTS = ['float', 'integer'] as const;
export type HqqZeroPoint = (typeof HQQ_ZERO_POINTS)[number];

/**
 * HQQ (Badri & Shaji 2023, "Half-Quadratic Quantization of Large Machine Learning Models"):
 * calibration-free; per group the asymmetric min/max grid, then the zero point optimised by the
 * half-quadratic proximal solver for an lp (p < 1) reconstruction error. Exports as MatMulNBits
 * with float zero points (or integer ones where a runtime needs them).
 */
export interface HqqQuantize {
  method: 'hqq';
  bits: RtnBits;
  group: RtnGroupSize;
  /** HQQ's grid is asymmetric (a recipe may leave this out). */
  symmetric: false;
  /** Default float, except 8-bit (onnxruntime runs float zero points for 2- and 4-bit codes only). */
  zeroPoint: HqqZeroPoint;
  /** Solver iterations (each group stops early once its error stops falling). */
  iterations: number;
  /** The p of the lp norm the solver minimises (0 < p ≤ 1). */
  lpNorm: number;
  /** Initial β of the half-quadratic splitting, multiplied by `kappa` every iteration. */
  beta: number;
  kappa: number;
}

/** HQQ's solver settings as the reference has them (mobiusml/hqq, optimize_weights_proximal_legacy). */
export const HQQ_DEFAULTS = { iterations: 20, lpNorm: 0.7, beta: 10, kappa: 1.01 } as const;
/** HQQ's reference group size. */
export const HQQ_DEFAULT_GROUP = 64;

/** HQQ's default zero points: float where onnxruntime runs them (2-, 3- and 4-bit codes), integer at 8 bits. */
export function hqqDefaultZeroPoint(bits: RtnBits): HqqZeroPoint {
  return bits === 8 ? 'integer' : 'float';
}

/**
 * AWQ (Lin et al. 2024, "Activation-aware Weight Quantization"): per input channel a scale
 * s = m^α (m: the channel's activation magnitude on calibration text, α searched on a grid for the
 * least output error of the quantized weights), multiplied into the weights and divided out of the
 * operation before them (the RMSNorm weight before q/k/v and gate/up, v before o, up before down),
 * so the exported model has the same ops; then an optional clipping range per group. On the RTN
 * grid (exports as MatMulNBits like rtn) or, with `type`, on a llama.cpp block type (GGUF output);
 * needs calibration.
 */
export type AwqQuantize = AwqIntQuantize | AwqGgmlQuantize;

export interface AwqIntQuantize extends Omit<RtnQuantize, 'method'> {
  method: 'awq';
  /** Exponents tried: α = i / gridPoints for i = 0 … gridPoints − 1 (α = 0 is round-to-nearest). */
  gridPoints: number;
  /** Search each group's clipping range (AWQ's auto_clip; never on q/k, as the reference). */
  clip: boolean;
  type?: undefined;
}

/** AWQ's scales searched for, and the weights then quantized by, llama.cpp's own quantizer of `type` (no clip search: it searches its own scales). */
export interface AwqGgmlQuantize {
  method: 'awq';
  type: GgmlQuantType;
  gridPoints: number;
  bits?: undefined;
  group?: undefined;
  symmetric?: undefined;
  clip?: undefined;
}

/** The llama.cpp types AWQ can target: the block types (not the floats). */
export const AWQ_GGML_TYPES: readonly GgmlQuantType[] = ['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K'];

/** AWQ's search settings as the reference has them (mit-han-lab/llm-awq auto_scale / auto_clip). */
export const AWQ_DEFAULTS = { gridPoints: 20, clip: true } as const;
/** AWQ's reference group size (q_group_size 128). */
export const AWQ_DEFAULT_GROUP = 128;

export type QuantizeSpec = RtnQuantize | GgmlQuantize | GptqQuantize | HqqQuantize | AwqQuantize;
export type QuantizeMethodId = QuantizeSpec['method'];
/** The specs on the integer grid (MatMulNBits): everything but the llama.cpp types (ggml, and AWQ or GPTQ with a `type`). */
export type IntGridQuantize = RtnQuantize | GptqIntQuantize | HqqQuantize | AwqIntQuantize;

export function isIntGridSpec(q: QuantizeSpec | undefined): q is IntGridQuantize {
  return q !== undefined && q.method !== 'ggml' && !((q.method === 'awq' || q.method === 'gptq') && q.type !== undefined);
}
export const QUANTIZE_METHODS: readonly QuantizeMethodId[] = ['rtn', 'ggml', 'gptq', 'hqq', 'awq'];

/** N:M sparsity along the input dimension: at most N nonzeros in every M consecutive inputs. */
export const PRUNE_PATTERNS = ['2:4', '4:8'] as const;
export type PrunePatternName = (typeof PRUNE_PATTERNS)[number];

/** Either a target sparsity (fraction of weights set to zero, in [0, 1)) or an N:M pattern. */
interface PruneTarget {
  sparsity?: number;
  pattern?: PrunePatternName;
}

/** Zero the smallest |W| (per tensor, the default, or per output row). */
export interface MagnitudePrune extends PruneTarget {
  method: 'magnitude';
  scope: 'tensor' | 'row';
}

/** Wanda (Sun et al. 2023): zero the smallest |W_ij|·‖X_j‖₂ per output row (needs calibration). */
export interface WandaPrune extends PruneTarget {
  method: 'wanda';
}

/** SparseGPT (Frantar & Alistarh 2023): Hessian-based pruning with weight updates (needs calibration). */
export interface SparseGptPrune extends PruneTarget {
  method: 'sparsegpt';
  /** Damping as a fraction of the Hessian's mean diagonal. */
  damping: number;
  /** Columns solved per block. */
  blocksize: number;
}

/**
 * Structured width pruning: whole MLP intermediate channels removed (rows of gate/up, columns of
 * down), the same count in every layer, ranked by ‖W_down[:, c]‖₂·‖X_c‖₂ (needs calibration).
 */
export interface ChannelsPrune {
  method: 'channels';
  /** Fraction of the MLP's channels removed. */
  sparsity: number;
  pattern?: undefined;
}

export type PruneSpec = MagnitudePrune | WandaPrune | SparseGptPrune | ChannelsPrune;
export type PruneMethodId = PruneSpec['method'];
export const PRUNE_METHODS: readonly PruneMethodId[] = ['magnitude', 'wanda', 'sparsegpt', 'channels'];
/** The methods that zero weights in place (unstructured or N:M); `channels` makes tensors smaller instead. */
export const ZEROING_PRUNE_METHODS = ['magnitude', 'wanda', 'sparsegpt'] as const satisfies readonly PruneMethodId[];

/** What a method needs besides the weight: nothing, per-input sums of squares, or the Hessian XᵀX. */
export type MethodNeeds = 'nothing' | 'input-stats' | 'hessian';

/** Text the calibrated methods see (docs/EVAL.md `wikitext2-valid-c128`): windows of 256 tokens. */
export interface CalibrationSpec {
  /** 'builtin' (the bundled wikitext-2 validation excerpt) or a text file's name. */
  text: string;
  windows: number;
  /**
   * Each decoder layer calibrates on the inputs the already-compressed layers before it produce,
   * as the Wanda and SparseGPT reference code does (one capture pass per layer); false: one pass
   * on the original model (faster, and shared by every recipe on the same text).
   */
  sequential: boolean;
  /**
   * A llama.cpp importance-matrix file (llama-imatrix's GGUF or legacy .dat, or one the studio
   * wrote) that gives the `imatrix` rules their importance instead of running the model; methods
   * that need more (a Hessian, per-channel sums for pruning) cannot use it.
   */
  imatrix?: string;
}
export const DEFAULT_CALIBRATION: CalibrationSpec = { text: 'builtin', windows: 128, sequential: true };

/** Roles a rule may be limited to (rules only ever see these two). */
export const RULE_ROLES = ['matmul-weight', 'embedding'] as const;
export type RuleRole = (typeof RULE_ROLES)[number];

/**
 * One rule: `match` is a JavaScript regular expression tested unanchored against the layer name
 * (`model.layers.0.mlp.down_proj`, `lm_head`) and the tensor name; the first rule that matches a
 * tensor decides. Either `keep`, or `prune` and/or `quantize`.
 */
export interface RecipeRule {
  match: string;
  /** Limits the rule to matmul weights or embeddings. */
  role?: RuleRole;
  keep?: true;
  /** Runs before `quantize` when both are given; pruned weights stay exactly zero. */
  prune?: PruneSpec;
  quantize?: QuantizeSpec;
}

export interface Recipe {
  recipe: typeof RECIPE_VERSION;
  /** A short name (quick presets set it; it names exported files). */
  name?: string;
  /** A llama.cpp mix whose per-tensor choices come after `rules` (GGUF output). */
  preset?: GgufPresetName;
  /** With `preset`: every quantizable tensor gets the preset's one type (llama-quantize --pure). */
  pure?: boolean;
  /** With `preset`: its types are importance-weighted (`imatrix: true` on each of its rules). */
  imatrix?: boolean;
  /** Float type of weights left as they are (GGUF, safetensors) and of dequantized safetensors weights. Default: as stored. */
  dtype?: RecipeDtype;
  /** The text calibrated methods (Wanda, SparseGPT) run on; default builtin, 128 windows. */
  calibration?: CalibrationSpec;
  rules: RecipeRule[];
}

/** Where in a recipe something is: a rule index and a field path (for messages and the editor). */
export interface RecipeLocation {
  rule?: number;
  field?: string;
}

/** The preset's llama.cpp type names imply --pure when the studio has no mix of that name. */
export function presetIsPure(recipe: Pick<Recipe, 'preset' | 'pure'>): boolean {
  return recipe.pure === true || (recipe.preset !== undefined && (GGUF_PURE_PRESETS as readonly string[]).includes(recipe.preset));
}

/** "rtn 4-bit/32 asym", "rtn 8-bit/per-channel sym", "ggml Q4_K". */
export function quantizeLabel(q: QuantizeSpec): string {
  if (q.method === 'ggml') return `ggml ${q.type}${q.imatrix && GGML_IMPORTANCE_TYPES.includes(q.type) ? ' imatrix' : ''}`;
  if (q.method === 'hqq') return `hqq ${q.bits}-bit/${q.group}${q.zeroPoint === 'integer' ? ' int-zp' : ''}`;
  if (q.method === 'awq' && q.type !== undefined) return `awq ${q.type}`;
  if (q.method === 'gptq' && q.type !== undefined) return `gptq ${q.type}${q.actOrder ? ' act-order' : ''}`;
  if (q.method === 'awq') return `awq ${q.bits}-bit/${q.group} ${q.symmetric ? 'sym' : 'asym'}${q.clip ? '' : ' no-clip'}`;
  return `${q.method} ${q.bits}-bit/${q.group} ${q.symmetric ? 'sym' : 'asym'}${q.method === 'gptq' && q.actOrder ? ' act-order' : ''}`;
}

/** Methods that need no calibration (ggml unless it is importance-weighted); every other method's needs() asks for some (methods test). */
export const DATA_FREE_METHODS: readonly (PruneMethodId | QuantizeMethodId)[] = ['magnitude', 'rtn', 'ggml', 'hqq'];

/** Whether a rule runs a method that calibrates first (for the page, before a plan exists). */
export function ruleCalibrates(rule: Pick<RecipeRule, 'prune' | 'quantize'>): boolean {
  if (rule.quantize?.method === 'ggml' && rule.quantize.imatrix) return true;
  return [rule.prune?.method, rule.quantize?.method].some((m) => m !== undefined && !DATA_FREE_METHODS.includes(m));
}

/** Whether any of the recipe's llama.cpp types are importance-weighted (its preset's or a rule's). */
export function recipeUsesImatrix(recipe: Pick<Recipe, 'preset' | 'imatrix' | 'rules'>): boolean {
  return (recipe.preset !== undefined && recipe.imatrix === true) || recipe.rules.some((r) => r.quantize?.method === 'ggml' && r.quantize.imatrix === true);
}

/** "magnitude 50%", "wanda 2:4", "sparsegpt 60%". */
export function pruneLabel(p: PruneSpec): string {
  const target = p.pattern ?? `${Math.round((p.sparsity ?? 0) * 1000) / 10}%`;
  if (p.method === 'channels') return `MLP channels −${target}`;
  return `${p.method} ${target}${p.method === 'magnitude' && p.scope === 'row' ? ' per row' : ''}`;
}

/** "keep", the prune and/or quantize label ("wanda 50% + rtn 4-bit/32 asym"). */
export function ruleLabel(rule: Pick<RecipeRule, 'keep' | 'quantize' | 'prune'>): string {
  const parts = [rule.prune ? pruneLabel(rule.prune) : '', rule.quantize ? quantizeLabel(rule.quantize) : ''].filter(Boolean);
  return parts.join(' + ') || 'keep';
}
