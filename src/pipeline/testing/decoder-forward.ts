// One forward pass of a causal-LM ONNX graph in onnxruntime-node with the feeds transformers.js
// gives it: a (left-padded) batch of ids, attention_mask, position_ids and a KV cache, returning
// the logits and the present.* outputs to feed the next call. For builder/export comparisons.
import * as ort from 'onnxruntime-node';

export interface Forward {
  /** [batch, seq, vocab] row-major. */
  logits: Float32Array;
  /** present.{i}.key|value by the past_key_values.{i}.key|value name they feed next. */
  present: Record<string, ort.Tensor>;
}

/**
 * Runs `tokens` (one row, or rows left-padded to the longest) after `past` (a previous call's
 * present, all rows `pastLength` long; none = empty cache). Positions count real tokens only,
 * as transformers derives them from the attention mask.
 */
export async function forward(session: ort.InferenceSession, tokens: number[] | number[][], past?: Record<string, ort.Tensor>, pastLength = 0): Promise<Forward> {
  const rows = Array.isArray(tokens[0]) ? (tokens as number[][]) : [tokens as number[]];
  const seq = Math.max(...rows.map((r) => r.length));
  const batch = rows.length;
  const ids = new BigInt64Array(batch * seq);
  const mask = new BigInt64Array(batch * (pastLength + seq));
  const positions = new BigInt64Array(batch * seq);
  rows.forEach((row, b) => {
    const pad = seq - row.length;
    for (let j = 0; j < pastLength + seq; j++) mask[b * (pastLength + seq) + j] = j < pastLength || j - pastLength >= pad ? 1n : 0n;
    for (let j = 0; j < seq; j++) {
      ids[b * seq + j] = BigInt(j < pad ? 0 : row[j - pad]);
      positions[b * seq + j] = BigInt(j < pad ? 1 : pastLength + j - pad);
    }
  });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [batch, seq]),
    attention_mask: new ort.Tensor('int64', mask, [batch, pastLength + seq]),
  };
  if (session.inputNames.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', positions, [batch, seq]);
  if (session.inputNames.includes('num_logits_to_keep')) feeds.num_logits_to_keep = new ort.Tensor('int64', new BigInt64Array([0n]), []);
  for (const meta of session.inputMetadata) {
    if (!meta.name.startsWith('past_key_values.')) continue;
    if (past?.[meta.name]) feeds[meta.name] = past[meta.name];
    else {
      const shape = (meta as { shape: readonly (number | string)[] }).shape;
      feeds[meta.name] = new ort.Tensor('float32', new Float32Array(0), [batch, shape[1] as number, 0, shape[3] as number]);
    }
  }
  const out = await session.run(feeds);
  const present: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(out)) if (name.startsWith('present.')) present[name.replace('present.', 'past_key_values.')] = tensor;
  return { logits: out.logits.data as Float32Array, present };
}

/** max |a − b| / max |b|: the relative distance of two logit tensors. */
export function maxRelativeDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
