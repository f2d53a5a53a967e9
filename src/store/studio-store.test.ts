// The store against a fake worker client: loads, runs, cancels and failures keep what was done.
import { beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, FormatError } from '../core/errors';
import { summarizeTensors, type ModelIndex, type TensorInfo } from '../core/model-index';
import type { QuantizeReport, StudioApi } from '../workers/studio-api';
import type { StudioClient } from '../workers/studio-client';
import { progressStore } from './progress-store';
import { setStudioClient } from './studio-client';
import { useStudioStore } from './studio-store';

const initial = useStudioStore.getState();

function tensor(name: string, layer: string, role: TensorInfo['role'], shape: number[]): TensorInfo {
  const numel = shape.reduce((a, b) => a * b, 1);
  return { name, layer, role, dtype: 'f32', shape, numel, byteLength: 4 * numel };
}

function index(fileName: string): ModelIndex {
  const tensors = [
    tensor('emb', 'model.embed_tokens', 'embedding', [16, 8]),
    tensor('w0', 'model.layers.0.mlp.up_proj', 'matmul-weight', [8, 32]),
    tensor('w1', 'model.layers.0.self_attn.q_proj', 'matmul-weight', [8, 8]),
    tensor('head', 'lm_head', 'matmul-weight', [8, 16]),
  ];
  return { format: 'onnx', fileName, fileBytes: 1234, architecture: 'llama', tensors, ...summarizeTensors(tensors) };
}

function report(bits: 2 | 3 | 4 | 8): QuantizeReport {
  return { inputBytes: 1234, outputBytes: 400, bitsPerWeight: bits + 1, tensors: [], durationMs: 5, scheme: { bits, symmetric: false, blockSize: 32 } };
}

/** A fake client whose behaviour each test sets. */
function fakeClient(api: Partial<StudioApi>): StudioClient {
  return api as unknown as StudioClient;
}

const file = (name: string) => new File([new Uint8Array(4)], name);

beforeEach(() => {
  useStudioStore.setState(initial, true);
  setStudioClient(null);
});

describe('studio store', () => {
  it('opens files, then keeps model and result when a later open fails', async () => {
    setStudioClient(fakeClient({
      open: async (files) => ({ index: index(files[0].name), files: files.map((f) => f.name), hasTokenizer: false, modelKey: files[0].name }),
      quantize: async () => report(4),
    }));
    await useStudioStore.getState().openFiles([file('a.onnx'), file('README.md')]);
    expect(useStudioStore.getState().model?.files).toEqual(['a.onnx']);
    await useStudioStore.getState().quantize();
    expect(useStudioStore.getState().report?.scheme.bits).toBe(4);

    setStudioClient(fakeClient({ open: async () => Promise.reject(new FormatError('file is truncated', 10, 'b.onnx')) }));
    await useStudioStore.getState().openFiles([file('b.onnx')]);
    const s = useStudioStore.getState();
    expect(s.notice).toMatchObject({ step: 'load', code: 'format', file: 'b.onnx' });
    expect(s.model?.index.fileName).toBe('a.onnx');
    expect(s.report?.scheme.bits).toBe(4);
    expect(s.loadStatus).toBe('idle');
  });

  it('a cancelled run keeps the previous report and reports "cancelled"', async () => {
    let release: (() => void) | null = null;
    setStudioClient(fakeClient({
      open: async () => ({ index: index('m.onnx'), files: ['m.onnx'], hasTokenizer: true, modelKey: 'm' }),
      quantize: async (_request, onProgress) => {
        if (!release) return report(8);
        onProgress({ tensorsDone: 1, tensorsTotal: 3, bytesDone: 10, bytesTotal: 30, elapsedMs: 1, currentTensor: 'w0' });
        await new Promise<void>((resolve) => (release = resolve));
        throw new CancelledError();
      },
      cancel: () => release?.(),
    }));
    await useStudioStore.getState().openFiles([file('m.onnx')]);
    await useStudioStore.getState().quantize();
    expect(useStudioStore.getState().report?.scheme.bits).toBe(8);

    release = () => {};
    useStudioStore.getState().setBits(2);
    const run = useStudioStore.getState().quantize();
    await Promise.resolve();
    expect(useStudioStore.getState().jobStatus).toBe('running');
    await new Promise((r) => setTimeout(r, 0));
    expect(progressStore.getState().progress?.tensorsDone).toBe(1);
    useStudioStore.getState().cancelQuantize();
    await run;
    const s = useStudioStore.getState();
    expect(s.jobStatus).toBe('idle');
    expect(s.notice?.code).toBe('cancelled');
    expect(s.report?.scheme.bits).toBe(8);
    expect(progressStore.getState().progress).toBeNull();
  });

  it('does not quantize without a model, nor open while a run is going', async () => {
    await useStudioStore.getState().quantize();
    expect(useStudioStore.getState().jobStatus).toBe('idle');
    useStudioStore.setState({ jobStatus: 'running' });
    let opened = false;
    setStudioClient(fakeClient({ open: async () => ((opened = true), { index: index('x.onnx'), files: [], hasTokenizer: false, modelKey: 'x' }) }));
    await useStudioStore.getState().openFiles([file('x.onnx')]);
    expect(opened).toBe(false);
  });
});
