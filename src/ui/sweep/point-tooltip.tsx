// Hover card of a sweep point: its configuration and what it costs against the original
// (size, and for pruned points their sparsity and gzipped size).
import type { EvalReport } from '../../core/evaluation';
import type { SweepPoint } from '../../core/sweep';
import { formatBytes, formatDuration, formatKl } from '../format';
import { METHOD_LABEL, pointLabel } from './point-style';

/** What a compared run's datum carries besides the point: its run's name and reference. */
export interface ComparedDatum {
  runName: string;
  runReference: EvalReport | null;
}

interface TooltipProps {
  active?: boolean;
  payload?: readonly { payload?: unknown }[];
  reference: EvalReport | null;
}

export function PointTooltip({ active, payload, reference }: TooltipProps) {
  const point = payload?.[0]?.payload as (SweepPoint & Partial<ComparedDatum>) | undefined;
  if (!active || !point || typeof point.ppl !== 'number') return null;
  // A compared run's point is measured against its own run's reference.
  const against = point.runName !== undefined ? (point.runReference ?? null) : reference;
  const delta = against ? (point.ppl / against.ppl - 1) * 100 : null;
  return (
    <div className="point-tooltip" data-testid="point-tooltip">
      {point.runName !== undefined && <span className="muted">Compared run {point.runName}</span>}
      <strong>
        {METHOD_LABEL[point.method] ?? point.method} · {pointLabel(point)}
      </strong>
      <span>
        ppl {point.ppl.toFixed(3)}
        {delta !== null ? ` (${delta >= 0 ? '+' : ''}${delta.toFixed(2)} % vs original)` : ''} · W={point.windows}
      </span>
      {point.kl && <span data-testid="point-tooltip-kl">{formatKl(point.kl)}</span>}
      <span>
        {formatBytes(point.bytes)} · {point.bitsPerWeight.toFixed(2)} bits/weight
      </span>
      {point.prune && (
        <span data-testid="point-tooltip-sparsity">
          {point.prune.method === 'channels' ? `${((point.sparsity ?? 0) * 100).toFixed(1)} % of the MLP parameters removed` : `${((point.sparsity ?? 0) * 100).toFixed(1)} % zeros`}
          {point.gzipBytes !== undefined ? ` · ${formatBytes(point.gzipBytes)} gzipped` : ''}
        </span>
      )}
      <span className="muted">
        quantize {formatDuration(point.quantizeMs)} · evaluate {formatDuration(point.evalMs)}
      </span>
    </div>
  );
}
