// Saves the compressed result: a save dialog where the browser has one, else a download. The file
// is named after the recipe, in the format the result was made for. And the importance matrix a
// calibrated run measured (llama.cpp's format: for llama-quantize --imatrix, or a later run here).
// A safetensors result comes with its config.json (dtype, MLP width, GPTQ's quantization_config),
// which transformers and GPTQ loaders read beside the weights; an ONNX result can be saved as a
// transformers.js model folder (zip).
import { outputFileName } from '../core/output-names';
import { useStudioStore } from '../store/studio-store';
import { formatBytes } from './format';

export function DownloadButton() {
  const download = useStudioStore((s) => s.downloadResult);
  const saving = useStudioStore((s) => s.exportStatus === 'saving');
  const busy = useStudioStore((s) => s.jobStatus !== 'idle' || s.loadStatus !== 'idle');
  const sourceName = useStudioStore((s) => s.model?.index.fileName ?? 'model.onnx');
  const report = useStudioStore((s) => s.report);
  const saved = useStudioStore((s) => s.lastSaved);
  const hasConfig = useStudioStore((s) => s.model?.hasConfig ?? false);
  const downloadConfig = useStudioStore((s) => s.downloadCheckpointConfig);
  const downloadTransformersJs = useStudioStore((s) => s.downloadTransformersJs);
  const hasTokenizer = useStudioStore((s) => s.model?.hasTokenizer ?? false);
  if (!report) return null;
  const fileName = outputFileName(sourceName, report.format, report.recipe);
  return (
    <div className="download">
      <button type="button" className="button button-primary" onClick={() => void download()} disabled={saving || busy} data-testid="download-button" title={`Save ${fileName}`}>
        {saving ? 'Saving…' : `Download ${fileName}`}
      </button>
      {report.format === 'safetensors' && hasConfig && (
        <button type="button" className="button button-small" onClick={() => void downloadConfig()} disabled={saving || busy} data-testid="config-download"
          title="The model's config.json with this result's dtype, MLP width and GPTQ quantization_config: put it beside the .safetensors file for transformers, AutoGPTQ or GPTQModel">
          Download config.json
        </button>
      )}
      {report.format === 'onnx' && hasConfig && hasTokenizer && (
        <button type="button" className="button button-small" onClick={() => void downloadTransformersJs()} disabled={saving || busy} data-testid="tjs-download"
          title="A folder transformers.js loads as it is (onnx/model_<dtype>.onnx, config.json, generation_config.json, the tokenizer, a model card with the recipe and the measured perplexity), zipped">
          Download for transformers.js (.zip)
        </button>
      )}
      {saved && (
        <span className="muted small" role="status" data-testid="download-done">
          Saved {saved.fileName} ({formatBytes(saved.bytesWritten)})
        </span>
      )}
    </div>
  );
}

export function ImatrixDownload() {
  const download = useStudioStore((s) => s.downloadImatrix);
  const busy = useStudioStore((s) => s.exportStatus === 'saving' || s.jobStatus !== 'idle' || s.loadStatus !== 'idle');
  return (
    <button type="button" className="button button-small" onClick={() => void download()} disabled={busy} data-testid="imatrix-download"
      title="Σx² per input column and the token count of every weight calibration measured, in llama.cpp's importance-matrix format (imatrix.gguf): llama-quantize --imatrix reads it, and so does Load imatrix… here">
      Download importance matrix
    </button>
  );
}
