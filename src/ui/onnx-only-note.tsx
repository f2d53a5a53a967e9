// Shown instead of the perplexity and sweep panels for GGUF and safetensors models: those run the
// model's ONNX graph (a graph builder for other formats is issue #12); compressing and exporting
// work for every format.
import { useStudioStore } from '../store/studio-store';

export function OnnxOnlyNote() {
  const format = useStudioStore((s) => s.model?.index.format);
  if (!format || format === 'onnx') return null;
  return (
    <section className="panel form" aria-labelledby="onnx-only-heading" data-testid="onnx-only-note">
      <h2 id="onnx-only-heading">Perplexity and sweeps</h2>
      <p className="small muted">
        Perplexity and sweeps run an ONNX graph; this is a {format === 'gguf' ? 'GGUF' : 'safetensors'} model. Compress it above to GGUF or safetensors.
      </p>
    </section>
  );
}
