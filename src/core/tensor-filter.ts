// Which tensors a recipe touches. Shared by the CLI (--include/--exclude), the pipeline and the
// page's live "N tensors match" count, so all three agree. REGEX is a JavaScript regular
// expression tested unanchored against the readable layer name and the tensor name; exclude wins.
import { UsageError } from './errors';

export type TensorSelection =
  | { kind: 'all-matmuls' }
  | { kind: 'all-but-head' } // every matmul weight except the output head (lm_head)
  | { kind: 'all-but-embeddings-and-head' }
  | { kind: 'custom'; include?: string; exclude?: string };

export interface SelectableTensor {
  name: string;
  layer: string;
  role: string;
}

export function compileRegex(source: string, flag: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new UsageError(`${flag} is not a valid regular expression: ${(e as Error).message}`);
  }
}

const isHead = (t: SelectableTensor) => /(^|\.)lm_head$|^output$/.test(t.layer);

/**
 * Returns a predicate over tensors. Defaults: every matmul weight (output head included);
 * embeddings only when a custom include names them.
 */
export function tensorFilter(selection: TensorSelection): (t: SelectableTensor) => boolean {
  const quantizable = (t: SelectableTensor) => t.role === 'matmul-weight' || t.role === 'embedding';
  switch (selection.kind) {
    case 'all-matmuls':
      return (t) => t.role === 'matmul-weight';
    case 'all-but-head':
    case 'all-but-embeddings-and-head':
      return (t) => t.role === 'matmul-weight' && !isHead(t);
    case 'custom': {
      const inc = selection.include ? compileRegex(selection.include, '--include') : null;
      const exc = selection.exclude ? compileRegex(selection.exclude, '--exclude') : null;
      const hit = (re: RegExp, t: SelectableTensor) => re.test(t.layer) || re.test(t.name);
      return (t) => {
        if (!quantizable(t)) return false;
        if (exc && hit(exc, t)) return false;
        if (inc) return hit(inc, t);
        return t.role === 'matmul-weight';
      };
    }
  }
}
