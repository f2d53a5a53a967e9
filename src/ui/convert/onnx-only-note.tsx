// Shown instead of the quantize, perplexity and sweep panels for GGUF and safetensors models:
// those run on an ONNX graph; inspection and "Export as" work for every format.
import { useStudioStore } from '../../store/studio-store';

export function OnnxOnlyNote() {
  const format = useStudioStore((s) => s.model?.index.format);
  if (!format || format === 'onnx') return null;
  return (
    <section className="panel form" aria-labelledby="onnx-only-heading" data-testid="onnx-only-note">
      <h2 id="onnx-only-heading">Quantize</h2>
      <p className="small muted">
        RTN quantization, perplexity and sweeps need an ONNX model; this is a {format === 'gguf' ? 'GGUF' : 'safetensors'} model. It can be inspected here and
        exported as GGUF or safetensors below.
      </p>
    </section>
  );
}
