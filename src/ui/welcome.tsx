// What the page is for, before a model is loaded.
export function Welcome() {
  return (
    <section className="panel welcome" aria-labelledby="welcome-heading" data-testid="welcome">
      <h2 id="welcome-heading">Make a model smaller, in this tab</h2>
      <ol className="steps">
        <li>
          <strong>Load</strong> an ONNX model: drop the file (with its external data and tokenizer.json) or
          the whole folder, or try the built-in sample (a 1.8 M-parameter Llama).
        </li>
        <li>
          <strong>Look</strong> at its tensors, roles and bytes per layer.
        </li>
        <li>
          <strong>Quantize</strong> the weights to 8, 4, 3 or 2 bits on your GPU and see the error each layer takes.
        </li>
        <li>
          <strong>Download</strong> an ONNX file with MatMulNBits weights that onnxruntime (web, node, native) runs.
        </li>
      </ol>
    </section>
  );
}
