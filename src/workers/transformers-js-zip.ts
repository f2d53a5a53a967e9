// The page's transformers.js download: one zip holding a folder transformers.js loads as it is —
// onnx/model_<dtype>.onnx (the ONNX result, streamed into the archive uncompressed), config.json,
// generation_config.json, the tokenizer files and the model card (names and card from
// pipeline/exporters/transformers-js-layout.ts, as the CLI's --layout transformers.js). fflate
// writes the archive: a small, well-kept zip library with streaming entries.
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { ByteSink } from '../core/byte-sink';
import type { ByteSource } from '../core/byte-source';
import type { CompressedTensor } from '../core/compressed-tensor';
import { exportCompressed } from '../pipeline/compress-model';
import {
  generationConfigOf, isFloat16Graph, type ModelCardFacts, modelCard, tokenizerConfigOf, TRANSFORMERS_JS_FILES, transformersJsDtypeOf,
} from '../pipeline/exporters/transformers-js-layout';
import type { OpenedModel } from '../pipeline/open-model';
import type { ResolvedPlan } from '../pipeline/recipe/resolve-recipe';

export interface ZipFolder {
  /** A small file, deflated. */
  addText(name: string, text: string): void;
  /** A large file written through a sink, stored as it is (ONNX weights barely deflate). */
  addStream(name: string): ByteSink;
  /** Ends the archive: its bytes as a Blob. */
  finish(): Promise<Blob>;
}

/** An archive whose every entry sits under `root/`. */
export function zipFolder(root: string): ZipFolder {
  const parts: Uint8Array[] = [];
  let failed: Error | null = null;
  let done: () => void = () => {};
  const ended = new Promise<void>((resolve) => (done = resolve));
  const zip = new Zip((error, chunk, final) => {
    if (error) failed = error;
    else parts.push(chunk);
    if (final || error) done();
  });
  return {
    addText(name, text) {
      const entry = new ZipDeflate(`${root}/${name}`, { level: 6 });
      zip.add(entry);
      entry.push(new TextEncoder().encode(text), true);
    },
    addStream(name) {
      const entry = new ZipPassThrough(`${root}/${name}`);
      zip.add(entry);
      let bytesWritten = 0;
      return {
        async write(chunk) {
          entry.push(chunk);
          bytesWritten += chunk.byteLength;
        },
        async close() {
          entry.push(new Uint8Array(0), true);
        },
        get bytesWritten() {
          return bytesWritten;
        },
      };
    },
    async finish() {
      zip.end();
      await ended;
      if (failed) throw failed;
      return new Blob(parts as BlobPart[], { type: 'application/zip' });
    },
  };
}

/**
 * The folder `<model>-<dtype>/` of an ONNX result, zipped: the export streamed in as
 * onnx/model_<dtype>.onnx, then config, generation config, tokenizer files and the model card.
 */
export async function transformersJsZip(
  model: OpenedModel,
  result: { resolved: ResolvedPlan; results: ReadonlyMap<string, CompressedTensor> },
  config: Record<string, unknown>,
  modelName: string | undefined,
  perplexity: ModelCardFacts['perplexity'],
): Promise<{ name: string; blob: Blob }> {
  const { plan } = result.resolved;
  const dtype = transformersJsDtypeOf(plan, isFloat16Graph(model.index));
  const name = `${(modelName ?? model.index.fileName.replace(/\.[^.]+$/, '')).replace(/[^\w.-]+/g, '-')}-${dtype}`;
  const zip = zipFolder(name);
  const written = await exportCompressed(result.resolved, result.results, async () => zip.addStream(`onnx/${TRANSFORMERS_JS_FILES[dtype]}`));
  const text = async (source: ByteSource) => new TextDecoder().decode(await source.read(0, source.byteLength));
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  zip.addText('config.json', json(config));
  zip.addText('generation_config.json', json(generationConfigOf(config)));
  zip.addText('tokenizer.json', await text(model.tokenizer!));
  zip.addText('tokenizer_config.json', model.tokenizerConfig ? await text(model.tokenizerConfig) : json(tokenizerConfigOf(config)));
  zip.addText('README.md', modelCard({ name, source: model.index.fileName, dtype, plan, bytes: written.bytes, perplexity }));
  return { name, blob: await zip.finish() };
}
