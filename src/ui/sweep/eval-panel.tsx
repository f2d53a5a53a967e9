// Perplexity of the original model (docs/EVAL.md `wikitext2-w256`): windows, execution provider,
// text, Evaluate / Cancel, live progress and the result. The settings apply to sweeps too.
import { HelpLink } from '../help';
import type { EvalBackend } from '../../core/evaluation';
import { ortWebMemoryProblem } from '../../core/evaluation-memory';
import { EVAL_WINDOW_CHOICES } from '../../store/eval-slice';
import { useStudioStore } from '../../store/studio-store';
import { EvalCredit } from './eval-credit';
import { EvalProgress } from './eval-progress';
import { EvalResult } from './eval-result';
import { EvalTextChoice } from './eval-text-choice';

const BACKENDS: { id: EvalBackend; label: string; title: string }[] = [
  { id: 'auto', label: 'Auto', title: 'WebGPU on a real GPU, else wasm (a CPU fallback adapter such as SwiftShader is slower than wasm)' },
  { id: 'webgpu', label: 'WebGPU', title: 'The WebGPU execution provider (falls back to wasm if it cannot run)' },
  { id: 'wasm', label: 'wasm', title: 'The CPU (WebAssembly) execution provider' },
];

export function EvalPanel() {
  const hasModel = useStudioStore((s) => s.model !== null);
  // Said before anything runs: a model past onnxruntime-web's heap cannot be evaluated here.
  const memoryProblem = useStudioStore((s) => (s.model ? ortWebMemoryProblem(s.model.index) : undefined));
  const windows = useStudioStore((s) => s.evalWindows);
  const backend = useStudioStore((s) => s.evalBackend);
  const status = useStudioStore((s) => s.evalStatus);
  const busy = useStudioStore((s) => s.sweepStatus !== 'idle' || s.jobStatus !== 'idle' || s.loadStatus !== 'idle');
  const setWindows = useStudioStore((s) => s.setEvalWindows);
  const setBackend = useStudioStore((s) => s.setEvalBackend);
  const evaluate = useStudioStore((s) => s.evaluateOriginal);
  const cancel = useStudioStore((s) => s.cancelEvaluate);
  if (!hasModel) return null;
  const running = status !== 'idle';

  return (
    <section className="panel form" aria-labelledby="eval-heading" data-testid="eval-panel">
      <h2 id="eval-heading">Perplexity</h2>
      <label className="field">
        <span className="label">
          Windows of 256 tokens
          <HelpLink topic="windows" />
        </span>
        <select value={String(windows)} onChange={(e) => setWindows(Number(e.target.value))} disabled={running || busy} data-testid="eval-windows">
          {EVAL_WINDOW_CHOICES.map((w) => (
            <option key={w} value={String(w)}>
              W={w}
              {w === 64 ? ' (the reference protocol)' : w === 16 ? ' (quick)' : ''}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="field" disabled={running || busy}>
        <legend>
          Runs on (onnxruntime-web)
          <HelpLink topic="backend" />
        </legend>
        <div className="segmented">
          {BACKENDS.map((b) => (
            <label key={b.id} className="segment" title={b.title}>
              <input type="radio" name="eval-backend" checked={backend === b.id} onChange={() => setBackend(b.id)} data-testid={`eval-backend-${b.id}`} />
              <span>{b.label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <EvalTextChoice disabled={running || busy} />
      <EvalCredit />
      {memoryProblem && (
        <p className="small sweep-error" role="alert" data-testid="eval-memory">
          Perplexity cannot run in this page: {memoryProblem}.
        </p>
      )}
      {running ? (
        <>
          <EvalProgress />
          <button type="button" className="button button-danger button-wide" onClick={cancel} disabled={status === 'cancelling'} data-testid="evaluate-cancel">
            {status === 'cancelling' ? 'Cancelling…' : 'Cancel evaluation'}
          </button>
        </>
      ) : (
        <button type="button" className="button button-secondary button-wide" onClick={() => void evaluate()} disabled={busy || Boolean(memoryProblem)} data-testid="evaluate-button">
          Evaluate the original model
        </button>
      )}
      <EvalResult />
    </section>
  );
}
