// What both trade-off charts share: the quality axis (perplexity or KL divergence from the
// original, linear or log, with ticks computed in axis-ticks.ts) on each datum's `y`, the original as a dashed reference line (perplexity
// only: its KL is 0 by definition), and the Pareto frontier as a line. Plain functions returning recharts
// elements (called, not rendered as components) so the chart sees its own children directly.
import { ReferenceLine, Scatter, YAxis } from 'recharts';
import type { EvalReport } from '../../core/evaluation';
import type { SweepPoint } from '../../core/sweep';
import { qualityValue, type QualityMetric } from '../../store/sweep-export';
import { linearTicks, logTicks } from './axis-ticks';
import { CHART_COLORS } from './point-style';

const METRIC_LABEL: Record<QualityMetric, string> = { ppl: 'Perplexity', kl: 'KL divergence (nats)' };

/** A datum's quality value under `y` (what qualityAxis plots). */
export function withQuality<T extends SweepPoint>(p: T, metric: QualityMetric): T & { y: number } {
  return { ...p, y: qualityValue(p, metric) };
}

/**
 * The quality axis over every value the chart plots (`values`: the points' y and the reference
 * line's), with ticks of axis-ticks.ts: distinct labels, and labelled on the whole log range.
 */
export function qualityAxis(logScale: boolean, metric: QualityMetric, values: readonly number[]) {
  const axis = logScale ? logTicks(values) : linearTicks(values);
  return (
    <YAxis
      type="number"
      dataKey="y"
      name={METRIC_LABEL[metric]}
      scale={logScale ? 'log' : 'linear'}
      domain={axis ? axis.domain : ['auto', 'auto']}
      {...(axis ? { ticks: axis.ticks } : {})}
      allowDataOverflow={false}
      padding={{ top: 8, bottom: 8 }}
      tickFormatter={(v: number) => (axis ? axis.format(v) : String(v))}
      tick={{ fontSize: 11, fill: CHART_COLORS.muted }}
      width={64}
      label={{ value: METRIC_LABEL[metric], angle: -90, position: 'insideLeft', fontSize: 12, fill: CHART_COLORS.text }}
    />
  );
}

export function referenceLine(reference: EvalReport | null, metric: QualityMetric) {
  if (!reference || metric !== 'ppl') return null;
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
