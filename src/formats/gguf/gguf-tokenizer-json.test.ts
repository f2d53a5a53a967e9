// A GGUF's vocabulary read back as tokenizer.json: on tiny-llama's GGUF (written by llama.cpp's
// converter) it tokenizes the evaluation text to exactly the ids of the model's own tokenizer.json;
// vocabularies it cannot read back are named.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath, fixtureSource } from '../../core/testing/fixtures';
import { loadTokenizer } from '../../eval/tokenizer';
import { gguf, type GgufMetadata } from './gguf-value';
import { openGguf } from './gguf-reader';
import { ggufTokenizerProblem, tokenizerJsonFromGguf } from './gguf-tokenizer-json';

const TINY = ['models', 'tiny-llama'];

describeWithFixtures('tokenizer.json from a GGUF', [[...TINY, 'gguf', 'model-f32.gguf'], [...TINY, 'tokenizer.json'], ['text', 'wikitext-2-test.txt']], () => {
  it("tokenizes wikitext-2 to the ids of the model's tokenizer.json", async () => {
    const file = await openGguf(await fixtureSource(...TINY, 'gguf', 'model-f32.gguf'));
    const fromGguf = loadTokenizer(new TextEncoder().encode(JSON.stringify(tokenizerJsonFromGguf(file.metadata))));
    const original = loadTokenizer(readFileSync(fixturePath(...TINY, 'tokenizer.json')));
    const text = readFileSync(fixturePath('text', 'wikitext-2-test.txt'), 'utf8').slice(0, 200_000);
    const [a, b] = [fromGguf.encode(text), original.encode(text)];
    expect(a.length).toBe(b.length);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });
});

it('names the vocabularies it cannot read back', () => {
  const m = (model: string, pre?: string): GgufMetadata => new Map([['tokenizer.ggml.model', gguf.string(model)], ...(pre ? [['tokenizer.ggml.pre', gguf.string(pre)] as const] : [])]);
  expect(ggufTokenizerProblem(new Map())).toBe('it holds no tokenizer (tokenizer.ggml.model)');
  expect(ggufTokenizerProblem(m('llama'))).toBe('its tokenizer is "llama" (only byte-level BPE, "gpt2", is read back yet)');
  expect(ggufTokenizerProblem(m('gpt2', 'qwen2'))).toBe('its pre-tokenizer is "qwen2" (only "gpt-2" is read back yet)');
  expect(() => tokenizerJsonFromGguf(m('gpt2', 'llama-bpe'))).toThrow('the GGUF\'s vocabulary cannot stand in for tokenizer.json: its pre-tokenizer is "llama-bpe"');
});
