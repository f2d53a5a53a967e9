// The selected sweep point: its numbers, "Export this point" (the worker re-creates it, RTN
// being deterministic, and it downloads like the main export), and "Evaluate" with the Perplexity
// panel's settings (say W=64 for a point the sweep measured at W=8), with every evaluation of the
// point so far.
import { pointFileName } from '../../store/sweep-export';
import { useStudioStore } from '../../store/studio-store';
import type { SweepPoint } from '../../core/sweep';
import { formatBytes, formatKl } from '../format';
import { Stat } from '../stat';
import { METHOD_LABEL, pointLabel } from './point-style';
import { KL_METHOD_NOTE } from '../../core/evaluation';
import { useReference } from './use-sweep-view';

export function SelectedPoint({ point }: { point: SweepPoint }) {
  const exportPoint = useStudioStore((s) => s.exportSelectedPoint);
  const saving = useStudioStore((s) => s.exportStatus === 'saving');
  const busy = useStudioStore((s) => s.loadStatus !== 'idle');
  const sourceName = useStudioStore((s) => s.model?.index.fileName ?? 'model.onnx');
  const saved = useStudioStore((s) => s.pointSaved);
  const reference = useReference();
  const windows = useStudioStore((s) => s.evalWindows);
  const evaluatePoint = useStudioStore((s) => s.evaluateSelectedPoint);
  const evaluating = useStudioStore((s) => s.evalStatus !== 'idle' && s.evalSubject === 'point');
  const otherBusy = useStudioStore((s) => s.evalStatus !== 'idle' || s.sweepStatus !== 'idle' || s.jobStatus !== 'idle' || s.loadStatus !== 'idle');
  const allEvaluations = useStudioStore((s) => s.evaluations);
  const evaluations = allEvaluations.filter((e) => e.subject === 'point' && e.recipeId === point.id);
  const fileName = pointFileName(sourceName, point);
  const delta = reference ? (point.ppl / reference.ppl - 1) * 100 : null;

  return (
    <div className="selected-point" data-testid="selected-point" data-point-id={point.id}>
      <div className="panel-header-row">
        <div>
          <h3 className="selected-title">{METHOD_LABEL[point.method] ?? point.method} · {pointLabel(point)}</h3>
        </div>
        <div className="download">
          <button type="button" className="button button-primary" onClick={() => void exportPoint()} disabled={saving || busy} data-testid="point-export" title={`Save ${fileName}`}>
            {saving ? 'Saving…' : `Export ${fileName}`}
          </button>
          {saved && (
            <span className="muted small" role="status" data-testid="point-export-done">
              Saved {saved.fileName} ({formatBytes(saved.bytesWritten)})
            </span>
          )}
        </div>
      </div>
      <dl className="stats">
        <Stat label="Perplexity" value={point.ppl.toFixed(3)} testId="selected-ppl" accent note={delta !== null ? `${delta >= 0 ? '+' : ''}${delta.toFixed(2)} % vs original · W=${point.windows}` : `W=${point.windows}`} />
        {point.kl && <Stat label="KL divergence" value={point.kl.mean.toFixed(4)} title={KL_METHOD_NOTE} testId="selected-kl" note={`nats · top-1 agreement ${(point.kl.top1Agreement * 100).toFixed(1)} %`} />}
        <Stat label="Size" value={formatBytes(point.bytes)} title={`${point.bytes.toLocaleString('en-US')} bytes`} testId="selected-size" />
        <Stat label="Bits per weight" value={point.bitsPerWeight.toFixed(2)} testId="selected-bpw" note="incl. scales, zero points" />
      </dl>
      <div className="result-eval">
        <button type="button" className="button button-secondary" onClick={() => void evaluatePoint()} disabled={otherBusy} data-testid="point-evaluate" title="Compresses the point again and scores it with the Perplexity panel's settings">
          {evaluating ? 'Evaluating… (progress under Perplexity)' : `Evaluate this point (W=${windows})`}
        </button>
        {evaluations.length > 0 && (
          <ul className="small point-evaluations" data-testid="point-evaluations">
            {evaluations.map((e) => (
              <li key={e.id} data-testid="point-evaluation" data-ppl={e.report.ppl}>
                perplexity <strong>{e.report.ppl.toFixed(4)}</strong> · W={e.report.windows} · {e.report.textSource === 'bundled' ? 'WikiText-2' : 'own text'} · {e.report.executionProvider}
                {e.report.kl ? ` · ${formatKl(e.report.kl)}` : ''}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
