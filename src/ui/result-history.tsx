// Every compress result of the open model, newest first: the file it downloads as, its size, bits
// per weight and worst layer error. "Run again" puts its recipe and format in the editor and
// compresses (the same file: runs are deterministic) — the file itself is never stored. Deleting
// one asks first and offers Undo.
import { useState } from 'react';
import type { ResultRecord } from '../core/compression-report';
import { runStartText } from '../store/sweep-history';
import { useStudioStore } from '../store/studio-store';
import { worstFirst } from './error-ranking';
import { formatBytes, formatRelError } from './format';
import { ConfirmDelete, DeletedNotice } from './history-delete';

function ResultRow({ record }: { record: ResultRecord }) {
  const rerun = useStudioStore((s) => s.rerunResult);
  const remove = useStudioStore((s) => s.deleteResult);
  const busy = useStudioStore((s) => s.jobStatus !== 'idle' || s.loadStatus !== 'idle' || s.exportStatus !== 'idle' || s.sweepStatus !== 'idle');
  const [confirming, setConfirming] = useState(false);
  const { report } = record;
  const worst = worstFirst(report.tensors)[0];
  return (
    <tr data-testid="result-history-row" data-file={record.fileName}>
      <td className="history-run-start">{runStartText({ startedAt: record.at })}</td>
      <td className="mono cell-name" title={record.fileName}>{record.fileName}</td>
      <td className="num" title={`${report.outputBytes.toLocaleString('en-US')} bytes`}>{formatBytes(report.outputBytes)}</td>
      <td className="num">{report.bitsPerWeight.toFixed(2)}</td>
      <td className="num">{worst?.relError != null ? formatRelError(worst.relError) : '–'}</td>
      <td>
        {confirming ? (
          <ConfirmDelete
            what={`the result ${record.fileName}`}
            prompt="Delete?"
            testId="result-history"
            onKeep={() => setConfirming(false)}
            onDelete={() => {
              setConfirming(false);
              void remove(record.id);
            }}
          />
        ) : (
          <span className="history-actions">
            <button type="button" className="button button-small" disabled={busy} onClick={() => void rerun(record.id)} data-testid="result-history-rerun" title="Put this result's recipe in the editor and compress again (the same file)">
              Run again
            </button>
            <button type="button" className="button button-small button-ghost" onClick={() => setConfirming(true)} data-testid="result-history-delete" aria-label={`Delete the result ${record.fileName}`}>
              Delete
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}

export function ResultHistory() {
  const results = useStudioStore((s) => s.results);
  const deleted = useStudioStore((s) => s.deletedResult);
  const undo = useStudioStore((s) => s.undoDeleteResult);
  if (results.length === 0 && !deleted) return null;
  return (
    <section className="panel" aria-labelledby="result-history-heading" data-testid="result-history">
      <header className="panel-header">
        <h2 id="result-history-heading">Results</h2>
        <p className="panel-sub">Every compress run of this model, newest first, kept in this browser; run one again to download it.</p>
      </header>
      {deleted && <DeletedNotice text={`Deleted the result ${deleted.fileName}.`} testId="result-history" onUndo={() => void undo()} />}
      {results.length > 0 && (
        <div className="table-scroll table-scroll-short" tabIndex={0} role="region" aria-label="Compress results">
          <table className="table">
            <caption className="sr-only">Compress results of this model</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">File</th>
                <th scope="col" className="num">Size</th>
                <th scope="col" className="num">Bits/w</th>
                <th scope="col" className="num">Worst error</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <ResultRow key={r.id} record={r} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
