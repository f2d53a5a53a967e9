// The studio's IndexedDB database: the sweep runs, evaluations and compress results of every model, each store
// keyed by record id and indexed by the model's content key. One place opens it (and upgrades
// it), wraps a request in a transaction, and words a failed write (a full quota names itself).
// Raw IndexedDB (a handful of operations) rather than a wrapper library.
//
// Versions: 1 kept one sweep per model in 'sweeps' (keyed by the model key); 2 keeps every run in
// 'runs' (each version-1 sweep becomes its model's first run); 3 adds 'evaluations', 4 'results'.
import { StudioError } from '../core/errors';

const DB_NAME = 'compression-studio';
const DB_VERSION = 4;
export const RUNS = 'runs';
export const EVALUATIONS = 'evaluations';
export const RESULTS = 'results';
export const BY_MODEL = 'modelKey';
const LEGACY_SWEEPS = 'sweeps';

export function newRecordId(): string {
  return crypto.randomUUID();
}

function upgrade(db: IDBDatabase, tx: IDBTransaction): void {
  const keyPaths: Record<string, string> = { [RUNS]: 'runId', [EVALUATIONS]: 'id', [RESULTS]: 'id' };
  for (const [name, keyPath] of Object.entries(keyPaths)) {
    if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath }).createIndex(BY_MODEL, 'modelKey');
  }
  if (!db.objectStoreNames.contains(LEGACY_SWEEPS)) return;
  const runs = tx.objectStore(RUNS);
  tx.objectStore(LEGACY_SWEEPS).openCursor().onsuccess = (event) => {
    const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
    if (!cursor) {
      db.deleteObjectStore(LEGACY_SWEEPS);
      return;
    }
    runs.put({ ...cursor.value, modelKey: String(cursor.key), runId: newRecordId(), startedAt: 0, updatedAt: 0 });
    cursor.continue();
  };
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => upgrade(req.result, req.transaction!);
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
      "The browser's storage for this page is full (quota exceeded): the history could not be saved. Delete old runs in the sweep history, or free space for this site in the browser's settings.",
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs `fn` on one store in a transaction; resolves with the request's result once the transaction completes. */
export async function inStore<T>(store: string, mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = fn(tx.objectStore(store));
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
