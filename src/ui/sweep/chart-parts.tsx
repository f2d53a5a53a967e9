// What both trade-off charts share: the perplexity axis (linear or log), the original as a
// dashed reference line, and the Pareto frontier as a line. Plain functions returning recharts
// elements (called, not rendered as components) so the chart sees its own children directly.
import { ReferenceLine, Scatter, YAxis } from 'recharts';
import type { EvalReport } from '../../core/evaluation';
import { CHART_COLORS } from './point-style';

export function perplexityAxis(logScale: boolean) {
  return (
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
  );
}

export function referenceLine(reference: EvalReport | null) {
  if (!reference) return null;
  return (
    <ReferenceLine
      y={reference.ppl}
      ifOverflow="extendDomain"
      stroke={CHART_COLORS.reference}
      strokeDasharray="6 4"
      className="sweep-reference-line"
      shape={<line data-testid="reference-line" />}
      label={{ value: `original ${reference.ppl.toFixed(2)}`, position: 'insideBottomLeft', fontSize: 11, fill: CHART_COLORS.muted }}
    />
  );
}

export function frontierLine(data: readonly object[]) {
  if (data.length < 2) return null;
  return (
    <Scatter
      name="Pareto frontier"
      data={[...data]}
      line={{ stroke: CHART_COLORS.frontier, strokeWidth: 1.5, strokeDasharray: '2 3' }}
      shape={() => <g />}
      legendType="plainline"
      fill={CHART_COLORS.frontier}
      tooltipType="none"
      isAnimationActive={false}
    />
  );
}
