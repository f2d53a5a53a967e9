// `studio convert MODEL -o OUT.gguf --type T [--pure]` and `studio convert MODEL -o
// OUT.safetensors [--dtype D] [--max-shard-size N]`: llama-family ONNX, GGUF or safetensors →
// GGUF (docs/FORMATS.md §4.6) or a Hugging Face checkpoint (§5). config.json, tokenizer.json and
// tokenizer_config.json come from beside MODEL or its parent folder unless --config/--tokenizer.
import { copyFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { openAsBlob } from 'node:fs';
import type { ByteSink } from '../../core/byte-sink';
import { blobSource } from '../../core/byte-source';
import { GpuUnavailableError, MissingFileError, UsageError } from '../../core/errors';
import type { GpuContext } from '../../gpu/context';
import { gpuGgmlDequantizer, gpuGgufEncoder } from '../../pipeline/convert/quantize-tensor';
import { nodeGpuContext } from '../gpu-node';
import { readJsonSource } from '../../formats/safetensors/safetensors-checkpoint';
import { convertToGguf, type ConvertedTensor, type ConvertProgress } from '../../pipeline/convert/convert-gguf';
import { configForDtype, convertToSafetensors, SAFETENSORS_DTYPES, type SafetensorsOutDtype } from '../../pipeline/convert/convert-safetensors';
import { parseGgufTarget, type GgufTarget } from '../../pipeline/convert/gguf-target';
import { hfWeightSource } from '../../pipeline/convert/hf-weights';
import { openModel } from '../../pipeline/open-model';
import { fileSink, modelSources } from '../node-files';
import { endProgress, formatBytes, printJson, printLine, progressLine } from '../output';

/** Block types are encoded on the GPU; without one the CPU references give the same bytes. */
async function gpuOrCpu(): Promise<GpuContext | undefined> {
  try {
    return await nodeGpuContext();
  } catch (e) {
    if (!(e instanceof GpuUnavailableError)) throw e;
    process.stderr.write('studio: no WebGPU adapter; encoding on the CPU (same bytes, slower)\n');
    return undefined;
  }
}

export interface ConvertArgs {
  model: string;
  out?: string;
  type?: string;
  pure: boolean;
  dtype?: string;
  maxShardSize?: string;
  config?: string;
  tokenizer?: string;
  json: boolean;
}

interface Plan {
  out: string;
  gguf?: GgufTarget;
  safetensors?: { dtype?: SafetensorsOutDtype; maxShardBytes: number };
}

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

/** "5GB", "500MB", "2GiB" or a byte count (huggingface_hub's decimal units). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[m[2].toUpperCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) * unit < 1) throw new UsageError(`--max-shard-size must be a size such as 5GB, 500MB or 2GiB; got "${text}"`);
  return Math.floor(Number(m[1]) * unit);
}

/** Checks the flags against the output kind before any file is read. */
export function planFromArgs(args: ConvertArgs): Plan {
  if (!args.out) throw new UsageError('-o OUT.gguf or -o OUT.safetensors is required');
  const out = args.out;
  if (/\.gguf$/i.test(out)) {
    if (args.dtype !== undefined || args.maxShardSize !== undefined) throw new UsageError('--dtype and --max-shard-size are for .safetensors output; GGUF takes --type');
    return { out, gguf: parseGgufTarget(args.type ?? 'F16', args.pure) };
  }
  if (/\.safetensors$/i.test(out)) {
    if (args.type !== undefined || args.pure) throw new UsageError('--type and --pure are for .gguf output; safetensors takes --dtype');
    const dtype = args.dtype?.toLowerCase();
    if (dtype !== undefined && !SAFETENSORS_DTYPES.includes(dtype as SafetensorsOutDtype)) throw new UsageError(`--dtype must be ${SAFETENSORS_DTYPES.join(', ')}; got "${args.dtype}"`);
    return { out, safetensors: { dtype: dtype as SafetensorsOutDtype | undefined, maxShardBytes: parseSize(args.maxShardSize ?? '5GB') } };
  }
  throw new UsageError(`-o must end in .gguf or .safetensors; got "${out}"`);
}

const exists = async (p: string) => (await stat(p).catch(() => null))?.isFile() ?? false;

/** A sidecar JSON: the flag's path, else beside the model, else in the model folder's parent. */
async function sidecarPath(model: string, fileName: string, override?: string): Promise<string | undefined> {
  if (override !== undefined) {
    if (!(await exists(override))) throw new MissingFileError(`${override}: no such file`, override);
    return override;
  }
  const full = resolve(model);
  const folder = (await stat(full)).isDirectory() ? full : dirname(full);
  for (const candidate of [join(folder, fileName), join(dirname(folder), fileName)]) if (await exists(candidate)) return candidate;
  return undefined;
}

async function readJsonFile(path: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (!path) return undefined;
  return (await readJsonSource(blobSource(await openAsBlob(path), basename(path)))) as Record<string, unknown>;
}

/** A readable model name: the model's folder, skipping the fixtures' onnx/ and gguf/ subfolders. */
async function modelName(model: string): Promise<string> {
  const full = resolve(model);
  let folder = (await stat(full)).isDirectory() ? full : dirname(full);
  if (/^(onnx|gguf)$/i.test(basename(folder))) folder = dirname(folder);
  return basename(folder);
}

function progress(p: ConvertProgress): void {
  if (p.currentTensor) progressLine(`convert [${p.tensorsDone + 1}/${p.tensorsTotal}] ${p.currentTensor}`);
}

export async function convertCommand(args: ConvertArgs): Promise<void> {
  const plan = planFromArgs(args);
  const sources = await modelSources(args.model);
  const configPath = await sidecarPath(args.model, 'config.json', args.config);
  const tokenizerPath = await sidecarPath(args.model, 'tokenizer.json', args.tokenizer);
  const tokenizerConfigPath = tokenizerPath && (await sidecarPath(dirname(tokenizerPath) + '/tokenizer.json', 'tokenizer_config.json'));
  const config = await readJsonFile(configPath);
  const model = await openModel(sources);
  // The GPU encodes block types and decodes a quantized GGUF source.
  const quantizedSource = model.gguf?.tensors.some((t) => !['F32', 'F16', 'BF16'].includes(t.type.name)) ?? false;
  const gpu = (plan.gguf && !plan.gguf.float) || quantizedSource ? await gpuOrCpu() : undefined;
  try {
    await convertWith(args, plan, model, config, { configPath, tokenizerPath, tokenizerConfigPath }, gpu);
  } finally {
    gpu?.destroy();
  }
}

async function convertWith(
  args: ConvertArgs,
  plan: Plan,
  model: Awaited<ReturnType<typeof openModel>>,
  config: Record<string, unknown> | undefined,
  sidecars: { configPath?: string; tokenizerPath?: string; tokenizerConfigPath?: string },
  gpu: GpuContext | undefined,
): Promise<void> {
  const { configPath, tokenizerPath, tokenizerConfigPath } = sidecars;
  const weights = hfWeightSource(model, config, gpu ? gpuGgmlDequantizer(gpu) : undefined);

  let output = plan.out;
  let bytes: number;
  let tensors: ConvertedTensor[];
  let fallbacks: { name: string; from: string; to: string; message: string }[] = [];
  if (plan.gguf) {
    const sink = await fileSink(plan.out);
    try {
      const r = await convertToGguf(weights, sink, {
        encode: gpu ? gpuGgufEncoder(gpu) : undefined,
        target: plan.gguf,
        config,
        tokenizer: await readJsonFile(tokenizerPath),
        tokenizerConfig: await readJsonFile(tokenizerConfigPath),
        name: await modelName(args.model),
        onProgress: progress,
      });
      endProgress();
      for (const f of r.fallbacks) process.stderr.write(`${f.message}\n`);
      if (r.fallbackSummary) process.stderr.write(`${r.fallbackSummary}\n`);
      ({ bytes, tensors, fallbacks } = r);
    } catch (e) {
      await sink.abort();
      throw e;
    }
  } else {
    const st = plan.safetensors!;
    const folder = dirname(resolve(plan.out));
    const opened: (ByteSink & { abort(): Promise<void> })[] = [];
    try {
      const r = await convertToSafetensors(weights, async (name) => {
        const sink = await fileSink(name === 'model.safetensors' ? plan.out : join(folder, name));
        opened.push(sink);
        return sink;
      }, { dtype: st.dtype, maxShardBytes: st.maxShardBytes, onProgress: progress });
      endProgress();
      ({ bytes, tensors } = r);
      if (r.files.length > 1) output = join(folder, r.files[r.files.length - 1]);
    } catch (e) {
      for (const s of opened) await s.abort();
      throw e;
    }
    await copySidecars(folder, configPath, config, st.dtype, [tokenizerPath, tokenizerConfigPath]);
  }
  if (args.json) {
    printJson({ output, bytes, tensors, fallbacks });
    return;
  }
  const types = [...new Set(tensors.map((t) => t.type))].join(', ');
  printLine(`wrote ${output}: ${formatBytes(bytes)}, ${tensors.length} tensors (${types})`);
}

/** config.json (with the new dtype) and the tokenizer files beside the checkpoint; a file never replaces itself. */
async function copySidecars(folder: string, configPath: string | undefined, config: Record<string, unknown> | undefined, dtype: SafetensorsOutDtype | undefined, others: (string | undefined)[]): Promise<void> {
  if (configPath && config) {
    const target = join(folder, 'config.json');
    if (resolve(configPath) !== target || dtype) {
      const sink = await fileSink(target);
      await sink.write(new TextEncoder().encode(`${JSON.stringify(configForDtype(config, dtype), null, 2)}\n`));
      await sink.close();
    }
  } else {
    process.stderr.write('studio: note: no config.json found; the checkpoint is written without one (give --config)\n');
  }
  for (const path of others) {
    if (!path) continue;
    const target = join(folder, basename(path));
    if (resolve(path) !== target) await copyFile(path, target);
  }
}
