// Sparsity (zeros of the pruned tensors, counted from the weights) against perplexity, beside the
// size chart: colour = pruning method, shape = bits, so Wanda, SparseGPT and magnitude at the same
// sparsity sit side by side; the original as the reference line, the frontier of the points no
// other beats on both sparsity (higher) and perplexity (lower). Hover and click as on the size chart.
import { useMemo, type RefObject } from 'react';
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis } from 'recharts';
import type { SweepPoint } from '../../core/sweep';
import { useStudioStore } from '../../store/studio-store';
import { frontierLine, qualityAxis, referenceLine, withQuality } from './chart-parts';
import { PointMarker, type MarkerProps } from './point-marker';
import { bitsShape, CHART_COLORS, PRUNE_COLOR, PRUNE_LABEL, pruneKey } from './point-style';
import { PointTooltip } from './point-tooltip';
import { useFrontier, useReference } from './use-sweep-view';

const ORDER = ['dense', 'magnitude', 'wanda', 'sparsegpt', 'channels'];

export function SparsityChart({ logScale, figureRef }: { logScale: boolean; figureRef: RefObject<HTMLElement | null> }) {
  const points = useStudioStore((s) => s.sweepPoints);
  const selectedId = useStudioStore((s) => s.selectedPointId);
  const select = useStudioStore((s) => s.selectPoint);
  const reference = useReference();
  const { frontier } = useFrontier('sparsity');
  const metric = useStudioStore((s) => s.qualityMetric);

  const groups = useMemo(() => {
    const byMethod = new Map<string, (SweepPoint & { x: number; y: number })[]>();
    for (const p of points) {
      const key = pruneKey(p);
      byMethod.set(key, [...(byMethod.get(key) ?? []), { ...withQuality(p, metric), x: (p.sparsity ?? 0) * 100 }]);
    }
    return [...byMethod.entries()].sort((a, b) => ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]));
  }, [points, metric]);
  const frontierData = useMemo(() => frontier.map((p) => ({ ...withQuality(p, metric), x: (p.sparsity ?? 0) * 100 })), [frontier, metric]);

  return (
    <figure className="chart chart-flat sweep-chart" ref={figureRef} data-testid="sparsity-chart" data-points={points.length}>
      <ResponsiveContainer width="100%" height={340}>
        <ScatterChart margin={{ top: 16, right: 24, bottom: 24, left: 8 }}>
          <CartesianGrid stroke={CHART_COLORS.grid} />
          <XAxis
            type="number"
            dataKey="x"
            name="Sparsity (%)"
            domain={[0, 'auto']}
            tickFormatter={(v: number) => `${v.toFixed(0)}`}
            tick={{ fontSize: 11, fill: CHART_COLORS.muted }}
            label={{ value: 'Sparsity of the pruned tensors (%; MLP channels: parameters removed)', position: 'insideBottom', offset: -14, fontSize: 12, fill: CHART_COLORS.text }}
          />
          {qualityAxis(logScale, metric, [...groups.flatMap(([, data]) => data.map((d) => d.y)), ...(reference && metric === 'ppl' ? [reference.ppl] : [])])}
          <Tooltip content={<PointTooltip reference={reference} />} cursor={{ strokeDasharray: '3 3' }} isAnimationActive={false} />
          <Legend verticalAlign="top" iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {referenceLine(reference, metric)}
          {frontierLine(frontierData)}
          {groups.map(([method, data]) => (
            <Scatter
              key={method}
              name={PRUNE_LABEL[method] ?? method}
              data={data}
              fill={PRUNE_COLOR[method] ?? CHART_COLORS.muted}
              legendType="circle"
              isAnimationActive={false}
              shape={(props: MarkerProps) => <PointMarker {...props} selected={props.payload?.id === selectedId} onSelect={select} fill={PRUNE_COLOR[method] ?? CHART_COLORS.muted} shape={bitsShape(props.payload?.bits ?? 16)} />}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}
