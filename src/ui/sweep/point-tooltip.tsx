// Hover card of a sweep point: its configuration and what it costs against the original.
import type { EvalReport } from '../../core/evaluation';
import type { SweepPoint } from '../../core/sweep';
import { formatBytes, formatDuration } from '../format';
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
      <span>
        {formatBytes(point.bytes)} · {point.bitsPerWeight.toFixed(2)} bits/weight
      </span>
      <span className="muted">
        quantize {formatDuration(point.quantizeMs)} · evaluate {formatDuration(point.evalMs)}
      </span>
    </div>
  );
}
