// The files beside a model that exports need (config.json, tokenizer.json, tokenizer_config.json):
// from a flag's path, else beside the model, else in its folder's parent (the fixtures' layout:
// model/onnx/model.onnx beside model/tokenizer.json); and copying them beside a written checkpoint.
import { copyFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MissingFileError } from '../core/errors';
import { readJsonSource } from '../formats/json-source';
import type { ExportContext } from '../pipeline/exporters/exporter';
import { checkpointConfig } from '../pipeline/exporters/safetensors-config';
import type { CompressionPlan } from '../core/compression-plan';
import { fileSink, fileSource } from './node-files';

const exists = async (p: string) => (await stat(p).catch(() => null))?.isFile() ?? false;

/** A sidecar JSON: the flag's path, else beside the model, else in the model folder's parent. */
export async function sidecarPath(model: string, fileName: string, override?: string): Promise<string | undefined> {
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
  return (await readJsonSource(await fileSource(path))) as Record<string, unknown>;
}

/** A readable model name: the model's folder, skipping the fixtures' onnx/ and gguf/ subfolders. */
async function modelName(model: string): Promise<string> {
  const full = resolve(model);
  let folder = (await stat(full)).isDirectory() ? full : dirname(full);
  if (/^(onnx|gguf)$/i.test(basename(folder))) folder = dirname(folder);
  return basename(folder);
}

export interface Sidecars {
  configPath?: string;
  tokenizerPath?: string;
  tokenizerConfigPath?: string;
  context: ExportContext;
}

export async function findSidecars(model: string, flags: { config?: string; tokenizer?: string }): Promise<Sidecars> {
  const configPath = await sidecarPath(model, 'config.json', flags.config);
  const tokenizerPath = await sidecarPath(model, 'tokenizer.json', flags.tokenizer);
  const tokenizerConfigPath = tokenizerPath && (await sidecarPath(join(dirname(tokenizerPath), 'tokenizer.json'), 'tokenizer_config.json'));
  return {
    configPath,
    tokenizerPath,
    tokenizerConfigPath,
    context: {
      config: await readJsonFile(configPath),
      tokenizer: await readJsonFile(tokenizerPath),
      tokenizerConfig: await readJsonFile(tokenizerConfigPath),
      modelName: await modelName(model),
    },
  };
}

/** config.json (with the new dtype, MLP width and GPTQ quantization_config) and the tokenizer files beside a checkpoint; a file never replaces itself. */
export async function copySidecars(folder: string, sidecars: Sidecars, plan: CompressionPlan): Promise<void> {
  const { configPath, context } = sidecars;
  if (configPath && context.config) {
    const target = join(folder, 'config.json');
    const config = checkpointConfig(context.config, plan);
    if (resolve(configPath) !== target || config !== context.config) {
      const sink = await fileSink(target);
      await sink.write(new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`));
      await sink.close();
    }
  } else {
    process.stderr.write('studio: note: no config.json found; the checkpoint is written without one (give --config)\n');
  }
  for (const path of [sidecars.tokenizerPath, sidecars.tokenizerConfigPath]) {
    if (!path) continue;
    const target = join(folder, basename(path));
    if (resolve(path) !== target) await copyFile(path, target);
  }
}
