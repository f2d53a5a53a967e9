// `studio convert MODEL -o OUT.gguf [--type T] [--pure] [--imatrix FILE]` and `studio convert MODEL -o
// OUT.safetensors [--dtype D] [--max-shard-size N]`: shorthands for `compress` with a llama.cpp
// preset or a float conversion (docs/FORMATS.md §4.6, §5); `studio convert MODEL -o OUT.onnx`
// builds the model's ONNX decoder graph (llama, mistral, qwen2; --dtype f16, --graph-style contrib)
// from a checkpoint or GGUF; --imatrix weighs the preset's types
// by an importance matrix, as llama-quantize --imatrix does (GGUF or legacy .dat, from
// llama-imatrix or `studio imatrix`). config.json, tokenizer.json and
// tokenizer_config.json come from beside MODEL or its parent folder unless --config/--tokenizer.
// Prints what llama-quantize prints about fallbacks; --json: { output, bytes, tensors, fallbacks }.
import { unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { baseName } from '../../core/byte-source';
import { UsageError } from '../../core/errors';
import { canonicalRecipe } from '../../core/recipe-id';
import { DEFAULT_CALIBRATION, type Recipe } from '../../core/recipe';
import { dtypeRecipe, ggufTypeRecipe } from '../../pipeline/recipe/shorthands';
import { writeModelOnnx } from '../../pipeline/decoder-onnx';
import { openModel } from '../../pipeline/open-model';
import { outputFormatOf, planRun, runPlanned } from '../compress-run';
import { fileSink, fileSource, modelSources } from '../node-files';
import { formatBytes, printJson, printLine } from '../output';
import { copySidecars } from '../sidecars';
import { parseSize } from '../sizes';

export interface ConvertArgs {
  model: string;
  out?: string;
  type?: string;
  pure: boolean;
  imatrix?: string;
  dtype?: string;
  maxShardSize?: string;
  config?: string;
  tokenizer?: string;
  json: boolean;
  printRecipe?: boolean;
  /** -o OUT.onnx: 'standard' ops (default) or 'contrib' (GroupQueryAttention, RotaryEmbedding, fused RMSNorm, a num_logits_to_keep input). */
  graphStyle?: string;
}

/** Checks the flags against the output kind before any file is read. */
export function convertRecipe(args: ConvertArgs): Recipe {
  if (!args.out) throw new UsageError('-o OUT.gguf, -o OUT.safetensors or -o OUT.onnx is required');
  const format = /\.(gguf|safetensors)$/i.test(args.out) ? outputFormatOf(args.out) : null;
  if (format === 'gguf') {
    if (args.dtype !== undefined || args.maxShardSize !== undefined) throw new UsageError('--dtype and --max-shard-size are for .safetensors output; GGUF takes --type');
    const recipe = ggufTypeRecipe(args.type ?? 'F16', args.pure);
    if (args.imatrix === undefined) return recipe;
    if (!recipe.preset) throw new UsageError(`--imatrix weighs llama.cpp's quantized types; --type ${args.type ?? 'F16'} is a float conversion`);
    return { ...recipe, imatrix: true, calibration: { ...DEFAULT_CALIBRATION, imatrix: args.imatrix } };
  }
  if (format === 'safetensors') {
    if (args.type !== undefined || args.pure || args.imatrix !== undefined) throw new UsageError('--type, --pure and --imatrix are for .gguf output; safetensors takes --dtype');
    return dtypeRecipe(args.dtype);
  }
  throw new UsageError(`-o must end in .gguf, .safetensors or .onnx; got "${args.out}"`);
}

/** `-o OUT.onnx`: the float32 graph, built from the weights and config.json (a GGUF's own metadata without one). */
async function convertToOnnx(args: ConvertArgs): Promise<void> {
  const given = [args.type && '--type', args.pure && '--pure', args.imatrix && '--imatrix'].filter(Boolean);
  if (given.length) throw new UsageError(`${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} not for ONNX output: convert -o OUT.onnx builds the float graph; quantize it with \`studio quantize\``);
  if (args.dtype !== undefined && args.dtype !== 'f32' && args.dtype !== 'f16') throw new UsageError(`--dtype for ONNX output is f32 or f16 (weights and activations; inputs and outputs stay float32), got "${args.dtype}"`);
  const float16 = args.dtype === 'f16';
  if (args.graphStyle !== undefined && args.graphStyle !== 'standard' && args.graphStyle !== 'contrib') throw new UsageError(`--graph-style is standard or contrib (onnxruntime's fused ops, as onnxruntime-genai writes them), got "${args.graphStyle}"`);
  const style = args.graphStyle as 'standard' | 'contrib' | undefined;
  // --max-shard-size caps every file, the .onnx and each data file, as it does for `quantize`.
  const maxFileBytes = args.maxShardSize === undefined ? undefined : parseSize(args.maxShardSize);
  let sources = await modelSources(args.model);
  if (args.config) sources = [...sources.filter((s) => baseName(s.name) !== 'config.json'), await fileSource(args.config, 'config.json')];
  const model = await openModel(sources);
  if (model.onnx) throw new UsageError(`${model.index.fileName} is already an ONNX graph`);
  const sink = await fileSink(args.out!);
  const beside: { path: string; abort(): Promise<void> }[] = [];
  const openBeside = async (name: string) => {
    const path = join(dirname(resolve(args.out!)), name);
    const data = await fileSink(path);
    beside.push({ path, abort: data.abort });
    return data;
  };
  let bytes: number;
  try {
    const caps = maxFileBytes === undefined ? {} : { maxModelBytes: maxFileBytes, maxDataFileBytes: maxFileBytes };
    bytes = await writeModelOnnx(model, sink, { float16, style, logitsToKeep: style === 'contrib', fileName: basename(args.out!), openBeside, ...caps });
    await sink.close();
  } catch (e) {
    await sink.abort();
    for (const b of beside) {
      await b.abort();
      await unlink(b.path).catch(() => {}); // closed already: a whole data file of a graph that failed
    }
    throw e;
  }
  const dataFiles = beside.map((b) => basename(b.path));
  if (args.json) printJson({ output: args.out, bytes, dataFiles });
  else printLine(`wrote ${args.out}${dataFiles.length ? ` and ${dataFiles.join(', ')}` : ''}: ${formatBytes(bytes)}, ${float16 ? 'float16' : 'float32'} ONNX decoder graph of ${model.index.fileName}`);
}

export async function convertCommand(args: ConvertArgs): Promise<void> {
  if (args.out && /\.onnx$/i.test(args.out)) return convertToOnnx(args);
  const recipe = convertRecipe(args);
  const maxShardBytes = args.maxShardSize === undefined ? undefined : parseSize(args.maxShardSize);
  if (args.printRecipe) {
    printJson(canonicalRecipe(recipe));
    return;
  }
  const planned = await planRun({ ...args, recipe, maxShardBytes: outputFormatOf(args.out) === 'safetensors' ? (maxShardBytes ?? 5_000_000_000) : undefined });
  const { plan, target } = planned.resolved;
  const fallbacks = plan.tensors.flatMap((t) => (t.fallback ? [{ name: t.name, ...t.fallback }] : []));
  for (const f of fallbacks) process.stderr.write(`${f.message}\n`);
  for (const n of plan.notes) if (n.startsWith('llama.cpp: ')) process.stderr.write(`${n.slice('llama.cpp: '.length)}\n`);
  const outcome = await runPlanned(planned, args.out!);
  let output = args.out!;
  if (plan.format === 'safetensors') {
    const folder = dirname(resolve(args.out!));
    const last = outcome.files[outcome.files.length - 1];
    if (last !== null) output = join(folder, last);
    await copySidecars(folder, planned.sidecars, plan);
  }
  const tensors = target.outputTensors(plan);
  if (args.json) {
    printJson({ output, bytes: outcome.bytes, tensors, fallbacks: fallbacks.map(({ name, from, to, message }) => ({ name, from, to, message })) });
    return;
  }
  const types = [...new Set(tensors.map((t) => t.type))].join(', ');
  printLine(`wrote ${output}: ${formatBytes(outcome.bytes)}, ${tensors.length} tensors (${types})`);
}
