// The last run: what recipe it ran, size before/after (and gzipped when pruned), bits per weight,
// sparsity counted from the weights, the calibration it used, the per-layer error with
// the rule each tensor got, notes (fallbacks, CPU references), its perplexity on request, and the
// download (and what calibration measured, as a llama.cpp importance matrix). Says so when the
// editor's recipe has changed since.
import { canonicalRecipe, recipeId } from '../core/recipe-id';
import { useStudioStore } from '../store/studio-store';
import { DownloadButton, ImatrixDownload } from './download-button';
import { ErrorChart } from './error-chart';
import { ErrorTable } from './error-table';
import { WEBGPU_HELP } from './error-text';
import { formatBytes, formatDuration, formatInteger } from './format';
import { ResultEval } from './result-eval';
import { Stat } from './stat';

export function ResultPanel() {
  const report = useStudioStore((s) => s.report);
  const edited = useStudioStore((s) => (s.report ? recipeId(canonicalRecipe(s.recipe)) !== s.report.recipeId || s.outputFormat !== s.report.format : false));
  if (!report) return null;
  const ratio = report.outputBytes > 0 ? report.inputBytes / report.outputBytes : 0;
  const measured = report.tensors.filter((t) => t.relError !== null);
  const worst = measured.reduce((m, t) => Math.max(m, t.relError ?? 0), 0);
  // Methods in rule order (what the recipe says first, first).
  const methods = [...new Set([...measured].sort((a, b) => (a.rule ?? Infinity) - (b.rule ?? Infinity)).map((t) => t.label))];
  return (
    <section className="panel result" aria-labelledby="result-heading" data-testid="result-panel">
      <header className="panel-header panel-header-row">
        <div>
          <h2 id="result-heading">Result</h2>
          <p className="panel-sub" data-testid="result-scheme">
            {report.format.toUpperCase()} · {methods.join(' + ') || 'no quantization'} · {formatInteger(measured.length)} of {formatInteger(report.tensors.length)} tensors {report.sparsity ? 'compressed' : 'quantized'} in {formatDuration(report.durationMs)} on {report.device}
          </p>
          {edited && <p className="small muted" data-testid="result-stale">The recipe has changed since this run: compress again to see the new one.</p>}
        </div>
        <DownloadButton />
      </header>
      <dl className="stats">
        <Stat label="Size before" value={formatBytes(report.inputBytes)} title={`${formatInteger(report.inputBytes)} bytes`} testId="size-before" />
        <Stat label="Size after" value={formatBytes(report.outputBytes)} title={`${formatInteger(report.outputBytes)} bytes`} testId="size-after" accent note={ratio > 0 ? `${ratio.toFixed(2)}× smaller` : undefined} />
        <Stat label="Bits per weight" value={measured.length ? report.bitsPerWeight.toFixed(2) : '–'} testId="bits-per-weight" note="incl. scales, zero points" />
        <Stat label="Worst layer error" value={measured.length ? `${(worst * 100).toFixed(2)} %` : '–'} testId="worst-error" note="‖W−Ŵ‖ / ‖W‖" />
        {report.sparsity && (
          <Stat label="Sparsity" value={`${(report.sparsity.pruned * 100).toFixed(1)} %`} title={`${formatInteger(report.sparsity.zeros)} zeros, counted in the written weights`} testId="result-sparsity" note={`of pruned tensors · ${(report.sparsity.model * 100).toFixed(1)} % of the model`} />
        )}
        {report.parameters && (
          <Stat
            label="Parameters"
            value={formatInteger(report.parameters.after)}
            title={`${formatInteger(report.parameters.before)} → ${formatInteger(report.parameters.after)}`}
            testId="result-parameters"
            note={report.parameters.mlpWidth ? `MLP ${report.parameters.mlpWidth.from} → ${report.parameters.mlpWidth.to} channels` : `${formatInteger(report.parameters.before - report.parameters.after)} removed`}
          />
        )}
        {report.gzipBytes !== undefined && (
          <Stat label="Gzipped" value={formatBytes(report.gzipBytes)} title={`${formatInteger(report.gzipBytes)} bytes with gzip`} testId="result-gzip" note="zeros shrink a file only once compressed" />
        )}
      </dl>
      {report.calibration && (report.calibration.passes === 0 ? (
        <p className="small muted" data-testid="result-calibration">
          Importance read from {report.calibration.text}{report.calibration.windows ? ` (measured on ${formatInteger(report.calibration.tokens)} tokens)` : ''}: nothing ran before compressing.
        </p>
      ) : (
        <div className="small muted result-calibration-row">
          <p data-testid="result-calibration">
            Calibrated on {formatInteger(report.calibration.tokens)} tokens ({report.calibration.windows} windows of {report.calibration.text === 'builtin' ? 'the bundled wikitext-2 validation excerpt' : report.calibration.text}; {report.calibration.passes === 1 ? 'one pass over the original model' : `${report.calibration.passes} passes, layer by layer`}).
          </p>
          <ImatrixDownload />
        </div>
      ))}
      {report.notes.map((n) => (
        <p key={n} className="small muted" data-testid="result-note">{n}</p>
      ))}
      {report.device === 'CPU reference' && measured.length > 0 && <p className="small muted" data-testid="result-webgpu-help">To use your GPU: {WEBGPU_HELP}</p>}
      <ResultEval />
      {measured.length > 0 && (
        <div className="result-grid">
          <ErrorChart tensors={report.tensors} />
          <ErrorTable tensors={report.tensors} ruleSources={report.ruleSources} />
        </div>
      )}
    </section>
  );
}
