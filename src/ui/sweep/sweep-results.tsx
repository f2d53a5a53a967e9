// The trade-off view of a sweep: size vs perplexity chart and, once points prune, sparsity vs
// perplexity beside it; the selected point with its export and per-layer error, and the table of
// all points with CSV/JSON export.
import { useRef, useState } from 'react';
import { downloadBlob } from '../../store/save-file';
import { modelStem, sweepFileName } from '../../core/output-names';
import { pointsToCsv, pointsToJson, type QualityMetric, type SizeAxis } from '../../store/sweep-export';
import { KL_METHOD_NOTE } from '../../core/evaluation';
import { useStudioStore } from '../../store/studio-store';
import { HelpLink } from '../help';
import { ChartDownload } from './chart-download';
import { LayerErrorChart } from './layer-error-chart';
import { PointsTable } from './points-table';
import { SelectedPoint } from './selected-point';
import { SparsityChart } from './sparsity-chart';
import { TradeoffChart } from './tradeoff-chart';
import { useReference } from './use-sweep-view';

const AXES: { id: SizeAxis; label: string }[] = [
  { id: 'mb', label: 'MB' },
  { id: 'bpw', label: 'Bits/weight' },
];

const METRICS: { id: QualityMetric; label: string }[] = [
  { id: 'ppl', label: 'Perplexity' },
  { id: 'kl', label: 'KL' },
];

export function SweepResults() {
  const points = useStudioStore((s) => s.sweepPoints);
  const running = useStudioStore((s) => s.sweepStatus !== 'idle');
  const axis = useStudioStore((s) => s.sizeAxis);
  const setAxis = useStudioStore((s) => s.setSizeAxis);
  const metric = useStudioStore((s) => s.qualityMetric);
  const setMetric = useStudioStore((s) => s.setQualityMetric);
  const selectedId = useStudioStore((s) => s.selectedPointId);
  const windows = useStudioStore((s) => s.sweepRequest?.windows ?? s.evalWindows);
  const sourceName = useStudioStore((s) => s.model?.index.fileName ?? 'model.onnx');
  const reference = useReference();
  const [logScale, setLogScale] = useState(false);
  const chartRef = useRef<HTMLElement>(null);
  const sparsityRef = useRef<HTMLElement>(null);
  const pruned = points.some((p) => p.prune);
  if (points.length === 0 && !reference && !running) return null;
  const selected = points.find((p) => p.id === selectedId) ?? null;
  const stem = `${modelStem(sourceName)}-sweep`;
  const title = `${pruned ? 'Size and sparsity' : 'Size'} vs ${metric === 'ppl' ? 'perplexity' : 'KL divergence'}`;
  const subtitle = `${sourceName} · wikitext2-w256 · W=${windows} · ${points.length} point${points.length === 1 ? '' : 's'}${reference ? ` · original ${reference.ppl.toFixed(3)}` : ''}`;

  const saveTable = (kind: 'csv' | 'json') => {
    const text = kind === 'csv' ? pointsToCsv(points, reference) : pointsToJson(points, reference, sourceName);
    downloadBlob(new Blob([text], { type: kind === 'csv' ? 'text/csv' : 'application/json' }), sweepFileName(sourceName, kind));
  };

  return (
    <section className="panel sweep-results" aria-labelledby="sweep-results-heading" data-testid="sweep-results">
      <header className="panel-header panel-header-row">
        <div>
          <h2 id="sweep-results-heading">{title}</h2>
          <p className="panel-sub" data-testid="sweep-summary">
            wikitext2-w256 · W={windows} · {points.length} point{points.length === 1 ? '' : 's'}
            {reference ? ` · original ${reference.ppl.toFixed(3)}` : ''}
          </p>
        </div>
        <div className="sweep-tools">
          <div className="segmented segmented-small" role="group" aria-label="Size axis">
            {AXES.map((a) => (
              <label key={a.id} className="segment">
                <input type="radio" name="size-axis" checked={axis === a.id} onChange={() => setAxis(a.id)} data-testid={`sweep-axis-${a.id}`} />
                <span>{a.label}</span>
              </label>
            ))}
          </div>
          <div className="segmented segmented-small" role="group" aria-label="Quality axis" title={KL_METHOD_NOTE}>
            {METRICS.map((m) => (
              <label key={m.id} className="segment">
                <input type="radio" name="quality-axis" checked={metric === m.id} onChange={() => setMetric(m.id)} data-testid={`sweep-metric-${m.id}`} />
                <span>{m.label}</span>
              </label>
            ))}
          </div>
          <HelpLink topic="kl" />
          <label className="radio small">
            <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} data-testid="sweep-log-scale" />
            <span>log scale</span>
          </label>
          {points.length > 0 && <ChartDownload target={chartRef} fileStem={`${stem}-tradeoff`} testId="chart-download" caption={{ title: `Size vs ${metric === 'ppl' ? 'perplexity' : 'KL divergence'}`, subtitle }} />}
        </div>
      </header>
      {points.length > 0 && pruned ? (
        <div className="sweep-charts">
          <TradeoffChart logScale={logScale} figureRef={chartRef} />
          <div className="sweep-chart-cell">
            <div className="sweep-chart-tools">
              <span className="small muted">Sparsity vs perplexity</span>
              <ChartDownload target={sparsityRef} fileStem={`${stem}-sparsity`} testId="sparsity-chart-download" caption={{ title: `Sparsity vs ${metric === 'ppl' ? 'perplexity' : 'KL divergence'}`, subtitle }} />
            </div>
            <SparsityChart logScale={logScale} figureRef={sparsityRef} />
          </div>
        </div>
      ) : points.length > 0 ? (
        <TradeoffChart logScale={logScale} figureRef={chartRef} />
      ) : (
        <p className="empty" data-testid="sweep-empty">
          {running ? 'The first point appears here as soon as it is evaluated.' : 'Run a sweep to place its variants against the original model.'}
        </p>
      )}
      {selected ? (
        <div className="sweep-selected">
          <SelectedPoint point={selected} />
          <LayerErrorChart point={selected} fileStem={stem} modelName={sourceName} />
        </div>
      ) : (
        points.length > 0 && <p className="muted small">Click a point (or a table row) to see its per-layer error and export it.</p>
      )}
      {points.length > 0 && (
        <>
          <div className="sweep-table-header">
            <h3>All points</h3>
            <div className="table-tools">
              <button type="button" className="button button-small" onClick={() => saveTable('csv')} data-testid="sweep-csv">
                CSV
              </button>
              <button type="button" className="button button-small" onClick={() => saveTable('json')} data-testid="sweep-json">
                JSON
              </button>
            </div>
          </div>
          <PointsTable />
        </>
      )}
    </section>
  );
}
