// Windows done / total and tokens per second of the running evaluation. Events come once per
// window, so this writes the DOM from a transient subscription instead of re-rendering.
import { useEffect, useRef } from 'react';
import { sweepProgressStore, windowsLine } from '../../store/sweep-progress';

export function EvalProgress() {
  const bar = useRef<HTMLProgressElement>(null);
  const line = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    const paint = () => {
      const p = sweepProgressStore.getState().evalProgress;
      if (!bar.current || !line.current) return;
      if (!p) {
        bar.current.removeAttribute('value');
        line.current.textContent = 'Preparing the session…';
        return;
      }
      bar.current.value = p.windowsTotal > 0 ? p.windowsDone / p.windowsTotal : 0;
      line.current.textContent = windowsLine(p);
    };
    paint();
    return sweepProgressStore.subscribe(paint);
  }, []);

  return (
    <div className="sweep-progress" data-testid="eval-progress">
      <progress ref={bar} max={1} className="progress-bar" aria-label="Evaluation progress" />
      <span ref={line} className="small" data-testid="eval-progress-line" />
    </div>
  );
}
