// Every tensor of the model: sortable by any column, filterable by text and role.
import { useDeferredValue, useMemo, useState } from 'react';
import { TENSOR_ROLES } from '../core/model-index';
import { useStudioStore } from '../store/studio-store';
import { formatBytes, formatInteger, formatShape } from './format';
import { ROLE_COLOR, ROLE_LABEL } from './roles';
import { filterTensors, sortTensors, type TensorColumn, type TensorSort } from './tensor-sort';

const COLUMNS: { id: TensorColumn; label: string; numeric?: boolean }[] = [
  { id: 'layer', label: 'Layer' },
  { id: 'name', label: 'Tensor' },
  { id: 'role', label: 'Role' },
  { id: 'dtype', label: 'Dtype' },
  { id: 'shape', label: 'Shape', numeric: true },
  { id: 'bytes', label: 'Bytes', numeric: true },
];
const PAGE_ROWS = 200;

export function TensorTable() {
  const tensors = useStudioStore((s) => s.model?.index.tensors);
  const [query, setQuery] = useState('');
  const [role, setRole] = useState('');
  const [sort, setSort] = useState<TensorSort>({ column: 'layer', descending: false });
  const [limit, setLimit] = useState(PAGE_ROWS);
  const deferredQuery = useDeferredValue(query);
  const rows = useMemo(
    () => (tensors ? sortTensors(filterTensors(tensors, deferredQuery, role), sort) : []),
    [tensors, deferredQuery, role, sort],
  );
  if (!tensors) return null;

  const toggle = (column: TensorColumn) =>
    setSort((s) => (s.column === column ? { column, descending: !s.descending } : { column, descending: column === 'bytes' }));
  const total = rows.reduce((n, t) => n + t.byteLength, 0);

  return (
    <section className="panel" aria-labelledby="tensors-heading" data-testid="tensor-table">
      <header className="panel-header panel-header-row">
        <h2 id="tensors-heading">Tensors</h2>
        <div className="table-tools">
          <label className="field-inline">
            <span className="sr-only">Filter tensors</span>
            <input
              type="search"
              placeholder="Filter by name, layer, dtype…"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              data-testid="tensor-filter"
            />
          </label>
          <label className="field-inline">
            <span className="sr-only">Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value)} data-testid="tensor-role-filter">
              <option value="">All roles</option>
              {TENSOR_ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </label>
          <span className="muted" data-testid="tensor-row-count">
            {formatInteger(rows.length)} of {formatInteger(tensors.length)} · {formatBytes(total)}
          </span>
        </div>
      </header>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.id}
                  scope="col"
                  className={c.numeric ? 'num' : undefined}
                  aria-sort={sort.column === c.id ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                >
                  <button type="button" className="sort-button" onClick={() => toggle(c.id)}>
                    {c.label}
                    <span className="sort-mark" aria-hidden="true">
                      {sort.column === c.id ? (sort.descending ? '▼' : '▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, limit).map((t) => (
              <tr key={t.name}>
                <td className="mono cell-layer" title={t.layer}>{t.layer}</td>
                <td className="mono cell-name" title={t.name}>{t.name}</td>
                <td>
                  <span className="role-dot" style={{ background: ROLE_COLOR[t.role] }} aria-hidden="true" />
                  {ROLE_LABEL[t.role]}
                </td>
                <td className="mono">{t.dtype}</td>
                <td className="num mono">{formatShape(t.shape)}</td>
                <td className="num" title={`${formatInteger(t.byteLength)} bytes`}>{formatBytes(t.byteLength)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="empty">No tensor matches “{query}”.</p>}
      </div>
      {rows.length > limit && (
        <button type="button" className="button-link" onClick={() => setLimit(rows.length)}>
          Show all {formatInteger(rows.length)} rows
        </button>
      )}
    </section>
  );
}
