// Size (MB or bits per weight) against perplexity: one marker per variant (colour = bits,
// shape = method), the original as a horizontal reference line, the Pareto frontier as a
// line, and a key to the shapes once methods mix. Hover shows the configuration; clicking a marker selects the point.
// Compared runs (sweep history) add one series each: hollow markers in the run's colour. Markers
// on the same spot sit side by side (withDodge); ticks come from axis-ticks.ts.
import { useMemo, type RefObject } from 'react';
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis } from 'recharts';
import type { SweepPoint } from '../../core/sweep';
import { sizeValue } from '../../store/sweep-export';
import { useStudioStore } from '../../store/studio-store';
import { linearTicks } from './axis-ticks';
import { frontierLine, qualityAxis, referenceLine, withQuality } from './chart-parts';
import { dodgeOffset, withDodge } from './marker-dodge';
import { MethodKey } from './method-key';
import { ComparedMarker, PointMarker, type MarkerProps } from './point-marker';
import { bitsColor, bitsName, CHART_COLORS, methodShape } from './point-style';
import { PointTooltip, type ComparedDatum } from './point-tooltip';
import { useComparedRuns } from './use-compared-runs';
import { useFrontier, useReference } from './use-sweep-view';

type Datum = SweepPoint & { x: number; y: number };

export function TradeoffChart({ logScale, figureRef }: { logScale: boolean; figureRef: RefObject<HTMLElement | null> }) {
  const points = useStudioStore((s) => s.sweepPoints);
  const axis = useStudioStore((s) => s.sizeAxis);
  const metric = useStudioStore((s) => s.qualityMetric);
  const selectedId = useStudioStore((s) => s.selectedPointId);
  const select = useStudioStore((s) => s.selectPoint);
  const reference = useReference();
  const { frontier } = useFrontier();

  const groups = useMemo(() => {
    const byBits = new Map<number, Datum[]>();
    for (const p of points) {
      const list = byBits.get(p.bits) ?? [];
      list.push({ ...withQuality(p, metric), x: sizeValue(p, axis) });
      byBits.set(p.bits, list);
    }
    return [...byBits.entries()].sort((a, b) => b[0] - a[0]);
  }, [points, axis, metric]);
  const compared = useComparedRuns();
  const comparedData = useMemo(
    () =>
      compared.map(({ run, color, label }) => ({
        run,
        color,
        label,
        data: run.points.map((p): Datum & ComparedDatum => ({ ...withQuality(p, metric), x: sizeValue(p, axis), runName: label, runReference: run.reference })),
      })),
    [compared, axis, metric],
  );
  const frontierData = useMemo(() => frontier.map((p) => ({ ...withQuality(p, metric), x: sizeValue(p, axis) })), [frontier, axis, metric]);
  const xLabel = axis === 'mb' ? 'Size (MB)' : 'Bits per weight';
  const plotted = [...groups.flatMap(([, data]) => data), ...comparedData.flatMap((c) => c.data)];
  const offsets = useMemo(() => {
    const keyed = [...groups.flatMap(([, data]) => data.map((d) => ({ key: `shown:${d.id}`, x: d.x, y: d.y }))), ...comparedData.flatMap((c) => c.data.map((d) => ({ key: `${c.run.runId}:${d.id}`, x: d.x, y: d.y })))];
    return new Map(withDodge(keyed).map((d) => [d.key, dodgeOffset(d)]));
  }, [groups, comparedData]);
  const xTicks = linearTicks(plotted.map((d) => d.x), 6);
  const yValues = [...plotted.map((d) => d.y), ...(reference && metric === 'ppl' ? [reference.ppl] : [])];

  return (
    <figure className="chart chart-flat sweep-chart" ref={figureRef} data-testid="sweep-chart" data-points={points.length}>
      <ResponsiveContainer width="100%" height={340}>
        <ScatterChart margin={{ top: 16, right: 24, bottom: 24, left: 8 }}>
          <CartesianGrid stroke={CHART_COLORS.grid} />
          <XAxis
            type="number"
            dataKey="x"
            name={xLabel}
            domain={xTicks ? xTicks.domain : ['auto', 'auto']}
            {...(xTicks ? { ticks: xTicks.ticks } : {})}
            tickFormatter={(v: number) => (xTicks ? xTicks.format(v) : String(v))}
            tick={{ fontSize: 11, fill: CHART_COLORS.muted }}
            label={{ value: xLabel, position: 'insideBottom', offset: -14, fontSize: 12, fill: CHART_COLORS.text }}
          />
          {qualityAxis(logScale, metric, yValues)}
          <Tooltip content={<PointTooltip reference={reference} />} cursor={{ strokeDasharray: '3 3' }} isAnimationActive={false} />
          <Legend verticalAlign="top" iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {referenceLine(reference, metric)}
          {frontierLine(frontierData)}
          {groups.map(([bits, data]) => (
            <Scatter
              key={bits}
              name={bitsName(bits)}
              data={data}
              fill={bitsColor(bits)}
              legendType="circle"
              isAnimationActive={false}
              shape={(props: MarkerProps) => <PointMarker {...props} offset={offsets.get(`shown:${props.payload?.id}`)} selected={props.payload?.id === selectedId} onSelect={select} fill={bitsColor(bits)} shape={methodShape(props.payload?.method ?? '')} />}
            />
          ))}
          {comparedData.map(({ run, color, label, data }) => (
            <Scatter
              key={run.runId}
              name={`Run ${label}`}
              data={data}
              fill={color}
              legendType="circle"
              isAnimationActive={false}
              shape={(props: MarkerProps) => <ComparedMarker {...props} offset={offsets.get(`${run.runId}:${props.payload?.id}`)} color={color} runId={run.runId} shape={methodShape(props.payload?.method ?? '')} />}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
      <MethodKey points={points} />
    </figure>
  );
}
