// The history against Chromium's real IndexedDB: several sweep runs per model, newest first,
// deletes one run only, moves runs from a former key, maps a full quota to its own error, opens a
// version-1 database (one sweep per model) with its sweeps kept as first runs; evaluations and
// compress results accumulate per model the same way.
import { beforeEach, describe, expect, it } from 'vitest';
import type { SweepState } from '../core/sweep';
import { EVALUATIONS, RESULTS, storageError } from './history-db';
import { deleteRecord, modelRecords, saveRecord } from './model-records';
import { deleteSweepRun, latestSweep, loadSweepRun, moveSweepRuns, saveSweep, sweepRuns } from './sweep-store';

const DB_NAME = 'compression-studio';

function run(runId: string, modelKey: string, updatedAt: number, windows = 4): SweepState {
  return {
    runId,
    modelKey,
    modelName: 'model.onnx',
    startedAt: updatedAt - 1,
    updatedAt,
    request: { axes: { bits: [4], blocks: [32], symmetric: [false], selections: [] }, windows, executionProvider: 'wasm' },
    gridIds: [],
    points: [],
    reference: null,
    status: 'done',
  };
}

function request<T>(req: IDBRequest<T> | IDBOpenDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error);
  });
}

beforeEach(async () => {
  await request(indexedDB.deleteDatabase(DB_NAME));
});

describe('sweep history store', () => {
  it('keeps every run of a model, newest first, and deletes only the run named', async () => {
    await saveSweep(run('a1', 'sha256:a', 10));
    await saveSweep(run('a2', 'sha256:a', 30, 16));
    await saveSweep(run('b1', 'sha256:b', 20));
    expect((await sweepRuns('sha256:a')).map((r) => r.runId)).toEqual(['a2', 'a1']);
    expect((await latestSweep('sha256:a'))?.request.windows).toBe(16);
    expect((await sweepRuns('sha256:none'))).toEqual([]);
    expect(await latestSweep('sha256:none')).toBeNull();

    await saveSweep({ ...run('a1', 'sha256:a', 40), status: 'paused' }); // a save rewrites the run, under its id
    expect((await sweepRuns('sha256:a')).map((r) => [r.runId, r.status])).toEqual([['a1', 'paused'], ['a2', 'done']]);

    await deleteSweepRun('a1');
    expect((await sweepRuns('sha256:a')).map((r) => r.runId)).toEqual(['a2']);
    expect(await loadSweepRun('a1')).toBeNull();
    expect((await loadSweepRun('b1'))?.modelKey).toBe('sha256:b');
  });

  it('moves runs saved under a former key to the content key', async () => {
    await saveSweep(run('old', 'model.onnx|1000|abcd', 5));
    await moveSweepRuns('model.onnx|1000|abcd', 'sha256:a');
    expect((await sweepRuns('sha256:a')).map((r) => r.runId)).toEqual(['old']);
    expect(await sweepRuns('model.onnx|1000|abcd')).toEqual([]);
  });

  it('opens a version-1 database: each saved sweep becomes its model\'s first run, beside an empty evaluations store', async () => {
    const v1 = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('sweeps');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const { runId: _r, startedAt: _s, updatedAt: _u, ...old } = run('x', 'sha256:a', 1);
    await new Promise<void>((resolve, reject) => {
      const tx = v1.transaction('sweeps', 'readwrite');
      tx.objectStore('sweeps').put(old, 'sha256:a');
      tx.objectStore('sweeps').put({ ...old, modelKey: 'sha256:b' }, 'sha256:b');
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    v1.close();

    const runs = await sweepRuns('sha256:a');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ modelKey: 'sha256:a', startedAt: 0, updatedAt: 0, status: 'done' });
    expect(runs[0].runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await sweepRuns('sha256:b')).toHaveLength(1);
    const db = await request(indexedDB.open(DB_NAME));
    expect([...(db as IDBDatabase).objectStoreNames]).toEqual(['evaluations', 'results', 'runs']);
    (db as IDBDatabase).close();
  });

  it('words a full quota as such', () => {
    const full = storageError(new DOMException('quota', 'QuotaExceededError'));
    expect(full).toMatchObject({ code: 'storage-full' });
    expect(full.message).toContain('storage for this page is full');
    expect(storageError(new Error('other')).message).toBe('other');
  });
});

describe('evaluation and result records', () => {
  it('keeps every record of a model, newest first, and deletes only the one named, in either store', async () => {
    for (const store of [EVALUATIONS, RESULTS]) {
      await saveRecord(store, { id: 'e1', modelKey: 'sha256:a', at: 10 });
      await saveRecord(store, { id: 'e2', modelKey: 'sha256:a', at: 20 });
      await saveRecord(store, { id: 'e3', modelKey: 'sha256:b', at: 30 });
      expect((await modelRecords(store, 'sha256:a')).map((e) => e.id)).toEqual(['e2', 'e1']);
      await deleteRecord(store, 'e2');
      expect((await modelRecords(store, 'sha256:a')).map((e) => e.id)).toEqual(['e1']);
      expect((await modelRecords(store, 'sha256:b')).map((e) => e.id)).toEqual(['e3']);
    }
    expect(await modelRecords(RESULTS, 'sha256:none')).toEqual([]);
  });
});
