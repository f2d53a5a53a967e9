// Evaluation of one opened model, for the page's worker: the tokenized evaluation text (bundled
// wikitext-2 excerpt or the user's own, cached per text) and one weights-as-inputs session per
// execution provider, created on first use and reused for the original and every variant.
// The runtime and the bundled text come from the caller (the worker), so this stays one place
// for evaluation whatever runs it.
import type { ByteSource } from '../core/byte-source';
import type { EvalBackend, EvalReport, EvalRequest } from '../core/evaluation';
import { MissingFileError, UsageError } from '../core/errors';
import type { LmSession } from './lm-session';
import type { PerplexityProgress } from './perplexity';
import { checkFitsOrtWeb } from '../core/evaluation-memory';
import { loadTokenizer } from './tokenizer';
import { type EvaluatedModel, VariantEvaluator, type VariantWeight } from './variant-evaluator';

/** The token cache's key for the bundled text (own texts are keyed `user:<text>`). */
const BUNDLED = 'bundled';

export interface EvaluationRuntime {
  /** Opens a session on model bytes with the chosen execution provider. */
  createSession(modelBytes: Uint8Array, backend: EvalBackend): Promise<LmSession>;
  /** The bundled evaluation text. */
  bundledText(): Promise<string>;
  /** The runtime's memory cap (onnxruntime-web's WebAssembly heap), checked before a session opens; absent: none. */
  heapBytes?: number;
}

export class ModelEvaluation {
  private tokens = new Map<string, Promise<Int32Array>>();
  private evaluators = new Map<EvalBackend, Promise<VariantEvaluator>>();

  constructor(
    readonly model: EvaluatedModel & { tokenizer?: ByteSource },
    private readonly runtime: EvaluationRuntime,
  ) {}

  /** Token ids of the evaluation text: the bundled one when `text` is undefined (cached per text). */
  tokenIds(text?: string): Promise<Int32Array> {
    const key = text === undefined ? BUNDLED : `user:${text}`;
    let ids = this.tokens.get(key);
    if (!ids) {
      ids = this.encode(text);
      this.tokens.set(key, ids);
      ids.catch(() => this.tokens.delete(key));
    }
    return ids;
  }

  private async encode(text?: string): Promise<Int32Array> {
    const tokenizerFile = this.model.tokenizer;
    if (!tokenizerFile) {
      throw new MissingFileError(`perplexity needs the model's tokenizer.json: drop it together with ${this.model.index.fileName}`, 'tokenizer.json');
    }
    // An empty own text is refused, not replaced by the bundled one behind the person's back.
    if (text !== undefined && text.trim() === '') throw new UsageError('your own evaluation text is empty: paste or pick a text, or choose the bundled WikiText-2');
    const json = await tokenizerFile.read(0, tokenizerFile.byteLength);
    return loadTokenizer(json, {}, tokenizerFile.name).encode(text ?? (await this.runtime.bundledText()));
  }

  evaluator(backend: EvalBackend): Promise<VariantEvaluator> {
    let e = this.evaluators.get(backend);
    if (!e) {
      const { heapBytes } = this.runtime;
      if (heapBytes !== undefined) {
        try {
          checkFitsOrtWeb(this.model.index, heapBytes);
        } catch (error) {
          return Promise.reject(error);
        }
      }
      e = VariantEvaluator.create(this.model, (bytes) => this.runtime.createSession(bytes, backend));
      this.evaluators.set(backend, e);
      e.catch(() => this.evaluators.delete(backend));
    }
    return e;
  }

  /** Perplexity of a variant (no weights: the original model) as the page reports it. */
  async evaluate(
    request: EvalRequest,
    weights: readonly VariantWeight[],
    options: { signal?: AbortSignal; onProgress?: (p: PerplexityProgress) => void },
  ): Promise<EvalReport> {
    const tokens = await this.tokenIds(request.text);
    const evaluator = await this.evaluator(request.executionProvider);
    const r = await evaluator.evaluate(tokens, weights, { windows: request.windows, ...options });
    return {
      ppl: r.ppl,
      ...(r.kl ? { kl: r.kl } : {}),
      windows: r.windows,
      tokensScored: r.tokensScored,
      tokensPerSecond: r.tokensPerSecond,
      executionProvider: r.executionProvider,
      fallbackReason: evaluator.fallbackReason,
      textSource: request.text !== undefined ? 'user' : 'bundled',
    };
  }

  async release(): Promise<void> {
    for (const e of this.evaluators.values()) await (await e.catch(() => null))?.release();
    this.evaluators.clear();
  }
}
