// The "which tensors" part of the quantize form, turned into the shared TensorSelection, and the
// live match count computed with the same rule the worker uses (core/tensor-filter.ts).
import { tensorFilter, type TensorSelection } from '../core/tensor-filter';
import type { TensorInfo } from '../core/model-index';

export type SelectionMode = 'all-matmuls' | 'all-but-head' | 'custom';

export interface SelectionForm {
  selectionMode: SelectionMode;
  include: string;
  exclude: string;
}

export function toTensorSelection(form: SelectionForm): TensorSelection {
  if (form.selectionMode !== 'custom') return { kind: form.selectionMode };
  return { kind: 'custom', include: form.include.trim() || undefined, exclude: form.exclude.trim() || undefined };
}

export type MatchCount = { ok: true; count: number; bytes: number } | { ok: false; message: string };

export function countMatches(tensors: readonly TensorInfo[], form: SelectionForm): MatchCount {
  let match: (t: TensorInfo) => boolean;
  try {
    match = tensorFilter(toTensorSelection(form));
  } catch (e) {
    // compileRegex names CLI flags; say it the way the form does.
    const message = (e as Error).message.replace(/^--include/, 'The include pattern').replace(/^--exclude/, 'The exclude pattern');
    return { ok: false, message };
  }
  let count = 0;
  let bytes = 0;
  for (const t of tensors) {
    if (match(t)) {
      count++;
      bytes += t.byteLength;
    }
  }
  return { ok: true, count, bytes };
}
