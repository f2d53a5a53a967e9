// Sweeps (DESIGN "The compression seam": "a sweep is a base recipe plus axes"): the axes, the
// points they expand to — each a recipe, named by its id — and what a finished point measured.
import type { OutputFormat } from './compression-plan';
import type { EvalReport, EvalRequest, KlFigures } from './evaluation';
import type { CalibrationSpec, PruneMethodId, PrunePatternName, Recipe, RtnBits, RtnGroupSize } from './recipe';

/**
 * The quantization methods a sweep crosses with bits × blocks × zero point: they share rtn's grid
 * (HQQ's is asymmetric: it takes the asymmetric settings only).
 */
export const SWEEP_QUANTIZE_METHODS = ['rtn', 'gptq', 'awq', 'hqq'] as const;
/** The sweep methods that calibrate on text first. */
export const CALIBRATED_SWEEP_METHODS: readonly SweepQuantizeMethod[] = ['gptq', 'awq'];
export type SweepQuantizeMethod = (typeof SWEEP_QUANTIZE_METHODS)[number];
import type { TensorSelection } from './tensor-selection';

/** A pruning target on the sparsity axis: a fraction of zeros (0: not pruned) or an N:M pattern. */
export type SweepSparsity = number | PrunePatternName;

export interface SweepAxes {
  bits: RtnBits[];
  /** The quantization methods (default rtn); gptq points calibrate (with `calibration`); gptq and hqq points are never pruned. */
  quantizeMethods?: SweepQuantizeMethod[];
  /** Also points whose weights are not quantized (pruning alone). */
  unquantized?: boolean;
  /** The sparsity axis (default [0]: nothing pruned); crossed with the methods and every quantization. */
  sparsities?: SweepSparsity[];
  /** The pruning methods (default magnitude) for the axis' non-zero sparsities. */
  pruneMethods?: PruneMethodId[];
  /** The calibration text of points whose methods calibrate (default builtin, 128 windows). */
  calibration?: CalibrationSpec;
  blocks: RtnGroupSize[];
  symmetric: boolean[];
  selections: { label: string; selection: TensorSelection }[];
  /** llama.cpp presets or pure types (`Q4_K_M`, `Q8_0`, `Q4_1`), one GGUF point each. */
  ggufTypes?: string[];
  /**
   * Each llama.cpp type without (false) and/or with (true) an importance matrix measured on
   * `calibration` in one pass over the original model, as llama-imatrix does; default [false].
   */
  ggufImatrix?: boolean[];
  /** Rules every point starts with; a point's own rules come after them (the first match wins). */
  base?: Recipe;
  /**
   * Size-budget points at these bits per weight (ONNX, rtn candidates; pipeline/budget): each
   * point's recipe is written when it runs, calibrated in one pass on `calibration` with a KL
   * probe per weight. The base's rules do not apply to them (the budget names every weight).
   */
  budgets?: number[];
}

export interface SweepPointConfig {
  /** The point's recipe id (core/recipe-id.ts): the same point has the same id in the page and the CLI. */
  id: string;
  recipe: Recipe;
  /** How the point is exported and sized: ONNX for rtn and gptq points, GGUF for llama.cpp types. */
  format: OutputFormat;
  /** "rtn 4-bit/32 asym", "llama.cpp Q4_K_M". */
  label: string;
  selectionLabel: string;
  /** Chart traits. */
  method: SweepQuantizeMethod | 'llama.cpp' | 'llama.cpp imatrix' | 'float' | 'budget';
  /** A size-budget point: its target; `recipe` holds the calibration until the point runs, then the recipe the budget wrote. */
  budget?: { bitsPerWeight: number };
  /** Nominal bits (the digit of a llama.cpp type name); 16 for points left in float. */
  bits: number;
  /** The point's pruning, when it prunes. */
  prune?: { method: PruneMethodId; target: SweepSparsity };
  /** Elements per block (256 for k-quants). */
  block: RtnGroupSize;
  sym: boolean;
}

export interface SweepPoint extends SweepPointConfig {
  /** Exact bytes of the exported file. */
  bytes: number;
  bitsPerWeight: number;
  /** Zeros / elements of the pruned tensors, counted from the weights (channel pruning: the fraction of their parameters removed); 0 when nothing was pruned. */
  sparsity?: number;
  /** Zeros / parameters of the whole model. */
  modelSparsity?: number;
  /** Gzip size of the exported file, when the point prunes (zeros only shrink once compressed). */
  gzipBytes?: number;
  ppl: number;
  /** KL divergence from the original over the same windows (absent in points saved before it was measured). */
  kl?: KlFigures;
  windows: number;
  tensors: { name: string; layer: string; label: string; relError: number }[];
  quantizeMs: number;
  evalMs: number;
}

export interface SweepRequest {
  axes: SweepAxes;
  windows: number;
  executionProvider: EvalRequest['executionProvider'];
  text?: string;
}

export type SweepStatus = 'running' | 'paused' | 'cancelled' | 'done';

/**
 * One sweep run as the history keeps it: a model has any number of runs (a run with other
 * evaluation settings starts a new one; nothing is replaced), each under its own id.
 */
export interface SweepState {
  /** The run's id in the history. */
  runId: string;
  modelKey: string;
  /** The model's file name when the run started (the key is its content hash; this is for people). */
  modelName?: string;
  /** When the run started and when it last saved (ms since the epoch; 0 for runs saved before the history). */
  startedAt: number;
  updatedAt: number;
  request: SweepRequest;
  /** Every point of the grid, in queue order. */
  gridIds: string[];
  points: SweepPoint[];
  reference: EvalReport | null;
  status: SweepStatus;
}

export interface SweepProgress {
  pointIndex: number;
  pointsTotal: number;
  pointId: string;
  /** 'calibrate' while the model runs on calibration text for a pruned point (once per sweep, cached). */
  phase: 'reference' | 'calibrate' | 'quantize' | 'evaluate';
  windowsDone?: number;
  windowsTotal?: number;
  tokensPerSecond?: number;
}

/**
 * Same evaluation settings (windows, backend, text) → points are comparable and share one chart;
 * a sweep with other settings starts afresh (the worker's rule, and the page's warning before it).
 */
export function sameEvalSettings(a: Pick<SweepRequest, 'windows' | 'executionProvider' | 'text'>, b: Pick<SweepRequest, 'windows' | 'executionProvider' | 'text'>): boolean {
  return a.windows === b.windows && a.executionProvider === b.executionProvider && a.text === b.text;
}
