// The page's side of the ONNX graph builder: a GGUF or safetensors model rebuilt as its float32
// ONNX graph in a Blob (the browser may keep a large one on disk) and opened in its place with the
// same tokenizer and config (a lone GGUF's read back from its metadata), so perplexity, sweeps, calibrated methods and ONNX output work on it
// as on an export. The CLI does the same into a temporary file (cli/graph-model.ts).
import { blobSink } from '../core/byte-sink';
import { blobSource } from '../core/byte-source';
import type { ModelSummary } from '../core/model-summary';
import { builtGraphSideFiles, writeModelOnnx } from '../pipeline/decoder-onnx';
import { openModel, type OpenedModel } from '../pipeline/open-model';

export interface BuiltGraph {
  model: OpenedModel;
  builtFrom: NonNullable<ModelSummary['builtFrom']>;
}

export async function buildGraphModel(model: OpenedModel, options: { float16?: boolean; signal?: AbortSignal; onProgress?: (written: number, total: number) => void }): Promise<BuiltGraph> {
  const sink = blobSink();
  // Past 2 GiB the weights go to model.onnx_data (and _data_1, …), Blobs of their own.
  const data: { name: string; sink: ReturnType<typeof blobSink> }[] = [];
  const openBeside = async (name: string) => {
    const beside = blobSink();
    data.push({ name, sink: beside });
    return beside;
  };
  const graphBytes = await writeModelOnnx(model, sink, { ...options, fileName: 'model.onnx', openBeside });
  await sink.close();
  const files = [blobSource(sink.toBlob(), 'model.onnx'), ...data.map((d) => blobSource(d.sink.toBlob(), d.name))];
  const graph = await openModel([...files, ...(await builtGraphSideFiles(model))]);
  const { fileName, format, fileBytes } = model.index;
  // Names and sizes in plans and reports are those of the file the person dropped.
  return { model: { ...graph, index: { ...graph.index, fileName, fileBytes }, builtFrom: model.index, tokenizerFromModel: model.tokenizerFromModel }, builtFrom: { fileName, format, fileBytes, graphBytes, float16: options.float16 === true } };
}
