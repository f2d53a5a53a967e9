// Saved sweeps in IndexedDB, one record per model key, rewritten after every finished point so
// a reload loses nothing. Raw IndexedDB (two operations) rather than a wrapper library.
import type { SweepState } from '../core/sweep';
import { migrateSweepState } from './sweep-migration';

const DB_NAME = 'compression-studio';
const STORE = 'sweeps';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/**
 * The saved sweep of a model, in the current shape (sweeps saved before recipes are migrated).
 * A sweep still under the model's `formerKey` (saved before content keys) moves to `modelKey`.
 */
export async function loadSweep(modelKey: string, formerKey?: string): Promise<SweepState | null> {
  const saved = await withStore<SweepState | undefined>('readonly', (s) => s.get(modelKey));
  if (saved) return migrateSweepState(saved);
  const former = formerKey ? await withStore<SweepState | undefined>('readonly', (s) => s.get(formerKey)) : undefined;
  if (!former) return null;
  const moved = { ...migrateSweepState(former), modelKey };
  await saveSweep(moved);
  await deleteSweep(formerKey!);
  return moved;
}

export async function saveSweep(state: SweepState): Promise<void> {
  await withStore('readwrite', (s) => s.put(state, state.modelKey));
}

export async function deleteSweep(modelKey: string): Promise<void> {
  await withStore('readwrite', (s) => s.delete(modelKey));
}
