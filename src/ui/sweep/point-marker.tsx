// One sweep point on a chart: its marker (fill and shape given by the chart's encoding), larger
// and outlined when selected; a click, or Enter or Space on the focused point (Tab reaches every
// point), selects it. Both trade-off charts draw their points with it. A compared run's point is
// hollow, in the run's colour, and not selectable (its run is opened from the history for that).
// `offset` moves a marker sideways when others sit on the same spot (chart-parts.tsx withDodge).
import { Symbols, type SymbolType } from 'recharts';
import type { SweepPoint } from '../../core/sweep';
import { CHART_COLORS } from './point-style';
import { activatesOnKey } from '../keyboard';

export interface MarkerProps {
  cx?: number;
  cy?: number;
  payload?: SweepPoint;
}

export function PointMarker({ cx, cy, payload, selected, onSelect, fill, shape, offset = 0 }: MarkerProps & { selected: boolean; onSelect: (id: string) => void; fill: string; shape: SymbolType; offset?: number }) {
  if (!payload || cx === undefined || cy === undefined) return <g />;
  return (
    <g
      className="sweep-point"
      data-testid="sweep-point"
      data-point-id={payload.id}
      data-bits={payload.bits}
      data-method={payload.method}
      data-ppl={payload.ppl}
      data-sparsity={payload.sparsity ?? 0}
      data-selected={selected}
      onClick={() => onSelect(payload.id)}
      onKeyDown={activatesOnKey(() => onSelect(payload.id))}
      tabIndex={0}
      role="button"
      aria-pressed={selected}
      aria-label={`${payload.label}: perplexity ${payload.ppl.toFixed(3)}, ${payload.bitsPerWeight.toFixed(2)} bits per weight`}
      style={{ cursor: 'pointer' }}
    >
      <Symbols
        cx={cx + offset}
        cy={cy}
        type={shape}
        size={selected ? 190 : 95}
        fill={fill}
        stroke={selected ? CHART_COLORS.selected : '#ffffff'}
        strokeWidth={selected ? 2.5 : 1}
      />
    </g>
  );
}

export function ComparedMarker({ cx, cy, payload, color, shape, runId, offset = 0 }: MarkerProps & { color: string; shape: SymbolType; runId: string; offset?: number }) {
  if (!payload || cx === undefined || cy === undefined) return <g />;
  return (
    <g className="sweep-point-compared" data-testid="compared-point" data-run-id={runId} data-point-id={payload.id} data-ppl={payload.ppl}>
      <Symbols cx={cx + offset} cy={cy} type={shape} size={95} fill="none" stroke={color} strokeWidth={2} />
    </g>
  );
}
