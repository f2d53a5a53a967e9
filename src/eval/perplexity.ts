// Perplexity by the studio's one protocol, `wikitext2-w256` (docs/EVAL.md): non-overlapping
// windows of 256 tokens from the start, each run alone (positions 0..255, mask of ones, empty
// KV cache), log-softmax in float64, NLL of tokens 1..255, ppl = exp(total / (W · 255)).
// Runtime-neutral: it sees an LmSession (eval/lm-session.ts) and onnxruntime-common tensors.
import { Tensor } from 'onnxruntime-common';
import { CancelledError, ShapeError, UnsupportedModelError, UsageError } from '../core/errors';
import { EVAL_PROTOCOL, type KlFigures } from '../core/evaluation';
import { recordWindow, type TopKReference, windowKl } from './kl-divergence';
import type { LmSession } from './lm-session';


/** The shipped start of the wikitext-2 test text (public/eval/), enough for W=64 with the fixture tokenizers. */
export const EVAL_TEXT_EXCERPT_PATH = 'eval/wikitext-2-test-excerpt.txt';

/** The shipped start of the wikitext-2 validation text (public/eval/): calibration, `wikitext2-valid-c128`. */
export const CALIBRATION_TEXT_EXCERPT_PATH = 'eval/wikitext-2-valid-excerpt.txt';

export interface PerplexityProgress {
  windowsDone: number;
  windowsTotal: number;
  /** Input tokens (L per window) through the model per second of wall time so far. */
  tokensPerSecond: number;
  elapsedMs: number;
}

export interface PerplexityOptions {
  /** Number of windows W (default 16; the reference number is 64). */
  windows?: number;
  /** Checked before every window; an abort raises CancelledError. */
  signal?: AbortSignal;
  /** Called after every window. */
  onProgress?: (progress: PerplexityProgress) => void;
  /** Fed unchanged on every run, e.g. dequantized weights turned into graph inputs (DESIGN decision 4). */
  extraFeeds?: Readonly<Record<string, Tensor>>;
  /**
   * Shapes of the cache inputs by name, [batch, kvHeads, 0, headDim], for a session whose
   * input metadata does not say them. By default they come from `session.inputMetadata`.
   */
  cacheShapes?: Readonly<Record<string, readonly number[]>>;
  /** Fill this with the run's distributions (the original's, for later KL): see eval/kl-divergence.ts. */
  recordReference?: TopKReference;
  /** Measure KL divergence and top-1 agreement against these (the original's) distributions. */
  klReference?: TopKReference;
}



export interface PerplexityResult {
  protocol: typeof EVAL_PROTOCOL.id;
  ppl: number;
  windows: number;
  windowLength: number;
  /** W · (L − 1). */
  tokensScored: number;
  /** Input tokens per second over the whole evaluation (W · L / wall time). */
  tokensPerSecond: number;
  elapsedMs: number;
  /** Mean NLL in nats per scored token of each window; exp of the mean of these is `ppl`. */
  nllPerWindow: number[];
  executionProvider: string;
  /** With options.klReference. */
  kl?: KlFigures;
}

const TOKEN_INPUTS = new Set(['input_ids', 'attention_mask', 'position_ids', 'num_logits_to_keep']);

/** Whether an input is a past key/value cache input (`past_key_values.0.key`, `past.0.value`, …). */
function isCacheInput(name: string): boolean {
  return /^past/.test(name);
}

/** An empty (past length 0) tensor for every cache input the extra feeds do not cover. */
function emptyCacheFeeds(session: LmSession, options: Pick<PerplexityOptions, 'extraFeeds' | 'cacheShapes'>): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const name of session.inputNames) {
    if (TOKEN_INPUTS.has(name) || options.extraFeeds?.[name]) continue;
    if (!isCacheInput(name)) {
      throw new UnsupportedModelError(
        `the model has an input "${name}" the evaluator does not know how to fill; ` +
          'expected input_ids, attention_mask, position_ids, num_logits_to_keep and past key/value inputs (or pass it in extraFeeds)',
        { input: name },
      );
    }
    const meta = session.inputMetadata?.find((m) => m.name === name);
    const type = meta?.isTensor ? meta.type : 'float32';
    let shape = options.cacheShapes?.[name];
    if (!shape) {
      const metaShape = meta?.isTensor ? meta.shape : undefined;
      if (!metaShape || metaShape.length !== 4 || typeof metaShape[1] !== 'number' || typeof metaShape[3] !== 'number') {
        throw new UnsupportedModelError(
          `cannot tell the shape of cache input "${name}" (runtime reports ${JSON.stringify(metaShape ?? null)}); ` +
            'pass options.cacheShapes with [1, kvHeads, 0, headDim]',
          { input: name },
        );
      }
      shape = [1, metaShape[1], 0, metaShape[3]];
    }
    if (shape.length !== 4 || shape[2] !== 0) {
      throw new ShapeError(`cache input "${name}" must be [batch, kvHeads, 0, headDim]; got [${shape.join(', ')}]`);
    }
    const dims = [1, shape[1], 0, shape[3]];
    if (type === 'float32') feeds[name] = new Tensor('float32', new Float32Array(0), dims);
    else if (type === 'float16') feeds[name] = new Tensor('float16', new Uint16Array(0), dims);
    else throw new UnsupportedModelError(`cache input "${name}" is ${type}; float32 or float16 expected`, { input: name });
  }
  return feeds;
}

/** Feeds that are the same for every window (EVAL.md step 4): mask of ones, positions 0..L−1, empty cache, extra feeds. */
export function fixedWindowFeeds(session: LmSession, options: Pick<PerplexityOptions, 'extraFeeds' | 'cacheShapes'> = {}): Record<string, Tensor> {
  const L = EVAL_PROTOCOL.windowLength;
  if (!session.inputNames.includes('input_ids')) {
    throw new UnsupportedModelError(`the model has no input_ids input (inputs: ${session.inputNames.join(', ')})`);
  }
  const fixed: Record<string, Tensor> = { ...emptyCacheFeeds(session, options), ...options.extraFeeds };
  if (session.inputNames.includes('attention_mask')) {
    fixed.attention_mask = new Tensor('int64', new BigInt64Array(L).fill(1n), [1, L]);
  }
  if (session.inputNames.includes('position_ids')) {
    fixed.position_ids = new Tensor('int64', BigInt64Array.from({ length: L }, (_, i) => BigInt(i)), [1, L]);
  }
  // Exports that can skip logits (onnxruntime-genai, Optimum): 0 keeps every position's.
  if (session.inputNames.includes('num_logits_to_keep')) fixed.num_logits_to_keep = new Tensor('int64', new BigInt64Array([0n]), []);
  return fixed;
}

/**
 * Sum over positions 0..L-2 of −log softmax(logits[p])[ids[p+1]], in float64.
 * `logits` holds L rows of `vocab` values; `ids` the window's L token ids.
 */
export function windowNll(logits: Float32Array, vocab: number, ids: ArrayLike<number>): number {
  const length = ids.length;
  let total = 0;
  for (let p = 0; p < length - 1; p++) {
    const row = p * vocab;
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) if (logits[row + v] > max) max = logits[row + v];
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp(logits[row + v] - max);
    const target = ids[p + 1];
    total += Math.log(sum) + max - logits[row + target];
  }
  return total;
}

/**
 * Evaluates `wikitext2-w256` perplexity of `session` on `tokenIds` (the whole evaluation text
 * encoded without special tokens, or a prefix of it holding at least W · 256 tokens).
 */
/** A NaN/Inf perplexity is an error, not a result: it names the first position whose logits are not finite. */
function nonFiniteLogits(logits: ArrayLike<number>, vocab: number, ids: Int32Array, window: number): ShapeError {
  let at = 0;
  while (at < logits.length && Number.isFinite(logits[at])) at++;
  const where = at < logits.length ? `at position ${Math.floor(at / vocab)} (token ${ids[Math.floor(at / vocab)]}), logit ${at % vocab} is ${logits[at]}` : 'the log-probabilities overflowed';
  return new ShapeError(
    `the model's output is not finite in window ${window + 1}: ${where}. A weight is NaN or infinite, or an activation overflowed (float16?); ` +
      'the per-layer errors show which tensor went wrong; keep it unquantized with a rule, or fix the source model',
    { window, position: Math.floor(at / vocab) },
  );
}

export async function evaluatePerplexity(
  session: LmSession,
  tokenIds: ArrayLike<number>,
  options: PerplexityOptions = {},
): Promise<PerplexityResult> {
  const L = EVAL_PROTOCOL.windowLength;
  const windows = options.windows ?? EVAL_PROTOCOL.defaultWindows;
  if (!Number.isInteger(windows) || windows < 1) {
    throw new UsageError(`windows must be a positive integer; got ${windows}`);
  }
  if (tokenIds.length < windows * L) {
    throw new ShapeError(
      `the evaluation text is too short: ${windows} windows of ${L} tokens need ${windows * L} tokens, ` +
        `but it encodes to ${tokenIds.length} (enough for ${Math.floor(tokenIds.length / L)} windows); use fewer windows or a longer text`,
      { tokens: tokenIds.length, windows },
    );
  }
  const fixed = fixedWindowFeeds(session, options);
  for (const [name, ref] of [['recordReference', options.recordReference], ['klReference', options.klReference]] as const) {
    if (ref && (ref.windows < windows || ref.positions !== L - 1)) {
      throw new ShapeError(`${name} holds ${ref.windows} windows of ${ref.positions} positions; this evaluation scores ${windows} of ${L - 1}`);
    }
  }
  const kl = { kl: 0, top1Same: 0, positions: 0 };

  const nllPerWindow: number[] = [];
  let total = 0;
  const start = performance.now();
  const ids = new Int32Array(L);
  for (let w = 0; w < windows; w++) {
    if (options.signal?.aborted) throw new CancelledError('Perplexity evaluation cancelled');
    const inputIds = new BigInt64Array(L);
    for (let i = 0; i < L; i++) {
      ids[i] = tokenIds[w * L + i];
      inputIds[i] = BigInt(ids[i]);
    }
    const { data, dims } = await session.run({ ...fixed, input_ids: new Tensor('int64', inputIds, [1, L]) });
    if (dims.length !== 3 || dims[0] !== 1 || dims[1] !== L || data.length !== L * dims[2]) {
      throw new UnsupportedModelError(
        `expected logits of shape [1, ${L}, vocab] (one row per input position); got [${dims.join(', ')}]`,
      );
    }
    const nll = windowNll(data, dims[2], ids);
    if (!Number.isFinite(nll)) throw nonFiniteLogits(data, dims[2], ids, w);
    if (options.recordReference) recordWindow(options.recordReference, w, data, dims[2]);
    if (options.klReference) {
      const s = windowKl(options.klReference, w, data, dims[2]);
      kl.kl += s.kl;
      kl.top1Same += s.top1Same;
      kl.positions += s.positions;
    }
    total += nll;
    nllPerWindow.push(nll / (L - 1));
    const elapsedMs = performance.now() - start;
    options.onProgress?.({
      windowsDone: w + 1,
      windowsTotal: windows,
      tokensPerSecond: ((w + 1) * L) / (elapsedMs / 1000),
      elapsedMs,
    });
  }
  if (options.signal?.aborted) throw new CancelledError('Perplexity evaluation cancelled');
  const elapsedMs = performance.now() - start;
  return {
    protocol: EVAL_PROTOCOL.id,
    ppl: Math.exp(total / (windows * (L - 1))),
    windows,
    windowLength: L,
    tokensScored: windows * (L - 1),
    tokensPerSecond: (windows * L) / (elapsedMs / 1000),
    elapsedMs,
    nllPerWindow,
    executionProvider: session.executionProvider,
    ...(options.klReference ? { kl: { mean: kl.kl / kl.positions, top1Agreement: kl.top1Same / kl.positions, topK: options.klReference.k } } : {}),
  };
}
