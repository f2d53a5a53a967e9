// Evaluation state of the worker for one opened model: the tokenized evaluation text (bundled
// wikitext-2 excerpt or the user's own) and one weights-as-inputs session per execution
// provider, created on first use and reused for the original and every variant.
import { FormatError, MissingFileError } from '../core/errors';
import { createWebLmSession } from '../eval/ort-web';
import { EVAL_TEXT_EXCERPT_PATH, type PerplexityProgress } from '../eval/perplexity';
import { loadTokenizer } from '../eval/tokenizer';
import type { OpenedModel } from '../pipeline/open-model';
import type { GgufVariantInputs } from '../pipeline/gguf-variant';
import { VariantEvaluator } from '../pipeline/variant-evaluator';
import type { EvalBackend, EvalReport, EvalRequest } from './studio-api';

async function bundledText(): Promise<string> {
  const url = new URL(`${import.meta.env.BASE_URL}${EVAL_TEXT_EXCERPT_PATH}`, self.location.origin);
  const response = await fetch(url);
  if (!response.ok) throw new MissingFileError(`could not load the bundled evaluation text (${url.pathname}: HTTP ${response.status})`, url.pathname);
  return response.text();
}

/** Perplexity of the original model (no quantized entries) as the page sees it. */
export async function evaluateOriginal(
  evaluation: ModelEvaluation,
  request: EvalRequest,
  options: { signal?: AbortSignal; onProgress?: (p: PerplexityProgress) => void },
): Promise<EvalReport> {
  const tokens = await evaluation.tokenIds(request.text);
  const evaluator = await evaluation.evaluator(request.executionProvider);
  const r = await evaluator.evaluate(tokens, [], { windows: request.windows, ...options });
  return {
    ppl: r.ppl,
    windows: r.windows,
    tokensScored: r.tokensScored,
    tokensPerSecond: r.tokensPerSecond,
    executionProvider: r.executionProvider,
    fallbackReason: evaluator.fallbackReason,
    textSource: request.text ? 'user' : 'bundled',
  };
}

async function readJson(file: { read(o: number, n: number): Promise<Uint8Array>; byteLength: number; name: string }): Promise<unknown> {
  const text = new TextDecoder().decode(await file.read(0, file.byteLength));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`not valid JSON: ${(e as Error).message}`, 0, file.name);
  }
}

/** config.json and tokenizer.json of the model, parsed, when both came with it (GGUF conversion needs them). */
export async function ggufInputsOf(model: OpenedModel): Promise<GgufVariantInputs | undefined> {
  if (!model.config || !model.tokenizer) return undefined;
  return { config: (await readJson(model.config)) as Record<string, unknown>, tokenizer: await readJson(model.tokenizer) };
}

export class ModelEvaluation {
  private tokens = new Map<string, Promise<Int32Array>>();
  private evaluators = new Map<EvalBackend, Promise<VariantEvaluator>>();

  constructor(readonly model: OpenedModel) {}

  /** Token ids of the evaluation text (cached per text). */
  tokenIds(text?: string): Promise<Int32Array> {
    const key = text ?? '';
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
      throw new MissingFileError(
        `perplexity needs the model's tokenizer.json: drop it together with ${this.model.index.fileName}`,
        'tokenizer.json',
      );
    }
    const json = await tokenizerFile.read(0, tokenizerFile.byteLength);
    return loadTokenizer(json, {}, tokenizerFile.name).encode(text ?? (await bundledText()));
  }

  evaluator(backend: EvalBackend): Promise<VariantEvaluator> {
    let e = this.evaluators.get(backend);
    if (!e) {
      e = VariantEvaluator.create(this.model, (bytes) => createWebLmSession(bytes, { executionProvider: backend }));
      this.evaluators.set(backend, e);
      e.catch(() => this.evaluators.delete(backend));
    }
    return e;
  }

  async release(): Promise<void> {
    for (const e of this.evaluators.values()) await (await e.catch(() => null))?.release();
    this.evaluators.clear();
  }
}
