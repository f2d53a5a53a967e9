// One sweep run inside the worker: continues the open run when the evaluation settings match
// (the grids merge) or starts a new run in the history (the open one stays there), evaluates the
// reference once, runs the remaining grid points (each a recipe), and saves after every point.
// Pause and cancel both stop at once (between evaluation windows); finished points stay.
import { CancelledError } from '../core/errors';
import { sameEvalSettings, type SweepRequest, type SweepState, type SweepStatus } from '../core/sweep';
import type { ModelEvaluation } from '../eval/model-evaluation';
import type { GpuContext } from '../gpu/context';
import { exportContextOf } from '../pipeline/export-context';
import type { OpenedModel } from '../pipeline/open-model';
import { expandGrid, runSweep, type SweepOptions } from '../pipeline/sweep';
import { newRecordId, storageError } from './history-db';
import { saveSweep } from './sweep-store';
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

/**
 * The run a request continues: the open run when its evaluation settings are the request's
 * (points stay comparable on one chart), else none — the request starts a new run.
 */
export function continuedRun(open: SweepState | null, request: SweepRequest): SweepState | null {
  return open && sameEvalSettings(open.request, request) ? open : null;
}

/** A fresh run of the model for the request (nothing finished yet). */
export function newSweepRun(modelKey: string, modelName: string, request: SweepRequest, now = Date.now()): SweepState {
  return { runId: newRecordId(), modelKey, modelName, startedAt: now, updatedAt: now, request, gridIds: [], points: [], reference: null, status: 'running' };
}

export async function runSweepJob(
  run: SweepState,
  model: OpenedModel,
  evaluation: ModelEvaluation,
  gpu: GpuContext,
  request: SweepRequest,
  callbacks: SweepCallbacks,
  control: SweepJobControl,
): Promise<SweepState> {
  const grid = expandGrid(request.axes);
  const state: SweepState = {
    ...run,
    request,
    gridIds: [...new Set([...run.gridIds, ...grid.map((g) => g.id)])],
    points: [...run.points],
    status: 'running',
  };
  // The run goes on when a save fails (a full quota): its points are on the page, which says a reload would lose them.
  const save = () => saveSweep({ ...state, updatedAt: Date.now() }).catch((e) => callbacks.onSaveFailed(storageError(e).message));
  await save();
  callbacks.onRun({ ...state, points: [...state.points] });
  const tokens = await evaluation.tokenIds(request.text);
  const evaluator = await evaluation.evaluator(request.executionProvider);
  try {
    if (!state.reference) {
      const reference = await evaluation.evaluate(request, [], {
        signal: control.signal,
        onProgress: (e) => callbacks.onProgress({ pointIndex: -1, pointsTotal: grid.length, pointId: 'original', phase: 'reference', ...e }),
      });
      state.reference = reference;
      await save();
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
        void save();
        callbacks.onPoint(point);
      },
    });
    state.status = 'done';
  } catch (e) {
    if (!(e instanceof CancelledError)) {
      // A failed point (a lost device, out of memory) pauses the run: what finished is kept, and
      // a reload offers Resume rather than running into the same failure unasked.
      state.status = 'paused';
      await save();
      throw e;
    }
    state.status = control.stopReason();
  }
  await save();
  return state;
}
