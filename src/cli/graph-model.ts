// A model the CLI must run (perplexity, calibration, sweeps) or write as ONNX, when the user gave
// a safetensors checkpoint or a GGUF instead of an ONNX export: its ONNX graph is built
// (pipeline/decoder-onnx.ts) into a temporary file, streamed so memory stays bounded by the
// largest tensor, and opened in its place with the same sidecars. The file is removed at exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors';
import { builtGraphSideFiles, graphBuildability, writeModelOnnx } from '../pipeline/decoder-onnx';
import { openModel, type OpenedModel } from '../pipeline/open-model';
import { fileSink, fileSource } from './node-files';
import { formatBytes } from './output';

const built: string[] = [];
process.once('exit', () => {
  for (const dir of built) rmSync(dir, { recursive: true, force: true });
});

/**
 * `model` itself when it has an ONNX graph, else its built graph (said on stderr, with why it is
 * needed); a UsageError naming the reason when no graph can be built.
 */
export async function graphModel(model: OpenedModel, why: string, options: { float16?: boolean } = {}): Promise<OpenedModel> {
  if (model.onnx) return model;
  const buildable = await graphBuildability(model);
  if (!buildable.buildable) throw new UsageError(`${why}, and no ONNX graph can be built of ${model.index.fileName}: ${buildable.reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'studio-graph-'));
  built.push(dir);
  const path = join(dir, 'model.onnx');
  const sink = await fileSink(path);
  try {
    await writeModelOnnx(model, sink, options);
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  const graph = await openModel([await fileSource(path, 'model.onnx'), ...(await builtGraphSideFiles(model))]);
  process.stderr.write(
    `studio: ${why}: built an ONNX graph of ${model.index.fileName} (${graph.index.architecture}, ${formatBytes(sink.bytesWritten)} ${options.float16 ? 'float16' : 'float32'})\n`,
  );
  // Sizes and names in reports are those of the file the user gave, not of the temporary graph.
  return { ...graph, index: { ...graph.index, fileName: model.index.fileName, fileBytes: model.index.fileBytes }, builtFrom: model.index, tokenizerFromModel: model.tokenizerFromModel };
}
