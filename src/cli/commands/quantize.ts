// `studio quantize MODEL -o OUT.onnx --bits B [--block N | --per-channel] [--sym] [--include RE]
// [--exclude RE] [--json] [--dry-run] [--print-recipe]`: a shorthand for `compress` with the
// recipe these flags mean (round-to-nearest, MatMulNBits ONNX out); --print-recipe shows it.
import { quantizeRecipe, type RtnFlags } from '../../pipeline/recipe/shorthands';
import { compressWith } from './compress';

export interface QuantizeArgs extends RtnFlags {
  model: string;
  out?: string;
  include?: string;
  exclude?: string;
  json: boolean;
  dryRun: boolean;
  printRecipe: boolean;
}

export async function quantizeCommand(args: QuantizeArgs): Promise<void> {
  await compressWith(args, quantizeRecipe(args), { requireQuantized: true });
}
