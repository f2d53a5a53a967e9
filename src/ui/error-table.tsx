// Every quantized tensor of the run with its relative error and sizes, worst first.
import { useMemo } from 'react';
import type { TensorReport } from '../workers/studio-api';
import { worstFirst } from './error-ranking';
import { formatBytes, formatRelError } from './format';
import { shortName } from './layer-groups';

export function ErrorTable({ tensors }: { tensors: readonly TensorReport[] }) {
  const rows = useMemo(() => worstFirst(tensors), [tensors]);
  return (
    <div className="table-scroll table-scroll-short" data-testid="error-table">
      <table className="table">
        <caption className="sr-only">Relative error per layer, worst first</caption>
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col" className="num">Rel. error</th>
            <th scope="col" className="num">Size</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.name}>
              <td className="mono" title={`${t.layer} (${t.name})`}>{shortName(t.layer || t.name)}</td>
              <td className="num">{formatRelError(t.relError)}</td>
              <td className="num small" title={`${t.bytesBefore} → ${t.bytesAfter} bytes`}>
                {formatBytes(t.bytesBefore)} → {formatBytes(t.bytesAfter)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
