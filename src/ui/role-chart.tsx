// Bar chart: bytes of the model per tensor role (recharts), with its table. A data entry's keys become attributes of
// its bar, so the role is `tensorRole`: an attribute `role` would be an (invalid) ARIA role.
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { TENSOR_ROLES } from '../core/model-index';
import { useStudioStore } from '../store/studio-store';
import { ChartTable } from './chart-table';
import { formatBytes } from './format';
import { ROLE_COLOR, ROLE_SHORT } from './roles';

export function RoleChart() {
  const bytesByRole = useStudioStore((s) => s.model?.index.bytesByRole);
  const data = useMemo(
    () =>
      bytesByRole
        ? TENSOR_ROLES.filter((r) => bytesByRole[r] > 0).map((tensorRole) => ({ tensorRole, label: ROLE_SHORT[tensorRole], bytes: bytesByRole[tensorRole] }))
        : [],
    [bytesByRole],
  );
  if (!bytesByRole) return null;
  return (
    <figure className="panel chart" data-testid="role-chart">
      <figcaption>Bytes per role</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 8 }}>
          <CartesianGrid vertical={false} stroke="var(--grid)" />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={0} />
          <YAxis tickFormatter={formatBytes} tick={{ fontSize: 12 }} width={64} />
          <Tooltip formatter={(v) => formatBytes(Number(v))} cursor={{ fill: 'var(--hover)' }} />
          <Bar dataKey="bytes" name="Bytes" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.tensorRole} fill={ROLE_COLOR[d.tensorRole]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <ChartTable caption="Bytes per role" columns={[{ label: 'Role' }, { label: 'Bytes', num: true }]} rows={data.map((d) => [ROLE_SHORT[d.tensorRole], formatBytes(d.bytes)])} testId="role-chart-table" />
    </figure>
  );
}
