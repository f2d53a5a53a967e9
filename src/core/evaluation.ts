// Perplexity requests and reports (docs/EVAL.md `wikitext2-w256`) as the page, the worker and
// the CLI exchange them.

/** The one perplexity protocol (docs/EVAL.md); calibration runs the same windows on its own text. */
export const EVAL_PROTOCOL = {
  id: 'wikitext2-w256',
  /** Tokens per window (L). */
  windowLength: 256,
  /** Windows of the reference number (W); fewer make a quick evaluation, shown as "W=16". */
  referenceWindows: 64,
  defaultWindows: 16,
} as const;

export type EvalBackend = 'webgpu' | 'wasm' | 'auto';

export interface EvalRequest {
  windows: number;
  executionProvider: EvalBackend;
  /** The user's own evaluation text; default: the bundled wikitext-2 excerpt. */
  text?: string;
}

export interface EvalProgress {
  windowsDone: number;
  windowsTotal: number;
  tokensPerSecond: number;
  elapsedMs: number;
}

/** Tokens of the original's next-token distribution kept per position for KL divergence (eval/kl-divergence.ts). */
export const KL_TOP_K = 32;

/** How the studio's KL figure is made, for the page and the notes. */
export const KL_METHOD_NOTE =
  `KL divergence of the variant's next-token distribution from the original's, mean over the scored positions of the same windows; ` +
  `the original's distribution is kept as its ${KL_TOP_K} most likely tokens per position with the rest lumped into one outcome ` +
  `(W·255·${KL_TOP_K} entries instead of W·255·vocabulary), which can only lower KL: a lower bound, exact where the top ${KL_TOP_K} hold all the mass. ` +
  'Top-1 agreement: the share of positions whose most likely token is the original\'s.';

/** KL(original ‖ variant) figures (llama.cpp's --kl-divergence reports the same two). */
export interface KlFigures {
  /** Mean over positions, nats. */
  mean: number;
  /** Share of positions whose most likely token is the original's. */
  top1Agreement: number;
  /** Original tokens kept per position. */
  topK: number;
}

export interface EvalReport {
  ppl: number;
  /** For a variant: its KL divergence from the original over the same windows. */
  kl?: KlFigures;
  windows: number;
  tokensScored: number;
  tokensPerSecond: number;
  /** The execution provider that really ran ('webgpu' or 'wasm'), and why not WebGPU if not. */
  executionProvider: string;
  fallbackReason?: string;
  textSource: 'bundled' | 'user';
}

/** What an evaluation scores: the original, the last compressed result, or a finished sweep point. */
export type EvalSubject = 'original' | 'result' | 'point';

/**
 * One finished evaluation as the history keeps it (results accumulate: none replaces another),
 * per model content key.
 */
export interface EvaluationRecord {
  id: string;
  modelKey: string;
  /** When it finished (ms since the epoch). */
  at: number;
  subject: EvalSubject;
  /** What was scored, for people: "original", "result model-q4-b32-asym.onnx", "sweep point rtn 4-bit/32 asym · all-matmuls". */
  label: string;
  /** The recipe a result or point ran (core/recipe-id.ts). */
  recipeId?: string;
  report: EvalReport;
  /** Why it is not in the history (storage full); the page still shows it. */
  notSaved?: string;
}
