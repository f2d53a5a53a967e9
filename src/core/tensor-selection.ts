// The studio's older way of choosing tensors — all matmul weights, all but the output head, or
// include/exclude patterns — as recipe rules. The CLI's quantize flags and the sweep axes use it;
// `exclude` wins because its keep rule comes first. Patterns are tested, as every rule's, against
// the layer name and the tensor name. A pruning body never prunes the output head of a built-in
// selection (as Wanda and SparseGPT leave it dense); it is only quantized there.
import type { PruneSpec, QuantizeSpec, RecipeRule } from './recipe';

/** What the selected tensors get: pruning, quantization, or both. */
export interface RuleBody {
  prune?: PruneSpec;
  quantize?: QuantizeSpec;
}

export type TensorSelection =
  | { kind: 'all-matmuls' }
  | { kind: 'all-but-head' } // every matmul weight except the output head (lm_head)
  | { kind: 'all-but-embeddings-and-head' }
  | { kind: 'custom'; include?: string; exclude?: string };

/** The output head's layer name in every index (ONNX, safetensors and GGUF name it lm_head). */
export const OUTPUT_HEAD_PATTERN = '(^|\\.)lm_head$';

/** The three projections of every MLP: what channel pruning takes together. */
export const MLP_PROJECTIONS = '\\bmlp\\.(gate|up|down)_proj$';

/**
 * Rules that give what the selection picks `body`: every matmul weight by default; with a custom
 * include, whatever it matches (embeddings too).
 */
export function selectionRules(selection: TensorSelection, body: RuleBody): RecipeRule[] {
  const matmuls: RecipeRule = { match: '.*', role: 'matmul-weight', ...body };
  switch (selection.kind) {
    case 'all-matmuls':
      if (!body.prune) return [matmuls];
      return [body.quantize ? { match: OUTPUT_HEAD_PATTERN, quantize: body.quantize } : { match: OUTPUT_HEAD_PATTERN, keep: true }, matmuls];
    case 'all-but-head':
    case 'all-but-embeddings-and-head':
      return [{ match: OUTPUT_HEAD_PATTERN, keep: true }, matmuls];
    case 'custom': {
      const rules: RecipeRule[] = selection.exclude ? [{ match: selection.exclude, keep: true }] : [];
      rules.push(selection.include ? { match: selection.include, ...body } : matmuls);
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
