// Every finished point of the sweep, sortable by any column; a click selects the point. Points of
// compared runs (sweep history) join the table with a Run column, each against its own run's
// reference; they are not selectable here (open their run to export one).
import { useMemo, useState } from 'react';
import { useStudioStore } from '../../store/studio-store';
import { KL_METHOD_NOTE } from '../../core/evaluation';
import { formatBytes, formatDuration, formatKl } from '../format';
import { activatesOnKey } from '../keyboard';
import { bitsColor } from './point-style';
import { sortPoints, type PointSortKey } from './points-sort';
import { typeMix } from './type-mix';
import { useComparedRuns, type ComparedRun } from './use-compared-runs';
import type { SweepPoint } from '../../core/sweep';
import { useFrontier, useReference } from './use-sweep-view';

const COLUMNS: { key: PointSortKey; label: string; num?: boolean }[] = [
  { key: 'bits', label: 'Bits', num: true },
  { key: 'block', label: 'Block', num: true },
  { key: 'sym', label: 'Zero pt' },
  { key: 'selectionLabel', label: 'Tensors' },
  { key: 'bytes', label: 'Size', num: true },
  { key: 'bitsPerWeight', label: 'Bits/w', num: true },
  { key: 'ppl', label: 'Perplexity', num: true },
  { key: 'kl', label: 'KL · top-1', num: true },
  { key: 'quantizeMs', label: 'Quantize', num: true },
  { key: 'evalMs', label: 'Evaluate', num: true },
];

export function PointsTable() {
  const points = useStudioStore((s) => s.sweepPoints);
  const selectedId = useStudioStore((s) => s.selectedPointId);
  const select = useStudioStore((s) => s.selectPoint);
  const reference = useReference();
  const { ids: frontier } = useFrontier();
  const [sort, setSort] = useState<{ key: PointSortKey; descending: boolean }>({ key: 'bytes', descending: false });
  const compared = useComparedRuns();
  const rows = useMemo(() => {
    const all: (SweepPoint & { compared?: ComparedRun })[] = [...points, ...compared.flatMap((c) => c.run.points.map((p) => ({ ...p, compared: c })))];
    return sortPoints(all, sort.key, sort.descending);
  }, [points, compared, sort]);
  const onSort = (key: PointSortKey) => setSort((s) => ({ key, descending: s.key === key ? !s.descending : false }));

  return (
    <div className="table-scroll table-scroll-short" data-testid="sweep-table" tabIndex={0} role="region" aria-label="Sweep points">
      <table className="table">
        <caption className="sr-only">Sweep points</caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} scope="col" className={c.num ? 'num' : undefined} aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                <button type="button" className="sort-button" onClick={() => onSort(c.key)} data-testid={`sweep-sort-${c.key}`}>
                  {c.label}
                  <span className="sort-mark">{sort.key === c.key ? (sort.descending ? '▼' : '▲') : ''}</span>
                </button>
              </th>
            ))}
            {compared.length > 0 && <th scope="col">Run</th>}
            <th scope="col" className="num">vs original</th>
            <th scope="col" title="On the Pareto frontier: no other point is both smaller and better">Pareto</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => {
            const own = p.compared ? p.compared.run.reference : reference;
            const row = p.compared
              ? { key: `${p.compared.run.runId}:${p.id}`, 'data-testid': 'compared-row', 'data-run-id': p.compared.run.runId, className: 'is-compared', title: `From the run ${p.compared.label}: open it in the history to select or export this point` }
              : {
                  key: p.id,
                  'data-testid': 'sweep-row',
                  className: p.id === selectedId ? 'is-selected' : undefined,
                  'aria-selected': p.id === selectedId,
                  onClick: () => select(p.id),
                  onKeyDown: activatesOnKey(() => select(p.id)),
                  tabIndex: 0,
                };
            const { key, ...rowProps } = row;
            return (
            <tr key={key} {...rowProps} data-point-id={p.id}>
              <td className="num">
                <span className="role-dot" style={{ background: bitsColor(p.bits) }} />
                {p.bits}
              </td>
              <td className="num">{p.block === 'per-channel' ? 'per ch.' : p.block}</td>
              <td>{p.sym ? 'sym' : 'asym'}</td>
              {p.format === 'gguf' ? (
                <td className="mono cell-name" data-testid="sweep-row-types" title={`${p.label}, as written: ${typeMix(p.tensors)} (llama.cpp falls back to other types for rows its block does not divide)`}>
                  {typeMix(p.tensors)}
                </td>
              ) : (
                <td className="mono cell-name" title={p.selectionLabel}>{p.selectionLabel}</td>
              )}
              <td className="num" title={`${p.bytes.toLocaleString('en-US')} bytes`}>{formatBytes(p.bytes)}</td>
              <td className="num">{p.bitsPerWeight.toFixed(2)}</td>
              <td className="num" data-testid="sweep-row-ppl">{p.ppl.toFixed(3)}</td>
              <td className="num" data-testid="sweep-row-kl" title={KL_METHOD_NOTE}>{p.kl ? formatKl(p.kl).replace('KL ', '') : '–'}</td>
              <td className="num">{formatDuration(p.quantizeMs)}</td>
              <td className="num">{formatDuration(p.evalMs)}</td>
              {compared.length > 0 && (
                <td className="small" data-testid="points-row-run">
                  {p.compared && <span className="role-dot role-dot-hollow" style={{ borderColor: p.compared.color }} />}
                  {p.compared ? p.compared.shortLabel : 'shown'}
                </td>
              )}
              <td className="num">{own ? `${((p.ppl / own.ppl - 1) * 100).toFixed(2)} %` : '–'}</td>
              <td>{!p.compared && frontier.has(p.id) ? '★' : ''}</td>
            </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
