// Stacked bar chart: bytes per transformer block (and stand-alone layers), split by role, with
// its table; labels that would overlap are skipped (the table and the tooltip have them all).
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { TENSOR_ROLES } from '../core/model-index';
import { useStudioStore } from '../store/studio-store';
import { ChartTable } from './chart-table';
import { formatBytes } from './format';
import { bytesPerLayer } from './layer-groups';
import { ROLE_COLOR, ROLE_LABEL } from './roles';

export function LayerChart() {
  const tensors = useStudioStore((s) => s.model?.index.tensors);
  const data = useMemo(() => (tensors ? bytesPerLayer(tensors) : []), [tensors]);
  const roles = useMemo(() => TENSOR_ROLES.filter((r) => data.some((d) => d[r] > 0)), [data]);
  if (!tensors) return null;
  return (
    <figure className="panel chart" data-testid="layer-chart">
      <figcaption>Bytes per layer</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 8 }}>
          <CartesianGrid vertical={false} stroke="var(--grid)" />
          <XAxis dataKey="group" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={6} />
          <YAxis tickFormatter={formatBytes} tick={{ fontSize: 12 }} width={64} />
          <Tooltip formatter={(v) => formatBytes(Number(v))} cursor={{ fill: 'var(--hover)' }} />
          <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {roles.map((role) => (
            <Bar key={role} dataKey={role} name={ROLE_LABEL[role]} stackId="bytes" fill={ROLE_COLOR[role]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <ChartTable
        caption="Bytes per layer"
        columns={[{ label: 'Layer' }, ...roles.map((r) => ({ label: ROLE_LABEL[r], num: true })), { label: 'Total', num: true }]}
        rows={data.map((d) => [String(d.group), ...roles.map((r) => formatBytes(d[r])), formatBytes(roles.reduce((n, r) => n + d[r], 0))])}
        testId="layer-chart-table"
      />
    </figure>
  );
}
