// `studio prune MODEL -o OUT --method magnitude|wanda|sparsegpt (--sparsity S | --pattern 2:4)
// [--calib FILE] [--calib-windows N] [--then-bits B --block N] [--json] [--dry-run]
// [--print-recipe]`: a shorthand for `compress` with the recipe these flags mean. --json adds
// per-tensor and overall sparsity (counted from the weights) and the output's gzip size.
import { pruneRecipe, type PruneFlags } from '../../pipeline/recipe/shorthands';
import { compressWith } from './compress';

export interface PruneArgs extends PruneFlags {
  model: string;
  out?: string;
  json: boolean;
  dryRun: boolean;
  printRecipe: boolean;
  /** --layout transformers.js [--dtype D]: OUT is a transformers.js model folder. */
  layout?: string;
  dtype?: string;
}

export async function pruneCommand(args: PruneArgs): Promise<void> {
  await compressWith(args, pruneRecipe(args), { requireQuantized: true, gzip: true });
}
