// Page layout: a control column (load, quantize, progress) beside the model and its result.
import { useStudioStore } from '../store/studio-store';
import { AppHeader } from './app-header';
import { DropZone } from './drop-zone';
import { ErrorBanner } from './error-banner';
import { LayerChart } from './layer-chart';
import { ModelSummary } from './model-summary';
import { ProgressPanel } from './progress-panel';
import { QuantizeForm } from './quantize-form';
import { ResultPanel } from './result-panel';
import { RoleChart } from './role-chart';
import { TensorTable } from './tensor-table';
import { WebGpuNotice } from './webgpu-notice';
import { Welcome } from './welcome';
import { EvalPanel } from './sweep/eval-panel';
import { SweepForm } from './sweep/sweep-form';
import { SweepResults } from './sweep/sweep-results';
import { ExportAsPanel } from './convert/export-as-panel';
import { OnnxOnlyNote } from './convert/onnx-only-note';

export function App() {
  const hasModel = useStudioStore((s) => s.model !== null);
  const modelSerial = useStudioStore((s) => s.modelSerial);
  const onnxOrNone = useStudioStore((s) => !s.model || s.model.index.format === 'onnx');
  return (
    <div className="app">
      <AppHeader />
      <div className="layout">
        <aside className="sidebar" aria-label="Controls">
          <DropZone />
          {onnxOrNone ? <QuantizeForm /> : <OnnxOnlyNote />}
          <ProgressPanel />
          <ExportAsPanel />
          {onnxOrNone && <EvalPanel />}
          {onnxOrNone && <SweepForm />}
        </aside>
        <main className="content" key={modelSerial}>
          <WebGpuNotice />
          <ErrorBanner />
          {hasModel ? (
            <>
              <ModelSummary />
              <ResultPanel />
              <SweepResults />
              <div className="chart-row">
                <RoleChart />
                <LayerChart />
              </div>
              <TensorTable />
            </>
          ) : (
            <Welcome />
          )}
        </main>
      </div>
    </div>
  );
}
