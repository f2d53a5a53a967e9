// The opened model at a glance: parameters, size on disk, architecture, tensors, files.
import { useStudioStore } from '../store/studio-store';
import { formatBytes, formatCount, formatInteger } from './format';
import { Stat } from './stat';

export function ModelSummary() {
  const model = useStudioStore((s) => s.model);
  if (!model) return null;
  const { index } = model;
  const matmuls = index.tensors.filter((t) => t.role === 'matmul-weight').length;
  return (
    <section className="panel" aria-labelledby="model-heading" data-testid="model-summary">
      <header className="panel-header">
        <h2 id="model-heading" className="truncate" title={index.fileName} data-testid="model-name">
          {index.fileName}
        </h2>
        <p className="panel-sub" data-testid="model-files">
          {model.files.filter((f) => !/(^|[\\/])tokenizer\.json$/.test(f)).join(' · ')}
          {model.tokenizerFromModel ? ' · tokenizer from the GGUF' : model.hasTokenizer ? ' · tokenizer.json' : ' · no tokenizer.json'}
        </p>
      </header>
      {model.builtFrom && (
        <p className="small muted" data-testid="built-from">
          ONNX graph built by the studio from {model.builtFrom.fileName} ({model.builtFrom.format}): {formatBytes(model.builtFrom.graphBytes)} {model.builtFrom.float16 ? 'float16 (weights and activations; float32 inputs and outputs)' : 'float32'}, with the same weights.
        </p>
      )}
      <dl className="stats">
        <Stat label="Parameters" value={formatCount(index.paramCount)} title={formatInteger(index.paramCount)} testId="param-count" />
        <Stat label="Size on disk" value={formatBytes(index.fileBytes)} title={`${formatInteger(index.fileBytes)} bytes`} testId="file-bytes" />
        <Stat label="Architecture" value={index.architecture} testId="architecture" />
        <Stat label="Format" value={index.format.toUpperCase()} />
        <Stat label="Tensors" value={formatInteger(index.tensors.length)} testId="tensor-count" />
        <Stat label="MatMul weights" value={formatInteger(matmuls)} />
      </dl>
    </section>
  );
}
