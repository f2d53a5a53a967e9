// Every evaluation of the open model (the original, compressed results, sweep points), newest
// first, with what was scored and how: results accumulate instead of replacing each other, and
// come back when the same model (by content) is opened again. Deleting one asks first and offers
// Undo; the list downloads as CSV.
import { useState } from 'react';
import type { EvaluationRecord } from '../core/evaluation';
import { KL_METHOD_NOTE } from '../core/evaluation';
import { modelStem } from '../core/output-names';
import { downloadBlob } from '../store/save-file';
import { evaluationsToCsv } from '../store/evaluation-export';
import { runStartText } from '../store/sweep-history';
import { useStudioStore } from '../store/studio-store';
import { formatKl } from './format';
import { ConfirmDelete, DeletedNotice } from './history-delete';

function EvaluationRow({ record }: { record: EvaluationRecord }) {
  const remove = useStudioStore((s) => s.deleteEvaluation);
  const [confirming, setConfirming] = useState(false);
  const { report } = record;
  return (
    <tr data-testid="evaluation-row" data-subject={record.subject} data-ppl={report.ppl}>
      <td className="history-run-start">{runStartText({ startedAt: record.at })}</td>
      <td className="mono cell-name" title={record.label}>{record.label}</td>
      <td className="num">{report.ppl.toFixed(4)}</td>
      <td className="num" title={KL_METHOD_NOTE}>{report.kl ? formatKl(report.kl).replace('KL ', '') : '–'}</td>
      <td className="small">
        W={report.windows} · {report.textSource === 'bundled' ? 'WikiText-2' : 'own text'} · {report.executionProvider}
      </td>
      <td>
        {confirming ? (
          <ConfirmDelete
            what={`the evaluation of ${record.label}`}
            prompt="Delete?"
            testId="evaluation"
            onKeep={() => setConfirming(false)}
            onDelete={() => {
              setConfirming(false);
              void remove(record.id);
            }}
          />
        ) : (
          <button type="button" className="button button-small button-ghost" onClick={() => setConfirming(true)} data-testid="evaluation-delete" aria-label={`Delete the evaluation of ${record.label}`}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

export function EvaluationHistory() {
  const evaluations = useStudioStore((s) => s.evaluations);
  const deleted = useStudioStore((s) => s.deletedEvaluation);
  const undo = useStudioStore((s) => s.undoDeleteEvaluation);
  const sourceName = useStudioStore((s) => s.model?.index.fileName ?? 'model.onnx');
  if (evaluations.length === 0 && !deleted) return null;
  return (
    <section className="panel" aria-labelledby="evaluation-history-heading" data-testid="evaluation-history">
      <header className="panel-header panel-header-row">
        <div>
          <h2 id="evaluation-history-heading">Evaluations</h2>
          <p className="panel-sub">Every perplexity measured on this model, newest first; none replaces another.</p>
        </div>
        {evaluations.length > 0 && (
          <button
            type="button"
            className="button button-small"
            onClick={() => downloadBlob(new Blob([evaluationsToCsv(evaluations)], { type: 'text/csv' }), `${modelStem(sourceName)}-evaluations.csv`)}
            data-testid="evaluations-csv"
          >
            CSV
          </button>
        )}
      </header>
      {deleted && <DeletedNotice text={`Deleted the evaluation of ${deleted.label}.`} testId="evaluation" onUndo={() => void undo()} />}
      {evaluations.length > 0 && (
        <div className="table-scroll table-scroll-short" tabIndex={0} role="region" aria-label="Evaluations">
          <table className="table">
            <caption className="sr-only">Evaluations of this model</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col" className="num">Perplexity</th>
                <th scope="col" className="num">KL · top-1</th>
                <th scope="col">Settings</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {evaluations.map((e) => (
                <EvaluationRow key={e.id} record={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
