// The plan warns about its source: re-quantizing a GGUF that llama.cpp already quantized (also
// through the graph built from it), and an output larger than the input; a plain quantization of
// a float model carries neither warning.
import { expect, it } from 'vitest';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { writeModelOnnx } from '../decoder-onnx';
import { blobSink } from '../../core/byte-sink';
import { blobSource } from '../../core/byte-source';
import { fixtureContext, openFixture } from '../exporters/testing/export-fixtures';
import { openModel } from '../open-model';
import { parseRecipe } from './parse-recipe';
import { resolveRecipe } from './resolve-recipe';

const Q8 = 'gguf/llama.cpp-quantized/model-Q8_0-pure.gguf';
const QUANTIZE = { recipe: 1, rules: [{ match: '.*', role: 'matmul-weight', quantize: { method: 'rtn', bits: 4, group: 32 } }] };

describeWithFixtures('plan warnings about the source', [['models', 'tiny-llama', ...Q8.split('/')], ['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  it('re-quantizing llama.cpp\'s Q8_0 tensors says so; a float conversion of them says the output is larger', async () => {
    const m = await openFixture('tiny-llama', Q8);
    const again = (await resolveRecipe(m, parseRecipe({ recipe: 1, rules: [], preset: 'Q4_0', pure: true }), 'gguf', await fixtureContext(m, 'tiny-llama'))).plan;
    expect(again.notes.join('\n')).toMatch(/\d+ tensors are already quantized in model-Q8_0-pure\.gguf \(Q8_0\): quantizing again adds new rounding error to the old/);
    const f32 = (await resolveRecipe(m, parseRecipe({ recipe: 1, rules: [], dtype: 'f32' }), 'gguf', await fixtureContext(m, 'tiny-llama'))).plan;
    expect(f32.notes.join('\n')).toMatch(/the output \([\d.]+ MiB\) is larger than model-Q8_0-pure\.gguf \([\d.]+ MiB\)/);
  });

  it('the graph built from that GGUF carries the warning for ONNX output', async () => {
    const gguf = await openFixture('tiny-llama', Q8);
    const sink = blobSink();
    await writeModelOnnx(gguf, sink);
    const built = await openModel([blobSource(sink.toBlob(), 'model.onnx')]);
    const graph = { ...built, builtFrom: gguf.index };
    const plan = (await resolveRecipe(graph, parseRecipe(QUANTIZE), 'onnx')).plan;
    expect(plan.notes.join('\n')).toContain('tensors are already quantized in model-Q8_0-pure.gguf (Q8_0)');
  });

  it('quantizing a float model warns of neither', async () => {
    const m = await openFixture('tiny-llama', 'onnx/model.onnx');
    const plan = (await resolveRecipe(m, parseRecipe(QUANTIZE), 'onnx')).plan;
    expect(plan.notes.filter((n) => /already quantized|is larger than/.test(n))).toEqual([]);
  });
});
