// Tokenizer ids against docs/EVAL.md's token counts, and the shipped excerpt against the full text.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../core/errors';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { EVAL_PROTOCOL } from '../core/evaluation';
import { EVAL_TEXT_EXCERPT_PATH } from './perplexity';
import { loadTokenizer } from './tokenizer';

const EXCERPT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../public', EVAL_TEXT_EXCERPT_PATH);
const TEXT = ['text', 'wikitext-2-test.txt'];
const MODELS = [
  { name: 'tiny-llama', tokens: 380_884 },
  { name: 'small-llama', tokens: 337_856 },
] as const;

describe('loadTokenizer', () => {
  it('rejects text that is not JSON with a FormatError naming the file', () => {
    expect(() => loadTokenizer('{"model": ', {}, 'my-tokenizer.json')).toThrow(FormatError);
    expect(() => loadTokenizer('{"model": ', {}, 'my-tokenizer.json')).toThrow(/my-tokenizer\.json: not valid JSON/);
  });

  it('rejects JSON that is not a tokenizer.json', () => {
    expect(() => loadTokenizer('{"vocab": {}}')).toThrow(/expected a Hugging Face tokenizer\.json/);
  });
});

for (const model of MODELS) {
  const tokenizerPath = ['models', model.name, 'tokenizer.json'];
  describeWithFixtures(`tokenizer ${model.name} on wikitext-2 test`, [tokenizerPath, TEXT], () => {
    it(`encodes the whole text to ${model.tokens} tokens (EVAL.md), and the shipped excerpt to the same first W=64 windows`, () => {
      const tokenizer = loadTokenizer(readFileSync(fixturePath(...tokenizerPath)));
      const full = tokenizer.encode(readFileSync(fixturePath(...TEXT), 'utf8'));
      expect(full.length).toBe(model.tokens);

      const needed = EVAL_PROTOCOL.referenceWindows * EVAL_PROTOCOL.windowLength;
      const excerpt = tokenizer.encode(readFileSync(EXCERPT, 'utf8'));
      expect(excerpt.length).toBeGreaterThanOrEqual(needed * 1.2); // margin for other tokenizers
      const firstDiff = full.subarray(0, needed).findIndex((id, i) => id !== excerpt[i]);
      expect(firstDiff).toBe(-1);
    });

    it('adds no special tokens', () => {
      const tokenizer = loadTokenizer(readFileSync(fixturePath(...tokenizerPath), 'utf8'));
      const ids = tokenizer.encode('Hello world');
      expect(ids.length).toBeGreaterThan(0);
      expect(ids[0]).not.toBe(0); // id 0 is <|endoftext|> (BOS/EOS) in both fixtures
      expect(tokenizer.vocabSize).toBeGreaterThan(1000);
    });
  });
}
