// Calibration capture on the fixture ONNX graph as exported: one tap per distinct MatMul input
// (q/k/v share the input layernorm's output, gate/up the post-attention one), each window's
// activations of the right size, with progress; a text shorter than the windows, an embedding
// asked about, or a non-finite activation each get a clear message. (That the tapped values are
// the right ones is held by the quality tests: Wanda and SparseGPT need them to beat magnitude.)
import { readFile } from 'node:fs/promises';
import { Tensor } from 'onnxruntime-common';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath, fixtureSource } from '../core/testing/fixtures';
import { openModel } from '../pipeline/open-model';
import { activationTaps, calibrationGraph, captureActivations } from './activation-capture';
import type { LmSession } from './lm-session';
import { createNodeLmSession } from './ort-node';
import { loadTokenizer } from './tokenizer';

const TINY = ['models', 'tiny-llama'];

describeWithFixtures('activation capture (tiny-llama ONNX)', [[...TINY, 'onnx', 'model.onnx']], () => {
  it('taps each MatMul input once and hands out [256][K] activations per window', async () => {
    const model = await openModel([await fixtureSource(...TINY, 'onnx', 'model.onnx')]);
    const layer0 = model.index.tensors.filter((t) => t.role === 'matmul-weight' && t.layer.startsWith('model.layers.0.'));
    const taps = activationTaps(model.onnx!, model.index, layer0.map((t) => t.name));
    const byLayer = (w: string) => model.index.tensors.find((t) => t.name === w)!.layer.split('.').pop();
    expect(taps.map((t) => t.weights.map(byLayer))).toEqual([['q_proj', 'k_proj', 'v_proj'], ['o_proj'], ['gate_proj', 'up_proj'], ['down_proj']]);
    expect(taps.map((t) => t.cols)).toEqual([128, 128, 128, 384]);

    const ids = loadTokenizer(await readFile(fixturePath(...TINY, 'tokenizer.json'))).encode((await readFile(fixturePath('text', 'wikitext-2-valid.txt'), 'utf8')).slice(0, 8000));
    const session = await createNodeLmSession(await calibrationGraph(model.onnx!, taps));
    const seen: string[] = [];
    let progress = 0;
    const result = await captureActivations(session, ids, {
      windows: 2,
      taps,
      onProgress: (p) => (progress = p.windowsDone),
      onActivation: (tap, x, n) => {
        expect(x.length).toBe(n * tap.cols);
        expect(x.some((v) => v !== 0)).toBe(true);
        seen.push(tap.value);
      },
    });
    await session.release();
    expect(result).toEqual({ tokens: 512, windows: 2 });
    expect(progress).toBe(2);
    expect(seen).toHaveLength(8);

    await expect(captureActivations(await createNodeLmSession(await calibrationGraph(model.onnx!, taps)), ids.subarray(0, 300), { windows: 2, taps, onActivation: () => {} })).rejects.toThrow(
      'the calibration text is too short: 2 windows of 256 tokens need 512 tokens, but it encodes to 300 (enough for 1 windows); use fewer calibration windows or a longer text',
    );
    const embedding = model.index.tensors.find((t) => t.role === 'embedding')!;
    expect(() => activationTaps(model.onnx!, model.index, [embedding.name])).toThrow(/is not a MatMul\/Gemm weight, so it has no input activations to calibrate on/);
  });
});

it('names the window, token and channel of a non-finite activation', async () => {
  const tap = { value: 'x', cols: 4, weights: ['w.q', 'w.k'], elemType: 1 };
  const data = new Float32Array(256 * 4);
  data[2 * 4 + 3] = Number.NaN;
  const session: LmSession = {
    inputNames: ['input_ids'],
    outputNames: ['logits', 'x'],
    executionProvider: 'cpu',
    run: async () => ({ data: new Float32Array(0), dims: [] }),
    runOutputs: async (feeds) => {
      expect(feeds.input_ids).toBeInstanceOf(Tensor);
      return { x: { data, dims: [1, 256, 4] } };
    },
    release: async () => {},
  };
  await expect(captureActivations(session, new Int32Array(256), { windows: 1, taps: [tap], onActivation: () => {} })).rejects.toThrow(
    'calibration window 0: the input of w.q, w.k holds a non-finite value (NaN) at token 2, channel 3',
  );
});
