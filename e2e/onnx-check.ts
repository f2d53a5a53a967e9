// Node-side check of an exported ONNX file (DESIGN decision 3: exports are judged by the runtime
// that loads them). Builds the dequantized reference (the original graph with every weight the
// recipe quantizes replaced by the CPU references' Ŵ), runs it and the exported MatMulNBits file
// in onnxruntime-node on the same tokens, and compares the logits.
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { blobSink, concatChunks } from '../src/core/byte-sink';
import { blobSource } from '../src/core/byte-source';
import { f32ArrayToBf16, f32ArrayToF16 } from '../src/core/float16';
import type { Recipe } from '../src/core/recipe';
import { compressibleTensors, firstMatch, ruleMatchers } from '../src/core/rule-match';
import { toStorageOrder } from '../src/core/weight-layout';
import { openOnnx, readInitializerFloats } from '../src/formats/onnx/onnx-reader';
import { writeOnnx } from '../src/formats/onnx/onnx-writer';
import { indexOnnx } from '../src/model/onnx-index';
import { createNodeLmSession } from '../src/eval/ort-node';
import { evaluatePerplexity } from '../src/eval/perplexity';
import { loadTokenizer } from '../src/eval/tokenizer';
import { dequantizeRef, quantizeRtnRef } from '../src/quant/rtn';

/** Raw little-endian bytes of float32 values in the tensor's own dtype (what OnnxEdit.replaced takes). */
function encodeAs(values: Float32Array<ArrayBuffer>, dtype: string): Uint8Array {
  switch (dtype) {
    case 'f32':
      return new Uint8Array(values.buffer);
    case 'f16':
      return new Uint8Array(f32ArrayToF16(values).buffer);
    case 'bf16':
      return new Uint8Array(f32ArrayToBf16(values).buffer);
    default:
      throw new Error(`dequantizedReference: cannot write a ${dtype} weight`);
  }
}

/**
 * The original model with each weight an rtn rule of the recipe takes replaced by the CPU
 * reference's Ŵ, as ONNX bytes. The rules are applied here with the core matcher and the rtn
 * reference alone, not through the pipeline: an independent check of what the page ran.
 */
export async function dequantizedReference(modelPath: string, recipe: Recipe): Promise<{ bytes: Uint8Array; replacedCount: number }> {
  const model = await openOnnx([blobSource(await openAsBlob(modelPath), basename(modelPath))]);
  const matchers = ruleMatchers(recipe.rules);
  const replaced = new Map<string, Uint8Array>();
  for (const t of compressibleTensors(indexOnnx(model).tensors)) {
    const rule = firstMatch(matchers, t);
    const q = rule === null ? undefined : recipe.rules[rule].quantize;
    if (!q) continue;
    if (q.method !== 'rtn') throw new Error(`dequantizedReference: rule ${rule} is ${q.method}, not rtn`);
    const values = await readInitializerFloats(model, t.name);
    const deq = dequantizeRef(quantizeRtnRef(values, t.layout!, q));
    replaced.set(t.name, encodeAs(toStorageOrder(deq, t.layout!, t.numel), String(t.dtype)));
  }
  const sink = blobSink();
  await writeOnnx(model, { replaced }, sink); // closes the sink
  return { bytes: concatChunks(sink.chunks), replacedCount: replaced.size };
}

/** Deterministic token ids in [1, vocab) (a small LCG; no tokenizer needed). */
export function testTokens(count: number, vocab: number, seed = 12345): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(1 + (s % (vocab - 1)));
  }
  return out;
}

/**
 * Runs a decoder ONNX model on `tokens` with an empty KV cache and returns the logits.
 * Inputs are found by name (input_ids, attention_mask, position_ids, past_key_values.*:
 * [batch, kv_heads, past = 0, head_dim], sizes from the model's input metadata).
 */
export async function runLogits(model: Uint8Array, tokens: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  try {
    const n = tokens.length;
    const feeds: Record<string, ort.Tensor> = {};
    for (const meta of session.inputMetadata) {
      const name = meta.name;
      if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, n]);
      else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
      else if (name === 'position_ids') feeds[name] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]);
      else if (name.startsWith('past_key_values') && meta.isTensor) {
        const dims = meta.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : 0));
        feeds[name] = new ort.Tensor('float32', new Float32Array(0), dims);
      } else throw new Error(`runLogits: does not know how to feed input "${name}"`);
    }
    const out = await session.run(feeds, ['logits']);
    return out.logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

export interface LogitsComparison {
  maxAbsDiff: number;
  maxAbsLogit: number;
  replacedCount: number;
  logitCount: number;
}

/** Compares the exported file's logits with the dequantized reference's on the same tokens. */
export async function compareWithDequantizedReference(opts: {
  original: string;
  exported: string;
  recipe: Recipe;
  tokens: number[];
}): Promise<LogitsComparison> {
  const reference = await dequantizedReference(opts.original, opts.recipe);
  const expected = await runLogits(reference.bytes, opts.tokens);
  const actual = await runLogits(new Uint8Array(await readFile(opts.exported)), opts.tokens);
  if (actual.length !== expected.length) throw new Error(`logits length ${actual.length} ≠ reference ${expected.length}`);
  let maxAbsDiff = 0;
  let maxAbsLogit = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(actual[i] - expected[i]));
    maxAbsLogit = Math.max(maxAbsLogit, Math.abs(expected[i]));
  }
  return { maxAbsDiff, maxAbsLogit, replacedCount: reference.replacedCount, logitCount: expected.length };
}

/** Perplexity of an ONNX file in onnxruntime-node on the page's bundled text with the sample's tokenizer (docs/EVAL.md, W windows). */
export async function nodePerplexity(modelPath: string, windows: number): Promise<number> {
  const [tokenizerJson, text] = await Promise.all([readFile('public/sample/tokenizer.json'), readFile('public/eval/wikitext-2-test-excerpt.txt', 'utf8')]);
  const ids = loadTokenizer(new Uint8Array(tokenizerJson)).encode(text);
  const session = await createNodeLmSession(modelPath);
  try {
    return (await evaluatePerplexity(session, ids, { windows })).ppl;
  } finally {
    await session.release();
  }
}
