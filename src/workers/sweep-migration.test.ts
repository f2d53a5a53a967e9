// Sweeps saved by the previous version (before recipes) still load: their points become the
// recipes they ran, named by recipe id, with every measured figure kept, and the queue maps too.
import { describe, expect, it } from 'vitest';
import type { SweepState } from '../core/sweep';
import { ggufPoint, gridPoint } from '../pipeline/sweep';
import { migrateSweepState } from './sweep-migration';

const ALL = { label: 'all-matmuls', selection: { kind: 'all-matmuls' as const } };
const measured = { bytes: 3_129_751, bitsPerWeight: 5.125, ppl: 43.97, windows: 8, quantizeMs: 900, evalMs: 300 };

const legacy = {
  modelKey: 'model.onnx|7526296|abc',
  request: { axes: { bits: [8, 4, 2], blocks: [32], symmetric: [false], selections: [ALL], ggufTypes: ['Q8_0'] }, windows: 8, executionProvider: 'wasm' },
  gridIds: ['llama.cpp:Q8_0', 'rtn:8:32:asym:all-matmuls', 'rtn:4:32:asym:all-matmuls', 'rtn:2:32:asym:all-matmuls'],
  points: [
    {
      kind: 'rtn', id: 'rtn:4:32:asym:all-matmuls', scheme: { bits: 4, symmetric: false, blockSize: 32 }, selectionLabel: 'all-matmuls', selection: { kind: 'all-matmuls' },
      method: 'rtn', bits: 4, block: 32, sym: false, ...measured, tensors: [{ name: 'w', layer: 'model.layers.0.mlp.up_proj', relError: 0.07 }],
    },
    {
      kind: 'gguf', id: 'llama.cpp:Q8_0', ggufType: 'Q8_0', selectionLabel: 'llama.cpp mix',
      method: 'llama.cpp', bits: 8, block: 32, sym: true, ...measured, tensors: [{ name: 'w', layer: 'model.layers.0.mlp.up_proj', type: 'Q8_0', relError: 0.004 }],
    },
  ],
  reference: null,
  status: 'paused',
} as unknown as SweepState;

describe('migrateSweepState', () => {
  it('turns the previous version\'s points into recipes with recipe ids, keeping what they measured', () => {
    const m = migrateSweepState(legacy);
    const four = gridPoint({ method: 'rtn', bits: 4, group: 32, symmetric: false }, ALL);
    const q8 = ggufPoint('Q8_0');
    expect(m.points[0]).toEqual({ ...four, ...measured, tensors: [{ name: 'w', layer: 'model.layers.0.mlp.up_proj', label: 'rtn 4-bit/32 asym', relError: 0.07 }] });
    expect(m.points[1]).toMatchObject({ id: q8.id, format: 'gguf', recipe: { recipe: 1, preset: 'Q8_0', rules: [] }, ppl: 43.97, tensors: [{ label: 'Q8_0', relError: 0.004 }] });
    expect(m.gridIds).toEqual([q8.id, gridPoint({ method: 'rtn', bits: 8, group: 32, symmetric: false }, ALL).id, four.id, gridPoint({ method: 'rtn', bits: 2, group: 32, symmetric: false }, ALL).id]);
    expect(m.status).toBe('paused');
  });

  it('leaves a current state as it is', () => {
    const current = migrateSweepState(legacy);
    expect(migrateSweepState(current)).toBe(current);
  });
});
