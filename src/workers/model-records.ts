// The per-model records of the history (history-db.ts): finished evaluations and compress
// results, one record each in their store, newest first. They accumulate — none replaces another —
// and a record goes only when the page asks after the user confirmed.
import { BY_MODEL, inStore } from './history-db';

/** What every such record has: its id, the model's content key, and when it finished. */
export interface ModelRecord {
  id: string;
  modelKey: string;
  at: number;
}

/** Every record of the model in `store`, newest first. */
export async function modelRecords<T extends ModelRecord>(store: string, modelKey: string): Promise<T[]> {
  const records = await inStore<T[]>(store, 'readonly', (s) => s.index(BY_MODEL).getAll(modelKey));
  return records.sort((a, b) => b.at - a.at);
}

export async function saveRecord(store: string, record: ModelRecord): Promise<void> {
  await inStore(store, 'readwrite', (s) => s.put(record));
}

export async function deleteRecord(store: string, id: string): Promise<void> {
  await inStore(store, 'readwrite', (s) => s.delete(id));
}
