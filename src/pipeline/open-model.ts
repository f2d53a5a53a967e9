// Opens the files a person dropped (or a CLI path and its siblings) as one model: picks the
// format reader, builds the format-neutral index, remembers a tokenizer.json if one came along.
// Weight bytes are not read here; `readTensor` reads one tensor on demand.
import { baseName, type ByteSource } from '../core/byte-source';
import { FormatError, UnsupportedModelError } from '../core/errors';
import { openOnnx, readInitializer } from '../formats/onnx/onnx-reader';
import type { OnnxModel } from '../formats/onnx/onnx-model';
import type { ModelIndex } from '../model/model-index';
import { indexOnnx } from '../model/onnx-index';

export interface OpenedModel {
  index: ModelIndex;
  /** The files the model is made of (main file first). */
  files: ByteSource[];
  tokenizer?: ByteSource;
  /** Present for ONNX models (the writer needs the graph). */
  onnx?: OnnxModel;
  readTensor(name: string): Promise<Uint8Array>;
}

const isTokenizer = (f: ByteSource) => baseName(f.name) === 'tokenizer.json';
const isJson = (f: ByteSource) => baseName(f.name).endsWith('.json');
const extensionOf = (f: ByteSource) => /\.([a-z0-9_]+)$/i.exec(baseName(f.name))?.[1]?.toLowerCase() ?? '';

/**
 * Opens a model from its files. An `.onnx` file (with any external-data files beside it) is
 * read as ONNX; a file without a known extension is tried as ONNX, so a wrong file gets the
 * reader's "not an ONNX model" message.
 */
export async function openModel(files: ByteSource[]): Promise<OpenedModel> {
  if (files.length === 0) throw new FormatError('no files were given', 0);
  const tokenizer = files.find(isTokenizer);
  const onnxFile = files.find((f) => extensionOf(f) === 'onnx');
  const modelFile = onnxFile ?? files.find((f) => !isJson(f));
  if (!modelFile) {
    throw new UnsupportedModelError(
      `no model file among ${files.map((f) => baseName(f.name)).join(', ')}: add an .onnx file (with its external data, if any)`,
    );
  }
  const ext = extensionOf(modelFile);
  if (ext === 'gguf' || ext === 'safetensors') {
    throw new UnsupportedModelError(`${baseName(modelFile.name)}: ${ext} models can be inspected from the CLI soon; the studio quantizes ONNX models today`);
  }
  const others = files.filter((f) => f !== modelFile && !isJson(f));
  const onnx = await openOnnx([modelFile, ...others]);
  const index = indexOnnx(onnx);
  return {
    index,
    files: onnx.files,
    tokenizer,
    onnx,
    readTensor: (name) => readInitializer(onnx, name),
  };
}
