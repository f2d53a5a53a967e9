// Which run a sweep request goes into: the open run when the evaluation settings match (the
// grids merge), else a new run — never the open run's points thrown away.
import { describe, expect, it } from 'vitest';
import type { SweepRequest } from '../core/sweep';
import { continuedRun, newSweepRun } from './sweep-job';

const request: SweepRequest = { axes: { bits: [4], blocks: [32], symmetric: [false], selections: [] }, windows: 8, executionProvider: 'wasm' };

describe('sweep runs', () => {
  it('continues the open run on the same evaluation settings and starts a new one otherwise', () => {
    const open = { ...newSweepRun('sha256:a', 'model.onnx', request, 1000), status: 'done' as const };
    expect(continuedRun(open, { ...request, axes: { ...request.axes, bits: [8] } })).toBe(open);
    expect(continuedRun(open, { ...request, windows: 16 })).toBeNull();
    expect(continuedRun(open, { ...request, executionProvider: 'webgpu' })).toBeNull();
    expect(continuedRun(open, { ...request, text: 'own words' })).toBeNull();
    expect(continuedRun(null, request)).toBeNull();
  });

  it('gives every new run its own id, the model and the start time', () => {
    const a = newSweepRun('sha256:a', 'model.onnx', request, 1000);
    const b = newSweepRun('sha256:a', 'model.onnx', request, 1000);
    expect(a.runId).not.toBe(b.runId);
    expect(a).toMatchObject({ modelKey: 'sha256:a', modelName: 'model.onnx', startedAt: 1000, updatedAt: 1000, points: [], gridIds: [], reference: null, status: 'running' });
  });
});
