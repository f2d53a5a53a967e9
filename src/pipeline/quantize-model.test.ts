// The pipeline on a real model with the CPU reference backend: selection, progress, cancellation.
import { describe, expect, it } from 'vitest';
import { CancelledError, UnsupportedModelError } from '../core/errors';
import { describeWithFixtures, fixtureSource } from '../core/testing/fixtures';
import { cpuReferenceBackend } from './cpu-backend';
import { openModel } from './open-model';
import { bitsPerWeight, quantizeModel, type PipelineProgress } from './quantize-model';
import { quantizedFileName } from './export-onnx';

const TINY = ['models', 'tiny-llama', 'onnx', 'model.onnx'];

describeWithFixtures('quantizeModel (tiny-llama, CPU reference backend)', [TINY], () => {
  const open = async () => openModel([await fixtureSource(...TINY)]);

  it('quantizes every matmul weight, reports progress in order, and counts bits honestly', async () => {
    const model = await open();
    const seen: PipelineProgress[] = [];
    const r = await quantizeModel(model, { bits: 4, symmetric: false, blockSize: 32 }, { kind: 'all-matmuls' }, cpuReferenceBackend, {
      onProgress: (p) => seen.push(p),
    });
    expect(r.entries).toHaveLength(29);
    expect(seen[0].tensorsDone).toBe(0);
    expect(seen.at(-1)).toMatchObject({ tensorsDone: 29, tensorsTotal: 29 });
    expect(seen.at(-1)!.bytesDone).toBe(seen.at(-1)!.bytesTotal);
    for (let i = 1; i < seen.length; i++) expect(seen[i].tensorsDone).toBe(seen[i - 1].tensorsDone + 1);
    // 4-bit codes + a float32 scale and a 4-bit zero point per 32 weights.
    expect(bitsPerWeight(r.entries)).toBeCloseTo(4 + 32 / 32 + 4 / 32, 10);
    expect(quantizedFileName(model.index.fileName, r)).toBe('model-q4-b32-asym.onnx');
  });

  it('keeps the output head out with all-but-head and honours include/exclude', async () => {
    const model = await open();
    const scheme = { bits: 8, symmetric: true, blockSize: 'per-channel' } as const;
    const noHead = await quantizeModel(model, scheme, { kind: 'all-but-head' }, cpuReferenceBackend);
    expect(noHead.entries.map((e) => e.info.layer)).not.toContain('lm_head');
    expect(noHead.entries).toHaveLength(28);
    const attn = await quantizeModel(model, scheme, { kind: 'custom', include: 'self_attn', exclude: 'layers\\.0\\.' }, cpuReferenceBackend);
    expect(attn.entries).toHaveLength(12);
    expect(attn.entries.every((e) => /self_attn/.test(e.info.layer) && !/layers\.0\./.test(e.info.layer))).toBe(true);
  });

  it('stops between tensors when cancelled', async () => {
    const model = await open();
    const controller = new AbortController();
    const run = quantizeModel(model, { bits: 4, symmetric: false, blockSize: 32 }, { kind: 'all-matmuls' }, cpuReferenceBackend, {
      signal: controller.signal,
      onProgress: (p) => p.tensorsDone === 3 && controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });

  it('says there is nothing to quantize when the selection matches nothing', async () => {
    const model = await open();
    await expect(
      quantizeModel(model, { bits: 4, symmetric: false, blockSize: 32 }, { kind: 'custom', include: 'nothing_like_this' }, cpuReferenceBackend),
    ).rejects.toThrow(new UnsupportedModelError('nothing to quantize: none of the 29 matmul weights matches the tensor selection'));
  });
});

describe('openModel', () => {
  it('asks for a model file when only JSON files are given', async () => {
    const { bytesSource } = await import('../core/byte-source');
    await expect(openModel([bytesSource(new TextEncoder().encode('{}'), 'tokenizer.json')])).rejects.toThrow(/no model file among tokenizer\.json/);
  });
});
