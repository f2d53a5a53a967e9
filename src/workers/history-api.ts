// The worker's side of the history: a model's sweep runs (which one is open, so the next sweep
// continues it or starts a new run), its evaluations and its compress results — listed, deleted
// on the page's confirmed request, and put back on undo. Every call checks the record belongs
// to the open model (its content key).
import type { ResultRecord } from '../core/compression-report';
import { UsageError } from '../core/errors';
import type { EvaluationRecord } from '../core/evaluation';
import { EVALUATIONS, RESULTS } from './history-db';
import { deleteRecord, modelRecords, saveRecord } from './model-records';
import type { StudioApi } from './studio-api';
import { deleteSweepRun, latestSweep, loadSweepRun, saveSweep, sweepRuns } from './sweep-store';

/** What the history needs of the worker: the open model (its key, its open run) and whether a sweep runs. */
export interface HistoryHost {
  model(): { key: Promise<string>; openRunId: string | null };
  sweepRunning(): boolean;
}

type HistoryCalls = 'savedSweep' | 'sweepHistory' | 'openSweep' | 'newSweep' | 'deleteSweep' | 'restoreSweepRun' | 'evaluationHistory' | 'deleteEvaluation' | 'restoreEvaluation' | 'resultHistory' | 'deleteResult' | 'restoreResult';

export function historyApi(host: HistoryHost): Pick<StudioApi, HistoryCalls> {
  return {
    async savedSweep() {
      const o = host.model();
      const latest = await latestSweep(await o.key);
      o.openRunId = latest?.runId ?? null;
      return latest;
    },

    async sweepHistory() {
      return sweepRuns(await host.model().key);
    },

    async openSweep(runId) {
      const o = host.model();
      const run = await loadSweepRun(runId);
      if (!run || run.modelKey !== (await o.key)) throw new UsageError(`No sweep run "${runId}" in this model's history`);
      o.openRunId = run.runId;
      return run;
    },

    newSweep() {
      host.model().openRunId = null;
    },

    async deleteSweep(runId) {
      const o = host.model();
      const run = await loadSweepRun(runId);
      if (!run || run.modelKey !== (await o.key)) return;
      if (host.sweepRunning() && o.openRunId === runId) throw new UsageError('This run is still going: pause or cancel it before deleting it');
      await deleteSweepRun(runId);
      if (o.openRunId === runId) o.openRunId = null;
    },

    async restoreSweepRun(run) {
      const o = host.model();
      if (run.modelKey !== (await o.key)) throw new UsageError('That run belongs to another model');
      await saveSweep(run);
    },
    async evaluationHistory() {
      return modelRecords<EvaluationRecord>(EVALUATIONS, await host.model().key);
    },

    async deleteEvaluation(id) {
      await deleteRecord(EVALUATIONS, id);
    },

    async restoreEvaluation(record) {
      if (record.modelKey !== (await host.model().key)) throw new UsageError('That evaluation belongs to another model');
      await saveRecord(EVALUATIONS, record);
    },

    async resultHistory() {
      return modelRecords<ResultRecord>(RESULTS, await host.model().key);
    },

    async deleteResult(id) {
      await deleteRecord(RESULTS, id);
    },

    async restoreResult(record) {
      if (record.modelKey !== (await host.model().key)) throw new UsageError('That result belongs to another model');
      await saveRecord(RESULTS, record);
    },
  };
}
