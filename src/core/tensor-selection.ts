// The studio's older way of choosing tensors — all matmul weights, all but the output head, or
// include/exclude patterns — as recipe rules. The CLI's quantize flags and the sweep axes use it;
// `exclude` wins because its keep rule comes first. Patterns are tested, as every rule's, against
// the layer name and the tensor name.
import type { QuantizeSpec, RecipeRule } from './recipe';

export type TensorSelection =
  | { kind: 'all-matmuls' }
  | { kind: 'all-but-head' } // every matmul weight except the output head (lm_head)
  | { kind: 'all-but-embeddings-and-head' }
  | { kind: 'custom'; include?: string; exclude?: string };

/** The output head's layer name in every index (ONNX, safetensors and GGUF name it lm_head). */
export const OUTPUT_HEAD_PATTERN = '(^|\\.)lm_head$';

/**
 * Rules that quantize what the selection picks with `quantize`: every matmul weight by default;
 * with a custom include, whatever it matches (embeddings too).
 */
export function selectionRules(selection: TensorSelection, quantize: QuantizeSpec): RecipeRule[] {
  const matmuls: RecipeRule = { match: '.*', role: 'matmul-weight', quantize };
  switch (selection.kind) {
    case 'all-matmuls':
      return [matmuls];
    case 'all-but-head':
    case 'all-but-embeddings-and-head':
      return [{ match: OUTPUT_HEAD_PATTERN, keep: true }, matmuls];
    case 'custom': {
      const rules: RecipeRule[] = selection.exclude ? [{ match: selection.exclude, keep: true }] : [];
      rules.push(selection.include ? { match: selection.include, quantize } : matmuls);
      return rules;
    }
  }
}

/** Short, stable label of a selection (sweep tables and exported file names). */
export function selectionLabel(selection: TensorSelection): string {
  if (selection.kind !== 'custom') return selection.kind;
  const parts = [selection.include ? `+${selection.include}` : '', selection.exclude ? `-${selection.exclude}` : ''].filter(Boolean);
  return `custom(${parts.join(' ') || 'matmuls'})`;
}
