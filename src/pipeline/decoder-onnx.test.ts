// The ONNX graph builder on the fixtures. On the same weights (the export's own initializers:
// small-llama's model.onnx holds the float32 weights its bfloat16 safetensors were rounded
// from) its logits match the PyTorch-exported model.onnx within 1e-4 relative, with and without
// a KV cache; built from model.safetensors, its perplexity reproduces docs/EVAL.md's reference
// values within 0.1 % and the studio's index reads it with the layers and roles of the export.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, expect, it } from 'vitest';
import { blobSink, concatChunks } from '../core/byte-sink';
import { bytesSource } from '../core/byte-source';
import { describeWithFixtures, fixturePath, fixtureSource } from '../core/testing/fixtures';
import { createNodeLmSession } from '../eval/ort-node';
import { evaluatePerplexity } from '../eval/perplexity';
import { loadTokenizer } from '../eval/tokenizer';
import { writeModelOnnx } from './decoder-onnx';
import { openModel } from './open-model';
import { type Forward, forward, maxRelativeDiff } from './testing/decoder-forward';

const MODELS = [
  { name: 'tiny-llama', w16: 57.9834, vocab: 4096 },
  { name: 'small-llama', w16: 94.0163, vocab: 8192 },
] as const;

/** The graph built from the fixture's `weights` file ('model.safetensors' or 'onnx/model.onnx') and its config.json. */
async function buildFromFixture(model: string, weights: string, float16 = false): Promise<Uint8Array> {
  const dir = ['models', model];
  const opened = await openModel([await fixtureSource(...dir, ...weights.split('/')), await fixtureSource(...dir, 'config.json')]);
  const sink = blobSink();
  const written = await writeModelOnnx(opened, sink, { float16 });
  const bytes = concatChunks(sink.chunks);
  expect(bytes.byteLength).toBe(written);
  return bytes;
}

const ids = (n: number, vocab: number) => Array.from({ length: n }, (_, i) => (i * 7919 + 13) % vocab);

for (const model of MODELS) {
  const files = [['models', model.name, 'model.safetensors'], ['models', model.name, 'config.json'], ['models', model.name, 'onnx', 'model.onnx']];
  describeWithFixtures(`ONNX graph builder on ${model.name}`, files, () => {
    let built: Uint8Array;
    let builtSession: ort.InferenceSession;
    let exported: ort.InferenceSession;
    const { vocab } = model;
    beforeAll(async () => {
      built = await buildFromFixture(model.name, 'model.safetensors');
      builtSession = await ort.InferenceSession.create(await buildFromFixture(model.name, 'onnx/model.onnx'), { executionProviders: ['cpu'] });
      exported = await ort.InferenceSession.create(fixturePath(...files[2]), { executionProviders: ['cpu'] });
    }, 120_000);

    it('has the inputs and outputs of the PyTorch export', () => {
      expect([...builtSession.inputNames].sort()).toEqual([...exported.inputNames].sort());
      expect([...builtSession.outputNames].sort()).toEqual([...exported.outputNames].sort());
      expect(builtSession.outputNames[0]).toBe('logits');
    });

    it('logits match the export within 1e-4 relative, without a cache and with one', async () => {
      const tokens = ids(48, vocab);
      const reference: Forward = await forward(exported, tokens);
      const whole = await forward(builtSession, tokens);
      console.log(`${model.name} built vs exported, no cache: ${maxRelativeDiff(whole.logits, reference.logits).toExponential(2)}`);
      expect(maxRelativeDiff(whole.logits, reference.logits)).toBeLessThan(1e-4);
      // Prefill 30 tokens, then 18 more one call on top of the cache, then one single token.
      const prefill = await forward(builtSession, tokens.slice(0, 30));
      const next = await forward(builtSession, tokens.slice(30, 47), prefill.present, 30);
      const last = await forward(builtSession, tokens.slice(47), next.present, 47);
      const cached = new Float32Array([...prefill.logits, ...next.logits, ...last.logits]);
      console.log(`${model.name} built with cache vs exported without: ${maxRelativeDiff(cached, reference.logits).toExponential(2)}`);
      expect(maxRelativeDiff(cached, reference.logits)).toBeLessThan(1e-4);
      // The export fed the same cache gives the same logits.
      const exportedNext = await forward(exported, tokens.slice(30, 47), prefill.present, 30);
      expect(maxRelativeDiff(next.logits, exportedNext.logits)).toBeLessThan(1e-4);
    });

    it('a left-padded batch of two gives each row its own logits', async () => {
      const tokens = ids(20, vocab);
      const alone = await forward(builtSession, tokens.slice(6));
      const batch = await forward(builtSession, [tokens, tokens.slice(6)], undefined, 0);
      const rows = batch.logits.length / 2;
      const padded = batch.logits.subarray(rows + 6 * vocab);
      expect(maxRelativeDiff(padded, alone.logits)).toBeLessThan(1e-4);
    });

    it(`W=16 perplexity reproduces ${model.w16} within 0.1 %`, async () => {
      const session = await createNodeLmSession(built);
      const tokenizer = loadTokenizer(readFileSync(fixturePath('models', model.name, 'tokenizer.json')));
      const tokens = tokenizer.encode(readFileSync(fixturePath('text', 'wikitext-2-test.txt'), 'utf8'));
      const result = await evaluatePerplexity(session, tokens, { windows: 16 });
      await session.release();
      console.log(`${model.name} built graph W=16 ppl ${result.ppl.toFixed(4)} (ref ${model.w16})`);
      expect(Math.abs(result.ppl / model.w16 - 1)).toBeLessThan(1e-3);
    }, 300_000);

    it('a float16 graph: half the bytes, float32 inputs and outputs, perplexity within 0.2 % of float32', async () => {
      const half = await buildFromFixture(model.name, 'model.safetensors', true);
      expect(half.byteLength / built.byteLength).toBeLessThan(0.51);
      const session = await ort.InferenceSession.create(half, { executionProviders: ['cpu'] });
      for (const m of session.inputMetadata) if (m.name.startsWith('past_key_values')) expect((m as { type: string }).type).toBe('float32');
      const tokens = ids(40, vocab);
      const prefill = await forward(session, tokens.slice(0, 25));
      const rest = await forward(session, tokens.slice(25), prefill.present, 25);
      const reference = await forward(builtSession, tokens);
      const diff = maxRelativeDiff(new Float32Array([...prefill.logits, ...rest.logits]), reference.logits);
      console.log(`${model.name} float16 graph (cached) vs float32: ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(2e-2);
      const lm = await createNodeLmSession(half);
      const tokenizer = loadTokenizer(readFileSync(fixturePath('models', model.name, 'tokenizer.json')));
      const text = tokenizer.encode(readFileSync(fixturePath('text', 'wikitext-2-test.txt'), 'utf8'));
      const ppl = (await evaluatePerplexity(lm, text, { windows: 16 })).ppl;
      await lm.release();
      console.log(`${model.name} float16 graph W=16 ppl ${ppl.toFixed(4)} (float32 ${model.w16})`);
      expect(Math.abs(ppl / model.w16 - 1)).toBeLessThan(2e-3);
    }, 300_000);

    it('the studio indexes it with the layers and roles of the export', async () => {
      const summary = (m: Awaited<ReturnType<typeof openModel>>) =>
        m.index.tensors.map((t) => `${t.layer} ${t.role} ${JSON.stringify(t.shape)} ${t.layout?.rows ?? ""}x${t.layout?.cols ?? ""}`).sort();
      const fromBuilt = await openModel([bytesSource(built, 'model.onnx')]);
      const fromExport = await openModel([await fixtureSource(...files[2])]);
      expect(summary(fromBuilt)).toEqual(summary(fromExport));
      expect(fromBuilt.index.architecture).toBe('llama');
    });
  });
}
