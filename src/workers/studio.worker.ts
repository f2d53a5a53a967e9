// The studio's worker: holds the opened model, the GPU device and the last result, and does all
// the heavy work off the page's thread (comlink API in studio-api.ts). State changes only when
// an operation succeeds, so a failed load or a cancelled run leaves the previous state intact.
import * as Comlink from 'comlink';
import { blobSink, type ByteSink } from '../core/byte-sink';
import { blobSource } from '../core/byte-source';
import { CancelledError, MissingFileError } from '../core/errors';
import { acquireBrowserGpu } from '../gpu/browser-gpu';
import { createGpuContext, type GpuContext } from '../gpu/context';
import { quantizeRtnGpu } from '../kernels/quant/rtn';
import { exportedOnnxBytes, exportQuantizedOnnx, quantizedFileName } from '../pipeline/export-onnx';
import { openModel, type OpenedModel } from '../pipeline/open-model';
import { bitsPerWeight, type QuantBackend, quantizeModel, type QuantizeModelResult } from '../pipeline/quantize-model';
import { installErrorTransfer } from './error-transfer';
import { evaluateOriginal, ggufInputsOf, ModelEvaluation } from './evaluation';
import { convertToGguf } from '../pipeline/convert/convert-gguf';
import { onnxWeights } from '../pipeline/convert/onnx-weights';
import { ggufTargetOf } from '../pipeline/gguf-variant';
import { modelKey } from './model-key';
import { convertedFileName, convertJob } from './convert-job';
import { runSweepJob } from './sweep-job';
import { deleteSweep, loadSweep } from './sweep-store';
import { throttle } from './throttle';
import type {
  ConvertProgress, ConvertRequest, EvalProgress, EvalReport, EvalRequest, ExportResult, ModelSummary, QuantizeProgress, QuantizeReport, QuantizeRequest,
  StudioApi, SweepCallbacks, SweepRequest, SweepState,
} from './studio-api';

installErrorTransfer();

let gpu: Promise<GpuContext> | null = null;
let model: OpenedModel | null = null;
let opened: { key: string; evaluation: ModelEvaluation } | null = null;
let last: { result: QuantizeModelResult; report: QuantizeReport } | null = null;
let job: AbortController | null = null;
let sweep: { controller: AbortController; reason: 'paused' | 'cancelled' } | null = null;

function requireModel(): { model: OpenedModel; key: string; evaluation: ModelEvaluation } {
  if (!model || !opened) throw new CancelledError('Open a model first');
  return { model, ...opened };
}

async function exportResult(m: OpenedModel, result: QuantizeModelResult, target?: FileSystemFileHandle): Promise<ExportResult> {
  const name = quantizedFileName(m.index.fileName, result);
  if (target) {
    const bytesWritten = await exportQuantizedOnnx(m, result, await fileHandleSink(target));
    return { fileName: target.name || name, bytesWritten };
  }
  const sink = blobSink();
  const bytesWritten = await exportQuantizedOnnx(m, result, sink);
  return { fileName: name, bytesWritten, blob: sink.toBlob() };
}

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
  let closed = false;
  return {
    async write(chunk) {
      await writable.write(chunk as Uint8Array<ArrayBuffer>);
      bytesWritten += chunk.byteLength;
    },
    async close() {
      if (closed) return;
      closed = true;
      await writable.close();
    },
    get bytesWritten() {
      return bytesWritten;
    },
  };
}

/** A llama.cpp-typed sweep point exported the way it was measured: through the GGUF converter. */
async function exportGgufPoint(m: OpenedModel, ggufType: string, target?: FileSystemFileHandle): Promise<ExportResult> {
  const inputs = await ggufInputsOf(m);
  if (!inputs || !m.onnx) throw new MissingFileError('GGUF export needs the model with its config.json and tokenizer.json', 'config.json');
  const stem = m.index.fileName.replace(/\.onnx$/i, '') || 'model';
  const name = `${stem}-${ggufType}.gguf`;
  const weights = onnxWeights(m.onnx, m.index, inputs.config);
  const options = { target: ggufTargetOf(ggufType), ...inputs };
  if (target) {
    const r = await convertToGguf(weights, await fileHandleSink(target), options);
    return { fileName: target.name || name, bytesWritten: r.bytes };
  }
  const sink = blobSink();
  const r = await convertToGguf(weights, sink, options);
  return { fileName: name, bytesWritten: r.bytes, blob: sink.toBlob() };
}

const api: StudioApi = {
  async open(files: File[]): Promise<ModelSummary> {
    const next = await openModel(files.map((f) => blobSource(f, fileName(f))));
    const key = await modelKey(next.files[0]);
    job?.abort();
    sweep?.controller.abort();
    await opened?.evaluation.release();
    model = next;
    opened = { key, evaluation: new ModelEvaluation(next) };
    last = null;
    return {
      index: next.index,
      files: next.files.map((f) => f.name),
      hasTokenizer: Boolean(next.tokenizer),
      hasConfig: Boolean(next.config),
      modelKey: key,
    };
  },

  async quantize(request: QuantizeRequest, onProgress: (p: QuantizeProgress) => void): Promise<QuantizeReport> {
    requireModel();
    job?.abort();
    const controller = new AbortController();
    job = controller;
    const current = model!;
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
    return exportResult(model, last.result, target);
  },

  async convertModel(request: ConvertRequest, target?: FileSystemFileHandle, onProgress?: (p: ConvertProgress) => void): Promise<ExportResult> {
    const { model: m } = requireModel();
    job?.abort();
    const controller = new AbortController();
    job = controller;
    const progress = throttle((p: ConvertProgress) => onProgress?.(p), 100);
    try {
      const name = convertedFileName(m.index.fileName, request);
      const blob = target ? null : blobSink();
      const sink = blob ?? (await fileHandleSink(target!));
      // The GPU encodes llama.cpp block types; without WebGPU the CPU references write the same bytes.
      const gpu = await gpuContext().catch(() => undefined);
      const bytesWritten = await convertJob(m, request, sink, { signal: controller.signal, onProgress: progress.call, gpu });
      progress.flush();
      return { fileName: target?.name || name, bytesWritten, blob: blob?.toBlob() };
    } finally {
      if (job === controller) job = null;
    }
  },

  async evaluate(request: EvalRequest, onProgress: (p: EvalProgress) => void): Promise<EvalReport> {
    const { evaluation } = requireModel();
    job?.abort();
    const controller = new AbortController();
    job = controller;
    try {
      return await evaluateOriginal(evaluation, request, { signal: controller.signal, onProgress });
    } finally {
      if (job === controller) job = null;
    }
  },

  async runSweep(request: SweepRequest, callbacks: SweepCallbacks): Promise<SweepState> {
    const { key, evaluation } = requireModel();
    sweep?.controller.abort();
    const current = { controller: new AbortController(), reason: 'cancelled' as 'paused' | 'cancelled' };
    sweep = current;
    try {
      const ctx = await gpuContext();
      return await runSweepJob(key, evaluation, ctx, request, callbacks, {
        signal: current.controller.signal,
        stopReason: () => current.reason,
      });
    } finally {
      if (sweep === current) sweep = null;
    }
  },

  pauseSweep() {
    if (!sweep) return;
    sweep.reason = 'paused';
    sweep.controller.abort();
  },

  cancelSweep() {
    if (!sweep) return;
    sweep.reason = 'cancelled';
    sweep.controller.abort();
  },

  async savedSweep(): Promise<SweepState | null> {
    return loadSweep(requireModel().key);
  },

  async clearSweep(): Promise<void> {
    await deleteSweep(requireModel().key);
  },

  async exportPoint(pointId: string, target?: FileSystemFileHandle): Promise<ExportResult> {
    const { model: m, key } = requireModel();
    const point = (await loadSweep(key))?.points.find((p) => p.id === pointId);
    if (!point) throw new CancelledError(`No finished sweep point "${pointId}" for this model`);
    if (point.kind === 'gguf') return exportGgufPoint(m, point.ggufType, target);
    const ctx = await gpuContext();
    const result = await quantizeModel(m, point.scheme, point.selection, (input, s, signal) => quantizeRtnGpu(ctx, input, s, { signal }));
    return exportResult(m, result, target);
  },
};

Comlink.expose(api);
