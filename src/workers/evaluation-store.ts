// The evaluation history (history-db.ts, store 'evaluations'): every finished evaluation of every
// model, one record each — results accumulate, none replaces another; a record goes only when the
// page asks after the user confirmed.
import type { EvaluationRecord } from '../core/evaluation';
import { BY_MODEL, EVALUATIONS, inStore } from './history-db';

/** Every evaluation of the model, newest first. */
export async function evaluations(modelKey: string): Promise<EvaluationRecord[]> {
  const records = await inStore<EvaluationRecord[]>(EVALUATIONS, 'readonly', (s) => s.index(BY_MODEL).getAll(modelKey));
  return records.sort((a, b) => b.at - a.at);
}

export async function saveEvaluation(record: EvaluationRecord): Promise<void> {
  await inStore(EVALUATIONS, 'readwrite', (s) => s.put(record));
}

export async function deleteEvaluationRecord(id: string): Promise<void> {
  await inStore(EVALUATIONS, 'readwrite', (s) => s.delete(id));
}
