// Per-layer error of the selected variant: relative error ‖W−Ŵ‖/‖W‖ of each tensor, as bars
// grouped by transformer block (one bar per projection), stand-alone layers (head) after.
import { useMemo, useRef } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SweepPoint } from '../../core/sweep';
import { formatRelError } from '../format';
import { blockIndex, shortName } from '../layer-groups';
import { ChartTable } from '../chart-table';
import { ChartDownload } from './chart-download';
import { CHART_COLORS, pointLabel } from './point-style';

const KIND_COLORS = ['#4f5fd6', '#1d7a46', '#c27c0e', '#b42318', '#7a4fd6', '#0e8a9c', '#9c5a0e', '#5f667a'];

type Row = { group: string } & Record<string, number | string>;

/** Rows by block (model order) and the projection kinds that appear. */
export function errorRows(tensors: SweepPoint['tensors']): { rows: Row[]; kinds: string[] } {
  const rows = new Map<string, Row>();
  const kinds: string[] = [];
  for (const t of tensors) {
    const name = shortName(t.layer || t.name);
    const block = blockIndex(t.layer);
    const group = block === null ? name : `layer ${block}`;
    const kind = block === null ? 'outside blocks' : (name.split('.').pop() ?? name);
    if (!kinds.includes(kind)) kinds.push(kind);
    const row = rows.get(group) ?? { group };
    row[kind] = t.relError;
    rows.set(group, row);
  }
  return { rows: [...rows.values()], kinds };
}

export function LayerErrorChart({ point, fileStem, modelName }: { point: SweepPoint; fileStem: string; modelName: string }) {
  const ref = useRef<HTMLElement>(null);
  const { rows, kinds } = useMemo(() => errorRows(point.tensors), [point]);
  return (
    <figure className="chart chart-flat" ref={ref} data-testid="layer-error-chart" data-point-id={point.id}>
      <figcaption className="sweep-caption">
        <span>
          Relative error per layer <span className="muted small">· {pointLabel(point)}</span>
        </span>
        <ChartDownload target={ref} fileStem={`${fileStem}-layers`} testId="layer-chart-download" caption={{ title: 'Relative error per layer', subtitle: `${modelName} · ${pointLabel(point)}` }} />
      </figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 8 }}>
          <CartesianGrid vertical={false} stroke={CHART_COLORS.grid} />
          <XAxis dataKey="group" tick={{ fontSize: 11, fill: CHART_COLORS.muted }} interval={rows.length > 14 ? 'preserveStartEnd' : 0} />
          <YAxis tickFormatter={(v: number) => `${(v * 100).toFixed(1)}%`} tick={{ fontSize: 11, fill: CHART_COLORS.muted }} width={56} />
          <Tooltip formatter={(v) => formatRelError(Number(v))} cursor={{ fill: 'rgba(79, 95, 214, 0.08)' }} isAnimationActive={false} />
          <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {kinds.map((k, i) => (
            <Bar key={k} dataKey={k} name={k} fill={KIND_COLORS[i % KIND_COLORS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <ChartTable
        caption={`Relative error per layer, ${pointLabel(point)}`}
        columns={[{ label: 'Layer' }, ...kinds.map((k) => ({ label: k, num: true }))]}
        rows={rows.map((r) => [String(r.group), ...kinds.map((k) => (typeof r[k] === 'number' ? formatRelError(r[k] as number) : '–'))])}
        testId="layer-error-table"
      />
    </figure>
  );
}
