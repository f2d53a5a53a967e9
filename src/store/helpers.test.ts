// Pure helpers of the store: file picking, tensor selection count, export names, progress numbers,
// the sweep history's names and files.
import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../core/model-index';
import { imatrixFileName, outputFileName } from '../core/output-names';
import { selectionRules } from '../core/tensor-selection';
import { filesForCandidate, modelCandidates, pickModelFiles } from './pick-model-files';
import { progressView } from './progress-store';
import { countSelection } from './selection-count';
import { evaluationsToCsv } from './evaluation-export';
import { bestPoint, runFileName, runLabel, runSettingsText, runStartText, runToJson } from './sweep-history';
import type { SweepPoint } from '../core/sweep';

const f = (name: string) => new File([], name);
const t = (layer: string, role: TensorInfo['role'] = 'matmul-weight'): TensorInfo => ({
  name: `${layer}.weight`, layer, role, dtype: 'f32', shape: [2, 2], numel: 4, byteLength: 16,
  ...(role === 'matmul-weight' || role === 'embedding' ? { layout: { rows: 2, cols: 2, rowStride: 2, colStride: 1 } } : {}),
});

describe('pickModelFiles', () => {
  it('keeps the graph first, its external data, config.json and the tokenizer; drops the rest of a folder', () => {
    const picked = pickModelFiles([f('config.json'), f('model.onnx_data'), f('README.md'), f('tokenizer.json'), f('model.onnx'), f('.DS_Store')]);
    expect(picked.map((x) => x.name)).toEqual(['model.onnx', 'config.json', 'model.onnx_data', 'tokenizer.json']);
    expect(pickModelFiles([f('model.onnx'), f('tokenizer_config.json')]).map((x) => x.name)).toEqual(['model.onnx', 'tokenizer_config.json']);
  });
  it('passes files without an .onnx through (the worker says what is wrong)', () => {
    expect(pickModelFiles([f('notes.txt')]).map((x) => x.name)).toEqual(['notes.txt']);
  });
  it('refuses an empty drop with a usage error', () => {
    expect(() => pickModelFiles([])).toThrow(expect.objectContaining({ code: 'usage' }));
  });
});

describe('modelCandidates', () => {
  it('lists each ONNX graph and GGUF file, and a safetensors checkpoint once with all its shards', () => {
    const drop = [f('model.onnx'), f('model.onnx_data'), f('model-Q4_K_M.gguf'), f('model-00001-of-00002.safetensors'), f('model-00002-of-00002.safetensors'), f('model.safetensors.index.json'), f('tokenizer.json'), f('config.json')];
    const candidates = modelCandidates(drop);
    expect(candidates.map((c) => c.label)).toEqual(['model.onnx', 'model-Q4_K_M.gguf', 'model-00001-of-00002.safetensors + 1 more shards (safetensors checkpoint)']);
    expect(candidates[2].files.map((x) => x.name)).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
    // The chosen model keeps what the models share (tokenizer, config, external data), not the others' files.
    expect(filesForCandidate(drop, candidates, 1).map((x) => x.name)).toEqual(['model.onnx_data', 'model-Q4_K_M.gguf', 'tokenizer.json', 'config.json']);
    expect(filesForCandidate(drop, candidates, 2).map((x) => x.name)).toEqual(['model.onnx_data', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'tokenizer.json', 'config.json']);
  });
  it('finds one model (nothing to ask) in an ordinary drop, and none in a drop without one', () => {
    expect(modelCandidates([f('model.onnx'), f('model.onnx_data'), f('tokenizer.json')])).toHaveLength(1);
    expect(modelCandidates([f('model-00001-of-00002.safetensors'), f('model-00002-of-00002.safetensors'), f('config.json')])).toHaveLength(1);
    expect(modelCandidates([f('tokenizer.json')])).toHaveLength(0);
  });
});

describe('countSelection', () => {
  const tensors = [t('model.embed_tokens', 'embedding'), t('model.layers.0.mlp.up_proj'), t('model.layers.0.self_attn.q_proj'), t('lm_head'), t('model.norm', 'norm')];
  it('counts what the selection\'s rules quantize, by the resolver\'s rule', () => {
    expect(countSelection(tensors, { kind: 'all-matmuls' })).toEqual({ ok: true, count: 3, bytes: 48 });
    expect(countSelection(tensors, { kind: 'all-but-head' })).toMatchObject({ count: 2 });
    expect(countSelection(tensors, { kind: 'custom', include: 'mlp|embed' })).toMatchObject({ count: 2 });
    expect(countSelection(tensors, { kind: 'custom', exclude: 'lm_head' })).toMatchObject({ count: 2 });
  });
  it('explains an invalid pattern in the form\'s words', () => {
    const r = countSelection(tensors, { kind: 'custom', include: '(' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^The include pattern is not a valid regular expression/);
    const e = countSelection(tensors, { kind: 'custom', exclude: '[' });
    expect(!e.ok && e.message).toMatch(/^The exclude pattern is not a valid regular expression/);
  });
});

describe('outputFileName', () => {
  const four = { method: 'rtn', bits: 4, group: 32, symmetric: false } as const;
  it('names a recipe by what it does', () => {
    expect(outputFileName('model.onnx', 'onnx', { recipe: 1, rules: selectionRules({ kind: 'all-matmuls' }, { quantize: four }) })).toBe('model-q4-b32-asym.onnx');
    expect(outputFileName('model.onnx', 'onnx', { recipe: 1, rules: selectionRules({ kind: 'all-matmuls' }, { prune: { method: 'wanda', sparsity: 0.5 }, quantize: four }) })).toBe('model-wanda50-q4-b32-asym.onnx');
    expect(outputFileName('model.onnx', 'onnx', { recipe: 1, rules: selectionRules({ kind: 'all-matmuls' }, { prune: { method: 'magnitude', pattern: '2:4', scope: 'tensor' } }) })).toBe('model-magnitude2of4.onnx');
    expect(outputFileName('dir/My Model.ONNX', 'onnx', { recipe: 1, rules: selectionRules({ kind: 'all-matmuls' }, { quantize: { ...four, bits: 8, group: 'per-channel', symmetric: true } }) })).toBe('My_Model-q8-pc-sym.onnx');
    expect(outputFileName('model.onnx', 'onnx', { recipe: 1, rules: selectionRules({ kind: 'all-but-head' }, { quantize: four }) })).toBe('model-q4-b32-asym-all-but-head.onnx');
    expect(outputFileName('model.onnx', 'gguf', { recipe: 1, preset: 'Q8_0', pure: true, rules: [] })).toBe('model-Q8_0-pure.gguf');
    expect(outputFileName('model.safetensors', 'gguf', { recipe: 1, preset: 'Q4_K_M', rules: [] })).toBe('model-Q4_K_M.gguf');
    expect(outputFileName('model.onnx', 'gguf', { recipe: 1, preset: 'Q4_K_M', imatrix: true, rules: [] })).toBe('model-Q4_K_M-imatrix.gguf');
    expect(outputFileName('model.onnx', 'gguf', { recipe: 1, rules: selectionRules({ kind: 'all-matmuls' }, { quantize: { method: 'ggml', type: 'Q4_0', imatrix: true } }) })).toBe('model-Q4_0-imatrix.gguf');
    expect(imatrixFileName('dir/model.onnx')).toBe('model-imatrix.gguf');
    expect(outputFileName('model.gguf', 'safetensors', { recipe: 1, dtype: 'bf16', rules: [] })).toBe('model-bf16.safetensors');
    expect(outputFileName('model.onnx', 'gguf', { recipe: 1, dtype: 'f16', rules: [] })).toBe('model-F16.gguf');
    expect(outputFileName('model.onnx', 'onnx', { recipe: 1, name: 'my mix', rules: [] })).toBe('model-my_mix.onnx');
    expect(outputFileName('model.onnx', 'onnx', { recipe: 1, rules: [{ match: 'a', keep: true }, { match: '.*', quantize: four }] })).toMatch(/^model-mixed-[0-9a-f]{8}\.onnx$/);
  });
});

describe('progressView', () => {
  it('computes fraction, MB/s and time left from bytes', () => {
    const v = progressView({ tensorsDone: 1, tensorsTotal: 4, bytesDone: 2e6, bytesTotal: 8e6, elapsedMs: 1000, currentTensor: 'x' });
    expect(v.fraction).toBe(0.25);
    expect(v.rate).toBe('2.0 MB/s');
    expect(v.counts).toBe('1 / 4 tensors');
    expect(v.msLeft).toBe(3000);
  });
  it('shows calibration windows, tokens/s and the time left of calibration first', () => {
    const v = progressView({ stage: 'calibration', calibration: { windowsDone: 4, windowsTotal: 16, tokensPerSecond: 512.4, elapsedMs: 2000 }, tensorsDone: 0, tensorsTotal: 0, bytesDone: 0, bytesTotal: 0, elapsedMs: 2000, currentTensor: '' });
    expect(v).toMatchObject({ fraction: 0.25, counts: 'calibrating: 4 / 16 windows', rate: '512 tokens/s', msLeft: 6000 });
  });
  it('has no time left estimate before any bytes are done', () => {
    expect(progressView({ tensorsDone: 0, tensorsTotal: 4, bytesDone: 0, bytesTotal: 8, elapsedMs: 0, currentTensor: '' }).msLeft).toBeNull();
  });
});

describe('sweep history helpers', () => {
  const request = { axes: { bits: [4 as const], blocks: [32 as const], symmetric: [false], selections: [] }, windows: 16, executionProvider: 'wasm' as const };
  const at = new Date(2026, 11, 3, 16, 5).getTime(); // local time, as the page shows it
  const base = { runId: 'r', modelKey: 'k', startedAt: at, updatedAt: at, request, gridIds: ['a', 'b'], reference: null, status: 'done' as const };
  const p = (ppl: number) => ({ ppl }) as SweepPoint;

  it('names a run by its start and evaluation settings, and its file after the model and the start', () => {
    expect(runLabel(base)).toBe('2026-12-03 16:05 · W=16 · wasm · WikiText-2');
    expect(runSettingsText({ request: { ...request, text: 'own words' } })).toBe('W=16 · wasm · own text');
    expect(runStartText({ startedAt: 0 })).toBe('before the history');
    expect(runFileName('dir/model.onnx', base)).toBe('model-sweep-2026-12-03-1605.json');
    expect(runFileName('model.onnx', { startedAt: 0 })).toBe('model-sweep-earlier.json');
  });

  it('picks the best finite perplexity and writes the whole run as JSON', () => {
    expect(bestPoint([p(60), p(Number.NaN), p(55), p(Infinity)])?.ppl).toBe(55);
    expect(bestPoint([p(Number.NaN)])).toBeNull();
    const json = JSON.parse(runToJson({ ...base, points: [p(55)] }, 'model.onnx'));
    expect(json).toMatchObject({ model: 'model.onnx', run: { runId: 'r', status: 'done', gridPoints: 2 }, request: { windows: 16 }, points: [{ ppl: 55 }] });
    expect(json.run.startedAt).toBe(new Date(at).toISOString());
  });
});

describe('evaluationsToCsv', () => {
  it('writes one row per evaluation, quoting labels that hold commas', () => {
    const report = { ppl: 57.98346, windows: 16, tokensScored: 4080, tokensPerSecond: 1234.4, executionProvider: 'wasm', textSource: 'bundled' as const, kl: { mean: 0.0213, top1Agreement: 0.885, topK: 32 } };
    const csv = evaluationsToCsv([{ id: 'e', modelKey: 'k', at: Date.UTC(2026, 11, 3, 16, 5), subject: 'point', label: 'sweep point rtn 4-bit, block 32', recipeId: 'r-abc', report }]);
    const [header, row] = csv.trim().split('\n');
    expect(header.split(',')).toContain('recipe_id');
    expect(row).toBe('2026-12-03T16:05:00.000Z,point,"sweep point rtn 4-bit, block 32",r-abc,57.9835,2.1300e-2,0.8850,16,4080,bundled,wasm,1234');
  });
});
