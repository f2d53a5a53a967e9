// Perplexity-evaluation throughput, runtime-neutral: bench/eval.ts runs it on onnxruntime-node;
// a browser page (Playwright) can run the same cases with createWebLmSession and print the same table.
import type { LmSession } from './lm-session';
import { evaluatePerplexity } from './perplexity';

export interface EvalBenchCase {
  model: string;
  /** 'onnxruntime-node', 'onnxruntime-web', … */
  runtime: string;
  /** Opens a fresh session (timed as session creation). */
  open(): Promise<LmSession>;
  /** The evaluation text's token ids (at least windows · 256). */
  tokens: ArrayLike<number>;
}

export interface EvalBenchRow {
  model: string;
  runtime: string;
  executionProvider: string;
  windows: number;
  sessionCreateMs: number;
  /** The first window alone (allocations, shader compilation), not counted below. */
  warmupMs: number;
  msPerWindow: number;
  /** Input tokens per second over the timed windows. */
  tokensPerSecond: number;
  /** The protocol's perplexity at this W (a check that the runtime computes the right thing). */
  ppl: number;
}

/** Opens the session, runs the first window once to warm up, then times windows 0..W-1. */
export async function runEvalBench(c: EvalBenchCase, windows: number): Promise<EvalBenchRow> {
  const t0 = performance.now();
  const session = await c.open();
  const sessionCreateMs = performance.now() - t0;
  try {
    const warm = await evaluatePerplexity(session, c.tokens, { windows: 1 });
    const timed = await evaluatePerplexity(session, c.tokens, { windows });
    return {
      model: c.model,
      runtime: c.runtime,
      executionProvider: session.executionProvider,
      windows,
      sessionCreateMs,
      warmupMs: warm.elapsedMs,
      msPerWindow: timed.elapsedMs / windows,
      tokensPerSecond: timed.tokensPerSecond,
      ppl: timed.ppl,
    };
  } finally {
    await session.release();
  }
}

/** A fixed-width text table of bench rows. */
export function formatEvalBenchTable(rows: readonly EvalBenchRow[]): string {
  const header = ['model', 'runtime', 'EP', 'W', 'session ms', 'warm-up ms', 'ms/window', 'tokens/s', 'ppl'];
  const cells = rows.map((r) => [
    r.model,
    r.runtime,
    r.executionProvider,
    String(r.windows),
    r.sessionCreateMs.toFixed(0),
    r.warmupMs.toFixed(0),
    r.msPerWindow.toFixed(1),
    r.tokensPerSecond.toFixed(0),
    r.ppl.toFixed(4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < 3 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
