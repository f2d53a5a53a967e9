// `npx studio …`: the headless entry point over the same core as the page (DESIGN "Parts":
// src/cli/). Subcommands parse their own flags with node:util parseArgs (strict: unknown
// flags are usage errors, exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors';
import { compressCommand } from './commands/compress';
import { convertCommand } from './commands/convert';
import { imatrixCommand } from './commands/imatrix';
import { inspectCommand } from './commands/inspect';
import { evalCommand } from './commands/eval';
import { pruneCommand } from './commands/prune';
import { quantizeCommand } from './commands/quantize';
import { sweepCommand } from './commands/sweep';
import { EXIT, reportError } from './output';
import { takeDeviceFlag } from './device-choice';
import { takeThreadsFlag } from './cpu-pool';

const HELP = `Compression Studio command line

usage:
  npx studio inspect MODEL [--json]
  npx studio compress MODEL (--recipe FILE | --target-bpw B | --target-size 1.2GB [--calib FILE] [--calib-windows N])
                      -o OUT.onnx|OUT.gguf|OUT.safetensors [--dry-run] [--json]
                      [--print-recipe] [--config FILE] [--tokenizer FILE] [--max-shard-size 5GB]
                      [--layout transformers.js [--dtype q4|q8|fp16|fp32]]  (also on quantize and prune: OUT is a folder)
  npx studio quantize MODEL -o OUT --bits 2|3|4|8 [--block 16|32|64|128|256 | --per-channel]
                      [--sym] [--method rtn|gptq|awq [--act-order] [--calib FILE] [--calib-windows N] [--calib-once]]
                      [--method hqq [--zero-point float|integer]]
  npx studio quantize MODEL -o OUT.gguf --method gptq|awq --type Q4_K [--act-order] [--calib FILE] [--calib-windows N] ...
                      [--include REGEX] [--exclude REGEX] [--max-shard-size 2GB] [--dry-run] [--json] [--print-recipe]
  npx studio prune MODEL -o OUT --method magnitude|wanda|sparsegpt|channels (--sparsity S | --pattern 2:4|4:8)
                   [--calib FILE] [--calib-windows N] [--calib-once] [--then-bits B [--block N]] [--dry-run] [--json] [--print-recipe]
  npx studio eval MODEL [--tokenizer FILE] [--text FILE] [--windows N] [--json]
  npx studio sweep MODEL [--bits 8,4,3] [--block 32,128,per-channel] [--sym both|yes|no] [--methods rtn,gptq,awq,hqq]
                   [--sparsity 0,0.5,2:4 [--prune-methods magnitude,wanda,sparsegpt,channels]]
                   [--calib FILE] [--calib-windows N] [--gguf-types Q8_0,Q4_K_M [--gguf-imatrix no|yes|both]] [--budget-bpw 4.5,5.125]
                   [--include REGEX] [--exclude REGEX] [--recipe BASE] [--windows N] [--tokenizer FILE] [--text FILE] --json
  npx studio convert MODEL -o OUT.gguf [--type F32|F16|BF16|Q8_0|Q6_K|Q5_K_M|Q4_K_M|Q4_0|Q3_K_M|Q2_K] [--pure]
                     [--imatrix FILE] [--config FILE] [--tokenizer FILE] [--json] [--print-recipe]
  npx studio convert MODEL -o OUT.safetensors [--dtype f16|bf16|f32] [--max-shard-size 5GB]
                     [--config FILE] [--tokenizer FILE] [--json] [--print-recipe]
  npx studio convert MODEL -o OUT.onnx [--dtype f32|f16] [--graph-style standard|contrib] [--max-shard-size 2GB] [--config FILE] [--json]
                     (the ONNX graph of a llama/mistral/qwen2 checkpoint or GGUF; contrib: GroupQueryAttention & co.)
  npx studio imatrix MODEL -o imatrix.gguf [--calib FILE] [--calib-windows N] [--json]

MODEL is an .onnx, .gguf or .safetensors file (external data, config.json and tokenizer.json are
taken from beside it or its parent folder) or its folder (shards + index); inspect also reads
llama.cpp importance matrices (imatrix.gguf, .dat). A checkpoint or GGUF gets its ONNX graph built
(llama, mistral, qwen2; into a temporary file, said on stderr) when a command runs the model or
writes ONNX.
compress: a recipe (JSON, docs/recipe.schema.json) says per tensor what to do; the first rule whose
"match" regular expression matches the layer or tensor name decides, unmatched tensors are kept.
--dry-run prints the plan (tensor, rule, method, exact bytes) without writing; --json prints
{ inputBytes, outputBytes, bitsPerWeight, tensors: [...] }; --print-recipe prints the recipe (a
preset expanded for this model). quantize and convert are shorthands that build a recipe.
--target-bpw / --target-size: a size budget writes the recipe — per matmul weight the rtn setting
(llama.cpp type for GGUF) with the least predicted loss that fits (calibrated output error scaled
by a KL probe per weight; calibration --calib-windows, default 32) — and runs it.
quantize defaults: block 32, asymmetric, every MatMul weight (output head included), round-to-nearest;
--method gptq calibrates first (as prune does, below) and compensates each column's rounding error
through the Hessian of its input (--act-order: largest Hessian diagonal first, groups unchanged);
--type Q8_0|Q4_0|Q4_K|Q6_K instead of --bits: the same solve on that llama.cpp type, for .gguf output
(AWQ's --type: any llama.cpp block type).
--method awq calibrates first too: per input channel a scale searched on the activations (block 128 by
default), folded into the norms, v_proj and up_proj (the ONNX graph keeps its ops), then a clip search.
--method hqq needs no calibration: each group's zero point optimised (half-quadratic solver, block 64
by default); float zero points run on onnxruntime's CPU/wasm providers, --zero-point integer also on WebGPU.
prune: every MatMul weight but the output head (channels: whole MLP channels, a really narrower
model, GGUF feed_forward_length / config.json intermediate_size updated); wanda, sparsegpt and
channels calibrate first on --calib
(default the bundled wikitext-2 validation excerpt), 128 windows of 256 tokens, layer by layer on
the model as it is pruned (one pass per layer, as the reference code does; --calib-once: one pass
on the original). --json adds sparsity per tensor and overall, and the output's gzip size. REGEX is a
JavaScript regular expression tested against the layer name and the tensor name; --exclude wins.
eval/sweep: perplexity by docs/EVAL.md (wikitext2-w256, default W=16) with onnxruntime-node; the
tokenizer defaults to tokenizer.json beside MODEL (or in its parent folder), the text to the
bundled wikitext-2 excerpt. sweep prints one JSON line per finished point, then a summary;
--gguf-types adds llama.cpp points (presets or pure types, through the GGUF converter; the
model's config.json and tokenizer.json are needed); --gguf-imatrix both adds each type weighted by
an importance matrix measured on the calibration text (one pass, as llama-imatrix).
--methods rtn,gptq,awq,hqq crosses the quantization method with bits × blocks × zero point (gptq and awq points
calibrate first; hqq takes the asymmetric settings); --sparsity 0,0.5,2:4 with --prune-methods adds the pruning axis (crossed with
the rtn points); --budget-bpw adds size-budget points (compress --target-bpw's recipe, written when
the point runs); calibrated points run on --calib (default the bundled text), --calib-windows N
(default 128, 32 for budgets alone) windows, sequential.
convert: llama-family models; config.json and tokenizer.json come from beside MODEL or its parent
folder. GGUF --type defaults to F16; --pure gives every 2-D weight the one type (also Q4_1, Q5_0,
Q5_1, Q3_K_S, Q4_K_S, Q5_K_S). safetensors keeps each tensor's dtype unless --dtype; above
--max-shard-size it writes model-0000i-of-0000K.safetensors + model.safetensors.index.json.
ONNX output past protobuf's 2 GiB (or past --max-shard-size) keeps its tensors in external data
files beside it, named as transformers.js loads them: OUT.onnx_data, OUT.onnx_data_1, …
--imatrix FILE weighs the preset's types by an importance matrix exactly as llama-quantize
--imatrix does (llama.cpp's GGUF or legacy .dat format, from llama-imatrix or studio imatrix).
imatrix: runs the model (ONNX) on --calib (default the bundled wikitext-2 excerpt), 128 windows of
256 tokens, and writes each matmul weight's Σx² per input column and token count in llama.cpp's
importance-matrix format (GGUF), for convert --imatrix or llama-quantize --imatrix.
Any command: --device auto|gpu|cpu (auto: the GPU, unless the only adapter emulates one on the CPU;
then the CPU references, which give the same bytes); --threads N: CPU threads for the references
(llama.cpp types; default every core, 1 for none).
Exit codes: 0 success, 2 usage error, 1 bad input or failure.`;

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function onePositional(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes one MODEL path, got ${positionals.length}`);
  return positionals[0];
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...given] = argv;
  try {
    const rest = takeThreadsFlag(takeDeviceFlag(given));
    switch (command) {
      case 'inspect': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } });
        await inspectCommand({ model: onePositional(positionals, 'inspect'), json: values.json as boolean });
        return EXIT.ok;
      }
      case 'compress': {
        const { values, positionals } = parse(rest, {
          out: { type: 'string', short: 'o' },
          recipe: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
          'print-recipe': { type: 'boolean', default: false },
          config: { type: 'string' },
          tokenizer: { type: 'string' },
          'max-shard-size': { type: 'string' },
          'target-bpw': { type: 'string' },
          'target-size': { type: 'string' },
          calib: { type: 'string' },
          'calib-windows': { type: 'string' },
          layout: { type: 'string' },
          dtype: { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await compressCommand({
          model: onePositional(positionals, 'compress'),
          out: values.out as string | undefined,
          recipe: values.recipe as string | undefined,
          dryRun: values['dry-run'] as boolean,
          printRecipe: values['print-recipe'] as boolean,
          config: values.config as string | undefined,
          tokenizer: values.tokenizer as string | undefined,
          maxShardSize: values['max-shard-size'] as string | undefined,
          targetBpw: values['target-bpw'] as string | undefined,
          targetSize: values['target-size'] as string | undefined,
          calib: values.calib as string | undefined,
          calibWindows: values['calib-windows'] as string | undefined,
          layout: values.layout as string | undefined,
          dtype: values.dtype as string | undefined,
          json: values.json as boolean,
        });
        return EXIT.ok;
      }
      case 'quantize': {
        const { values, positionals } = parse(rest, {
          out: { type: 'string', short: 'o' },
          bits: { type: 'string' },
          block: { type: 'string' },
          'per-channel': { type: 'boolean', default: false },
          sym: { type: 'boolean', default: false },
          method: { type: 'string' },
          type: { type: 'string' },
          'act-order': { type: 'boolean', default: false },
          'zero-point': { type: 'string' },
          calib: { type: 'string' },
          'calib-windows': { type: 'string' },
          'calib-once': { type: 'boolean', default: false },
          include: { type: 'string' },
          exclude: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
          'print-recipe': { type: 'boolean', default: false },
          layout: { type: 'string' },
          dtype: { type: 'string' },
          'max-shard-size': { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await quantizeCommand({
          model: onePositional(positionals, 'quantize'),
          out: values.out as string | undefined,
          bits: values.bits as string | undefined,
          block: values.block as string | undefined,
          perChannel: values['per-channel'] as boolean,
          sym: values.sym as boolean,
          method: values.method as string | undefined,
          type: values.type as string | undefined,
          actOrder: values['act-order'] as boolean,
          zeroPoint: values['zero-point'] as string | undefined,
          calib: values.calib as string | undefined,
          calibWindows: values['calib-windows'] as string | undefined,
          calibOnce: values['calib-once'] as boolean,
          include: values.include as string | undefined,
          exclude: values.exclude as string | undefined,
          dryRun: values['dry-run'] as boolean,
          printRecipe: values['print-recipe'] as boolean,
          layout: values.layout as string | undefined,
          dtype: values.dtype as string | undefined,
          maxShardSize: values['max-shard-size'] as string | undefined,
          json: values.json as boolean,
        });
        return EXIT.ok;
      }
      case 'prune': {
        const { values, positionals } = parse(rest, {
          out: { type: 'string', short: 'o' },
          method: { type: 'string' },
          sparsity: { type: 'string' },
          pattern: { type: 'string' },
          calib: { type: 'string' },
          'calib-windows': { type: 'string' },
          'calib-once': { type: 'boolean', default: false },
          'then-bits': { type: 'string' },
          block: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
          'print-recipe': { type: 'boolean', default: false },
          layout: { type: 'string' },
          dtype: { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await pruneCommand({
          model: onePositional(positionals, 'prune'),
          out: values.out as string | undefined,
          method: values.method as string | undefined,
          sparsity: values.sparsity as string | undefined,
          pattern: values.pattern as string | undefined,
          calib: values.calib as string | undefined,
          calibWindows: values['calib-windows'] as string | undefined,
          calibOnce: values['calib-once'] as boolean,
          thenBits: values['then-bits'] as string | undefined,
          block: values.block as string | undefined,
          dryRun: values['dry-run'] as boolean,
          printRecipe: values['print-recipe'] as boolean,
          layout: values.layout as string | undefined,
          dtype: values.dtype as string | undefined,
          json: values.json as boolean,
        });
        return EXIT.ok;
      }
      case 'convert': {
        const { values, positionals } = parse(rest, {
          out: { type: 'string', short: 'o' },
          type: { type: 'string' },
          pure: { type: 'boolean', default: false },
          imatrix: { type: 'string' },
          dtype: { type: 'string' },
          'max-shard-size': { type: 'string' },
          config: { type: 'string' },
          tokenizer: { type: 'string' },
          'print-recipe': { type: 'boolean', default: false },
          'graph-style': { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        const { 'max-shard-size': maxShardSize, 'print-recipe': printRecipe, ...rest2 } = values as Record<string, string | undefined>;
        await convertCommand({
          model: onePositional(positionals, 'convert'),
          ...rest2,
          maxShardSize,
          printRecipe: Boolean(printRecipe),
          pure: values.pure as boolean,
          graphStyle: values['graph-style'] as string | undefined,
          json: values.json as boolean,
        });
        return EXIT.ok;
      }
      case 'imatrix': {
        const { values, positionals } = parse(rest, {
          out: { type: 'string', short: 'o' },
          calib: { type: 'string' },
          'calib-windows': { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await imatrixCommand({
          model: onePositional(positionals, 'imatrix'),
          out: values.out as string | undefined,
          calib: values.calib as string | undefined,
          calibWindows: values['calib-windows'] as string | undefined,
          json: values.json as boolean,
        });
        return EXIT.ok;
      }
      case 'eval': {
        const { values, positionals } = parse(rest, {
          tokenizer: { type: 'string' },
          text: { type: 'string' },
          windows: { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await evalCommand({ model: onePositional(positionals, 'eval'), ...(values as object), json: values.json as boolean });
        return EXIT.ok;
      }
      case 'sweep': {
        const { values, positionals } = parse(rest, {
          bits: { type: 'string' },
          'gguf-types': { type: 'string' },
          'gguf-imatrix': { type: 'string' },
          'budget-bpw': { type: 'string' },
          block: { type: 'string' },
          sym: { type: 'string' },
          methods: { type: 'string' },
          sparsity: { type: 'string' },
          'prune-methods': { type: 'string' },
          calib: { type: 'string' },
          'calib-windows': { type: 'string' },
          include: { type: 'string' },
          exclude: { type: 'string' },
          recipe: { type: 'string' },
          windows: { type: 'string' },
          tokenizer: { type: 'string' },
          text: { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await sweepCommand({
          model: onePositional(positionals, 'sweep'),
          ...(values as object),
          ggufTypes: values['gguf-types'] as string | undefined,
          ggufImatrix: values['gguf-imatrix'] as string | undefined,
          budgetBpw: values['budget-bpw'] as string | undefined,
          pruneMethods: values['prune-methods'] as string | undefined,
          calibWindows: values['calib-windows'] as string | undefined,
          json: values.json as boolean,
        });
        return EXIT.ok;
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${HELP}\n`);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    return reportError(e);
  }
}

const code = await main(process.argv.slice(2));
// Dawn keeps the event loop alive; end explicitly once output is flushed.
process.stdout.write('', () => process.exit(code));
