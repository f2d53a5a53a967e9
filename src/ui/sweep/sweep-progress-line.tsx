// Which point the sweep is on and how far its evaluation got; written from a transient
// subscription (one event per evaluated window).
import { useEffect, useRef } from 'react';
import { sweepProgressLine, sweepProgressStore } from '../../store/sweep-progress';

export function SweepProgressLine() {
  const bar = useRef<HTMLProgressElement>(null);
  const line = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    const paint = () => {
      const p = sweepProgressStore.getState().sweepProgress;
      if (!bar.current || !line.current) return;
      if (!p) {
        bar.current.removeAttribute('value');
        line.current.textContent = 'Starting…';
        return;
      }
      const inPoint = p.windowsTotal ? (p.windowsDone ?? 0) / p.windowsTotal : 0;
      const fraction = p.phase === 'reference' ? 0 : (p.pointIndex + (p.phase === 'evaluate' ? inPoint : 0)) / Math.max(1, p.pointsTotal);
      bar.current.value = fraction;
      line.current.textContent = sweepProgressLine(p);
    };
    paint();
    return sweepProgressStore.subscribe(paint);
  }, []);

  return (
    <div className="sweep-progress" data-testid="sweep-progress">
      <progress ref={bar} max={1} className="progress-bar" aria-label="Sweep progress" />
      <span ref={line} className="small" data-testid="sweep-progress-line" />
    </div>
  );
}
