// Perplexity of the compressed result, with the Perplexity panel's settings, beside the original's
// when that was evaluated the same way, and its KL divergence from the original (ONNX source
// models: the evaluator runs their graph).
import { KL_METHOD_NOTE } from '../core/evaluation';
import { useStudioStore } from '../store/studio-store';
import { formatKl } from './format';

export function ResultEval() {
  const onnx = useStudioStore((s) => s.model?.index.format === 'onnx');
  const hasTokenizer = useStudioStore((s) => s.model?.hasTokenizer ?? false);
  const result = useStudioStore((s) => s.resultEval);
  const original = useStudioStore((s) => s.evalReport);
  const running = useStudioStore((s) => s.evalStatus !== 'idle' && s.evalSubject === 'result');
  const busy = useStudioStore((s) => s.evalStatus !== 'idle' || s.sweepStatus !== 'idle' || s.jobStatus !== 'idle');
  const windows = useStudioStore((s) => s.evalWindows);
  const evaluate = useStudioStore((s) => s.evaluateResult);
  if (!onnx || !hasTokenizer) return null;
  const comparable = result && original && original.windows === result.windows && original.textSource === result.textSource;
  return (
    <div className="result-eval" data-testid="result-eval">
      <button type="button" className="button button-secondary" onClick={() => void evaluate()} disabled={busy} data-testid="evaluate-result">
        {running ? 'Evaluating…' : `Evaluate this result (W=${windows})`}
      </button>
      {result && (
        <span className="small" data-testid="result-ppl" data-ppl={result.ppl}>
          perplexity <strong>{result.ppl.toFixed(4)}</strong> · W={result.windows} · {result.executionProvider}
          {comparable ? ` · original ${original!.ppl.toFixed(4)} (${((result.ppl / original!.ppl - 1) * 100).toFixed(2)} %)` : ''}
          {result.kl && (
            <span className="kl-figure" title={KL_METHOD_NOTE} data-testid="result-kl" data-kl={result.kl.mean} data-top1={result.kl.top1Agreement}>
              {' · '}{formatKl(result.kl)} (vs the original's top {result.kl.topK} tokens per position: a lower bound)
            </span>
          )}
        </span>
      )}
    </div>
  );
}
