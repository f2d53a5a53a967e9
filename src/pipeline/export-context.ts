// What an opened model's side files give an export: config.json, tokenizer.json and
// tokenizer_config.json, parsed (GGUF metadata is built from them).
import { readJsonSource } from '../formats/json-source';
import type { ExportContext } from './exporters/exporter';
import type { OpenedModel } from './open-model';

/** The export context an opened model carries (whatever side files came with it). */
export async function exportContextOf(model: OpenedModel, extra: ExportContext = {}): Promise<ExportContext> {
  return {
    config: model.config ? ((await readJsonSource(model.config)) as Record<string, unknown>) : undefined,
    tokenizer: model.tokenizer ? await readJsonSource(model.tokenizer) : undefined,
    tokenizerConfig: model.tokenizerConfig ? await readJsonSource(model.tokenizerConfig) : undefined,
    ...extra,
  };
}
