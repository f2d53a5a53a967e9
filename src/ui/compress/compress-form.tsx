// The compress panel of the control column: the output format, the recipe (quick recipes, rules,
// options), the plan in one line (what it prunes and quantizes, the exact output size, bits per weight) or
// why it cannot run, and the Compress button.
import type { FormEvent } from 'react';
import { actionPrune, OUTPUT_FORMATS, type OutputFormat } from '../../core/compression-plan';
import { useStudioStore } from '../../store/studio-store';
import { formatBytes } from '../format';
import { RecipeEditor } from './recipe-editor';

const FORMAT_LABEL: Record<OutputFormat, string> = { onnx: 'ONNX', gguf: 'GGUF', safetensors: 'safetensors' };
const FORMAT_TITLE: Record<OutputFormat, string> = {
  onnx: 'onnxruntime and transformers.js (MatMulNBits weights)',
  gguf: 'llama.cpp, ollama (llama.cpp block types)',
  safetensors: 'Hugging Face checkpoint (float weights)',
};

function PlanLine() {
  const plan = useStudioStore((s) => s.plan);
  const error = useStudioStore((s) => s.planError);
  const planning = useStudioStore((s) => s.planStatus === 'planning');
  if (error) {
    return (
      <p className="small sweep-error" role="alert" data-testid="plan-error">
        {error.rule === undefined ? error.message : `Rule ${error.rule} cannot run (see above).`}
      </p>
    );
  }
  if (!plan) return <p className="small muted" data-testid="plan-line" data-planning={planning}>{planning ? 'Planning…' : ''}</p>;
  const quantized = plan.tensors.filter((t) => t.action.kind === 'quantize').length;
  const pruned = plan.tensors.filter((t) => actionPrune(t.action)).length;
  return (
    <p className={`small plan-line${planning ? ' is-stale' : ''}`} aria-live="polite" data-testid="plan-line" data-planning={planning}>
      {pruned > 0 ? `${pruned} pruned, ` : ''}
      {quantized} of {plan.tensors.length} tensors quantized · output <strong data-testid="plan-bytes">{formatBytes(plan.outputBytes)}</strong>
      {quantized > 0 ? ` · ${plan.bitsPerWeight.toFixed(2)} bits per weight` : ''}
    </p>
  );
}

export function CompressForm() {
  const model = useStudioStore((s) => s.model);
  const format = useStudioStore((s) => s.outputFormat);
  const setFormat = useStudioStore((s) => s.setOutputFormat);
  const compress = useStudioStore((s) => s.compress);
  const canRun = useStudioStore((s) => s.plan !== null && s.planError === null);
  const idle = useStudioStore((s) => s.jobStatus === 'idle' && s.loadStatus === 'idle' && s.exportStatus === 'idle');
  const running = useStudioStore((s) => s.jobStatus !== 'idle');
  const onnxSource = model?.index.format === 'onnx';

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void compress();
  };

  return (
    <form className="panel form" onSubmit={onSubmit} aria-labelledby="compress-heading" data-testid="compress-form">
      <h2 id="compress-heading">Compress</h2>
      <fieldset className="field" disabled={running}>
        <legend>Output</legend>
        <div className="segmented">
          {OUTPUT_FORMATS.map((f) => (
            <label key={f} className="segment" title={f === 'onnx' && !onnxSource && model ? 'ONNX output needs an ONNX model (a graph to put the weights in)' : FORMAT_TITLE[f]}>
              <input type="radio" name="output-format" value={f} checked={format === f} disabled={f === 'onnx' && model !== null && !onnxSource} onChange={() => setFormat(f)} data-testid={`format-${f}`} />
              <span>{FORMAT_LABEL[f]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <RecipeEditor disabled={running} />
      {model && <PlanLine />}
      <button type="submit" className="button button-primary button-wide" disabled={!model || !idle || !canRun} data-testid="compress-button">
        {running ? 'Compressing…' : 'Compress'}
      </button>
      {!model && <p className="muted small">Load a model first.</p>}
    </form>
  );
}
