// The bench routine and its table, on a scripted session (bench/eval.ts runs it on the fixtures).
import { describe, expect, it } from 'vitest';
import { formatEvalBenchTable, runEvalBench } from './eval-bench';
import type { LmSession } from './lm-session';

function uniformSession(vocab: number, runs: { count: number; released: boolean }): LmSession {
  return {
    inputNames: ['input_ids'],
    outputNames: ['logits'],
    executionProvider: 'fake',
    async run() {
      runs.count++;
      return { data: new Float32Array(256 * vocab), dims: [1, 256, vocab] };
    },
    async runOutputs() {
      throw new Error('the benchmark reads no other outputs');
    },
    async release() {
      runs.released = true;
    },
  };
}

describe('runEvalBench', () => {
  it('warms up on one window, times W windows, releases the session and formats a table', async () => {
    const runs = { count: 0, released: false };
    const row = await runEvalBench(
      { model: 'm', runtime: 'fake-rt', tokens: new Int32Array(4 * 256), open: async () => uniformSession(8, runs) },
      3,
    );
    expect(runs).toEqual({ count: 4, released: true });
    expect(row).toMatchObject({ model: 'm', runtime: 'fake-rt', executionProvider: 'fake', windows: 3 });
    expect(row.ppl).toBeCloseTo(8, 10);
    expect(row.tokensPerSecond).toBeGreaterThan(0);
    const table = formatEvalBenchTable([row]).split('\n');
    expect(table[0]).toMatch(/^model\s+runtime\s+EP\s+W\s+session ms\s+warm-up ms\s+ms\/window\s+tokens\/s\s+ppl$/);
    expect(table[2]).toMatch(/^m\s+fake-rt\s+fake\s+3\s/);
    expect(table[2].endsWith('8.0000')).toBe(true);
  });
});
