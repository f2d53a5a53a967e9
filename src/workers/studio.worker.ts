// The studio's worker: holds the opened model, the GPU device and the last result, and does all
// the heavy work off the page's thread (comlink API in studio-api.ts). State changes only when
// an operation succeeds, so a failed load or a cancelled run leaves the previous state intact.
import * as Comlink from 'comlink';
import { blobSink, type ByteSink } from '../core/byte-sink';
import { blobSource } from '../core/byte-source';
import { CancelledError } from '../core/errors';
import { acquireBrowserGpu } from '../gpu/browser-gpu';
import { createGpuContext, type GpuContext } from '../gpu/context';
import { quantizeRtnGpu } from '../kernels/quant/rtn';
import { exportedOnnxBytes, exportQuantizedOnnx, quantizedFileName } from '../pipeline/export-onnx';
import { openModel, type OpenedModel } from '../pipeline/open-model';
import { bitsPerWeight, type QuantBackend, quantizeModel, type QuantizeModelResult } from '../pipeline/quantize-model';
import { installErrorTransfer } from './error-transfer';
import { throttle } from './throttle';
import type { ExportResult, ModelSummary, QuantizeProgress, QuantizeReport, QuantizeRequest, StudioApi } from './studio-api';

installErrorTransfer();

let gpu: Promise<GpuContext> | null = null;
let model: OpenedModel | null = null;
let last: { result: QuantizeModelResult; report: QuantizeReport } | null = null;
let job: AbortController | null = null;

function gpuContext(): Promise<GpuContext> {
  if (!gpu) {
    gpu = createGpuContext(acquireBrowserGpu());
    gpu.catch(() => (gpu = null)); // let a later attempt try again
  }
  return gpu;
}

function fileName(f: File): string {
  return f.webkitRelativePath || f.name;
}

function toReport(result: QuantizeModelResult, inputBytes: number, outputBytes: number): QuantizeReport {
  return {
    inputBytes,
    outputBytes,
    bitsPerWeight: bitsPerWeight(result.entries),
    durationMs: result.durationMs,
    scheme: result.scheme,
    tensors: result.entries.map((e) => ({
      name: e.info.name,
      layer: e.info.layer,
      bits: e.tensor.bits,
      storedBits: e.tensor.storedBits,
      block: result.scheme.blockSize,
      relError: e.tensor.relError,
      numel: e.info.numel,
      bytesBefore: e.info.byteLength,
      bytesAfter: e.storedBytes,
    })),
  };
}

/** Streams into a file picked with the File System Access API. */
async function fileHandleSink(handle: FileSystemFileHandle): Promise<ByteSink> {
  const writable = await handle.createWritable();
  let bytesWritten = 0;
  return {
    async write(chunk) {
      await writable.write(chunk as Uint8Array<ArrayBuffer>);
      bytesWritten += chunk.byteLength;
    },
    close: () => writable.close(),
    get bytesWritten() {
      return bytesWritten;
    },
  };
}

const api: StudioApi = {
  async open(files: File[]): Promise<ModelSummary> {
    const opened = await openModel(files.map((f) => blobSource(f, fileName(f))));
    model = opened;
    last = null;
    return {
      index: opened.index,
      files: opened.files.map((f) => f.name),
      hasTokenizer: Boolean(opened.tokenizer),
    };
  },

  async quantize(request: QuantizeRequest, onProgress: (p: QuantizeProgress) => void): Promise<QuantizeReport> {
    if (!model) throw new CancelledError('Open a model first');
    job?.abort();
    const controller = new AbortController();
    job = controller;
    const current = model;
    try {
      const ctx = await gpuContext();
      const backend: QuantBackend = (input, scheme, signal) => quantizeRtnGpu(ctx, input, scheme, { signal });
      const progress = throttle(onProgress, 100);
      const result = await quantizeModel(current, request.scheme, request.selection, backend, {
        signal: controller.signal,
        onProgress: progress.call,
      });
      progress.flush();
      const outputBytes = await exportedOnnxBytes(current, result);
      const report = toReport(result, current.index.fileBytes, outputBytes);
      if (controller.signal.aborted) throw new CancelledError();
      last = { result, report };
      return report;
    } finally {
      if (job === controller) job = null;
    }
  },

  cancel() {
    job?.abort();
  },

  async exportOnnx(target?: FileSystemFileHandle): Promise<ExportResult> {
    if (!model || !last) throw new CancelledError('Quantize the model first');
    const name = quantizedFileName(model.index.fileName, last.result);
    if (target) {
      const bytesWritten = await exportQuantizedOnnx(model, last.result, await fileHandleSink(target));
      return { fileName: target.name || name, bytesWritten };
    }
    const sink = blobSink();
    const bytesWritten = await exportQuantizedOnnx(model, last.result, sink);
    return { fileName: name, bytesWritten, blob: sink.toBlob() };
  },
};

Comlink.expose(api);
