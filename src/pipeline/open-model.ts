// Opens the files a person dropped (or a CLI path and its siblings) as one model: picks the
// format reader (ONNX here; GGUF and safetensors in open-model-formats.ts), builds the
// format-neutral index, remembers a tokenizer.json if one came along. Weight bytes are not read
// here; `readTensor` reads one tensor's stored bytes on demand.
import { baseName, bytesSource, type ByteSource } from '../core/byte-source';
import { readJsonSource } from '../formats/json-source';
import { ggufTokenizerProblem, tokenizerJsonFromGguf } from '../formats/gguf/gguf-tokenizer-json';
import { FormatError, MissingFileError } from '../core/errors';
import type { GgufFile } from '../formats/gguf/gguf-reader';
import type { SafetensorsCheckpoint } from '../formats/safetensors/safetensors-checkpoint';
import { openOnnx, readInitializer } from '../formats/onnx/onnx-reader';
import type { OnnxModel } from '../formats/onnx/onnx-model';
import type { ModelIndex } from '../core/model-index';
import { indexOnnx } from '../model/onnx-index';
import { formatOfFile, openGgufModel, openSafetensorsModel } from './open-model-formats';

export interface OpenedModel {
  index: ModelIndex;
  /** The files the model is made of (main file first). */
  files: ByteSource[];
  tokenizer?: ByteSource;
  /** config.json, when given (GGUF conversion reads the architecture from it). */
  config?: ByteSource;
  /** tokenizer_config.json, when given (GGUF vocabulary metadata reads special tokens from it). */
  tokenizerConfig?: ByteSource;
  /** Present for ONNX models (the writer needs the graph). */
  onnx?: OnnxModel;
  /** Present for GGUF models (inspection and conversion). */
  gguf?: GgufFile;
  /** Present for safetensors checkpoints (inspection and conversion). */
  safetensors?: SafetensorsCheckpoint;
  /** The tokenizer is the model's own vocabulary (a GGUF's), not a tokenizer.json that came with it. */
  tokenizerFromModel?: boolean;
  /** For a graph the studio built: the index of the file it was built from (its sizes and stored types). */
  builtFrom?: ModelIndex;
  readTensor(name: string): Promise<Uint8Array>;
}

const isTokenizer = (f: ByteSource) => baseName(f.name) === 'tokenizer.json';
const isConfig = (f: ByteSource) => baseName(f.name) === 'config.json';
const isTokenizerConfig = (f: ByteSource) => baseName(f.name) === 'tokenizer_config.json';
const isJson = (f: ByteSource) => baseName(f.name).endsWith('.json');

/**
 * The JSON files beside a model must parse: a broken tokenizer.json or config.json is named now,
 * when it is dropped, not later by the step that first reads it (perplexity, GGUF export).
 */
async function requireJson(files: readonly (ByteSource | undefined)[]): Promise<void> {
  for (const f of files) if (f) await readJsonSource(f);
}

/**
 * Opens a model from its files. The first `.onnx`, `.gguf` or `.safetensors` (or
 * `*.safetensors.index.json`) file decides the format: ONNX with any external-data files beside
 * it, GGUF, or a safetensors checkpoint (index, shards, config.json). A file without a known
 * extension is tried as ONNX, so a wrong file gets the reader's "not an ONNX model" message.
 */
export async function openModel(files: ByteSource[]): Promise<OpenedModel> {
  if (files.length === 0) throw new FormatError('no files were given', 0);
  const tokenizer = files.find(isTokenizer);
  const config = files.find(isConfig);
  const tokenizerConfig = files.find(isTokenizerConfig);
  await requireJson([tokenizer, config, tokenizerConfig]);
  const known = files.find((f) => formatOfFile(f) !== undefined);
  const format = known ? formatOfFile(known) : undefined;
  if (format === 'gguf') {
    const opened = await openGgufModel(known!);
    // Without a tokenizer.json, the GGUF's own vocabulary stands in for it where it can.
    const own = !tokenizer && opened.gguf && !ggufTokenizerProblem(opened.gguf.metadata);
    const fromGguf = own ? bytesSource(new TextEncoder().encode(JSON.stringify(tokenizerJsonFromGguf(opened.gguf!.metadata))), 'tokenizer.json') : undefined;
    return { ...opened, tokenizer: tokenizer ?? fromGguf, config, tokenizerConfig, ...(fromGguf ? { tokenizerFromModel: true } : {}) };
  }
  if (format === 'safetensors') return { ...(await openSafetensorsModel(files)), tokenizer, config, tokenizerConfig };
  const modelFile = known ?? files.find((f) => !isJson(f));
  if (!modelFile) {
    throw new MissingFileError(
      `no model file among ${files.map((f) => baseName(f.name)).join(', ')}: add an .onnx (with its external data, if any), .gguf or .safetensors file`,
      'the model file (.onnx, .gguf or .safetensors)',
    );
  }
  const others = files.filter((f) => f !== modelFile && !isJson(f));
  const onnx = await openOnnx([modelFile, ...others]);
  const index = indexOnnx(onnx);
  return {
    index,
    files: onnx.files,
    tokenizer,
    config,
    tokenizerConfig,
    onnx,
    readTensor: (name) => readInitializer(onnx, name),
  };
}
