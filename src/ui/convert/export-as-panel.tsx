// "Export as": ONNX MatMulNBits (the quantize result's download), GGUF (a preset mix or a pure
// type) or one safetensors file, converted in the worker from whatever format was opened.
import { useStudioStore } from '../../store/studio-store';
import type { ConvertFormat } from '../../store/convert-slice';
import { DownloadButton } from '../download-button';
import { ConvertProgressLine } from './convert-progress-line';
import { GgufFields, SafetensorsFields } from './convert-fields';
import { formatBytes } from '../format';

const FORMAT_LABEL: Record<ConvertFormat, string> = { onnx: 'ONNX', gguf: 'GGUF', safetensors: 'safetensors' };

export function ExportAsPanel() {
  const model = useStudioStore((s) => s.model);
  const format = useStudioStore((s) => s.convertFormat);
  const setFormat = useStudioStore((s) => s.setConvertFormat);
  const status = useStudioStore((s) => s.convertStatus);
  const saved = useStudioStore((s) => s.convertSaved);
  const hasReport = useStudioStore((s) => s.report !== null);
  const exportConverted = useStudioStore((s) => s.exportConverted);
  const otherBusy = useStudioStore((s) => s.jobStatus !== 'idle' || s.loadStatus !== 'idle' || s.exportStatus !== 'idle');
  if (!model) return null;
  const isOnnx = model.index.format === 'onnx';
  const formats: ConvertFormat[] = isOnnx ? ['onnx', 'gguf', 'safetensors'] : ['gguf', 'safetensors'];
  const running = status !== 'idle';
  // GGUF from ONNX or safetensors is built from config.json + tokenizer.json; a GGUF source has its own metadata.
  const ggufNeeds = format === 'gguf' && model.index.format !== 'gguf' && !(model.hasTokenizer && model.hasConfig);

  return (
    <section className="panel form" aria-labelledby="export-as-heading" data-testid="export-as">
      <h2 id="export-as-heading">Export as</h2>
      <fieldset className="field" disabled={running}>
        <legend>Format</legend>
        <div className="segmented">
          {formats.map((f) => (
            <label key={f} className="segment">
              <input type="radio" name="convert-format" value={f} checked={format === f} onChange={() => setFormat(f)} data-testid={`export-format-${f}`} />
              <span>{FORMAT_LABEL[f]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {format === 'onnx' && (
        <>
          <p className="small muted">ONNX with MatMulNBits weights: quantize above, then download the result.</p>
          {hasReport && <DownloadButton />}
        </>
      )}
      {format === 'gguf' && <GgufFields disabled={running} />}
      {format === 'safetensors' && <SafetensorsFields disabled={running} />}
      {ggufNeeds && (
        <p className="small sweep-error" role="alert" data-testid="export-needs-files">
          GGUF from {model.index.format.toUpperCase()} needs the model's config.json and tokenizer.json
          {model.hasConfig ? ' (tokenizer.json is missing)' : model.hasTokenizer ? ' (config.json is missing)' : ''}: drop them together with the model.
        </p>
      )}
      {format !== 'onnx' &&
        (running ? (
          <ConvertProgressLine />
        ) : (
          <button type="button" className="button button-primary" onClick={() => void exportConverted()} disabled={otherBusy || ggufNeeds} data-testid="export-convert">
            Export {FORMAT_LABEL[format]}
          </button>
        ))}
      {saved && format !== 'onnx' && (
        <p className="muted small" role="status" data-testid="export-done">
          Saved {saved.fileName} ({formatBytes(saved.bytesWritten)})
        </p>
      )}
    </section>
  );
}
