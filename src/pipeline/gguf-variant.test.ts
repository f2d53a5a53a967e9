// llama.cpp types in sweeps, held to llama.cpp itself: the weights a Q8_0/Q4_0 sweep point
// evaluates are the very tensors llama-quantize wrote into the fixture (bytes identical), the
// point's size is the exact GGUF size, and its perplexity runs through the one weights-as-inputs
// session.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { countingSink } from '../core/byte-sink';
import { describeWithFixtures, fixturePath, fixtureSource } from '../core/testing/fixtures';
import { createNodeLmSession } from '../eval/ort-node';
import { loadTokenizer } from '../eval/tokenizer';
import { openGguf, readGgufTensor } from '../formats/gguf/gguf-reader';
import { convertToGguf } from './convert/convert-gguf';
import { onnxWeights } from './convert/onnx-weights';
import { ggufTargetOf, ggufVariant } from './gguf-variant';
import { openModel } from './open-model';
import { VariantEvaluator } from './variant-evaluator';

const TINY = ['models', 'tiny-llama'];
const PURE = (t: string) => [...TINY, 'gguf', 'llama.cpp-quantized', `model-${t}-pure.gguf`];

describeWithFixtures('GGUF variants for sweeps (tiny-llama ONNX)', [[...TINY, 'onnx', 'model.onnx'], PURE('Q8_0'), PURE('Q4_0')], () => {
  it('evaluates exactly the tensors llama.cpp writes, with the exact GGUF size', async () => {
    const model = await openModel([await fixtureSource(...TINY, 'onnx', 'model.onnx')]);
    const inputs = {
      config: JSON.parse(await readFile(fixturePath(...TINY, 'config.json'), 'utf8')),
      tokenizer: JSON.parse(await readFile(fixturePath(...TINY, 'tokenizer.json'), 'utf8')),
    };
    const tokens = loadTokenizer(await readFile(fixturePath(...TINY, 'tokenizer.json'))).encode(
      (await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8')).slice(0, 40_000),
    );
    const evaluator = await VariantEvaluator.create(model, (bytes) => createNodeLmSession(bytes));
    try {
      const original = await evaluator.evaluate(tokens, [], { windows: 4 });
      let previous = original.ppl;
      for (const type of ['Q8_0', 'Q4_0']) {
        const variant = await ggufVariant(model, type, inputs);
        // Same size as the file a GGUF export of this point writes.
        const sink = countingSink();
        await convertToGguf(onnxWeights(model.onnx!, model.index, inputs.config), sink, { target: ggufTargetOf(type), ...inputs });
        expect(variant.bytes).toBe(sink.bytesWritten);
        // Every tensor quantized to the same type as in llama-quantize's --pure file has its bytes
        // (the default Q4_0 mix differs from --pure only in output.weight, which llama.cpp makes Q6_K,
        // or Q8_0 when its rows — 128 here — are not a multiple of 256).
        const reference = await openGguf(await fixtureSource(...PURE(type)));
        const ours = new Map<string, { type: string; bytes: Uint8Array; shape: readonly number[] }>();
        await convertToGguf(onnxWeights(model.onnx!, model.index, inputs.config), countingSink(), {
          target: ggufTargetOf(type),
          ...inputs,
          onTensorEncoded: (t) => ours.set(t.name, t),
        });
        const differentType: string[] = [];
        for (const t of reference.tensors.filter((x) => x.type.name !== 'F32')) {
          const mine = ours.get(t.name)!;
          if (mine.type !== type) {
            differentType.push(`${t.name}:${mine.type}`);
            continue;
          }
          expect(Buffer.compare(Buffer.from(mine.bytes), Buffer.from(await readGgufTensor(reference, t))), `${type} ${t.name}`).toBe(0);
        }
        expect(differentType).toEqual(type === 'Q4_0' ? ['output.weight:Q8_0'] : []);
        expect(variant.tensors.length).toBeGreaterThanOrEqual(29);
        const blockTyped = [...ours.values()].filter((t) => !/^(F32|F16|BF16)$/.test(t.type));
        const numel = blockTyped.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
        expect(variant.bitsPerWeight).toBeCloseTo((8 * blockTyped.reduce((n, t) => n + t.bytes.byteLength, 0)) / numel, 9);
        expect(variant.bitsPerWeight).toBeGreaterThanOrEqual(type === 'Q8_0' ? 8.5 : 4.5);
        const ppl = (await evaluator.evaluate(tokens, variant.weights, { windows: 4 })).ppl;
        expect(ppl).toBeGreaterThan(original.ppl * 0.999);
        expect(ppl).toBeGreaterThan(previous * 0.999); // fewer bits, no better
        previous = ppl;
      }
    } finally {
      await evaluator.release();
    }
  });
});
