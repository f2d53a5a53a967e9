// Pure view helpers: layer grouping, tensor sorting/filtering, number formats, error texts, axis ticks.
import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../core/model-index';
import { noticeText } from './error-text';
import { formatBytes, formatCount, formatDuration } from './format';
import { blockIndex, bytesPerLayer } from './layer-groups';
import { filterTensors, sortTensors } from './tensor-sort';
import { typeMix } from './sweep/type-mix';
import { distinctLabels, linearTicks, logTicks } from './sweep/axis-ticks';
import { dodgeOffset, withDodge } from './sweep/marker-dodge';
import { HELP, SETTINGS_PAGE } from './help';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const t = (name: string, layer: string, role: TensorInfo['role'], byteLength: number): TensorInfo => ({
  name, layer, role, dtype: 'f32', shape: [byteLength / 4], numel: byteLength / 4, byteLength,
});
const tensors = [
  t('head', 'lm_head', 'matmul-weight', 400),
  t('n1', 'model.layers.1.input_layernorm', 'norm', 8),
  t('q1', 'model.layers.1.self_attn.q_proj', 'matmul-weight', 64),
  t('q0', 'model.layers.0.self_attn.q_proj', 'matmul-weight', 64),
  t('emb', 'model.embed_tokens', 'embedding', 800),
  t('norm', 'model.norm', 'norm', 8),
];

describe('layer groups', () => {
  it('finds block indices in common naming schemes', () => {
    expect(blockIndex('model.layers.12.mlp.up_proj')).toBe(12);
    expect(blockIndex('blk.3.attn_q')).toBe(3);
    expect(blockIndex('transformer.h.7.attn')).toBe(7);
    expect(blockIndex('model.embed_tokens')).toBeNull();
  });
  it('sums bytes per block by role, in model order', () => {
    const rows = bytesPerLayer(tensors);
    expect(rows.map((r) => r.group)).toEqual(['embed_tokens', 'layer 0', 'layer 1', 'lm_head', 'norm']);
    expect(rows[2]).toMatchObject({ 'matmul-weight': 64, norm: 8, total: 72 });
  });
});

describe('tensor table', () => {
  it('sorts by layer in model order and by bytes', () => {
    expect(sortTensors(tensors, { column: 'layer', descending: false }).map((x) => x.name)).toEqual(['emb', 'q0', 'n1', 'q1', 'head', 'norm']);
    expect(sortTensors(tensors, { column: 'bytes', descending: true })[0].name).toBe('emb');
  });
  it('filters by words and role', () => {
    expect(filterTensors(tensors, 'layers.1', '').map((x) => x.name)).toEqual(['n1', 'q1']);
    expect(filterTensors(tensors, 'q_proj', 'matmul-weight')).toHaveLength(2);
    expect(filterTensors(tensors, '', 'norm')).toHaveLength(2);
  });
});

describe('formats and texts', () => {
  it('formats numbers for people', () => {
    expect(formatBytes(7526296)).toBe('7.53 MB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatCount(1836160)).toBe('1.84 M');
    expect(formatDuration(2500)).toBe('2.5 s');
  });
  it('explains each error code', () => {
    expect(noticeText({ step: 'load', code: 'format', message: '', file: 'dir/model.onnx' }).title).toBe('model.onnx is not a readable ONNX file');
    expect(noticeText({ step: 'load', code: 'format', message: '', file: 'model-Q4_K_M.gguf' })).toMatchObject({ title: 'model-Q4_K_M.gguf is not a readable GGUF file', hint: expect.stringContaining('not a GGUF model') });
    expect(noticeText({ step: 'load', code: 'format', message: '', file: 'model-00001-of-00002.safetensors' }).title).toBe('model-00001-of-00002.safetensors is not a readable safetensors file');
    expect(noticeText({ step: 'load', code: 'format', message: '', file: 'config.json' })).toMatchObject({ title: 'config.json is not a readable JSON file', hint: expect.stringContaining('not valid JSON') });
    expect(noticeText({ step: 'load', code: 'format', message: '' }).title).toBe('This file could not be read');
    expect(noticeText({ step: 'load', code: 'unsupported', message: '', file: 'model.gguf' }).title).toBe('This GGUF model is not supported yet');
    expect(noticeText({ step: 'load', code: 'missing-file', message: '', file: 'the model file (.onnx, .gguf or .safetensors)' }).hint).toBe(
      'Drop the model file (.onnx, .gguf or .safetensors) too, with the files you dropped, or drop the whole model folder.',
    );
    expect(noticeText({ step: 'compress', code: 'gpu-unavailable', message: '' }).hint).toContain('chrome://flags/#enable-unsafe-webgpu');
    expect(noticeText({ step: 'load', code: 'missing-file', message: '', file: 'model.onnx_data' }).hint).toContain('model.onnx_data');
    expect(noticeText({ step: 'compress', code: 'cancelled', message: '' }).tone).toBe('info');
    expect(noticeText({ step: 'export', code: 'unknown', message: '' }).title).toBe('The file could not be saved');
    expect(noticeText({ step: 'recipe', code: 'usage', message: '' })).toMatchObject({ title: 'The recipe could not be loaded', hint: expect.stringContaining('docs/recipe.schema.json') });
  });
});

describe('typeMix', () => {
  it('counts the types a llama.cpp point wrote, most used first', () => {
    const written = [...Array(25).fill({ label: 'ggml Q5_0' }), ...Array(5).fill({ label: 'ggml Q8_0' }), { label: 'Q4_K' }, {}];
    expect(typeMix(written)).toBe('Q5_0 ×25, Q8_0 ×5, Q4_K ×1');
    expect(typeMix([])).toBe('');
  });
});

describe('axis ticks', () => {
  it('linear: 1-2-5 steps with enough decimals that labels differ, covering every value', () => {
    const narrow = linearTicks([61.08, 61.12, 61.19, 61.22])!;
    expect(narrow.ticks).toEqual([61.05, 61.1, 61.15, 61.2, 61.25]);
    expect(narrow.ticks.map(narrow.format)).toEqual(['61.05', '61.10', '61.15', '61.20', '61.25']);
    const wide = linearTicks([41.38, 43.03, 70.3])!;
    expect(wide.ticks.map(wide.format)).toEqual(['40', '50', '60', '70', '80']);
    expect(wide.domain).toEqual([40, 80]);
    const kl = linearTicks([7.3e-5, 0.0213, 0.5641])!;
    expect(kl.ticks.map(kl.format)).toEqual(['0.0', '0.2', '0.4', '0.6']);
    const one = linearTicks([3.13])!;
    expect(one.domain[0]).toBeLessThan(3.13);
    expect(one.domain[1]).toBeGreaterThan(3.13);
    expect(linearTicks([Number.NaN])).toBeNull();
  });

  it('log: 1-2-5 per decade up to the largest value, every mantissa on a narrow range', () => {
    const wide = logTicks([41.4, 43.0, 900.2])!;
    expect(wide.ticks.map(wide.format)).toEqual(['20', '50', '100', '200', '500', '1000']);
    const narrow = logTicks([41.4, 43.0, 70.3])!;
    expect(narrow.ticks.map(narrow.format)).toEqual(['40', '50', '60', '70', '80']);
    const kl = logTicks([7.3e-5, 0.0213, 0.5641, 0])!;
    expect(kl.ticks[0]).toBe(5e-5);
    expect(kl.ticks[kl.ticks.length - 1]).toBe(1);
    expect(kl.ticks.map(kl.format)).toContain('0.0001');
  });

  it('never repeats a label, on random ranges', () => {
    for (let i = 0; i < 500; i++) {
      const base = 10 ** (Math.random() * 6 - 3);
      const values = Array.from({ length: 4 }, () => base * (1 + Math.random() * (Math.random() < 0.5 ? 0.01 : 10)));
      for (const t of [linearTicks(values), logTicks(values)]) {
        expect(t && distinctLabels(t), values.join(',')).toBe(true);
        expect(t!.domain[0]).toBeLessThanOrEqual(Math.min(...values));
        expect(t!.domain[1]).toBeGreaterThanOrEqual(Math.max(...values));
      }
    }
  });
});

describe('withDodge', () => {
  it('sets points on the same spot side by side and leaves lone points where they are', () => {
    const d = withDodge([{ x: 3.13, y: 43.97 }, { x: 3.13, y: 43.99 }, { x: 3.81, y: 43.03 }, { x: 2.79, y: 70.3 }, { x: 3.13, y: 43.98 }]);
    expect(d.map((p) => [p.dodge, p.dodgeOf])).toEqual([[0, 3], [1, 3], [0, 1], [0, 1], [2, 3]]);
    expect(d.map(dodgeOffset)).toEqual([-9, 0, 0, 0, 9]);
    expect(withDodge([{ x: 1, y: 2 }]).map(dodgeOffset)).toEqual([0]);
  });
});

describe('help', () => {
  it('every setting\'s help points to a section of the settings page the app serves, and says something', async () => {
    const page = readFileSync(resolve(import.meta.dirname, '../../public', SETTINGS_PAGE), 'utf8');
    for (const [topic, { anchor, text }] of Object.entries(HELP)) {
      expect(page, topic).toContain(`<section id="${anchor}">`);
      expect(text.length, topic).toBeGreaterThan(40);
    }
    // and every section of the page is linked from the contents
    for (const [, id] of page.matchAll(/<section id="([^"]+)">/g)) expect(page).toContain(`href="#${id}"`);
  });
});
