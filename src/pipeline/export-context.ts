// What an opened model's side files give an export: config.json, tokenizer.json and
// tokenizer_config.json, parsed (GGUF metadata is built from them).
import type { ByteSource } from '../core/byte-source';
import { FormatError } from '../core/errors';
import type { ExportContext } from './exporters/exporter';
import type { OpenedModel } from './open-model';

async function readJson(file: ByteSource): Promise<unknown> {
  const text = new TextDecoder().decode(await file.read(0, file.byteLength));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`not valid JSON: ${(e as Error).message}`, 0, file.name);
  }
}

/** The export context an opened model carries (whatever side files came with it). */
export async function exportContextOf(model: OpenedModel, extra: ExportContext = {}): Promise<ExportContext> {
  return {
    config: model.config ? ((await readJson(model.config)) as Record<string, unknown>) : undefined,
    tokenizer: model.tokenizer ? await readJson(model.tokenizer) : undefined,
    tokenizerConfig: model.tokenizerConfig ? await readJson(model.tokenizerConfig) : undefined,
    ...extra,
  };
}
