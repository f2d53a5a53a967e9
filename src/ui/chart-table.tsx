// A chart's numbers as a table, folded under the chart ("Table"): for screen readers, for copying,
// and for reading exact values the bars only suggest. The charts pass the rows they draw.
export interface ChartTableColumn {
  label: string;
  num?: boolean;
}

export function ChartTable({ caption, columns, rows, testId }: { caption: string; columns: readonly ChartTableColumn[]; rows: readonly (readonly string[])[]; testId: string }) {
  return (
    <details className="chart-table" data-testid={testId}>
      <summary className="small">Table</summary>
      <div className="table-scroll table-scroll-short" tabIndex={0} role="region" aria-label={caption}>
        <table className="table">
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.label} scope="col" className={c.num ? 'num' : undefined}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i} data-testid={`${testId}-row`}>
                {row.map((cell, j) => (
                  <td key={j} className={columns[j]?.num ? 'num' : undefined}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
