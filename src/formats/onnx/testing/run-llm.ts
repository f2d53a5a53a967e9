// Runs an exported causal-LM graph once in onnxruntime-node (CPU EP) on a fixed prompt, with
// input names and KV-cache shapes read from the graph inputs (empty past: [1, kv_heads, 0, head_dim]).
import * as ort from 'onnxruntime-node';
import type { OnnxModel } from '../onnx-model';

export const PROMPT_TOKENS = 32;

/** Feeds for one forward pass of `tokens` ids (deterministic pseudo-random ids below `vocab`). */
export function llmFeeds(model: OnnxModel, vocab: number, tokens = PROMPT_TOKENS): Record<string, ort.Tensor> {
  const ids = BigInt64Array.from({ length: tokens }, (_, i) => BigInt((i * 7919 + 13) % vocab));
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of model.graph.inputs) {
    if (input.name === 'input_ids') feeds[input.name] = new ort.Tensor('int64', ids, [1, tokens]);
    else if (input.name === 'attention_mask') feeds[input.name] = new ort.Tensor('int64', new BigInt64Array(tokens).fill(1n), [1, tokens]);
    else if (input.name === 'position_ids') feeds[input.name] = new ort.Tensor('int64', BigInt64Array.from({ length: tokens }, (_, i) => BigInt(i)), [1, tokens]);
    else if (input.name.startsWith('past_key_values')) {
      const dims = (input.shape ?? []).map((d, i) => (i === 0 ? 1 : i === 2 ? 0 : typeof d === 'number' ? d : 1));
      feeds[input.name] = new ort.Tensor('float32', new Float32Array(0), dims);
    }
  }
  return feeds;
}

/** Logits of one run of the model bytes (extra feeds, e.g. weights as inputs, are merged in). */
export async function runLogits(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  try {
    const out = await session.run(feeds);
    return out.logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** max |a − b| and max |a|. */
export function maxDiff(a: Float32Array, b: Float32Array): { maxAbsDiff: number; maxAbs: number } {
  let maxAbsDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - b[i]));
    maxAbs = Math.max(maxAbs, Math.abs(a[i]));
  }
  return { maxAbsDiff, maxAbs };
}
