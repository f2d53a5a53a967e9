// docs/EVAL.md reference perplexities reproduced with onnxruntime-node (CPU) on the fixtures.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CancelledError } from '../core/errors';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import type { LmSession } from './lm-session';
import { createNodeLmSession } from './ort-node';
import { evaluatePerplexity, type PerplexityProgress } from './perplexity';
import { loadTokenizer } from './tokenizer';

/** docs/EVAL.md: reference values for the unmodified fp32 weights. */
const MODELS = [
  { name: 'tiny-llama', w64: 61.1523, w16: 57.9834 },
  { name: 'small-llama', w64: 100.7025, w16: 94.0163 },
] as const;
const TOLERANCE = 1e-3; // "correct when it reproduces these within 0.1 %"

for (const model of MODELS) {
  const files = [
    ['models', model.name, 'onnx', 'model.onnx'],
    ['models', model.name, 'tokenizer.json'],
    ['text', 'wikitext-2-test.txt'],
  ];
  describeWithFixtures(`perplexity ${model.name} (onnxruntime-node, CPU)`, files, () => {
    let session: LmSession;
    let tokens: Int32Array;
    beforeAll(async () => {
      session = await createNodeLmSession(fixturePath(...files[0]));
      tokens = loadTokenizer(readFileSync(fixturePath(...files[1]))).encode(readFileSync(fixturePath(...files[2]), 'utf8'));
    });
    afterAll(() => session?.release());

    let w16: number[] = [];
    it(`W=16 reproduces ${model.w16} within 0.1 %`, async () => {
      const progress: PerplexityProgress[] = [];
      const result = await evaluatePerplexity(session, tokens, { windows: 16, onProgress: (p) => progress.push(p) });
      console.log(`${model.name} W=16 ppl ${result.ppl.toFixed(4)} (ref ${model.w16}), ${result.tokensPerSecond.toFixed(0)} tok/s`);
      expect(Math.abs(result.ppl / model.w16 - 1)).toBeLessThan(TOLERANCE);
      expect(result.tokensScored).toBe(16 * 255);
      expect(result.executionProvider).toBe('cpu');
      expect(progress.map((p) => p.windowsDone)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      expect(progress.every((p) => p.windowsTotal === 16 && p.tokensPerSecond > 0)).toBe(true);
      w16 = result.nllPerWindow;
    });

    it(`W=64 reproduces ${model.w64} within 0.1 %`, async () => {
      const result = await evaluatePerplexity(session, tokens, { windows: 64 });
      console.log(`${model.name} W=64 ppl ${result.ppl.toFixed(4)} (ref ${model.w64}), ${result.tokensPerSecond.toFixed(0)} tok/s`);
      expect(Math.abs(result.ppl / model.w64 - 1)).toBeLessThan(TOLERANCE);
      // Windows are independent: the first 16 are those of the W=16 run.
      if (w16.length) expect(result.nllPerWindow.slice(0, 16)).toEqual(w16);
    });

    it('stops with CancelledError after the window during which it was aborted', async () => {
      const controller = new AbortController();
      let windowsDone = 0;
      const run = evaluatePerplexity(session, tokens, {
        windows: 16,
        signal: controller.signal,
        onProgress: (p) => {
          windowsDone = p.windowsDone;
          controller.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      expect(windowsDone).toBe(1);
    });
  });
}

it('names a missing model file', async () => {
  await expect(createNodeLmSession('/nonexistent/model.onnx')).rejects.toThrow('model file not found: /nonexistent/model.onnx');
});
