// The registered pruning methods, GPU against reference, on real weights with real calibration
// statistics (tiny-llama ONNX, [K, N]-stored MatMul weights, two windows of the bundled text):
// magnitude, Wanda and SparseGPT, unstructured and 2:4, and MLP channels, through the same WeightInput the
// pipeline hands them (Dawn through the `webgpu` package: SwiftShader here). Magnitude and Wanda
// agree bit for bit; SparseGPT's float32 solve agrees with the float64 reference in its mask to
// within a few flips and in its values to 1e-4 of the weight's scale.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PruneSpec } from '../../core/recipe';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { createNodeLmSession } from '../../eval/ort-node';
import { loadTokenizer } from '../../eval/tokenizer';
import { acquireNodeGpu } from '../../gpu/node-gpu';
import { gpuForTests } from '../../gpu/testing';
import { calibrate, type CalibrationStats } from '../calibration/calibrate';
import { openFixture } from '../exporters/testing/export-fixtures';
import type { OpenedModel } from '../open-model';
import { readWeight } from '../weights/read-weight';
import { selectChannels } from './mlp-channels';
import { pruneMethodOf } from './registry';

const { ctx, skipReason } = await gpuForTests(() => acquireNodeGpu());
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

const SPECS: PruneSpec[] = [
  { method: 'magnitude', sparsity: 0.5, scope: 'tensor' },
  { method: 'magnitude', sparsity: 0.6, scope: 'row' },
  { method: 'magnitude', pattern: '2:4', scope: 'tensor' },
  { method: 'wanda', sparsity: 0.5 },
  { method: 'wanda', pattern: '4:8' },
  { method: 'sparsegpt', sparsity: 0.5, damping: 0.01, blocksize: 128 },
  { method: 'sparsegpt', pattern: '2:4', damping: 0.01, blocksize: 64 },
];

describeWithFixtures('pruning methods, GPU against reference (tiny-llama)', [['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  let model: OpenedModel;
  let stats: CalibrationStats;
  let tokens: Int32Array;
  const layers = ['model.layers.1.self_attn.o_proj', 'model.layers.2.mlp.down_proj'];

  beforeAll(async () => {
    model = await openFixture('tiny-llama', 'onnx/model.onnx');
    const names = model.index.tensors.filter((t) => layers.includes(t.layer)).map((t) => t.name);
    const text = readFileSync(resolve(import.meta.dirname, '../../../public/eval/wikitext-2-valid-excerpt.txt'), 'utf8');
    tokens = loadTokenizer(await model.tokenizer!.read(0, model.tokenizer!.byteLength)).encode(text);
    stats = await calibrate(model, new Map(names.map((n) => [n, 'hessian'])), { windows: 2, tokens, textLabel: 'builtin', createSession: (b) => createNodeLmSession(b) });
  }, 120_000);

  (ctx ? it : it.skip)('calibration sums of squares are the same bits on the GPU as on the CPU', async () => {
    const names = model.index.tensors.filter((t) => layers.includes(t.layer)).map((t) => t.name);
    const needs = new Map(names.map((n) => [n, 'input-stats' as const]));
    const opts = { windows: 2, tokens, textLabel: 'builtin', createSession: (b: Uint8Array) => createNodeLmSession(b) };
    const gpu = await calibrate(model, needs, { ...opts, gpu: ctx! });
    const cpu = await calibrate(model, needs, opts);
    for (const n of names) expect([...gpu.get(n)!.sumSquares]).toEqual([...cpu.get(n)!.sumSquares]);
  }, 120_000);

  (ctx ? it : it.skip)('MLP channels: the same channels chosen and gathered on the GPU as by the reference', async () => {
    const block = 'model.layers.2.mlp';
    const names = model.index.tensors.filter((t) => t.layer.startsWith(`${block}.`));
    const downInfo = names.find((t) => t.layer.endsWith('down_proj'))!;
    const down = { ...(await readWeight(model, downInfo)), stats: stats.get(downInfo.name) };
    const keptGpu = await selectChannels(down, 288, ctx!);
    const keptRef = await selectChannels(down, 288);
    expect([...keptGpu]).toEqual([...keptRef]);
    const method = pruneMethodOf({ method: 'channels', sparsity: 0.25 });
    for (const info of names) {
      const input = { ...(await readWeight(model, info)), channels: keptRef };
      const gpu = await method.runGpu(ctx!, input, { method: 'channels', sparsity: 0.25 });
      const ref = await method.runRef(input, { method: 'channels', sparsity: 0.25 });
      expect([gpu.rows, gpu.cols]).toEqual(info.layer.endsWith('down_proj') ? [128, 288] : [288, 128]);
      expect([...new Uint32Array(gpu.values.buffer)], info.layer).toEqual([...new Uint32Array(ref.values.buffer)]);
      expect(gpu.relError).toBe(ref.relError);
    }
  }, 120_000);

  (ctx ? it : it.skip).each(SPECS.map((s) => [JSON.stringify(s), s] as const))('%s', async (_, spec) => {
    const method = pruneMethodOf(spec);
    for (const layer of layers) {
      const info = model.index.tensors.find((t) => t.layer === layer)!;
      const input = { ...(await readWeight(model, info)), stats: stats.get(info.name) };
      const gpu = await method.runGpu(ctx!, input, spec);
      const ref = await method.runRef(input, spec);
      expect([gpu.rows, gpu.cols]).toEqual([ref.rows, ref.cols]);
      if (spec.method !== 'sparsegpt') {
        expect([...new Uint32Array(gpu.values.buffer)], layer).toEqual([...new Uint32Array(ref.values.buffer)]);
        continue;
      }
      let flips = 0;
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < ref.values.length; i++) scale = Math.max(scale, Math.abs(ref.values[i]));
      for (let i = 0; i < ref.values.length; i++) {
        if ((gpu.values[i] === 0) !== (ref.values[i] === 0)) flips++;
        else worst = Math.max(worst, Math.abs(gpu.values[i] - ref.values[i]));
      }
      expect(flips / ref.values.length, `${layer} mask flips`).toBeLessThan(0.002);
      expect(worst / scale, `${layer} values`).toBeLessThan(1e-4);
    }
  }, 300_000);

  (ctx ? it : it.skip)('past a low binding limit: row cuts and 2:4 in GPU slices, a tensor-wide cut by the reference with a note', async () => {
    const info = model.index.tensors.find((t) => t.layer === 'model.layers.2.mlp.down_proj')!;
    const input = await readWeight(model, info);
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: (input.layout.cols * 4 * input.layout.rows) / 5 } };
    for (const spec of SPECS.filter((s) => s.method === 'magnitude')) {
      const method = pruneMethodOf(spec);
      const gpu = await method.runGpu(small, input, spec);
      const ref = await method.runRef(input, spec);
      expect([...new Uint32Array(gpu.values.buffer)], JSON.stringify(spec)).toEqual([...new Uint32Array(ref.values.buffer)]);
      const tensorWide = spec.method === 'magnitude' && spec.scope === 'tensor' && !spec.pattern;
      expect(gpu.notes ?? [], JSON.stringify(spec)).toEqual(tensorWide ? [expect.stringMatching(/^pruned by the CPU reference: its tensor-wide cut/)] : []);
    }
  }, 120_000);
});
