// Which of the dropped/picked files go to the worker. A dropped folder may hold a README, a
// config or other formats beside the ONNX graph; keep the graph, its external data, the
// tokenizer and config.json (conversion to GGUF reads the architecture from it), and leave the
// rest. Without an ONNX graph (GGUF, safetensors shards) everything goes to the worker, which
// picks by format. File objects are references: nothing here reads bytes.
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
