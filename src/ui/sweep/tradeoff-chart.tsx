// Size (MB or bits per weight) against perplexity: one marker per variant (colour = bits,
// shape = method), the original as a horizontal reference line, the Pareto frontier as a
// line. Hover shows the configuration; clicking a marker selects the point.
import { useMemo, type RefObject } from 'react';
import { CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Symbols, Tooltip, XAxis, YAxis } from 'recharts';
import type { SweepPoint } from '../../core/sweep';
import { sizeValue } from '../../store/sweep-export';
import { useStudioStore } from '../../store/studio-store';
import { bitsColor, CHART_COLORS, methodShape } from './point-style';
import { PointTooltip } from './point-tooltip';
import { useFrontier, useReference } from './use-sweep-view';

type Datum = SweepPoint & { x: number };

interface ShapeProps {
  cx?: number;
  cy?: number;
  payload?: Datum;
}

function PointMarker({ cx, cy, payload, selected, onSelect }: ShapeProps & { selected: boolean; onSelect: (id: string) => void }) {
  if (!payload || cx === undefined || cy === undefined) return <g />;
  return (
    <g
      className="sweep-point"
      data-testid="sweep-point"
      data-point-id={payload.id}
      data-bits={payload.bits}
      data-ppl={payload.ppl}
      data-selected={selected}
      onClick={() => onSelect(payload.id)}
      style={{ cursor: 'pointer' }}
    >
      <Symbols
        cx={cx}
        cy={cy}
        type={methodShape(payload.method)}
        size={selected ? 190 : 95}
        fill={bitsColor(payload.bits)}
        stroke={selected ? CHART_COLORS.selected : '#ffffff'}
        strokeWidth={selected ? 2.5 : 1}
      />
    </g>
  );
}

export function TradeoffChart({ logScale, figureRef }: { logScale: boolean; figureRef: RefObject<HTMLElement | null> }) {
  const points = useStudioStore((s) => s.sweepPoints);
  const axis = useStudioStore((s) => s.sizeAxis);
  const selectedId = useStudioStore((s) => s.selectedPointId);
  const select = useStudioStore((s) => s.selectPoint);
  const reference = useReference();
  const { frontier } = useFrontier();

  const groups = useMemo(() => {
    const byBits = new Map<number, Datum[]>();
    for (const p of points) {
      const list = byBits.get(p.bits) ?? [];
      list.push({ ...p, x: sizeValue(p, axis) });
      byBits.set(p.bits, list);
    }
    return [...byBits.entries()].sort((a, b) => b[0] - a[0]);
  }, [points, axis]);
  const frontierData = useMemo(() => frontier.map((p) => ({ ...p, x: sizeValue(p, axis) })), [frontier, axis]);
  const xLabel = axis === 'mb' ? 'Size (MB)' : 'Bits per weight';

  return (
    <figure className="chart chart-flat sweep-chart" ref={figureRef} data-testid="sweep-chart" data-points={points.length}>
      <ResponsiveContainer width="100%" height={340}>
        <ScatterChart margin={{ top: 16, right: 24, bottom: 24, left: 8 }}>
          <CartesianGrid stroke={CHART_COLORS.grid} />
          <XAxis
            type="number"
            dataKey="x"
            name={xLabel}
            domain={['auto', 'auto']}
            tickFormatter={(v: number) => (axis === 'mb' ? v.toFixed(2) : v.toFixed(1))}
            tick={{ fontSize: 11, fill: CHART_COLORS.muted }}
            label={{ value: xLabel, position: 'insideBottom', offset: -14, fontSize: 12, fill: CHART_COLORS.text }}
          />
          <YAxis
            type="number"
            dataKey="ppl"
            name="Perplexity"
            scale={logScale ? 'log' : 'linear'}
            domain={['auto', 'auto']}
            allowDataOverflow={false}
            padding={{ top: 8, bottom: 8 }}
            tickFormatter={(v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1))}
            tick={{ fontSize: 11, fill: CHART_COLORS.muted }}
            width={64}
            label={{ value: 'Perplexity', angle: -90, position: 'insideLeft', fontSize: 12, fill: CHART_COLORS.text }}
          />
          <Tooltip content={<PointTooltip reference={reference} />} cursor={{ strokeDasharray: '3 3' }} isAnimationActive={false} />
          <Legend verticalAlign="top" height={28} iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {reference && (
            <ReferenceLine
              y={reference.ppl}
              ifOverflow="extendDomain"
              stroke={CHART_COLORS.reference}
              strokeDasharray="6 4"
              className="sweep-reference-line"
              shape={<line data-testid="reference-line" />}
              label={{ value: `original ${reference.ppl.toFixed(2)}`, position: 'insideBottomLeft', fontSize: 11, fill: CHART_COLORS.muted }}
            />
          )}
          {frontierData.length > 1 && (
            <Scatter
              name="Pareto frontier"
              data={frontierData}
              line={{ stroke: CHART_COLORS.frontier, strokeWidth: 1.5, strokeDasharray: '2 3' }}
              shape={() => <g />}
              legendType="plainline"
              fill={CHART_COLORS.frontier}
              tooltipType="none"
              isAnimationActive={false}
            />
          )}
          {groups.map(([bits, data]) => (
            <Scatter
              key={bits}
              name={`${bits}-bit`}
              data={data}
              fill={bitsColor(bits)}
              legendType="circle"
              isAnimationActive={false}
              shape={(props: ShapeProps) => <PointMarker {...props} selected={props.payload?.id === selectedId} onSelect={select} />}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}
