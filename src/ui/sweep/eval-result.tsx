// The original model's perplexity (with W and where it ran), or why the evaluation stopped; and
// when the last evaluation could not be saved to the history (storage full), that it was not.
import { useStudioStore } from '../../store/studio-store';

export function EvalResult() {
  const report = useStudioStore((s) => s.evalReport);
  const error = useStudioStore((s) => s.evalError);
  const saveWarning = useStudioStore((s) => s.evalSaveWarning);
  if (error) {
    return (
      <p className={`small ${error.code === 'cancelled' ? 'muted' : 'sweep-error'}`} role="status" data-testid="eval-error" data-code={error.code}>
        {error.code === 'cancelled' ? 'Evaluation cancelled.' : error.message}
      </p>
    );
  }
  if (!report) return null;
  return (
    <div className="eval-result" data-testid="eval-result">
      <div>
        <span className="eval-ppl" data-testid="eval-ppl">{report.ppl.toFixed(4)}</span>
        <span className="muted small"> ppl · W={report.windows}</span>
      </div>
      <p className="small muted" data-testid="eval-details">
        {report.textSource === 'bundled' ? 'WikiText-2 excerpt' : 'your text'} · {report.tokensScored.toLocaleString('en-US')} tokens
        scored · {Math.round(report.tokensPerSecond).toLocaleString('en-US')} tok/s · {report.executionProvider}
        {report.fallbackReason ? ` (WebGPU not used: ${report.fallbackReason})` : ''}
      </p>
      {saveWarning && (
        <p className="small sweep-error" role="alert" data-testid="eval-save-warning">
          {saveWarning}
        </p>
      )}
    </div>
  );
}
