// Horizontal bar chart of the relative weight error per layer, worst first (the top 12).
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TensorReport } from '../core/compression-report';
import { worstFirst } from './error-ranking';
import { formatRelError } from './format';
import { shortName } from './layer-groups';

const SHOWN = 12;

export function ErrorChart({ tensors }: { tensors: readonly TensorReport[] }) {
  const ranked = useMemo(() => worstFirst(tensors), [tensors]);
  const data = ranked.slice(0, SHOWN).map((t) => ({ layer: shortName(t.layer || t.name), relError: t.relError }));
  return (
    <figure className="chart chart-flat" data-testid="error-chart">
      <figcaption>
        Relative error per layer{ranked.length > SHOWN ? ` (worst ${SHOWN} of ${ranked.length})` : ''}
      </figcaption>
      <ResponsiveContainer width="100%" height={Math.max(120, data.length * 20 + 40)}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid horizontal={false} stroke="var(--grid)" />
          <XAxis type="number" tickFormatter={(v: number) => `${(v * 100).toFixed(1)}%`} tick={{ fontSize: 11 }} />
          <YAxis type="category" dataKey="layer" width={170} tick={{ fontSize: 11 }} interval={0} />
          <Tooltip formatter={(v) => formatRelError(Number(v))} cursor={{ fill: 'var(--hover)' }} />
          <Bar dataKey="relError" name="‖W−Ŵ‖/‖W‖" fill="var(--accent)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
