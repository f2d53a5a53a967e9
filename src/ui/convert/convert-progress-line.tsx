// Progress of a running conversion (tensors written) with Cancel.
import { useStudioStore } from '../../store/studio-store';

export function ConvertProgressLine() {
  const progress = useStudioStore((s) => s.convertProgress);
  const status = useStudioStore((s) => s.convertStatus);
  const cancel = useStudioStore((s) => s.cancelConvert);
  const fraction = progress && progress.tensorsTotal > 0 ? progress.tensorsDone / progress.tensorsTotal : undefined;
  return (
    <div className="convert-progress" data-testid="export-progress">
      <progress max={1} value={fraction} aria-label="Conversion progress" />
      <p className="small muted">
        {progress ? `${progress.tensorsDone} / ${progress.tensorsTotal} tensors${progress.currentTensor ? ` · ${progress.currentTensor}` : ''}` : 'Starting…'}
      </p>
      <button type="button" className="button button-danger" onClick={cancel} disabled={status === 'cancelling'} data-testid="export-cancel">
        {status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}
