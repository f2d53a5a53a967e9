// The API the page talks to (through comlink) and what crosses the worker boundary: plain,
// small data only. Tensors and file bytes stay in the worker or on the GPU (STYLE.md "What we take").
import type { TensorSelection } from '../core/tensor-filter';
import type { ModelIndex } from '../core/model-index';
import type { RtnScheme } from '../core/quantized-tensor';
import type { PipelineProgress } from '../pipeline/quantize-model';
import type { SweepAxes, SweepPoint } from '../pipeline/sweep';

export type { SweepAxes, SweepPoint };

export interface ModelSummary {
  index: ModelIndex;
  /** Names of the files the model was opened from (main file first). */
  files: string[];
  /** Was a tokenizer.json given with the model? */
  hasTokenizer: boolean;
  /** Was a config.json given with the model? (GGUF conversion of ONNX/safetensors needs it.) */
  hasConfig?: boolean;
  /** Identity used to find saved sweeps: name, size and a hash of the file's first 64 KiB. */
  modelKey: string;
}

export type EvalBackend = 'webgpu' | 'wasm' | 'auto';

export interface EvalRequest {
  windows: number;
  executionProvider: EvalBackend;
  /** The user's own evaluation text; default: the bundled wikitext-2 excerpt. */
  text?: string;
}

export interface EvalProgress {
  windowsDone: number;
  windowsTotal: number;
  tokensPerSecond: number;
  elapsedMs: number;
}

export interface EvalReport {
  ppl: number;
  windows: number;
  tokensScored: number;
  tokensPerSecond: number;
  /** The execution provider that really ran ('webgpu' or 'wasm'), and why not WebGPU if not. */
  executionProvider: string;
  fallbackReason?: string;
  textSource: 'bundled' | 'user';
}

export interface SweepRequest {
  axes: SweepAxes;
  windows: number;
  executionProvider: EvalBackend;
  text?: string;
}

export type SweepStatus = 'running' | 'paused' | 'cancelled' | 'done';

export interface SweepState {
  modelKey: string;
  request: SweepRequest;
  /** Every point of the grid, in queue order. */
  gridIds: string[];
  points: SweepPoint[];
  reference: EvalReport | null;
  status: SweepStatus;
}

export interface SweepProgress {
  pointIndex: number;
  pointsTotal: number;
  pointId: string;
  phase: 'reference' | 'quantize' | 'evaluate';
  windowsDone?: number;
  windowsTotal?: number;
  tokensPerSecond?: number;
}

export interface SweepCallbacks {
  onPoint: (point: SweepPoint) => void;
  onProgress: (progress: SweepProgress) => void;
  onReference: (reference: EvalReport) => void;
}

export interface QuantizeRequest {
  scheme: RtnScheme;
  selection: TensorSelection;
}

/** Tensors and source bytes done of the selected ones, as the pipeline reports them. */
export type QuantizeProgress = PipelineProgress;

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

/** A conversion of the open model: GGUF (a --type preset or pure type) or one safetensors file. */
export type ConvertRequest = { format: 'gguf'; type: string; pure: boolean } | { format: 'safetensors'; dtype: 'f16' | 'bf16' | 'f32' };

/** Tensors written of all, and the one being encoded. */
export interface ConvertProgress {
  tensorsDone: number;
  tensorsTotal: number;
  currentTensor: string;
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
  /** Converts the open model (ONNX, GGUF or safetensors) to GGUF or safetensors. Cancellable with cancel(). */
  convertModel(request: ConvertRequest, target?: FileSystemFileHandle, onProgress?: (p: ConvertProgress) => void): Promise<ExportResult>;

  /** Perplexity of the original model (docs/EVAL.md protocol). Cancellable with cancel(). */
  evaluate(request: EvalRequest, onProgress: (p: EvalProgress) => void): Promise<EvalReport>;
  /**
   * Runs (or resumes) a sweep over the grid; every finished point is saved (IndexedDB) and handed
   * to `onPoint` at once. Resolves with the final state when done, paused or cancelled.
   */
  runSweep(request: SweepRequest, callbacks: SweepCallbacks): Promise<SweepState>;
  /** Stops after the current point; `runSweep` with the same request resumes. */
  pauseSweep(): void;
  /** Stops now; finished points are kept. */
  cancelSweep(): void;
  /** The saved sweep of the open model (after a reload), if any. */
  savedSweep(): Promise<SweepState | null>;
  /** Forgets the open model's saved sweep. */
  clearSweep(): Promise<void>;
  /** Re-creates a sweep point (RTN is deterministic) and exports it like exportOnnx. */
  exportPoint(pointId: string, target?: FileSystemFileHandle): Promise<ExportResult>;
}
