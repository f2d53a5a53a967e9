// The sweep form's axes (bits, block sizes, zero point, which tensors) turned into the worker's
// SweepAxes, and back from a saved request. Selection labels name points and exported files.
import type { TensorSelection } from '../core/tensor-filter';
import type { QuantBits } from '../core/quantized-tensor';
import type { SweepAxes, SweepRequest } from '../workers/studio-api';
import type { BlockChoice } from './job-slice';

export type SweepSelectionKind = 'all-matmuls' | 'all-but-embeddings-and-head' | 'custom';

export const SWEEP_SELECTION_LABEL: Record<SweepSelectionKind, string> = {
  'all-matmuls': 'All MatMul weights',
  'all-but-embeddings-and-head': 'All but embeddings and output head',
  custom: 'Custom (regular expressions)',
};

export interface SweepAxesForm {
  sweepBits: QuantBits[];
  sweepBlocks: BlockChoice[];
  sweepSymmetric: boolean[];
  sweepSelections: SweepSelectionKind[];
  sweepInclude: string;
  sweepExclude: string;
  /** llama.cpp types (ONNX models only: they go through the GGUF converter), one point each. */
  sweepGgufTypes?: string[];
}

/** The llama.cpp types a sweep offers (llama-quantize presets). */
export const SWEEP_GGUF_TYPES: readonly string[] = ['Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q4_0', 'Q3_K_M', 'Q2_K'];

/** Short, stable label of a selection (part of the point id). */
export function selectionLabel(selection: TensorSelection): string {
  if (selection.kind !== 'custom') return selection.kind;
  const parts = [selection.include ? `+${selection.include}` : '', selection.exclude ? `-${selection.exclude}` : ''].filter(Boolean);
  return `custom(${parts.join(' ') || 'matmuls'})`;
}

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
  };
}

/** Number of points of the grid the form describes. */
export function gridSize(form: SweepAxesForm): number {
  return form.sweepBits.length * form.sweepBlocks.length * form.sweepSymmetric.length * form.sweepSelections.length + (form.sweepGgufTypes?.length ?? 0);
}

/** The form that produced a saved request (to show what a restored sweep ran). */
export function axesForm(axes: SweepAxes): SweepAxesForm {
  const custom = axes.selections.find((s) => s.selection.kind === 'custom')?.selection;
  return {
    sweepBits: [...axes.bits],
    sweepBlocks: [...axes.blocks],
    sweepSymmetric: [...axes.symmetric],
    sweepSelections: axes.selections.map((s) => (s.selection.kind === 'all-but-head' ? 'all-but-embeddings-and-head' : s.selection.kind)),
    sweepInclude: custom?.kind === 'custom' ? (custom.include ?? '') : '',
    sweepExclude: custom?.kind === 'custom' ? (custom.exclude ?? '') : '',
    sweepGgufTypes: [...(axes.ggufTypes ?? [])],
  };
}

/** Same evaluation settings → comparable points on one chart (the worker's rule, sweep-job.ts). */
export function sameEvalSettings(a: SweepRequest, b: SweepRequest): boolean {
  return a.windows === b.windows && a.executionProvider === b.executionProvider && (a.text ?? '') === (b.text ?? '');
}

/** Toggles a value in a list, keeping the order of `all`. */
export function toggled<T>(list: readonly T[], value: T, all: readonly T[]): T[] {
  const on = new Set(list);
  if (on.has(value)) on.delete(value);
  else on.add(value);
  return all.filter((v) => on.has(v));
}
