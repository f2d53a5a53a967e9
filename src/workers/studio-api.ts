// The API the page talks to (through comlink) and what crosses the worker boundary: plain,
// small data only. Tensors and file bytes stay in the worker or on the GPU (STYLE.md "What we take").
import type { TensorSelection } from '../core/tensor-filter';
import type { ModelIndex } from '../model/model-index';
import type { RtnScheme } from '../quant/quantized-tensor';

export interface ModelSummary {
  index: ModelIndex;
  /** Names of the files the model was opened from (main file first). */
  files: string[];
  /** Was a tokenizer.json given with the model? */
  hasTokenizer: boolean;
}

export interface QuantizeRequest {
  scheme: RtnScheme;
  selection: TensorSelection;
}

export interface QuantizeProgress {
  tensorsDone: number;
  tensorsTotal: number;
  /** Source bytes of the tensors done / all selected tensors. */
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
  currentTensor: string;
}

export interface TensorReport {
  name: string;
  layer: string;
  /** Requested bits. */
  bits: number;
  /** Container bits actually stored (3-bit codes live in 4-bit containers). */
  storedBits: number;
  /** Elements per scale along the input dimension, or 'per-channel'. */
  block: number | 'per-channel';
  relError: number;
  numel: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface QuantizeReport {
  /** Bytes of the input model files. */
  inputBytes: number;
  /** Exact bytes of the exported ONNX (streamed into a counting sink). */
  outputBytes: number;
  /** 8 · bytes of the quantized tensors (codes, scales, zero points) / their element count. */
  bitsPerWeight: number;
  tensors: TensorReport[];
  durationMs: number;
  scheme: RtnScheme;
}

export interface ExportResult {
  fileName: string;
  bytesWritten: number;
  /** Present when no file handle was given: the page downloads it. */
  blob?: Blob;
}

export interface StudioApi {
  /** Opens a model from the dropped/picked files (.onnx, external data, tokenizer.json). */
  open(files: File[]): Promise<ModelSummary>;
  /** Quantizes the selected weights on the GPU. Progress is throttled. Throws CancelledError when cancelled. */
  quantize(request: QuantizeRequest, onProgress: (p: QuantizeProgress) => void): Promise<QuantizeReport>;
  /** Cancels the running job, if any; the previous result stays. */
  cancel(): void;
  /** Streams the last quantized model to the handle (File System Access API) or returns it as a Blob. */
  exportOnnx(target?: FileSystemFileHandle): Promise<ExportResult>;
}
