// `studio quantize MODEL -o OUT.onnx --bits B [--block N | --per-channel] [--sym] [--method rtn|gptq|awq
// [--act-order] [--calib FILE] [--calib-windows N] [--calib-once] | hqq [--zero-point float|integer]] [--include RE] [--exclude RE]
// [--json] [--dry-run] [--print-recipe]`: a shorthand for `compress` with the recipe these flags
// mean (round-to-nearest, GPTQ, AWQ or HQQ: MatMulNBits ONNX, GPTQ-packed safetensors; with
// `--method gptq|awq --type Q4_K`, GGUF of that llama.cpp type); --print-recipe shows it.
import { quantizeRecipe, type QuantizeFlags } from '../../pipeline/recipe/shorthands';
import { compressWith } from './compress';

export interface QuantizeArgs extends QuantizeFlags {
  model: string;
  out?: string;
  json: boolean;
  dryRun: boolean;
  printRecipe: boolean;
  /** --layout transformers.js [--dtype D]: OUT is a transformers.js model folder. */
  layout?: string;
  dtype?: string;
  /** ONNX: the most bytes per file; past it the tensors go to external data files (default protobuf's 2 GiB). */
  maxShardSize?: string;
}

export async function quantizeCommand(args: QuantizeArgs): Promise<void> {
  await compressWith(args, quantizeRecipe(args), { requireQuantized: true });
}
