// Page layout: a control column (load, compress with its recipe, progress, perplexity, sweeps)
// beside the model, the plan of the recipe, the result, the sweep charts, and the histories of sweeps, evaluations and results.
import { useStudioStore } from '../store/studio-store';
import { AppHeader } from './app-header';
import { CompressForm } from './compress/compress-form';
import { PlanPanel } from './compress/plan-panel';
import { RecipeOffer } from './compress/recipe-offer';
import { DropZone } from './drop-zone';
import { ErrorBanner } from './error-banner';
import { EvaluationHistory } from './evaluation-history';
import { OpenChoice } from './open-choice';
import { LayerChart } from './layer-chart';
import { ModelSummary } from './model-summary';
import { OnnxOnlyNote } from './onnx-only-note';
import { ProgressPanel } from './progress-panel';
import { ResultHistory } from './result-history';
import { ResultPanel } from './result-panel';
import { RoleChart } from './role-chart';
import { TensorTable } from './tensor-table';
import { WebGpuNotice } from './webgpu-notice';
import { Welcome } from './welcome';
import { EvalPanel } from './sweep/eval-panel';
import { SweepForm } from './sweep/sweep-form';
import { SweepHistory } from './sweep/sweep-history';
import { SweepResults } from './sweep/sweep-results';

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
          <CompressForm />
          <ProgressPanel />
          {onnxOrNone ? <EvalPanel /> : <OnnxOnlyNote />}
          {onnxOrNone && <SweepForm />}
        </aside>
        <main className="content" key={modelSerial}>
          <WebGpuNotice />
          <ErrorBanner />
          <OpenChoice />
          <RecipeOffer />
          {hasModel ? (
            <>
              <ModelSummary />
              <ResultPanel />
              <PlanPanel />
              <SweepResults />
              <SweepHistory />
              <EvaluationHistory />
              <ResultHistory />
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
