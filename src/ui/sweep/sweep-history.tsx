// The sweep history of the open model: every run (newest first) with its settings, points and
// best perplexity. A run opens (it becomes the chart), is compared (its points join the chart and
// the table, hollow, in the run's colour), is saved as one JSON file, or is deleted — only after
// a second, confirming click, and with an Undo until the next delete. The browser's storage use
// is shown so a filling quota is seen before it stops saves.
import { useEffect, useState } from 'react';
import type { SweepState } from '../../core/sweep';
import { downloadBlob } from '../../store/save-file';
import { bestPoint, runFileName, runSettingsText, runStartText, runToJson } from '../../store/sweep-history';
import { useStudioStore } from '../../store/studio-store';
import { formatBytes } from '../format';
import { HelpLink } from '../help';
import { comparedRunColor } from './point-style';
import { ConfirmDelete, DeletedNotice } from '../history-delete';

/** The site's storage use and quota (navigator.storage), refreshed when the history changes. */
function useStorageEstimate(version: unknown): { usage: number; quota: number } | null {
  const [estimate, setEstimate] = useState<{ usage: number; quota: number } | null>(null);
  useEffect(() => {
    let live = true;
    void navigator.storage
      ?.estimate?.()
      .then((e) => live && setEstimate({ usage: e.usage ?? 0, quota: e.quota ?? 0 }))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [version]);
  return estimate;
}

function RunRow({ run, index }: { run: SweepState; index: number }) {
  const openId = useStudioStore((s) => s.sweepRunId);
  const livePoints = useStudioStore((s) => s.sweepPoints);
  const busy = useStudioStore((s) => s.sweepStatus !== 'idle');
  const compared = useStudioStore((s) => s.comparedRunIds);
  const sourceName = useStudioStore((s) => s.model?.index.fileName ?? 'model.onnx');
  const openRun = useStudioStore((s) => s.openSweepRun);
  const toggleCompared = useStudioStore((s) => s.toggleComparedRun);
  const deleteRun = useStudioStore((s) => s.deleteSweepRun);
  const [confirming, setConfirming] = useState(false);
  const isOpen = run.runId === openId;
  const points = isOpen ? livePoints : run.points;
  const best = bestPoint(points);
  const comparedIndex = compared.indexOf(run.runId);
  const name = `Run ${runStartText(run)}`;

  return (
    <tr data-testid="history-run" data-run-id={run.runId} data-open={isOpen} className={isOpen ? 'is-selected' : undefined}>
      <td>
        <span className="history-run-start">{runStartText(run)}</span>
        {isOpen && <span className="pill pill-ok history-run-shown" data-testid="history-run-open">shown</span>}
      </td>
      <td className="small">{runSettingsText(run)}</td>
      <td className="num" data-testid="history-run-points">
        {points.length} / {Math.max(run.gridIds.length, points.length)}
      </td>
      <td className="small">{isOpen && busy ? 'running' : run.status}</td>
      <td className="num" title={best ? best.label : undefined}>{best ? best.ppl.toFixed(3) : '–'}</td>
      <td>
        {confirming ? (
          <ConfirmDelete
            what={name}
            prompt={`Delete this run and its ${points.length} point${points.length === 1 ? '' : 's'}?`}
            testId="history"
            onKeep={() => setConfirming(false)}
            onDelete={() => {
              setConfirming(false);
              void deleteRun(run.runId);
            }}
          />
        ) : (
          <span className="history-actions">
            <button type="button" className="button button-small" disabled={isOpen || busy} onClick={() => void openRun(run.runId)} data-testid="history-open" aria-label={`Open ${name}`}>
              Open
            </button>
            <label className="radio small" title={isOpen ? 'This run is the one shown' : "Show this run's points beside the shown run's"}>
              <input type="checkbox" disabled={isOpen} checked={comparedIndex >= 0} onChange={() => toggleCompared(run.runId)} data-testid="history-compare" aria-label={`Compare ${name}`} />
              <span>
                {comparedIndex >= 0 && <span className="role-dot" style={{ background: comparedRunColor(index) }} />}
                compare
              </span>
            </label>
            <button
              type="button"
              className="button button-small"
              onClick={() => downloadBlob(new Blob([runToJson({ ...run, points }, sourceName)], { type: 'application/json' }), runFileName(sourceName, run))}
              data-testid="history-export"
              aria-label={`Save ${name} as JSON`}
            >
              JSON
            </button>
            <button type="button" className="button button-small button-ghost" disabled={isOpen && busy} onClick={() => setConfirming(true)} data-testid="history-delete" aria-label={`Delete ${name}`}>
              Delete
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}

export function SweepHistory() {
  const history = useStudioStore((s) => s.sweepHistory);
  const deleted = useStudioStore((s) => s.deletedRun);
  const undo = useStudioStore((s) => s.undoDeleteSweepRun);
  const storage = useStorageEstimate(history);
  if (history.length === 0 && !deleted) return null;

  return (
    <section className="panel" aria-labelledby="sweep-history-heading" data-testid="sweep-history">
      <header className="panel-header panel-header-row">
        <div>
          <h2 id="sweep-history-heading">
            Sweep history
            <HelpLink topic="history" />
          </h2>
          <p className="panel-sub">
            Every sweep of this model (found by its content, not its name), kept in this browser.
            {storage && storage.quota > 0 && (
              <span data-testid="storage-estimate">
                {' '}
                Storage: {formatBytes(storage.usage)} of {formatBytes(storage.quota)} used.
              </span>
            )}
          </p>
        </div>
      </header>
      {deleted && (
        <DeletedNotice
          text={`Deleted the run of ${runStartText(deleted)} (${deleted.points.length} point${deleted.points.length === 1 ? '' : 's'}).`}
          testId="history"
          onUndo={() => void undo()}
        />
      )}
      {history.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Sweep runs">
          <table className="table" data-testid="history-table">
            <caption className="sr-only">Sweep runs of this model</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Evaluation</th>
                <th scope="col" className="num">Points</th>
                <th scope="col">Status</th>
                <th scope="col" className="num" title="The lowest perplexity among the run's points">Best ppl</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {history.map((run, i) => (
                <RunRow key={run.runId} run={run} index={i} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
