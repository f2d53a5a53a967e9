// Run / Pause / Cancel / Resume / Clear of the sweep, with its progress and last error. Nothing
// finished is deleted without asking: Clear, and a run whose evaluation settings differ from the
// saved sweep's (which starts afresh), first say how many points go and wait for a second click.
import { useState } from 'react';
import { gridSize } from '../../store/sweep-axes';
import { pointsReplacedByStart } from '../../store/sweep-slice';
import { useStudioStore } from '../../store/studio-store';
import { SweepProgressLine } from './sweep-progress-line';

export function SweepControls({ formValid }: { formValid: boolean }) {
  const status = useStudioStore((s) => s.sweepStatus);
  const runStatus = useStudioStore((s) => s.sweepRunStatus);
  const points = useStudioStore((s) => s.sweepPoints.length);
  const gridTotal = useStudioStore((s) => s.sweepGridIds.length);
  const size = useStudioStore(gridSize);
  const windows = useStudioStore((s) => s.evalWindows);
  const otherBusy = useStudioStore((s) => s.evalStatus !== 'idle' || s.jobStatus !== 'idle' || s.loadStatus !== 'idle');
  const error = useStudioStore((s) => s.sweepError);
  const start = useStudioStore((s) => s.startSweep);
  const resume = useStudioStore((s) => s.resumeSweep);
  const pause = useStudioStore((s) => s.pauseSweep);
  const cancel = useStudioStore((s) => s.cancelSweep);
  const clear = useStudioStore((s) => s.clearSweep);
  const replaced = useStudioStore(pointsReplacedByStart);
  const [asking, setAsking] = useState<'clear' | 'replace' | null>(null);
  const idle = status === 'idle';
  const canResume = idle && (runStatus === 'paused' || runStatus === 'cancelled') && points < gridTotal;

  return (
    <>
      <p className="small muted" data-testid="sweep-grid-size">
        {size} point{size === 1 ? '' : 's'} · W={windows} each · compress on the GPU, then evaluate
      </p>
      {idle && asking ? (
        <div className="sweep-confirm" role="alertdialog" aria-labelledby="sweep-confirm-text" data-testid="sweep-confirm">
          <p className="small" id="sweep-confirm-text">
            {asking === 'clear'
              ? `Delete the ${points} finished point${points === 1 ? '' : 's'} of this sweep? Export the table (CSV/JSON) first to keep them.`
              : `The evaluation settings differ from the saved sweep's, so a new sweep starts afresh and its ${replaced} finished point${replaced === 1 ? '' : 's'} are deleted. Export the table (CSV/JSON) first to keep them, or set the windows, backend and text back.`}
          </p>
          <div className="sweep-buttons">
            <button
              type="button"
              className="button button-danger"
              data-testid="sweep-confirm-yes"
              onClick={() => {
                setAsking(null);
                void (asking === 'clear' ? clear() : start());
              }}
            >
              {asking === 'clear' ? 'Delete points' : 'Replace them'}
            </button>
            <button type="button" className="button button-secondary" data-testid="sweep-confirm-no" autoFocus onClick={() => setAsking(null)}>
              Keep them
            </button>
          </div>
        </div>
      ) : idle ? (
        <div className="sweep-buttons">
          <button type="button" className="button button-primary" onClick={() => (replaced > 0 ? setAsking('replace') : void start())} disabled={otherBusy || !formValid || size === 0} data-testid="sweep-start">
            Run sweep
          </button>
          {canResume && (
            <button type="button" className="button button-secondary" onClick={() => void resume()} disabled={otherBusy} data-testid="sweep-resume">
              Resume ({gridTotal - points} left)
            </button>
          )}
          {(points > 0 || runStatus) && (
            <button type="button" className="button button-ghost" onClick={() => (points > 0 ? setAsking('clear') : void clear())} data-testid="sweep-clear">
              Clear
            </button>
          )}
        </div>
      ) : (
        <>
          <SweepProgressLine />
          <div className="sweep-buttons">
            <button type="button" className="button" onClick={pause} disabled={status !== 'running'} data-testid="sweep-pause">
              {status === 'pausing' ? 'Pausing…' : 'Pause'}
            </button>
            <button type="button" className="button button-danger" onClick={cancel} disabled={status === 'cancelling'} data-testid="sweep-cancel">
              {status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
            </button>
          </div>
        </>
      )}
      {idle && runStatus && runStatus !== 'running' && (
        <p className="small muted" data-testid="sweep-status" data-status={runStatus}>
          {runStatus === 'done' ? `Done: ${points} of ${gridTotal} points.` : `${runStatus === 'paused' ? 'Paused' : 'Cancelled'}: ${points} of ${gridTotal} points finished.`}
        </p>
      )}
      {error && (
        <p className="small sweep-error" role="alert" data-testid="sweep-error" data-code={error.code}>
          {error.message}
        </p>
      )}
    </>
  );
}
