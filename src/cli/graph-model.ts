// A model the CLI must run (perplexity, calibration, sweeps) or write as ONNX, when the user gave
// a safetensors checkpoint or a GGUF instead of an ONNX export: its ONNX graph is built
// (pipeline/decoder-onnx.ts) into a temporary file, streamed so memory stays bounded by the
// largest tensor (its weights in external data past 2 GiB), and opened in its place with the same
// sidecars. The files are removed at exit.
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
  const sink = await fileSink(join(dir, 'model.onnx'));
  const dataFiles: string[] = [];
  let bytes: number;
  try {
    // Past 2 GiB the weights go to model.onnx_data (and _data_1, …) beside it.
    bytes = await writeModelOnnx(model, sink, { ...options, fileName: 'model.onnx', openBeside: (name) => (dataFiles.push(name), fileSink(join(dir, name))) });
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  const files = await Promise.all(['model.onnx', ...dataFiles].map((name) => fileSource(join(dir, name), name)));
  const graph = await openModel([...files, ...(await builtGraphSideFiles(model))]);
  const inFiles = dataFiles.length ? ` in ${dataFiles.length + 1} files` : '';
  process.stderr.write(
    `studio: ${why}: built an ONNX graph of ${model.index.fileName} (${graph.index.architecture}, ${formatBytes(bytes)} ${options.float16 ? 'float16' : 'float32'}${inFiles})\n`,
  );
  // Sizes and names in reports are those of the file the user gave, not of the temporary graph.
  return { ...graph, index: { ...graph.index, fileName: model.index.fileName, fileBytes: model.index.fileBytes }, builtFrom: model.index, tokenizerFromModel: model.tokenizerFromModel };
}
