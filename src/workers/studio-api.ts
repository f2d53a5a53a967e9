// The API the page talks to (through comlink). Everything that crosses the worker boundary is
// plain, small data, defined in core/ (model summary, recipes, plans, reports, sweeps): tensors
// and file bytes stay in the worker or on the GPU (STYLE.md "What we take").
import type { CompressionPlan, OutputFormat } from '../core/compression-plan';
import type { CompressProgress, CompressReport, ResultRecord } from '../core/compression-report';
import type { EvalBackend, EvalProgress, EvalReport, EvalRequest, EvalSubject, EvaluationRecord } from '../core/evaluation';
import type { GpuStatus } from '../core/gpu-adapter';
import type { ModelSummary } from '../core/model-summary';
import type { Recipe } from '../core/recipe';
import type { BudgetRequest, BudgetSummary } from '../core/size-budget';
import type { SweepPoint, SweepProgress, SweepRequest, SweepState } from '../core/sweep';

/** A recipe (as JSON data: the editor's or a file's) and the format to plan it for. */
export interface PlanRequest {
  recipe: unknown;
  format: OutputFormat;
}

/** A compress run: a plan request and, for calibrated methods, the onnxruntime backend calibration runs on. */
export interface CompressRequest extends PlanRequest {
  backend?: EvalBackend;
}

/**
 * What to export: the last compressed result, or a finished sweep point (compressed again: runs
 * are deterministic) of the open run or of the run named.
 */
export type ExportRequest = { source: 'result' } | { source: 'point'; pointId: string; runId?: string };

export interface ExportResult {
  fileName: string;
  bytesWritten: number;
  /** Present when no file handle was given: the page downloads it. */
  blob?: Blob;
}

/** An importance-matrix file the person loaded. */
export interface ImatrixInfo {
  name: string;
  /** Weights it has importance for. */
  entries: number;
  /** Calibration chunks and tokens per chunk it was made from (0 when the file does not say). */
  chunks: number;
  chunkSize: number;
  datasets: string[];
}


export interface SweepCallbacks {
  /** The run as saved before its first point: its id and whole grid (so a failure mid-run can still offer Resume). */
  onRun: (run: SweepState) => void;
  onPoint: (point: SweepPoint) => void;
  onProgress: (progress: SweepProgress) => void;
  onReference: (reference: EvalReport) => void;
  /** A finished point could not be saved (quota): the run goes on; a reload would lose the point. */
  onSaveFailed: (message: string) => void;
}

export interface StudioApi {
  /** The WebGPU adapter the kernels run on (acquired now if not yet), or why there is none. */
  gpuStatus(): Promise<GpuStatus>;
  /** Opens a model from the dropped/picked files (.onnx with external data, .gguf, .safetensors; tokenizer.json, config.json). */
  open(files: File[]): Promise<ModelSummary>;
  /**
   * Builds the open GGUF or safetensors model's ONNX graph (llama, mistral, qwen2; float32, or
   * float16 weights and activations with `float16`) and opens
   * it in its place: perplexity, sweeps, calibration and ONNX output then work on it. A job
   * (cancel() stops it; the model stays as it was). Progress: bytes of the graph written.
   */
  buildGraph(onProgress: (p: { written: number; total: number }) => void, options?: { float16?: boolean }): Promise<ModelSummary>;
  /** Checks recipe JSON (a loaded file) and returns it canonical; throws RecipeError. */
  checkRecipe(recipe: unknown): Promise<Recipe>;
  /** The plan of a recipe for the open model: per tensor its rule, method and exact bytes; no weight is read. */
  plan(request: PlanRequest): Promise<CompressionPlan>;
  /** Runs a recipe on the GPU and keeps the result for evaluation and export. Throws CancelledError when cancelled. */
  compress(request: CompressRequest, onProgress: (p: CompressProgress) => void): Promise<CompressReport>;
  /**
   * A size budget for the open model: calibrates, measures every candidate on every matmul weight
   * (with a KL probe each), and returns the recipe that fits the target with the least predicted
   * loss. A job like compress (progress, cancel()); RecipeError when the target cannot be met.
   */
  fitBudget(request: BudgetRequest, onProgress: (p: CompressProgress) => void): Promise<BudgetSummary>;
  /** Adds a calibration text (a recipe's `calibration.text` names it by file name). */
  addCalibrationText(file: File): Promise<{ name: string; characters: number }>;
  /** Whether a file is a llama.cpp importance matrix (an imatrix GGUF by its first bytes, or a legacy .dat by name). */
  isImatrix(file: File): Promise<boolean>;
  /** Reads a llama.cpp importance-matrix file (GGUF or legacy .dat); a recipe's `calibration.imatrix` names it by file name. */
  addImatrix(file: File): Promise<ImatrixInfo>;
  /**
   * The importance matrix the last run measured on its calibration text, in llama.cpp's format
   * (for llama-quantize --imatrix or a later run); UsageError when the last run measured none.
   */
  exportImatrix(): Promise<ExportResult>;
  /**
   * config.json for the last safetensors result: the source's, with the output dtype, the MLP width
   * and GPTQ's quantization_config (what transformers needs to load GPTQ-packed weights);
   * UsageError when there is no such result or the model came without config.json.
   */
  exportCheckpointConfig(): Promise<ExportResult>;
  /** Cancels the running job, if any; the previous result stays. */
  /**
   * The last ONNX result as a transformers.js model folder in a zip (onnx/model_<dtype>.onnx,
   * config, generation config, tokenizer files, a model card with `perplexity` when the page
   * measured it); UsageError for other results or a model without config.json/tokenizer.json.
   */
  exportTransformersJs(perplexity?: { ppl: number; windows: number; text: string }): Promise<ExportResult>;
  cancel(): void;
  /** The one export entry point: streams to the handle (File System Access API) or returns a Blob. */
  exportFile(request: ExportRequest, target?: FileSystemFileHandle, onProgress?: (p: CompressProgress) => void): Promise<ExportResult>;
  /**
   * Perplexity (and KL) of the original, the last result, or a finished sweep point (`pointId`,
   * of the open run or `runId`; compressed again, runs being deterministic), kept in the
   * evaluation history. Cancellable with cancel().
   */
  evaluate(request: EvalRequest & { subject?: EvalSubject; pointId?: string; runId?: string }, onProgress: (p: EvalProgress) => void): Promise<EvaluationRecord>;
  /** Every evaluation of the open model in the history, newest first. */
  evaluationHistory(): Promise<EvaluationRecord[]>;
  /** Deletes an evaluation from the history (the page asks first). */
  deleteEvaluation(id: string): Promise<void>;
  /** Puts a deleted evaluation back (undo). */
  restoreEvaluation(record: EvaluationRecord): Promise<void>;
  /** Every compress result of the open model in the history (each `compress` adds one), newest first. */
  resultHistory(): Promise<ResultRecord[]>;
  /** Deletes a result from the history (the page asks first). */
  deleteResult(id: string): Promise<void>;
  /** Puts a deleted result back (undo). */
  restoreResult(record: ResultRecord): Promise<void>;
  /**
   * Runs (or resumes) a sweep over the grid; every finished point is saved (IndexedDB) and handed
   * to `onPoint` at once. Resolves with the final state when done, paused or cancelled.
   */
  runSweep(request: SweepRequest, callbacks: SweepCallbacks): Promise<SweepState>;
  /** Stops after the current point; `runSweep` with the same request resumes. */
  pauseSweep(): void;
  /** Stops now; finished points are kept. */
  cancelSweep(): void;
  /** The open model's most recent run (after a reload), if any; it becomes the open run. */
  savedSweep(): Promise<SweepState | null>;
  /** Every run of the open model in the history, newest first. */
  sweepHistory(): Promise<SweepState[]>;
  /** Makes a run of the history the open run (the next `runSweep` with its settings continues it). */
  openSweep(runId: string): Promise<SweepState>;
  /** No open run: the next `runSweep` starts a new one (the history keeps the others). */
  newSweep(): void;
  /** Deletes a run from the history (the page asks first). */
  deleteSweep(runId: string): Promise<void>;
  /** Puts a deleted run back (undo). */
  restoreSweepRun(run: SweepState): Promise<void>;
}
