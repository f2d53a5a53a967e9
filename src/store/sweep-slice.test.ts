// The sweep, evaluation and result-history slices against a fake worker client: live points,
// pause/resume, restore after a reload (auto-resume of an interrupted run), the histories, and the table files.
import { beforeEach, describe, expect, it } from 'vitest';
import { summarizeTensors, type ModelIndex } from '../core/model-index';
import type { EvalReport, EvaluationRecord } from '../core/evaluation';
import type { CompressReport, ResultRecord } from '../core/compression-report';
import type { SweepPoint, SweepRequest, SweepState } from '../core/sweep';
import { selectionLabel } from '../core/tensor-selection';
import type { StudioApi } from '../workers/studio-api';
import type { StudioClient } from '../workers/studio-client';
import { expandGrid, gridPoint } from '../pipeline/sweep';
import { setStudioClient } from './studio-client';
import { useStudioStore } from './studio-store';
import { comparedRuns, startsNewRun } from './sweep-slice';
import { axesForm, gridSize, parseBudgets, toSweepAxes, type SweepAxesForm } from './sweep-axes';
import { paretoFrontier, pointFileName, pointsToCsv } from './sweep-export';

const initial = useStudioStore.getState();

function index(): ModelIndex {
  return { format: 'onnx', fileName: 'model.onnx', fileBytes: 1000, architecture: 'llama', tensors: [], ...summarizeTensors([]) };
}

const ALL = { label: 'all-matmuls', selection: { kind: 'all-matmuls' } } as const;
function point(bits: 2 | 4 | 8, ppl: number, bytes: number, selection: { label: string; selection: { kind: 'all-matmuls' | 'all-but-head' } } = ALL): SweepPoint {
  return {
    ...gridPoint({ method: 'rtn', bits, group: 32, symmetric: false }, selection),
    bytes, bitsPerWeight: bits + 0.5, ppl, windows: 4,
    tensors: [{ name: 'w', layer: 'model.layers.0.mlp.up_proj', label: `rtn ${bits}-bit/32 asym`, relError: 0.01 }], quantizeMs: 5, evalMs: 7,
  };
}

const reference: EvalReport = { ppl: 50, windows: 4, tokensScored: 1020, tokensPerSecond: 1, executionProvider: 'wasm', textSource: 'bundled' };

function state(request: SweepRequest, points: SweepPoint[], status: SweepState['status'], runId = 'run-1'): SweepState {
  return { runId, modelKey: 'k', startedAt: 1, updatedAt: 2, request, gridIds: [point(8, 0, 0).id, point(4, 0, 0).id, point(2, 0, 0).id], points, reference, status };
}

const fake = (api: Partial<StudioApi>) => setStudioClient(api as unknown as StudioClient);
const open: StudioApi['open'] = async () => ({ index: index(), files: ['model.onnx'], hasTokenizer: true, hasConfig: false });
const tick = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  useStudioStore.setState(initial, true);
  setStudioClient(null);
});

describe('sweep slice', () => {
  it('says when a run starts a new run in the history: other evaluation settings; another grid on the same settings merges', () => {
    const request: SweepRequest = { axes: toSweepAxes(useStudioStore.getState()), windows: 8, executionProvider: 'wasm' };
    useStudioStore.setState({ sweepRequest: request, sweepPoints: [point(8, 51, 900), point(4, 55, 500)], evalWindows: 8, evalBackend: 'wasm' });
    expect(startsNewRun(useStudioStore.getState())).toBe(false);
    useStudioStore.getState().toggleSweepBits(2); // another grid, same settings: merged
    expect(startsNewRun(useStudioStore.getState())).toBe(false);
    useStudioStore.getState().setEvalWindows(16);
    expect(startsNewRun(useStudioStore.getState())).toBe(true);
    useStudioStore.setState({ evalWindows: 8, evalBackend: 'auto' });
    expect(startsNewRun(useStudioStore.getState())).toBe(true);
  });

  it('runs the form as a request, shows points as they arrive, and resumes after a pause', async () => {
    const requests: SweepRequest[] = [];
    let paused = false;
    fake({
      open,
      savedSweep: async () => null,
      sweepHistory: async () => [],
      runSweep: async (request, callbacks) => {
        requests.push(request);
        callbacks.onReference(reference);
        callbacks.onPoint(point(8, 51, 900));
        if (!paused) {
          paused = true;
          expect(useStudioStore.getState().sweepPoints).toHaveLength(1);
          return state(request, [point(8, 51, 900)], 'paused');
        }
        callbacks.onPoint(point(4, 55, 500));
        return state(request, [point(8, 51, 900), point(4, 55, 500)], 'done');
      },
    });
    await useStudioStore.getState().openFiles([new File([new Uint8Array(4)], 'model.onnx')]);
    await tick();
    const s = useStudioStore.getState();
    s.setEvalWindows(4);
    s.setEvalBackend('wasm');
    s.toggleSweepBits(2);
    await useStudioStore.getState().startSweep();
    expect(requests[0]).toMatchObject({ windows: 4, executionProvider: 'wasm', axes: { bits: [8, 4, 2], blocks: [32], symmetric: [false] } });
    expect(useStudioStore.getState()).toMatchObject({ sweepRunStatus: 'paused', sweepStatus: 'idle', sweepReference: reference });

    await useStudioStore.getState().resumeSweep();
    expect(requests[1]).toEqual(requests[0]);
    expect(useStudioStore.getState().sweepPoints.map((p) => p.bits)).toEqual([8, 4]);
    expect(useStudioStore.getState().sweepRunStatus).toBe('done');
  });

  it('on load shows a saved sweep, and resumes one a reload interrupted', async () => {
    const request: SweepRequest = { axes: toSweepAxes({ sweepBits: [8, 4, 2], sweepBlocks: [32], sweepSymmetric: [false], sweepSelections: ['all-matmuls'], sweepInclude: '', sweepExclude: '' }), windows: 4, executionProvider: 'wasm' };
    let saved = state(request, [point(8, 51, 900)], 'paused');
    let runs = 0;
    fake({
      open,
      savedSweep: async () => saved,
      sweepHistory: async () => [saved],
      runSweep: async (r) => {
        runs++;
        return state(r, [point(8, 51, 900), point(4, 55, 500), point(2, 900, 300)], 'done');
      },
    });
    await useStudioStore.getState().openFiles([new File([new Uint8Array(4)], 'model.onnx')]);
    await tick();
    expect(useStudioStore.getState()).toMatchObject({ sweepRunStatus: 'paused', evalWindows: 4, evalBackend: 'wasm', sweepBits: [8, 4, 2] });
    expect(useStudioStore.getState().sweepPoints).toHaveLength(1);
    expect(runs).toBe(0);

    saved = state(request, [point(8, 51, 900)], 'running');
    await useStudioStore.getState().openFiles([new File([new Uint8Array(4)], 'model.onnx')]);
    await tick();
    await tick();
    expect(runs).toBe(1);
    expect(useStudioStore.getState().sweepPoints).toHaveLength(3);
  });

  it('keeps every run: opens an earlier one, compares runs, deletes only the run asked for, and undoes the delete', async () => {
    const request: SweepRequest = { axes: toSweepAxes(useStudioStore.getState()), windows: 4, executionProvider: 'wasm' };
    const older = state({ ...request, windows: 16 }, [point(8, 50, 900)], 'done', 'run-old');
    const newer = state(request, [point(8, 51, 900), point(4, 55, 500)], 'done', 'run-new');
    let history = [newer, older];
    const opened: string[] = [];
    fake({
      open,
      savedSweep: async () => history[0] ?? null,
      sweepHistory: async () => history,
      openSweep: async (runId) => {
        opened.push(runId);
        return history.find((r) => r.runId === runId)!;
      },
      deleteSweep: async (runId) => {
        history = history.filter((r) => r.runId !== runId);
      },
      restoreSweepRun: async (run) => {
        history = [...history, run];
      },
      newSweep: () => {},
    });
    await useStudioStore.getState().openFiles([new File([new Uint8Array(4)], 'model.onnx')]);
    await tick();
    await tick();
    expect(useStudioStore.getState()).toMatchObject({ sweepRunId: 'run-new', evalWindows: 4 });
    expect(useStudioStore.getState().sweepHistory.map((r) => r.runId)).toEqual(['run-new', 'run-old']);

    useStudioStore.getState().toggleComparedRun('run-old');
    expect(comparedRuns(useStudioStore.getState()).map((r) => r.runId)).toEqual(['run-old']);

    await useStudioStore.getState().openSweepRun('run-old');
    expect(opened).toEqual(['run-old']);
    expect(useStudioStore.getState()).toMatchObject({ sweepRunId: 'run-old', evalWindows: 16, comparedRunIds: [] });
    expect(useStudioStore.getState().sweepPoints.map((p) => p.ppl)).toEqual([50]);

    await useStudioStore.getState().deleteSweepRun('run-new');
    expect(history.map((r) => r.runId)).toEqual(['run-old']);
    expect(useStudioStore.getState().sweepHistory.map((r) => r.runId)).toEqual(['run-old']);
    expect(useStudioStore.getState().sweepRunId).toBe('run-old'); // the open run is untouched
    await useStudioStore.getState().undoDeleteSweepRun();
    expect(history.map((r) => r.runId)).toEqual(['run-old', 'run-new']);
    expect(useStudioStore.getState()).toMatchObject({ deletedRun: null });

    // Deleting the open run empties the view; "New sweep" never deletes.
    await useStudioStore.getState().deleteSweepRun('run-old');
    expect(useStudioStore.getState()).toMatchObject({ sweepRunId: null, sweepPoints: [], deletedRun: { runId: 'run-old' } });
    await useStudioStore.getState().openSweepRun('run-new');
    useStudioStore.getState().newSweep();
    expect(useStudioStore.getState()).toMatchObject({ sweepRunId: null, sweepPoints: [] });
    expect(history.map((r) => r.runId)).toEqual(['run-new']);
  });
});

describe('evaluation history', () => {
  it('accumulates evaluations (original, result, a sweep point of the open run), brings them back with the model, and deletes with undo', async () => {
    let saved: EvaluationRecord[] = [{ id: 'old', modelKey: 'k', at: 1, subject: 'original', label: 'original', report: { ...reference, ppl: 49 } }];
    const asked: unknown[] = [];
    let n = 0;
    fake({
      open,
      savedSweep: async () => state({ axes: toSweepAxes(useStudioStore.getState()), windows: 4, executionProvider: 'wasm' }, [point(4, 55, 500)], 'done', 'run-1'),
      sweepHistory: async () => [],
      evaluationHistory: async () => saved,
      evaluate: async (request) => {
        asked.push(request);
        const record: EvaluationRecord = { id: `e${++n}`, modelKey: 'k', at: 10 + n, subject: request.subject ?? 'original', label: request.subject ?? 'original', report: { ...reference, ppl: 50 + n, windows: request.windows } };
        saved = [record, ...saved];
        return record;
      },
      deleteEvaluation: async (id) => {
        saved = saved.filter((e) => e.id !== id);
      },
      restoreEvaluation: async (record) => {
        saved = [...saved, record];
      },
    });
    await useStudioStore.getState().openFiles([new File([new Uint8Array(4)], 'model.onnx')]);
    await tick();
    await tick();
    // The original's latest evaluation comes back with the model.
    expect(useStudioStore.getState().evaluations.map((e) => e.id)).toEqual(['old']);
    expect(useStudioStore.getState().evalReport?.ppl).toBe(49);

    useStudioStore.getState().setEvalWindows(16);
    await useStudioStore.getState().evaluateOriginal();
    useStudioStore.getState().selectPoint(point(4, 55, 500).id);
    await useStudioStore.getState().evaluateSelectedPoint();
    expect(asked[1]).toMatchObject({ subject: 'point', pointId: point(4, 55, 500).id, runId: 'run-1', windows: 16 });
    expect(useStudioStore.getState().evaluations.map((e) => e.id)).toEqual(['e2', 'e1', 'old']);
    expect(useStudioStore.getState().evalReport?.ppl).toBe(51); // the newest original evaluation; the point's did not replace it

    await useStudioStore.getState().deleteEvaluation('e1');
    expect(useStudioStore.getState().evaluations.map((e) => e.id)).toEqual(['e2', 'old']);
    expect(saved.map((e) => e.id)).toEqual(['e2', 'old']);
    await useStudioStore.getState().undoDeleteEvaluation();
    expect(useStudioStore.getState().evaluations.map((e) => e.id)).toEqual(['e2', 'e1', 'old']);
    expect(useStudioStore.getState().deletedEvaluation).toBeNull();
  });
});

describe('result history', () => {
  it('lists the results with the model, runs one again from its recipe and format, and deletes with undo', async () => {
    const recipe = { recipe: 1 as const, rules: [{ match: '.*', role: 'matmul-weight' as const, quantize: { method: 'rtn' as const, bits: 4 as const, group: 32 as const, symmetric: false } }] };
    const report = { format: 'onnx', recipe, recipeId: 'r-4', rules: [], ruleSources: [], inputBytes: 100, outputBytes: 40, bitsPerWeight: 4.5, tensors: [], notes: [], durationMs: 1, device: 'test' } as unknown as CompressReport;
    let saved: ResultRecord[] = [{ id: 'a', modelKey: 'k', at: 1, fileName: 'model-q4-b32-asym.onnx', report }];
    const compressed: unknown[] = [];
    fake({
      open,
      savedSweep: async () => null,
      sweepHistory: async () => [],
      evaluationHistory: async () => [],
      resultHistory: async () => saved,
      checkRecipe: async (value) => value as typeof recipe,
      compress: async (request) => {
        compressed.push(request);
        return report;
      },
      deleteResult: async (id) => {
        saved = saved.filter((r) => r.id !== id);
      },
      restoreResult: async (record) => {
        saved = [...saved, record];
      },
    });
    await useStudioStore.getState().openFiles([new File([new Uint8Array(4)], 'model.onnx')]);
    await tick();
    await tick();
    expect(useStudioStore.getState().results.map((r) => r.id)).toEqual(['a']);

    useStudioStore.setState({ outputFormat: 'gguf' });
    await useStudioStore.getState().rerunResult('a');
    expect(compressed).toEqual([expect.objectContaining({ format: 'onnx', recipe })]);

    await useStudioStore.getState().deleteResult('a');
    expect(useStudioStore.getState().results).toEqual([]);
    expect(saved).toEqual([]);
    await useStudioStore.getState().undoDeleteResult();
    expect(useStudioStore.getState().results.map((r) => r.id)).toEqual(['a']);
    expect(saved.map((r) => r.id)).toEqual(['a']);
  });
});

describe('sweep helpers', () => {
  it('counts the grid and labels selections', () => {
    expect(gridSize({ sweepBits: [8, 4], sweepBlocks: [32, 'per-channel'], sweepSymmetric: [false, true], sweepSelections: ['all-matmuls'], sweepInclude: '', sweepExclude: '' })).toBe(8);
    expect(selectionLabel({ kind: 'custom', include: 'mlp', exclude: 'lm_head' })).toBe('custom(+mlp -lm_head)');
  });

  it('counts the points expandGrid makes from pruning axes: methods × sparsities × every quantization, float points without the original', () => {
    const base = { sweepBlocks: [32], sweepSymmetric: [false], sweepSelections: ['all-matmuls'], sweepInclude: '', sweepExclude: '' } as const;
    const forms = [
      { ...base, sweepBits: [4], sweepSparsities: [0, 0.5, '2:4'], sweepPruneMethods: ['magnitude', 'wanda', 'sparsegpt'] },
      { ...base, sweepBits: [], sweepUnquantized: true, sweepSparsities: [0.25, 0.5], sweepPruneMethods: ['wanda'] },
      { ...base, sweepBits: [8, 4], sweepUnquantized: true, sweepSparsities: [0, 0.5], sweepPruneMethods: ['magnitude'] },
      { ...base, sweepBits: [4], sweepSparsities: [0.5], sweepPruneMethods: [] },
      { ...base, sweepBits: [8], sweepSparsities: [0.25, '2:4'], sweepPruneMethods: ['magnitude', 'channels'] }, // channels take no N:M pattern
    ] as const;
    const expected = [1 + 2 * 3, 2, 2 * 2 + 1, 1, 3];
    forms.forEach((f, i) => {
      const form = { ...f, sweepBits: [...f.sweepBits], sweepBlocks: [...f.sweepBlocks], sweepSymmetric: [...f.sweepSymmetric], sweepSelections: [...f.sweepSelections], sweepSparsities: [...f.sweepSparsities], sweepPruneMethods: [...f.sweepPruneMethods] };
      expect(gridSize(form), `form ${i}`).toBe(expected[i]);
      expect(expandGrid(toSweepAxes(form)).length, `form ${i}`).toBe(expected[i]);
    });
    const calibrated = expandGrid(toSweepAxes({ ...base, sweepSelections: ['all-matmuls'], sweepBlocks: [32], sweepSymmetric: [false], sweepBits: [4], sweepSparsities: [0.5], sweepPruneMethods: ['wanda'], sweepCalibrationWindows: 8 }));
    expect(calibrated[0].recipe.calibration).toEqual({ text: 'builtin', windows: 8, sequential: true });
    expect(calibrated[0].recipe.rules).toEqual([
      { match: '(^|\\.)lm_head$', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } },
      { match: '.*', role: 'matmul-weight', prune: { method: 'wanda', sparsity: 0.5 }, quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } },
    ]);
  });

  it('crosses the quantization methods with the grid: gptq points calibrate, share rtn\'s grid and are never pruned', () => {
    const base = { sweepBlocks: [128], sweepSymmetric: [false], sweepSelections: ['all-matmuls'], sweepInclude: '', sweepExclude: '', sweepCalibrationWindows: 8 } as const;
    const form = (f: Partial<SweepAxesForm>): SweepAxesForm => ({ ...base, sweepBits: [], sweepBlocks: [128], sweepSymmetric: [false], sweepSelections: ['all-matmuls'], ...f });
    const cases: [Partial<SweepAxesForm>, string[]][] = [
      [{ sweepBits: [4, 3], sweepQuantizeMethods: ['rtn', 'gptq'] }, ['rtn 4', 'gptq 4', 'rtn 3', 'gptq 3']],
      [{ sweepBits: [3], sweepQuantizeMethods: ['gptq'] }, ['gptq 3']],
      [{ sweepBits: [3], sweepQuantizeMethods: ['rtn', 'gptq'], sweepSparsities: [0, 0.5], sweepPruneMethods: ['magnitude'] }, ['rtn 3', 'rtn 3 magnitude', 'gptq 3']],
      [{ sweepBits: [3], sweepQuantizeMethods: ['gptq'], sweepSparsities: [0.5], sweepPruneMethods: ['magnitude'] }, []],
    ];
    for (const [f, labels] of cases) {
      const axes = toSweepAxes(form(f));
      const grid = expandGrid(axes);
      expect(grid.map((p) => [p.method, p.bits, p.prune?.method].filter(Boolean).join(' '))).toEqual(labels);
      expect(gridSize(form(f))).toBe(labels.length);
    }
    const [rtn, gptq] = expandGrid(toSweepAxes(form({ sweepBits: [3], sweepQuantizeMethods: ['rtn', 'gptq'] })));
    expect(rtn.recipe.calibration).toBeUndefined();
    expect(gptq.recipe).toEqual({
      recipe: 1,
      calibration: { text: 'builtin', windows: 8, sequential: true },
      rules: [{ match: '.*', role: 'matmul-weight', quantize: { method: 'gptq', bits: 3, group: 128, symmetric: false, damping: 0.01, blocksize: 128, actOrder: false } }],
    });
    expect(gptq.label).toBe('gptq 3-bit/128 asym');
    // An rtn-only form keeps its request (and so its saved points' ids) as before the axis existed.
    expect(toSweepAxes(form({ sweepBits: [3], sweepQuantizeMethods: ['rtn'] }))).toEqual(toSweepAxes(form({ sweepBits: [3] })));
    expect(toSweepAxes(form({ sweepBits: [3] })).quantizeMethods).toBeUndefined();
  });

  it('size-budget points: one per target, calibrated, after the grid; the form text parses or is refused', () => {
    const form: SweepAxesForm = { sweepInclude: '', sweepExclude: '', sweepBits: [4], sweepBlocks: [128], sweepSymmetric: [false], sweepSelections: ['all-matmuls'], sweepBudgets: [4.5, 5.125], sweepCalibrationWindows: 16 };
    const axes = toSweepAxes(form);
    expect(axes.budgets).toEqual([4.5, 5.125]);
    expect(axes.calibration).toEqual({ text: 'builtin', windows: 16, sequential: true });
    const grid = expandGrid(axes);
    expect(grid.map((p) => `${p.method} ${p.label}`)).toEqual(['rtn rtn 4-bit/128 asym', 'budget budget 4.5 bits/weight', 'budget budget 5.125 bits/weight']);
    expect(gridSize(form)).toBe(3);
    expect(grid[1].recipe).toEqual({ recipe: 1, name: 'budget-4.5bpw', calibration: { text: 'builtin', windows: 16, sequential: false }, rules: [] });
    expect(grid[1].id).not.toBe(grid[2].id);
    expect(axesForm(axes).sweepBudgets).toEqual([4.5, 5.125]);
    expect(parseBudgets('4.5, 5.125,4.5')).toEqual([4.5, 5.125]);
    expect(parseBudgets('')).toEqual([]);
    expect(parseBudgets('4.5, big')).toBeUndefined();
    expect(parseBudgets('0')).toBeUndefined();
  });

  it('hqq points take the asymmetric settings, need no calibration and are never pruned', () => {
    const form = (f: Partial<SweepAxesForm>): SweepAxesForm => ({ sweepInclude: '', sweepExclude: '', sweepBits: [4, 2], sweepBlocks: [64], sweepSymmetric: [false, true], sweepSelections: ['all-matmuls'], ...f });
    const cases: [Partial<SweepAxesForm>, string[]][] = [
      [{ sweepQuantizeMethods: ['rtn', 'hqq'] }, ['rtn 4 asym', 'hqq 4 asym', 'rtn 4 sym', 'rtn 2 asym', 'hqq 2 asym', 'rtn 2 sym']],
      [{ sweepQuantizeMethods: ['hqq'], sweepSymmetric: [true] }, []],
      [{ sweepQuantizeMethods: ['rtn', 'hqq'], sweepBits: [4], sweepSymmetric: [false], sweepSparsities: [0, 0.5], sweepPruneMethods: ['magnitude'] }, ['rtn 4 asym', 'rtn 4 asym magnitude', 'hqq 4 asym']],
    ];
    for (const [f, labels] of cases) {
      const grid = expandGrid(toSweepAxes(form(f)));
      expect(grid.map((p) => [p.method, p.bits, p.sym ? 'sym' : 'asym', p.prune?.method].filter(Boolean).join(' '))).toEqual(labels);
      expect(gridSize(form(f))).toBe(labels.length);
    }
    const axes = toSweepAxes(form({ sweepQuantizeMethods: ['hqq'], sweepBits: [8] }));
    expect(axes.calibration).toBeUndefined();
    const [eight] = expandGrid(axes);
    expect(eight.recipe).toEqual({ recipe: 1, rules: [{ match: '.*', role: 'matmul-weight', quantize: { method: 'hqq', bits: 8, group: 64, symmetric: false, zeroPoint: 'integer', iterations: 20, lpNorm: 0.7, beta: 10, kappa: 1.01 } }] });
    expect(eight.label).toBe('hqq 8-bit/64 int-zp');
  });

  it('crosses llama.cpp types with an importance matrix when asked, measured once on the original model', () => {
    const form = (f: Partial<SweepAxesForm>): SweepAxesForm => ({ sweepInclude: '', sweepExclude: '', sweepBits: [], sweepBlocks: [32], sweepSymmetric: [false], sweepSelections: ['all-matmuls'], sweepGgufTypes: ['Q4_K_M', 'Q2_K'], ...f });
    const both = form({ sweepGgufImatrix: [false, true], sweepCalibrationWindows: 16 });
    const grid = expandGrid(toSweepAxes(both));
    expect(grid.map((p) => `${p.method}: ${p.label}`)).toEqual([
      'llama.cpp: llama.cpp Q4_K_M',
      'llama.cpp imatrix: llama.cpp Q4_K_M + imatrix',
      'llama.cpp: llama.cpp Q2_K',
      'llama.cpp imatrix: llama.cpp Q2_K + imatrix',
    ]);
    expect(gridSize(both)).toBe(4);
    expect(grid[1].recipe).toEqual({ recipe: 1, preset: 'Q4_K_M', imatrix: true, calibration: { text: 'builtin', windows: 16, sequential: false }, rules: [] });
    expect(grid[0].recipe).toEqual({ recipe: 1, preset: 'Q4_K_M', rules: [] });
    // Without the importance axis the request stays as it was (saved points keep their ids).
    expect(toSweepAxes(form({ sweepGgufImatrix: [false] }))).toEqual(toSweepAxes(form({})));
    expect(toSweepAxes(form({})).calibration).toBeUndefined();
  });

  it('puts the sparsest point that no denser point beats on the sparsity frontier', () => {
    const at = (sparsity: number, ppl: number, id: string) => ({ ...point(4, ppl, 500), id, sparsity });
    expect(paretoFrontier([at(0, 50, 'dense'), at(0.5, 60, 'half'), at(0.5, 70, 'worse'), at(0.6, 90, 'sixty')], 'sparsity').map((p) => p.id)).toEqual(['sixty', 'half', 'dense']);
  });

  it('keeps only the points nothing beats on both size and perplexity', () => {
    const pts = [point(8, 51, 900), point(4, 55, 500), point(2, 900, 300), { ...point(4, 60, 600), id: 'worse' }];
    expect(paretoFrontier(pts, 'mb').map((p) => p.bits)).toEqual([2, 4, 8]);
  });

  it('writes CSV with a header and names exported points', () => {
    const csv = pointsToCsv([point(4, 55, 500)], reference).trim().split('\n');
    expect(csv[0]).toContain('id,label,format,method,bits,block,symmetric');
    expect(csv[0]).toContain('tensors,prune_method,prune_target,sparsity,model_sparsity,bytes,gzip_bytes,bits_per_weight');
    expect(csv[1]).toContain(`${point(4, 55, 500).id},rtn 4-bit/32 asym,onnx,rtn,4,32,false,all-matmuls,,,0.0000,0.0000,500,,4.5000`);
    expect(csv[1]).toContain('1.10000');
    expect(pointFileName('model.onnx', point(4, 55, 500))).toBe('model-q4-b32-asym.onnx');
    expect(pointFileName('model.onnx', point(4, 55, 500, { label: 'all-but-embeddings-and-head', selection: { kind: 'all-but-head' } }))).toBe('model-q4-b32-asym-all-but-head.onnx');
  });
});
