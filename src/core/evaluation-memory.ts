// Whether evaluating a model fits onnxruntime-web, said before anything runs. Evaluation feeds the
// quantizable weights as inputs of one session (eval/variant-evaluator.ts), and onnxruntime-web copies
// every CPU input into its WebAssembly heap for each run (wasm-core-impl.ts: _malloc + HEAPU8.set),
// on the wasm and the WebGPU execution provider alike; that heap grows to at most 4 GiB − 64 KiB
// (the growth cap in its emscripten glue). So a model whose weights pass about 4 GB cannot be
// evaluated in the page whichever provider is chosen, however much memory the GPU has; the CLI
// (onnxruntime-node) has no such cap. The figure is an estimate — weights as stored, plus the
// logits of a window and a margin — and errs on the low side: a model it refuses does not fit.
import { EVAL_PROTOCOL } from './evaluation';
import { OutOfMemoryError } from './errors';
import type { ModelIndex, TensorInfo } from './model-index';

/** The largest WebAssembly heap onnxruntime-web grows to: 65535 pages of 64 KiB. */
export const ORT_WEB_HEAP_BYTES = 4_294_901_760;

/** What onnxruntime's own code, buffers and arena take besides tensors (an allowance). */
const RUNTIME_ALLOWANCE_BYTES = 256 * 2 ** 20;

/**
 * The weights evaluation feeds as inputs: the quantizable ones (those with a layout), norms and
 * biases (AWQ folds its scales into them), stored as f32 or f16. The one place that says which.
 */
export function evaluationWeightInputs(index: ModelIndex): TensorInfo[] {
  return index.tensors.filter((t) => (t.layout || t.role === 'norm' || t.role === 'bias') && (t.dtype === 'f32' || t.dtype === 'f16'));
}

export interface EvaluationMemory {
  /** Weights fed as inputs, copied into the heap for every run. */
  inputBytes: number;
  /** Weights left in the graph (held by the session). */
  graphBytes: number;
  /** Logits and log-probabilities of one window, and onnxruntime's allowance. */
  workingBytes: number;
  /** The heap at its fullest during a run. */
  totalBytes: number;
}

/** About how much of onnxruntime-web's heap evaluating `index` takes. */
export function evaluationMemory(index: ModelIndex): EvaluationMemory {
  const inputs = new Set(evaluationWeightInputs(index).map((t) => t.name));
  let inputBytes = 0;
  let graphBytes = 0;
  for (const t of index.tensors) {
    if (inputs.has(t.name)) inputBytes += t.byteLength;
    else graphBytes += t.byteLength;
  }
  const embedding = index.tensors.find((t) => t.role === 'embedding');
  const vocab = embedding ? Math.max(...embedding.shape) : 0;
  const workingBytes = 2 * EVAL_PROTOCOL.windowLength * vocab * 4 + RUNTIME_ALLOWANCE_BYTES;
  return { inputBytes, graphBytes, workingBytes, totalBytes: inputBytes + graphBytes + workingBytes };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** Why evaluating `index` in onnxruntime-web cannot work, and what to do instead; undefined when it fits. */
export function ortWebMemoryProblem(index: ModelIndex, heapBytes = ORT_WEB_HEAP_BYTES): string | undefined {
  const m = evaluationMemory(index);
  if (m.totalBytes <= heapBytes) return undefined;
  return (
    `evaluating ${index.fileName} needs about ${gb(m.totalBytes)} of onnxruntime-web's memory (its weights ${gb(m.inputBytes + m.graphBytes)}), ` +
    `more than the ${gb(heapBytes)} its WebAssembly heap can hold — with WebGPU too, since the weights pass through that heap. ` +
    'Compress and export it here, and measure perplexity with the CLI (npx studio eval MODEL.onnx --tokenizer tokenizer.json), which has no such limit, or evaluate a smaller model'
  );
}

/** Throws OutOfMemoryError, before any work, when evaluating `index` cannot fit onnxruntime-web. */
export function checkFitsOrtWeb(index: ModelIndex, heapBytes = ORT_WEB_HEAP_BYTES): void {
  const problem = ortWebMemoryProblem(index, heapBytes);
  if (problem) throw new OutOfMemoryError(problem, { bytes: evaluationMemory(index).totalBytes, limit: heapBytes });
}
