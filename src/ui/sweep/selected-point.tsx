// The selected sweep point: its numbers and "Export this point" (the worker re-creates it, RTN
// being deterministic, and it downloads like the main export).
import { pointFileName } from '../../store/sweep-export';
import { useStudioStore } from '../../store/studio-store';
import type { SweepPoint } from '../../core/sweep';
import { formatBytes } from '../format';
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
    </div>
  );
}
