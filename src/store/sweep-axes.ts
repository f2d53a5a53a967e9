// The sweep form's axes (bits, block sizes, zero point, quantization methods, which tensors,
// llama.cpp types with and without an importance matrix, base rules, pruning methods × sparsities, left in float)
// turned into the worker's SweepAxes, and back from a saved request. Selection labels name points.
import { DEFAULT_CALIBRATION, GGUF_MIX_PRESETS, PRUNE_PATTERNS, RECIPE_VERSION, type PruneMethodId, type RtnBits, type RtnGroupSize } from '../core/recipe';
import { CALIBRATED_SWEEP_METHODS, type SweepAxes, type SweepQuantizeMethod, type SweepSparsity } from '../core/sweep';
import { selectionLabel, type TensorSelection } from '../core/tensor-selection';
import { SWEEP_BASES } from './quick-recipes';

export type SweepSelectionKind = 'all-matmuls' | 'all-but-embeddings-and-head' | 'custom';

export const SWEEP_SELECTION_LABEL: Record<SweepSelectionKind, string> = {
  'all-matmuls': 'All MatMul weights',
  'all-but-embeddings-and-head': 'All but embeddings and output head',
  custom: 'Custom (regular expressions)',
};

export interface SweepAxesForm {
  sweepBits: RtnBits[];
  sweepBlocks: RtnGroupSize[];
  sweepSymmetric: boolean[];
  /** rtn, gptq and/or hqq over the same grid (absent: rtn; hqq takes its asymmetric settings). */
  sweepQuantizeMethods?: SweepQuantizeMethod[];
  sweepSelections: SweepSelectionKind[];
  sweepInclude: string;
  sweepExclude: string;
  /** llama.cpp types (ONNX models only: evaluated through the GGUF exporter's tensors), one point each. */
  sweepGgufTypes?: string[];
  /** Each llama.cpp type without (false) and/or with (true) an importance matrix (absent: without). */
  sweepGgufImatrix?: boolean[];
  /** Which base rules every point starts with (SWEEP_BASES id). */
  sweepBase?: string;
  /** Also points left in float (pruning alone). */
  sweepUnquantized?: boolean;
  /** The sparsity axis; 0 is "not pruned". */
  sweepSparsities?: SweepSparsity[];
  sweepPruneMethods?: PruneMethodId[];
  /** Calibration windows of the bundled text, for the points whose methods calibrate (Wanda, SparseGPT, channels, GPTQ, size budgets). */
  sweepCalibrationWindows?: number;
  /** Size-budget points at these bits per weight. */
  sweepBudgets?: number[];
}

/** "4.5, 5.125" → [4.5, 5.125]; undefined when a value is not bits per weight in (0, 32]. */
export function parseBudgets(text: string): number[] | undefined {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  const values = parts.map(Number);
  return values.every((v) => v > 0 && v <= 32) ? [...new Set(values)] : undefined;
}

/** The sparsity axis' choices, in the order the form shows them. */
export const SWEEP_SPARSITIES: readonly SweepSparsity[] = [0, 0.25, 0.5, 0.6, 0.7, ...PRUNE_PATTERNS];

export function sparsityText(s: SweepSparsity): string {
  return typeof s === 'number' ? (s === 0 ? 'none' : `${Math.round(s * 100)} %`) : s;
}

/** The llama.cpp types a sweep offers (llama-quantize presets). */
export const SWEEP_GGUF_TYPES: readonly string[] = GGUF_MIX_PRESETS;

export function toSweepSelection(kind: SweepSelectionKind, form: Pick<SweepAxesForm, 'sweepInclude' | 'sweepExclude'>): TensorSelection {
  if (kind !== 'custom') return { kind };
  return { kind: 'custom', include: form.sweepInclude.trim() || undefined, exclude: form.sweepExclude.trim() || undefined };
}

export function toSweepAxes(form: SweepAxesForm): SweepAxes {
  return {
    bits: [...form.sweepBits],
    blocks: [...form.sweepBlocks],
    symmetric: [...form.sweepSymmetric],
    selections: form.sweepSelections.map((kind) => {
      const selection = toSweepSelection(kind, form);
      return { label: selectionLabel(selection), selection };
    }),
    ...(form.sweepGgufTypes?.length ? { ggufTypes: [...form.sweepGgufTypes] } : {}),
    ...(form.sweepGgufTypes?.length && ggufImatrixOf(form).includes(true) ? { ggufImatrix: ggufImatrixOf(form) } : {}),
    ...baseOf(form.sweepBase),
    ...pruningOf(form),
    ...(form.sweepBudgets?.length ? { budgets: [...form.sweepBudgets] } : {}),
  };
}

/** With and/or without an importance matrix, for the llama.cpp types (at least one; default without). */
function ggufImatrixOf(form: SweepAxesForm): boolean[] {
  return form.sweepGgufImatrix?.length ? [...form.sweepGgufImatrix] : [false];
}

/** The quantization methods, only when one besides rtn is among them (so an rtn sweep keeps its request and ids). */
function quantizeMethodsOf(form: SweepAxesForm): SweepQuantizeMethod[] | undefined {
  const methods = form.sweepQuantizeMethods ?? ['rtn'];
  return methods.some((m) => m !== 'rtn') ? [...methods] : undefined;
}

/** The pruning axes, only when the form prunes (so a quantization-only sweep keeps its request and ids). */
function pruningOf(form: SweepAxesForm): Pick<SweepAxes, 'quantizeMethods' | 'unquantized' | 'sparsities' | 'pruneMethods' | 'calibration'> {
  const sparsities = form.sweepSparsities ?? [0];
  const methods = form.sweepPruneMethods ?? [];
  const prunes = sparsities.some((s) => s !== 0) && methods.length > 0;
  const quantizeMethods = quantizeMethodsOf(form);
  const imatrix = Boolean(form.sweepGgufTypes?.length) && ggufImatrixOf(form).includes(true);
  const calibrates = (prunes && methods.some((m) => m !== 'magnitude')) || quantizeMethods?.some((m) => CALIBRATED_SWEEP_METHODS.includes(m)) === true || imatrix || Boolean(form.sweepBudgets?.length);
  return {
    ...(quantizeMethods ? { quantizeMethods } : {}),
    ...(form.sweepUnquantized ? { unquantized: true } : {}),
    ...(prunes ? { sparsities: [...sparsities], pruneMethods: [...methods] } : {}),
    ...(calibrates ? { calibration: { ...DEFAULT_CALIBRATION, windows: form.sweepCalibrationWindows ?? DEFAULT_CALIBRATION.windows } } : {}),
  };
}

/** Whether the form's points calibrate (the calibration windows field shows then). */
export function sweepCalibrates(form: SweepAxesForm): boolean {
  return pruningOf(form).calibration !== undefined;
}

function baseOf(id: string | undefined): Pick<SweepAxes, 'base'> {
  const base = SWEEP_BASES.find((b) => b.id === id);
  return base && base.rules.length ? { base: { recipe: RECIPE_VERSION, name: base.id, rules: base.rules } } : {};
}

/** Number of points of the grid the form describes (as pipeline/sweep.ts expandGrid builds it). */
export function gridSize(form: SweepAxesForm): number {
  const axes = pruningOf(form);
  const targets = axes.sparsities ?? [0];
  const methodsAt = (t: SweepSparsity) => (axes.pruneMethods ?? []).filter((m) => m !== 'channels' || typeof t === 'number').length;
  const prunes = targets.filter((t) => t !== 0).reduce((n: number, t) => n + methodsAt(t), 0) + (targets.includes(0) ? 1 : 0);
  const settings = form.sweepBits.length * form.sweepBlocks.length * form.sweepSymmetric.length;
  const selections = form.sweepSelections.length;
  const float = axes.unquantized ? selections * (prunes - (targets.includes(0) ? 1 : 0)) : 0;
  // gptq, awq and hqq points are never pruned: one per setting (hqq: asymmetric ones) and selection.
  const calibrated = (axes.quantizeMethods ?? []).filter((m) => CALIBRATED_SWEEP_METHODS.includes(m)).length;
  const gptq = targets.includes(0) ? calibrated * settings * selections : 0;
  const asymmetric = form.sweepBits.length * form.sweepBlocks.length * (form.sweepSymmetric.includes(false) ? 1 : 0);
  const hqq = axes.quantizeMethods?.includes('hqq') && targets.includes(0) ? asymmetric * selections : 0;
  const rtn = axes.quantizeMethods && !axes.quantizeMethods.includes('rtn') ? 0 : settings * selections * prunes;
  return rtn + gptq + hqq + float + (form.sweepGgufTypes?.length ?? 0) * ggufImatrixOf(form).length + (form.sweepBudgets?.length ?? 0);
}

/** The form that produced a saved request (to show what a restored sweep ran). */
export function axesForm(axes: SweepAxes): SweepAxesForm {
  const custom = axes.selections.find((s) => s.selection.kind === 'custom')?.selection;
  return {
    sweepBits: [...axes.bits],
    sweepBlocks: [...axes.blocks],
    sweepSymmetric: [...axes.symmetric],
    sweepQuantizeMethods: [...(axes.quantizeMethods ?? ['rtn'])],
    sweepSelections: axes.selections.map((s) => (s.selection.kind === 'all-but-head' ? 'all-but-embeddings-and-head' : s.selection.kind)),
    sweepInclude: custom?.kind === 'custom' ? (custom.include ?? '') : '',
    sweepExclude: custom?.kind === 'custom' ? (custom.exclude ?? '') : '',
    sweepGgufTypes: [...(axes.ggufTypes ?? [])],
    sweepGgufImatrix: [...(axes.ggufImatrix ?? [false])],
    sweepBase: axes.base?.name ?? 'none',
    sweepUnquantized: axes.unquantized ?? false,
    sweepSparsities: [...(axes.sparsities ?? [0])],
    sweepPruneMethods: [...(axes.pruneMethods ?? [])],
    sweepCalibrationWindows: axes.calibration?.windows ?? DEFAULT_CALIBRATION.windows,
    sweepBudgets: [...(axes.budgets ?? [])],
  };
}

/** Toggles a value in a list, keeping the order of `all`. */
export function toggled<T>(list: readonly T[], value: T, all: readonly T[]): T[] {
  const on = new Set(list);
  if (on.has(value)) on.delete(value);
  else on.add(value);
  return all.filter((v) => on.has(v));
}
