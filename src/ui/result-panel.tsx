// The last run: size before/after, bits per weight, and the per-layer error, worst first.
import { useStudioStore } from '../store/studio-store';
import { DownloadButton } from './download-button';
import { ErrorChart } from './error-chart';
import { ErrorTable } from './error-table';
import { formatBytes, formatDuration, formatInteger } from './format';
import { Stat } from './stat';

function schemeLabel(s: { bits: number; symmetric: boolean; blockSize: number | 'per-channel' }): string {
  const block = s.blockSize === 'per-channel' ? 'per channel' : `block ${s.blockSize}`;
  return `${s.bits}-bit · ${block} · ${s.symmetric ? 'symmetric' : 'asymmetric'}`;
}

export function ResultPanel() {
  const report = useStudioStore((s) => s.report);
  if (!report) return null;
  const ratio = report.outputBytes > 0 ? report.inputBytes / report.outputBytes : 0;
  const worst = report.tensors.reduce((m, t) => Math.max(m, t.relError), 0);
  return (
    <section className="panel result" aria-labelledby="result-heading" data-testid="result-panel">
      <header className="panel-header panel-header-row">
        <div>
          <h2 id="result-heading">Result</h2>
          <p className="panel-sub" data-testid="result-scheme">
            {schemeLabel(report.scheme)} · {formatInteger(report.tensors.length)} tensors in {formatDuration(report.durationMs)}
          </p>
        </div>
        <DownloadButton />
      </header>
      <dl className="stats">
        <Stat label="Size before" value={formatBytes(report.inputBytes)} title={`${formatInteger(report.inputBytes)} bytes`} testId="size-before" />
        <Stat
          label="Size after"
          value={formatBytes(report.outputBytes)}
          title={`${formatInteger(report.outputBytes)} bytes`}
          testId="size-after"
          accent
          note={ratio > 0 ? `${ratio.toFixed(2)}× smaller` : undefined}
        />
        <Stat label="Bits per weight" value={report.bitsPerWeight.toFixed(2)} testId="bits-per-weight" note="incl. scales, zero points" />
        <Stat label="Worst layer error" value={`${(worst * 100).toFixed(2)} %`} testId="worst-error" note="‖W−Ŵ‖ / ‖W‖" />
      </dl>
      <div className="result-grid">
        <ErrorChart tensors={report.tensors} />
        <ErrorTable tensors={report.tensors} />
      </div>
    </section>
  );
}
