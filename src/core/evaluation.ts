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

export interface EvalReport {
  ppl: number;
  windows: number;
  tokensScored: number;
  tokensPerSecond: number;
  /** The execution provider that really ran ('webgpu' or 'wasm'), and why not WebGPU if not. */
  executionProvider: string;
  fallbackReason?: string;
  textSource: 'bundled' | 'user';
}
