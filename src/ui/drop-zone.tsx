// Where a model comes in: drop files or a folder, pick files, or try the built-in sample.
import { useRef, useState, type DragEvent } from 'react';
import { useStudioStore } from '../store/studio-store';
import { takeDropped } from './collect-dropped-files';

export function DropZone() {
  const openFiles = useStudioStore((s) => s.openFiles);
  const openSample = useStudioStore((s) => s.openSample);
  const loading = useStudioStore((s) => s.loadStatus === 'loading');
  const loadingLabel = useStudioStore((s) => s.loadingLabel);
  const busy = useStudioStore((s) => s.jobStatus !== 'idle' || s.exportStatus !== 'idle');
  const hasModel = useStudioStore((s) => s.model !== null);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const disabled = loading || busy;

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (disabled) return;
    const collect = takeDropped(e.dataTransfer);
    void collect().then(openFiles, (error) => useStudioStore.getState().showError('load', error));
  };
  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
    if (!dragging) setDragging(true);
  };

  return (
    <section
      className={`drop-zone${dragging ? ' is-dragging' : ''}${hasModel ? ' is-compact' : ''}`}
      data-testid="drop-zone"
      aria-label="Load a model"
      aria-busy={loading}
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <p className="drop-title">{loading ? `Opening ${loadingLabel}…` : hasModel ? 'Drop a model or a recipe here' : 'Drop a model here'}</p>
      {!hasModel && (
        <p className="drop-hint">
          ONNX (with its external data), GGUF or safetensors, with tokenizer.json and config.json, or the whole folder. A recipe (.json) goes to the editor. Files stay on this machine.
        </p>
      )}
      <div className="drop-actions">
        <button type="button" className="button" disabled={disabled} onClick={() => input.current?.click()}>
          Choose files…
        </button>
        <button type="button" className="button button-secondary" disabled={disabled} onClick={() => void openSample()} data-testid="sample-button">
          Try the sample
        </button>
      </div>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (files.length > 0) void openFiles(files);
        }}
      />
      {loading && <div className="busy-bar" aria-hidden="true" />}
    </section>
  );
}
