// Evaluation's memory check (core/evaluation-memory.ts) as the page's worker uses it: ModelEvaluation
// with onnxruntime-web's heap cap refuses a model past it before opening a session, and runs one
// within it; the estimate's parts add up to the model's tensors. Run here on onnxruntime-node with
// tiny-llama and a cap set around its figure; plus the figure for a Llama-3.1-8B-shaped index.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluationMemory, evaluationWeightInputs, ORT_WEB_HEAP_BYTES, ortWebMemoryProblem } from '../core/evaluation-memory';
import { OutOfMemoryError } from '../core/errors';
import type { ModelIndex, TensorInfo } from '../core/model-index';
import { describeWithFixtures } from '../core/testing/fixtures';
import { openFixture } from '../pipeline/exporters/testing/export-fixtures';
import type { OpenedModel } from '../pipeline/open-model';
import { ModelEvaluation } from './model-evaluation';
import { createNodeLmSession } from './ort-node';

const bundledText = async () => readFileSync(resolve(import.meta.dirname, '../../public/eval/wikitext-2-valid-excerpt.txt'), 'utf8');

describeWithFixtures('evaluation memory check (tiny-llama)', [['models', 'tiny-llama', 'onnx', 'model.onnx'], ['models', 'tiny-llama', 'tokenizer.json']], () => {
  let model: OpenedModel;
  beforeAll(async () => {
    model = await openFixture('tiny-llama', 'onnx/model.onnx');
  });

  it('the estimate covers every tensor once: the fed weights plus those left in the graph', () => {
    const m = evaluationMemory(model.index);
    const all = model.index.tensors.reduce((n, t) => n + t.byteLength, 0);
    expect(m.inputBytes + m.graphBytes).toBe(all);
    expect(m.inputBytes).toBe(evaluationWeightInputs(model.index).reduce((n, t) => n + t.byteLength, 0));
    expect(m.inputBytes).toBeGreaterThan(0.9 * all);
    expect(m.totalBytes).toBe(all + m.workingBytes);
    expect(ortWebMemoryProblem(model.index)).toBeUndefined();
  });

  it('past the cap: refused before a session opens, with the figures and what to do; at the cap it runs', async () => {
    const total = evaluationMemory(model.index).totalBytes;
    let sessions = 0;
    const runtime = (heapBytes: number) => ({ createSession: (b: Uint8Array) => (sessions++, createNodeLmSession(b)), bundledText, heapBytes });
    const refused = new ModelEvaluation(model, runtime(total - 1));
    const err = await refused.evaluate({ windows: 1, executionProvider: 'wasm' }, [], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect((err as Error).message).toMatch(/^evaluating model\.onnx needs about \d+\.\d GB of onnxruntime-web's memory .* with WebGPU too, .*npx studio eval/);
    expect(sessions).toBe(0);
    const runs = new ModelEvaluation(model, runtime(total));
    const report = await runs.evaluate({ windows: 1, executionProvider: 'wasm' }, [], {});
    expect(report.ppl).toBeGreaterThan(1);
    expect(sessions).toBe(1);
    await runs.release();
  }, 60_000);
});

describe('evaluation memory of a Llama-3.1-8B-shaped model (bf16 → f16 ONNX)', () => {
  it('is over onnxruntime-web’s heap, and says so', () => {
    const tensor = (name: string, role: TensorInfo['role'], shape: number[]): TensorInfo => {
      const numel = shape.reduce((a, b) => a * b, 1);
      const layout = shape.length === 2 ? { rows: shape[1], cols: shape[0], rowStride: 1, colStride: shape[1] } : undefined;
      return { name, layer: name, role, dtype: 'f16', shape, numel, byteLength: 2 * numel, ...(layout ? { layout } : {}) };
    };
    const tensors: TensorInfo[] = [tensor('embed', 'embedding', [128256, 4096]), tensor('lm_head', 'matmul-weight', [4096, 128256])];
    for (let l = 0; l < 32; l++) {
      for (const [n, shape] of [['q', [4096, 4096]], ['k', [4096, 1024]], ['v', [4096, 1024]], ['o', [4096, 4096]], ['gate', [4096, 14336]], ['up', [4096, 14336]], ['down', [14336, 4096]]] as const) {
        tensors.push(tensor(`l${l}.${n}`, 'matmul-weight', [...shape]));
      }
      tensors.push(tensor(`l${l}.norm1`, 'norm', [4096]), tensor(`l${l}.norm2`, 'norm', [4096]));
    }
    const index = { format: 'onnx', fileName: 'model.onnx', tensors } as unknown as ModelIndex;
    const m = evaluationMemory(index);
    expect((m.inputBytes + m.graphBytes) / 2).toBe(8_030_261_248 - 4096); // Llama-3.1-8B's parameters in f16, less the final norm left out here
    expect(m.totalBytes).toBeGreaterThan(ORT_WEB_HEAP_BYTES);
    expect(ortWebMemoryProblem(index)).toMatch(/needs about 16\.\d GB .* more than the 4\.3 GB/);
  });
});
