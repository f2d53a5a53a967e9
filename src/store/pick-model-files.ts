// Which of the dropped/picked files go to the worker. A dropped folder may hold a README, a
// config or other formats beside the ONNX graph; keep the graph, its external data, the
// tokenizer and config.json (conversion to GGUF reads the architecture from it), and leave the
// rest. Without an ONNX graph (GGUF, safetensors shards) everything goes to the worker, which
// picks by format. File objects are references: nothing here reads bytes.
//
// A drop may hold several models (an ONNX export beside its safetensors checkpoint, two GGUF
// quantizations, model.onnx and model_fp16.onnx): modelCandidates lists them so the page asks
// which to open, and filesForCandidate keeps that one with the shared files (tokenizer, config,
// external data).
import { UsageError } from '../core/errors';

/** Names that are never ONNX external data (external data files may have any name). */
const NOT_DATA = /\.(json|md|txt|py|ipynb|yaml|yml|toml|cfg|ini|png|jpe?g|gif|svg|html?|safetensors|gguf|model|lock|gitattributes)$|^\./i;

export function pickModelFiles(files: File[]): File[] {
  if (files.length === 0) throw new UsageError('No files were given. Drop an .onnx file (with its external data and tokenizer.json), or a folder.');
  const hasOnnx = files.some((f) => /\.onnx$/i.test(f.name));
  if (!hasOnnx) return files;
  const keep = files.filter((f) => /\.onnx$/i.test(f.name) || f.name === 'tokenizer.json' || f.name === 'tokenizer_config.json' || f.name === 'config.json' || !NOT_DATA.test(f.name));
  // The main graph first: the worker treats files[0] as the model.
  return keep.sort((a, b) => Number(/\.onnx$/i.test(b.name)) - Number(/\.onnx$/i.test(a.name)));
}

/** One model among dropped files: an ONNX graph, a GGUF file, or a safetensors checkpoint (all its shards). */
export interface ModelCandidate {
  /** What the page shows: the file's path in the drop, or the checkpoint's first shard and count. */
  label: string;
  /** The files only this model uses. */
  files: File[];
}

const pathOf = (f: File) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;

/** The models among `files`, in drop order; one or none means there is nothing to ask. */
export function modelCandidates(files: File[]): ModelCandidate[] {
  const out: ModelCandidate[] = files.filter((f) => /\.(onnx|gguf)$/i.test(f.name)).map((f) => ({ label: pathOf(f), files: [f] }));
  const checkpoint = files.filter((f) => /\.safetensors$/i.test(f.name) || /\.safetensors\.index\.json$/i.test(f.name));
  const shards = checkpoint.filter((f) => /\.safetensors$/i.test(f.name));
  if (shards.length > 0) {
    out.push({ label: shards.length === 1 ? pathOf(shards[0]) : `${pathOf(shards[0])} + ${shards.length - 1} more shards (safetensors checkpoint)`, files: checkpoint });
  }
  return out;
}

/** The drop without the other candidates' own files: the chosen model and what the models share. */
export function filesForCandidate(files: File[], candidates: readonly ModelCandidate[], chosen: number): File[] {
  const others = new Set(candidates.flatMap((c, i) => (i === chosen ? [] : c.files)));
  return files.filter((f) => !others.has(f));
}
