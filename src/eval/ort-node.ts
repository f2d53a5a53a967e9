// onnxruntime-node adapter (DESIGN decision 7): one of the two files that import a runtime.
// CPU execution provider; used by the CLI, the Node tests and bench/eval.ts.
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { MissingFileError, UnsupportedModelError } from '../core/errors';
import { wrapInferenceSession, type LmSession } from './lm-session';

export interface NodeLmSessionOptions {
  /** Threads for one operator (onnxruntime default: all cores). */
  intraOpNumThreads?: number;
  /** Further session options, merged over the defaults (CPU EP, all graph optimizations). */
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

/** Opens an ONNX causal LM (a file path or the model bytes) with onnxruntime-node on the CPU. */
export async function createNodeLmSession(
  model: string | Uint8Array,
  options: NodeLmSessionOptions = {},
): Promise<LmSession> {
  const name = typeof model === 'string' ? model : 'model.onnx';
  if (typeof model === 'string' && !existsSync(model)) {
    throw new MissingFileError(`model file not found: ${model}`, model);
  }
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    ...options.sessionOptions,
  };
  let session: ort.InferenceSession;
  try {
    session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, sessionOptions)
        : await ort.InferenceSession.create(model, sessionOptions);
  } catch (e) {
    throw new UnsupportedModelError(`onnxruntime-node could not load ${name}: ${(e as Error).message}`, { file: name });
  }
  return wrapInferenceSession(session, 'cpu');
}
