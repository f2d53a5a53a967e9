// The sweep history (history-db.ts, store 'runs'): every run of every model, one record per run,
// rewritten after every finished point so a reload loses nothing. Nothing here deletes a run
// except `deleteSweepRun`, which the page calls only after the user confirmed.
import type { SweepState } from '../core/sweep';
import { BY_MODEL, inStore, RUNS } from './history-db';
import { migrateSweepState } from './sweep-migration';

/** Every run of the model, newest first, in the current shape (runs saved before recipes are migrated). */
export async function sweepRuns(modelKey: string): Promise<SweepState[]> {
  const runs = await inStore<SweepState[]>(RUNS, 'readonly', (s) => s.index(BY_MODEL).getAll(modelKey));
  return runs.map(migrateSweepState).sort((a, b) => b.updatedAt - a.updatedAt || b.startedAt - a.startedAt);
}

/** The model's most recent run (what the page shows when the model opens). */
export async function latestSweep(modelKey: string): Promise<SweepState | null> {
  return (await sweepRuns(modelKey))[0] ?? null;
}

export async function loadSweepRun(runId: string): Promise<SweepState | null> {
  const run = await inStore<SweepState | undefined>(RUNS, 'readonly', (s) => s.get(runId));
  return run ? migrateSweepState(run) : null;
}

export async function saveSweep(state: SweepState): Promise<void> {
  await inStore(RUNS, 'readwrite', (s) => s.put(state));
}

export async function deleteSweepRun(runId: string): Promise<void> {
  await inStore(RUNS, 'readwrite', (s) => s.delete(runId));
}

/** Runs saved under the model's key before content keys (name and size) move to `modelKey`. */
export async function moveSweepRuns(formerKey: string, modelKey: string): Promise<void> {
  for (const run of await sweepRuns(formerKey)) await saveSweep({ ...run, modelKey });
}
