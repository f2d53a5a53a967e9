// The runtime-neutral view of a causal-LM session that the evaluator needs (DESIGN decision 7).
// It is written against onnxruntime-common types only; eval/ort-node.ts and eval/ort-web.ts
// hand in their runtime's InferenceSession and wrap it with wrapInferenceSession().
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { UnsupportedModelError } from '../core/errors';
import { f16ArrayToF32 } from '../core/float16';

/** Logits of one forward pass as float32, row-major with `dims` = [batch, sequence, vocab]. */
export interface LmLogits {
  data: Float32Array;
  dims: readonly number[];
}

export interface LmSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Input types and shapes as the runtime reports them (used to build the empty KV cache). */
  readonly inputMetadata?: readonly InferenceSession.ValueMetadata[];
  /** The execution provider the session actually runs on ('cpu', 'wasm', 'webgpu'). */
  readonly executionProvider: string;
  /** Why the preferred execution provider was not used (e.g. no WebGPU adapter), if it was not. */
  readonly fallbackReason?: string;
  /** One forward pass; returns only the logits (the runtime is asked for no other output). */
  run(feeds: Readonly<Record<string, Tensor>>): Promise<LmLogits>;
  /** One forward pass returning the named float outputs as float32 (calibration reads intermediate values). */
  runOutputs(feeds: Readonly<Record<string, Tensor>>, names: readonly string[]): Promise<Record<string, LmLogits>>;
  release(): Promise<void>;
}

/** Float32 copy or view of a float tensor of any float type the runtimes return. */
async function floatsOf(tensor: Tensor, what: string): Promise<Float32Array> {
  const data = tensor.location === 'cpu' || tensor.location === undefined ? tensor.data : await tensor.getData(true);
  if (data instanceof Float32Array) return data;
  if (tensor.type === 'float16') {
    // onnxruntime returns float16 as Uint16Array bits, or as Float16Array where the JS engine has one.
    if (data instanceof Uint16Array) return f16ArrayToF32(data);
    return Float32Array.from(data as unknown as ArrayLike<number>);
  }
  throw new UnsupportedModelError(`the model's ${what} is ${tensor.type}; the evaluator reads float32 or float16 values`);
}

/** Adapts an onnxruntime InferenceSession (web or node) to LmSession. */
export function wrapInferenceSession(
  session: InferenceSession,
  executionProvider: string,
  logitsName = 'logits',
): LmSession {
  if (!session.outputNames.includes(logitsName)) {
    throw new UnsupportedModelError(
      `the model has no "${logitsName}" output (outputs: ${session.outputNames.join(', ')}); a causal LM export is expected`,
    );
  }
  let inputMetadata: readonly InferenceSession.ValueMetadata[] | undefined;
  try {
    inputMetadata = session.inputMetadata;
  } catch {
    inputMetadata = undefined; // older runtimes lack it; callers may pass cache shapes instead
  }
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata,
    executionProvider,
    async run(feeds) {
      const out = await session.run(feeds as InferenceSession.FeedsType, [logitsName]);
      const logits = out[logitsName];
      const data = await floatsOf(logits, 'logits output');
      if (logits.location !== 'cpu' && logits.location !== undefined) logits.dispose();
      return { data, dims: logits.dims };
    },
    async runOutputs(feeds, names) {
      const out = await session.run(feeds as InferenceSession.FeedsType, [...names]);
      const result: Record<string, LmLogits> = {};
      for (const name of names) {
        const t = out[name];
        result[name] = { data: await floatsOf(t, `output "${name}"`), dims: t.dims };
        if (t.location !== 'cpu' && t.location !== undefined) t.dispose();
      }
      return result;
    },
    release: () => session.release(),
  };
}
