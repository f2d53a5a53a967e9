// Which reader a set of files needs, and the GGUF / safetensors openers behind openModel (for
// inspection and conversion: readTensor returns the stored bytes, no ONNX graph).
import { baseName, type ByteSource } from '../core/byte-source';
import { openGguf, readGgufTensor, type GgufFile } from '../formats/gguf/gguf-reader';
import { findGptqModules, readGptqModule } from '../formats/safetensors/gptq-checkpoint';
import { openSafetensorsCheckpoint, type SafetensorsCheckpoint } from '../formats/safetensors/safetensors-checkpoint';
import { readSafetensorsTensor } from '../formats/safetensors/safetensors-reader';
import { UsageError } from '../core/errors';
import { ggufModelIndex } from '../model/gguf-index';
import type { ModelIndex } from '../core/model-index';
import { safetensorsModelIndex } from '../model/safetensors-index';

export type ModelFormat = 'onnx' | 'gguf' | 'safetensors';

/** The format a file's name says, or undefined (ONNX external data, JSON, unknown). */
export function formatOfFile(f: ByteSource): ModelFormat | undefined {
  const name = baseName(f.name).toLowerCase();
  if (name.endsWith('.onnx')) return 'onnx';
  if (name.endsWith('.gguf')) return 'gguf';
  if (name.endsWith('.safetensors') || name.endsWith('.safetensors.index.json')) return 'safetensors';
  return undefined;
}

export interface FormatModel {
  index: ModelIndex;
  files: ByteSource[];
  readTensor(name: string): Promise<Uint8Array>;
  gguf?: GgufFile;
  safetensors?: SafetensorsCheckpoint;
}

export async function openGgufModel(file: ByteSource): Promise<FormatModel> {
  const gguf = await openGguf(file);
  // llama-imatrix writes GGUF too: say what the file is and where it goes.
  if (gguf.metadata.get('general.type')?.value === 'imatrix') {
    throw new UsageError(`${file.name} is a llama.cpp importance matrix, not a model: use it with convert --imatrix (CLI) or Load imatrix… (page), beside a model`);
  }
  return { index: ggufModelIndex(gguf), files: [file], gguf, readTensor: (name) => readGgufTensor(gguf, name) };
}

/** model.safetensors, or an index with its shards; config.json (if among `files`) gives the architecture. */
export async function openSafetensorsModel(files: ByteSource[]): Promise<FormatModel> {
  const ckpt = await openSafetensorsCheckpoint(files);
  const byName = new Map(ckpt.tensors.map((t) => [t.name, t]));
  const gptq = new Map(findGptqModules(ckpt.tensors, ckpt.name).modules.map((m) => [m.name, m]));
  const index = files.find((f) => baseName(f.name).endsWith('.safetensors.index.json'));
  return {
    index: safetensorsModelIndex(ckpt),
    files: [...(index ? [index] : []), ...ckpt.shards.map((s) => s.source)],
    safetensors: ckpt,
    readTensor: async (name) => {
      const m = gptq.get(name);
      if (m) {
        const values = await readGptqModule(m); // dequantized float32 (the index's `gptq4` weights)
        return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      }
      const t = byName.get(name);
      if (!t) throw new UsageError(`${ckpt.name} has no tensor named "${name}"`);
      return readSafetensorsTensor(t.file, t);
    },
  };
}
