// Pure helpers of the store: file picking, tensor selection count, export names, progress numbers.
import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../core/model-index';
import { exportFileName } from './export-name';
import { pickModelFiles } from './pick-model-files';
import { progressView } from './progress-store';
import { countMatches } from './selection';

const f = (name: string) => new File([], name);
const t = (layer: string, role: TensorInfo['role'] = 'matmul-weight'): TensorInfo => ({
  name: `${layer}.weight`, layer, role, dtype: 'f32', shape: [2, 2], numel: 4, byteLength: 16,
});

describe('pickModelFiles', () => {
  it('keeps the graph first, its external data, config.json and the tokenizer; drops the rest of a folder', () => {
    const picked = pickModelFiles([f('config.json'), f('model.onnx_data'), f('README.md'), f('tokenizer.json'), f('model.onnx'), f('.DS_Store')]);
    expect(picked.map((x) => x.name)).toEqual(['model.onnx', 'config.json', 'model.onnx_data', 'tokenizer.json']);
  });
  it('passes files without an .onnx through (the worker says what is wrong)', () => {
    expect(pickModelFiles([f('notes.txt')]).map((x) => x.name)).toEqual(['notes.txt']);
  });
  it('refuses an empty drop with a usage error', () => {
    expect(() => pickModelFiles([])).toThrow(expect.objectContaining({ code: 'usage' }));
  });
});

describe('countMatches', () => {
  const tensors = [t('model.embed_tokens', 'embedding'), t('model.layers.0.mlp.up_proj'), t('model.layers.0.self_attn.q_proj'), t('lm_head'), t('model.norm', 'norm')];
  const form = { selectionMode: 'all-matmuls' as const, include: '', exclude: '' };
  it('uses the shared rule', () => {
    expect(countMatches(tensors, form)).toEqual({ ok: true, count: 3, bytes: 48 });
    expect(countMatches(tensors, { ...form, selectionMode: 'all-but-head' })).toMatchObject({ count: 2 });
    expect(countMatches(tensors, { selectionMode: 'custom', include: 'mlp|embed', exclude: '' })).toMatchObject({ count: 2 });
    expect(countMatches(tensors, { selectionMode: 'custom', include: '', exclude: 'lm_head' })).toMatchObject({ count: 2 });
  });
  it('explains an invalid pattern in the form’s words', () => {
    const r = countMatches(tensors, { selectionMode: 'custom', include: '(', exclude: '' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^The include pattern is not a valid regular expression/);
  });
});

describe('exportFileName', () => {
  it('names the scheme', () => {
    expect(exportFileName('model.onnx', { bits: 4, symmetric: false, blockSize: 32 })).toBe('model-q4-b32-asym.onnx');
    expect(exportFileName('dir/My Model.ONNX', { bits: 8, symmetric: true, blockSize: 'per-channel' })).toBe('My_Model-q8-pc-sym.onnx');
  });
});

describe('progressView', () => {
  it('computes fraction, MB/s and time left from bytes', () => {
    const v = progressView({ tensorsDone: 1, tensorsTotal: 4, bytesDone: 2e6, bytesTotal: 8e6, elapsedMs: 1000, currentTensor: 'x' });
    expect(v.fraction).toBe(0.25);
    expect(v.mbPerSecond).toBe(2);
    expect(v.msLeft).toBe(3000);
  });
  it('has no time left estimate before any bytes are done', () => {
    expect(progressView({ tensorsDone: 0, tensorsTotal: 4, bytesDone: 0, bytesTotal: 8, elapsedMs: 0, currentTensor: '' }).msLeft).toBeNull();
  });
});
