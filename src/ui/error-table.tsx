// Every quantized tensor of the run with the rule that took it, the method, its relative error and
// sizes, worst first.
import { useMemo } from 'react';
import type { TensorReport } from '../core/compression-report';
import { worstFirst } from './error-ranking';
import { formatBytes, formatRelError } from './format';
import { shortName } from './layer-groups';

export function ErrorTable({ tensors, ruleSources }: { tensors: readonly TensorReport[]; ruleSources: readonly string[] }) {
  const rows = useMemo(() => worstFirst(tensors), [tensors]);
  return (
    <div className="table-scroll table-scroll-short" data-testid="error-table" tabIndex={0} role="region" aria-label="Relative error per layer">
      <table className="table">
        <caption className="sr-only">Relative error per layer, worst first, with the rule that decided it</caption>
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">Rule</th>
            <th scope="col">Method</th>
            <th scope="col" className="num">Rel. error</th>
            <th scope="col" className="num">Size</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.name} data-testid="error-row" data-rule={t.rule ?? ''}>
              <td className="mono" title={`${t.layer} (${t.name})`}>{shortName(t.layer || t.name)}</td>
              <td title={t.rule === null ? '' : ruleSources[t.rule]}>{t.rule === null ? '–' : ruleSources[t.rule] === 'recipe' ? t.rule : ruleSources[t.rule]}</td>
              <td className="small" data-testid="error-row-method">{t.label}{t.sparsity !== null && <span className="muted" data-testid="error-row-sparsity"> · {(t.sparsity * 100).toFixed(1)} % zeros</span>}</td>
              <td className="num">{formatRelError(t.relError)}</td>
              <td className="num small" title={`${t.bytesBefore} → ${t.bytes} bytes`}>
                {formatBytes(t.bytesBefore)} → {formatBytes(t.bytes)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
