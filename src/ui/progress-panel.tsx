// Progress of the running job: calibration windows and tokens/s, then tensors done and MB/s; time
// left, and Cancel. Progress events come
// ~10×/s, so this subscribes to progress-store transiently and writes the DOM itself instead of
// re-rendering (STYLE.md: transient subscriptions for high-rate values).
import { useEffect, useRef } from 'react';
import { progressStore, progressView } from '../store/progress-store';
import { useStudioStore } from '../store/studio-store';
import { formatDuration } from './format';

export function ProgressPanel() {
  const status = useStudioStore((s) => s.jobStatus);
  const cancel = useStudioStore((s) => s.cancelCompress);
  const bar = useRef<HTMLProgressElement>(null);
  const tensors = useRef<HTMLSpanElement>(null);
  const speed = useRef<HTMLSpanElement>(null);
  const left = useRef<HTMLSpanElement>(null);
  const current = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (status === 'idle') return;
    const paint = () => {
      const p = progressStore.getState().progress;
      if (!bar.current || !tensors.current || !speed.current || !left.current || !current.current) return;
      if (!p) {
        bar.current.removeAttribute('value');
        tensors.current.textContent = 'Starting…';
        speed.current.textContent = '';
        left.current.textContent = '';
        current.current.textContent = '';
        return;
      }
      const v = progressView(p);
      bar.current.value = v.fraction;
      bar.current.textContent = `${Math.round(v.fraction * 100)} %`;
      tensors.current.textContent = v.counts;
      speed.current.textContent = v.rate;
      left.current.textContent = v.msLeft === null ? '' : `${formatDuration(v.msLeft)} left`;
      current.current.textContent = v.currentTensor;
    };
    paint();
    return progressStore.subscribe(paint);
  }, [status]);

  if (status === 'idle') return null;
  return (
    <section className="panel progress" aria-label="Compression progress" data-testid="progress-panel">
      <progress ref={bar} max={1} className="progress-bar" aria-label="Compression progress" />
      <div className="progress-numbers">
        <span ref={tensors} data-testid="progress-tensors" />
        <span ref={speed} data-testid="progress-speed" />
        <span ref={left} data-testid="progress-left" />
      </div>
      <p ref={current} className="progress-current mono" />
      <button type="button" className="button button-danger button-wide" onClick={cancel} disabled={status === 'cancelling'} data-testid="cancel-button">
        {status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
      </button>
    </section>
  );
}
