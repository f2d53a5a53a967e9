// The sweep history in IndexedDB: every run of every model, one record per run (keyed by its
// run id, indexed by the model's content key), rewritten after every finished point so a reload
// loses nothing. Nothing here deletes a run except `deleteSweepRun`, which the page calls only
// after the user confirmed. Raw IndexedDB (a handful of operations) rather than a wrapper library.
//
// Version 1 kept one sweep per model in the store 'sweeps' (keyed by the model key); opening
// version 2 moves each into 'runs' as that model's first run.
import type { SweepState } from '../core/sweep';
import { StudioError } from '../core/errors';
import { migrateSweepState } from './sweep-migration';

const DB_NAME = 'compression-studio';
const DB_VERSION = 2;
const RUNS = 'runs';
const BY_MODEL = 'modelKey';
const LEGACY_STORE = 'sweeps';

export function newRunId(): string {
  return crypto.randomUUID();
}

function upgrade(db: IDBDatabase, tx: IDBTransaction, oldVersion: number): void {
  const runs = db.createObjectStore(RUNS, { keyPath: 'runId' });
  runs.createIndex(BY_MODEL, 'modelKey');
  if (oldVersion < 1 || !db.objectStoreNames.contains(LEGACY_STORE)) return;
  const legacy = tx.objectStore(LEGACY_STORE);
  legacy.openCursor().onsuccess = (event) => {
    const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
    if (!cursor) {
      db.deleteObjectStore(LEGACY_STORE);
      return;
    }
    const old = cursor.value as Omit<SweepState, 'runId' | 'startedAt' | 'updatedAt'>;
    runs.put({ ...old, modelKey: String(cursor.key), runId: newRunId(), startedAt: 0, updatedAt: 0 });
    cursor.continue();
  };
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = (event) => upgrade(req.result, req.transaction!, event.oldVersion);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * A failed write as the page should word it: a full quota names itself (the browser's storage
 * for this page is full) instead of surfacing as a bare DOMException.
 */
export function storageError(error: unknown): Error {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'QuotaExceededError') {
    return new StudioError(
      'storage-full',
      "The browser's storage for this page is full (quota exceeded): the sweep history could not be saved. Delete old runs in the history, or free space for this site in the browser's settings.",
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

async function inStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(RUNS, mode);
      const req = fn(tx.objectStore(RUNS));
      tx.oncomplete = () => resolve(req ? req.result : (undefined as T));
      tx.onerror = () => reject(storageError(tx.error));
      tx.onabort = () => reject(storageError(tx.error));
    });
  } catch (error) {
    throw storageError(error);
  } finally {
    db.close();
  }
}

/** Every run of the model, newest first, in the current shape (runs saved before recipes are migrated). */
export async function sweepRuns(modelKey: string): Promise<SweepState[]> {
  const runs = await inStore<SweepState[]>('readonly', (s) => s.index(BY_MODEL).getAll(modelKey));
  return runs.map(migrateSweepState).sort((a, b) => b.updatedAt - a.updatedAt || b.startedAt - a.startedAt);
}

/** The model's most recent run (what the page shows when the model opens). */
export async function latestSweep(modelKey: string): Promise<SweepState | null> {
  return (await sweepRuns(modelKey))[0] ?? null;
}

export async function loadSweepRun(runId: string): Promise<SweepState | null> {
  const run = await inStore<SweepState | undefined>('readonly', (s) => s.get(runId));
  return run ? migrateSweepState(run) : null;
}

export async function saveSweep(state: SweepState): Promise<void> {
  await inStore('readwrite', (s) => s.put(state));
}

export async function deleteSweepRun(runId: string): Promise<void> {
  await inStore('readwrite', (s) => s.delete(runId));
}

/** Runs saved under the model's key before content keys (name and size) move to `modelKey`. */
export async function moveSweepRuns(formerKey: string, modelKey: string): Promise<void> {
  for (const run of await sweepRuns(formerKey)) await saveSweep({ ...run, modelKey });
}
