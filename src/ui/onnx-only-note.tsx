// Shown instead of the perplexity and sweep panels for GGUF and safetensors models: those run the
// model's ONNX graph. When the studio can build that graph (llama, mistral, qwen2 with a
// config.json, or a llama GGUF's own metadata), one click builds it here and opens it in the
// model's place; otherwise the note says why not. Compressing to GGUF or safetensors works either way.
import { useState } from 'react';
import { useStudioStore } from '../store/studio-store';
import { formatBytes } from './format';

export function OnnxOnlyNote() {
  const model = useStudioStore((s) => s.model);
  const building = useStudioStore((s) => s.graphBuild);
  const busy = useStudioStore((s) => s.jobStatus !== 'idle' || s.loadStatus !== 'idle');
  const buildGraph = useStudioStore((s) => s.buildGraph);
  const cancel = useStudioStore((s) => s.cancelGraphBuild);
  const [float16, setFloat16] = useState(false);
  const format = model?.index.format;
  if (!model || !format || format === 'onnx') return null;
  const kind = format === 'gguf' ? 'GGUF' : 'safetensors';
  const graph = model.graph;
  return (
    <section className="panel form" aria-labelledby="onnx-only-heading" data-testid="onnx-only-note">
      <h2 id="onnx-only-heading">Perplexity and sweeps</h2>
      <p className="small muted">
        Perplexity, sweeps, calibrated methods and ONNX output run an ONNX graph; this is a {kind} model.
        {graph?.buildable ? ` The studio can build its graph (${graph.architecture}) here and open it in its place.` : ''}
      </p>
      {graph?.buildable && !building && (
        <>
          <label className="small" title="float16 weights and activations (inputs and outputs stay float32): half the size, what transformers.js calls fp16 — and q4f16 once quantized to 4 bits">
            <input type="checkbox" checked={float16} onChange={(e) => setFloat16(e.target.checked)} data-testid="build-graph-float16" /> float16
          </label>
          <button type="button" className="button button-primary button-wide" onClick={() => void buildGraph({ float16 })} disabled={busy} data-testid="build-graph">
            Build the ONNX graph
          </button>
        </>
      )}
      {building && (
        <div data-testid="graph-building">
          <progress max={building.total || 1} value={building.written} aria-label="Building the ONNX graph" />
          <span className="small muted"> {building.total ? `${formatBytes(building.written)} of ${formatBytes(building.total)}` : 'reading the config…'} </span>
          <button type="button" className="button button-small" onClick={cancel} data-testid="cancel-graph-build">
            Cancel
          </button>
        </div>
      )}
      {graph && !graph.buildable && (
        <p className="small muted" data-testid="graph-unbuildable">
          No graph can be built: {graph.reason}. Compress it above to GGUF or safetensors.
        </p>
      )}
    </section>
  );
}
