// One sweep run inside the worker: restores the saved state of the same model and settings,
// evaluates the reference once, runs the remaining grid points (each a recipe), and saves after
// every point. Pause and cancel both stop at once (between evaluation windows); finished points stay.
import { CancelledError } from '../core/errors';
import { sameEvalSettings, type SweepRequest, type SweepState, type SweepStatus } from '../core/sweep';
import type { ModelEvaluation } from '../eval/model-evaluation';
import type { GpuContext } from '../gpu/context';
import { exportContextOf } from '../pipeline/export-context';
import type { OpenedModel } from '../pipeline/open-model';
import { expandGrid, runSweep, type SweepOptions } from '../pipeline/sweep';
import { loadSweep, saveSweep } from './sweep-store';
import type { SweepCallbacks } from './studio-api';


export interface SweepJobControl {
  signal: AbortSignal;
  /** Why the signal was aborted. */
  stopReason(): Exclude<SweepStatus, 'running' | 'done'>;
  /** Calibrates for pruned points whose method needs it (cached: one calibration serves the sweep). */
  calibrate: SweepOptions['calibrate'];
  /** The gzip size of a pruned point's export. */
  gzipBytes: SweepOptions['gzipBytes'];
  /** Calibration texts by name (size-budget points probe on them). */
  calibrationText: SweepOptions['calibrationText'];
}

export async function runSweepJob(
  modelKey: string,
  model: OpenedModel,
  evaluation: ModelEvaluation,
  gpu: GpuContext,
  request: SweepRequest,
  callbacks: SweepCallbacks,
  control: SweepJobControl,
): Promise<SweepState> {
  const saved = await loadSweep(modelKey);
  const keep = saved && sameEvalSettings(saved.request, request) ? saved : null;
  const grid = expandGrid(request.axes);
  const gridIds = [...new Set([...(keep?.gridIds ?? []), ...grid.map((g) => g.id)])];
  const state: SweepState = {
    modelKey,
    request,
    gridIds,
    points: keep?.points ?? [],
    reference: keep?.reference ?? null,
    status: 'running',
  };
  await saveSweep(state);
  const tokens = await evaluation.tokenIds(request.text);
  const evaluator = await evaluation.evaluator(request.executionProvider);
  try {
    if (!state.reference) {
      const reference = await evaluation.evaluate(request, [], {
        signal: control.signal,
        onProgress: (e) => callbacks.onProgress({ pointIndex: -1, pointsTotal: grid.length, pointId: 'original', phase: 'reference', ...e }),
      });
      state.reference = reference;
      await saveSweep(state);
      callbacks.onReference(reference);
    }
    await runSweep(model, grid, evaluator, tokens, {
      windows: request.windows,
      signal: control.signal,
      gpu,
      done: new Set(state.points.map((p) => p.id)),
      exportContext: grid.some((p) => p.format === 'gguf') ? await exportContextOf(model) : undefined,
      calibrate: control.calibrate,
      gzipBytes: control.gzipBytes,
      calibrationText: control.calibrationText,
      onProgress: (p) =>
        callbacks.onProgress({
          pointIndex: p.pointIndex,
          pointsTotal: p.pointsTotal,
          pointId: p.config.id,
          phase: p.phase,
          ...p.eval,
        }),
      onPoint: (point) => {
        state.points.push(point);
        void saveSweep(state);
        callbacks.onPoint(point);
      },
    });
    state.status = 'done';
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    state.status = control.stopReason();
  }
  await saveSweep(state);
  return state;
}
