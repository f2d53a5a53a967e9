// Hover card of a sweep point: its configuration and what it costs against the original
// (size, and for pruned points their sparsity and gzipped size).
import type { EvalReport } from '../../core/evaluation';
import type { SweepPoint } from '../../core/sweep';
import { formatBytes, formatDuration, formatKl } from '../format';
import { METHOD_LABEL, pointLabel } from './point-style';

interface TooltipProps {
  active?: boolean;
  payload?: readonly { payload?: unknown }[];
  reference: EvalReport | null;
}

export function PointTooltip({ active, payload, reference }: TooltipProps) {
  const point = payload?.[0]?.payload as SweepPoint | undefined;
  if (!active || !point || typeof point.ppl !== 'number') return null;
  const delta = reference ? (point.ppl / reference.ppl - 1) * 100 : null;
  return (
    <div className="point-tooltip" data-testid="point-tooltip">
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
